"""Expand, then contract: which migration operations would break the release still running.

During a rolling upgrade the previous release keeps serving against the new schema, so a
release's migrations may only add (tables, nullable columns or columns with a server
default, indexes). Dropping or renaming something, or making a column NOT NULL without a
default, is a contraction: allowed only in a later release, once no process reads or writes
the old shape, and only when the migration's docstring says so in a line such as
`contract: release 1.4 stopped using incidents.legacy_flag` (docs/upgrades.md).

Pure: the text of a migration script in, the contracting operations its `upgrade()` performs
out. The test suite runs it over every migration after the baseline.
"""

from __future__ import annotations

import ast
import re

# The last migration written before two releases ever ran side by side; later ones are held
# to the policy.
BASELINE = "0009"

_DROPS = frozenset({"drop_column", "drop_table", "rename_table"})
_RAW_CONTRACTION = re.compile(
    r"\b(DROP\s+TABLE|DROP\s+COLUMN|RENAME\s+COLUMN|RENAME\s+TO|SET\s+NOT\s+NULL)\b", re.IGNORECASE
)
_CONTRACT_LINE = re.compile(r"^\s*contract:\s*\S", re.MULTILINE)


def declared_contract(source: str) -> bool:
    """Whether the script's docstring names, in a `contract:` line, why it may contract."""
    docstring = ast.get_docstring(ast.parse(source)) or ""
    return _CONTRACT_LINE.search(docstring) is not None


def contractions(source: str) -> list[str]:
    """Each contracting operation in the script's upgrade(), as `line N: what it does`."""
    upgrade = next(
        (
            node
            for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef) and node.name == "upgrade"
        ),
        None,
    )
    if upgrade is None:
        return []
    found = []
    for node in ast.walk(upgrade):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            problem = _problem(node.func.attr, node)
            if problem:
                found.append(f"line {node.lineno}: {problem}")
    return found


def violations(source: str) -> list[str]:
    """Contractions the script performs without declaring them."""
    return [] if declared_contract(source) else contractions(source)


def _problem(operation: str, call: ast.Call) -> str | None:
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    if operation in _DROPS:
        return operation
    if operation == "alter_column":
        if "new_column_name" in keywords:
            return "alter_column renames a column"
        nullable = keywords.get("nullable")
        not_null = isinstance(nullable, ast.Constant) and nullable.value is False
        if not_null and "server_default" not in keywords:
            return "alter_column makes a column NOT NULL without a server_default"
    if operation == "execute":
        for argument in call.args:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                match = _RAW_CONTRACTION.search(argument.value)
                if match:
                    return f"execute runs {match.group(1).upper()}"
    return None
