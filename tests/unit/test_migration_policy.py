"""Migrations after the baseline only expand the schema, unless a docstring line says which
release stopped using what they remove; and the checker that enforces it catches each kind."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from firehouse.dbtools.migration_policy import BASELINE, contractions, violations
from firehouse.migrate import MIGRATIONS, known_revisions


def scripts_after_baseline() -> dict[str, str]:
    revisions = known_revisions()
    later = revisions[revisions.index(BASELINE) + 1 :]
    directory = ScriptDirectory(str(MIGRATIONS))
    return {rev: Path(str(directory.get_revision(rev).path)).read_text() for rev in later}


def script(upgrade_body: str, docstring: str = "add things") -> str:
    return (
        f'"""{docstring}"""\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
        f"def upgrade() -> None:\n{upgrade_body}\n\n\ndef downgrade() -> None:\n"
        '    op.drop_table("widgets")\n'
    )


def test_no_migration_after_the_baseline_contracts_without_a_contract_line() -> None:
    found = {rev: violations(text) for rev, text in scripts_after_baseline().items()}
    assert {rev: problems for rev, problems in found.items() if problems} == {}


def test_the_baseline_is_a_migration_this_release_ships() -> None:
    assert BASELINE in known_revisions()


def test_adding_a_table_and_a_nullable_column_is_allowed() -> None:
    body = (
        '    op.create_table("widgets", sa.Column("id", sa.Integer(), primary_key=True))\n'
        '    op.add_column("incidents", sa.Column("colour", sa.String(), nullable=True))\n'
        '    op.create_index("ix_widgets_id", "widgets", ["id"])'
    )
    assert violations(script(body)) == []


def test_dropping_a_column_is_a_contraction() -> None:
    assert violations(script('    op.drop_column("incidents", "tags")')) == ["line 8: drop_column"]


def test_dropping_a_column_in_a_batch_is_a_contraction() -> None:
    body = '    with op.batch_alter_table("incidents") as batch:\n        batch.drop_column("tags")'
    assert violations(script(body)) == ["line 9: drop_column"]


def test_dropping_a_table_is_a_contraction() -> None:
    assert violations(script('    op.drop_table("incidents")')) == ["line 8: drop_table"]


def test_renaming_a_table_is_a_contraction() -> None:
    body = '    op.rename_table("incidents", "cases")'
    assert violations(script(body)) == ["line 8: rename_table"]


def test_renaming_a_column_is_a_contraction() -> None:
    body = '    op.alter_column("incidents", "tags", new_column_name="labels")'
    assert violations(script(body)) == ["line 8: alter_column renames a column"]


def test_making_a_column_not_null_without_a_default_is_a_contraction() -> None:
    body = '    op.alter_column("incidents", "reporter", nullable=False)'
    assert violations(script(body)) == [
        "line 8: alter_column makes a column NOT NULL without a server_default"
    ]


def test_making_a_column_not_null_with_a_server_default_is_allowed() -> None:
    body = '    op.alter_column("incidents", "reporter", nullable=False, server_default="")'
    assert violations(script(body)) == []


def test_dropping_a_column_in_raw_sql_is_a_contraction() -> None:
    body = '    op.execute("ALTER TABLE incidents DROP COLUMN tags")'
    assert violations(script(body)) == ["line 8: execute runs DROP COLUMN"]


def test_dropping_a_trigger_in_raw_sql_is_allowed() -> None:
    body = '    op.execute("DROP TRIGGER IF EXISTS notify ON incidents")'
    assert violations(script(body)) == []


def test_a_contract_line_in_the_docstring_allows_the_contraction() -> None:
    docstring = "drop incidents.tags\n\ncontract: release 1.4 stopped reading incidents.tags\n"
    text = script('    op.drop_column("incidents", "tags")', docstring)
    assert contractions(text) == ["line 11: drop_column"]
    assert violations(text) == []


def test_an_empty_contract_line_does_not_allow_the_contraction() -> None:
    text = script('    op.drop_column("incidents", "tags")', "drop tags\n\ncontract:\n")
    assert violations(text) == ["line 11: drop_column"]
