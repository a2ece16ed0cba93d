"""firehouse.yaml: the organisation as code, and `check`, which finds everything wrong with it.

The file is the source of truth for teams, people, services, the priority policy and outbound
webhooks; `apply` copies it into the database. Checking is pure (no database), so it can run
in CI on a pull request that edits the file, and it reports every problem in one pass, each
with its path in the file, because fixing a config one error per run is miserable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from firehouse.catalog.config_problems import (
    FILE,
    Location,
    Problem,
    describe,
    in_file_order,
    translate,
)
from firehouse.catalog.config_references import reference_problems
from firehouse.catalog.config_sections import (
    AtlassianStatuspageConfig,
    BusinessHoursConfig,
    ChatConfig,
    FirehouseConfig,
    IntakeConfig,
    IntakeKeyConfig,
    LevelConfig,
    OrganisationConfig,
    PersonConfig,
    PolicyConfig,
    RouteMatchConfig,
    RouteRuleConfig,
    RoutingConfig,
    ServiceConfig,
    SlackConfig,
    StatuspageComponentConfig,
    StatuspageConfig,
    TeamConfig,
    WebhookConfig,
)
from firehouse.catalog.config_smtp import SmtpConfig

__all__ = [
    "AtlassianStatuspageConfig",
    "BusinessHoursConfig",
    "ChatConfig",
    "FirehouseConfig",
    "IntakeConfig",
    "IntakeKeyConfig",
    "LevelConfig",
    "OrganisationConfig",
    "PersonConfig",
    "PolicyConfig",
    "Problem",
    "RouteMatchConfig",
    "RouteRuleConfig",
    "RoutingConfig",
    "ServiceConfig",
    "SlackConfig",
    "SmtpConfig",
    "StatuspageComponentConfig",
    "StatuspageConfig",
    "TeamConfig",
    "WebhookConfig",
    "check_file",
    "parse_config",
]

SECTIONS: tuple[str, ...] = tuple(FirehouseConfig.model_fields)


def check_file(path: Path) -> tuple[FirehouseConfig | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(FILE, f"{path} is not UTF-8 text")]
    except OSError as exc:
        return None, [Problem(FILE, f"cannot read {path}: {exc.strerror or exc}")]
    return parse_config(text)


def parse_config(text: str) -> tuple[FirehouseConfig | None, list[Problem]]:
    """The validated config and no problems, or None and every problem found."""
    try:
        document, problems = _load_yaml(text)
    except yaml.YAMLError as exc:
        return None, [Problem(FILE, _yaml_error(exc))]
    if document is None:
        return None, [
            Problem(FILE, "the file is empty; it needs at least `organisation: {name: ...}`")
        ]
    if not isinstance(document, dict):
        sections = ", ".join(SECTIONS)
        return None, [Problem(FILE, f"expected a mapping of {sections}; got {describe(document)}")]
    config: FirehouseConfig | None = None
    try:
        config = FirehouseConfig.model_validate(document)
    except ValidationError as exc:
        problems += [translate(error, _keys_at) for error in exc.errors()]
    problems = in_file_order([*problems, *reference_problems(document)], SECTIONS)
    return (None if problems else config), problems


class _DuplicateKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys silently; a config file should say so."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[Problem] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    line = key_node.start_mark.line + 1
                    message = f"line {line}: key '{key_node.value}' appears twice in one mapping"
                    self.duplicates.append(Problem(FILE, message))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(text: str) -> tuple[Any, list[Problem]]:
    loader = _DuplicateKeyLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def _yaml_error(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"not valid YAML at line {mark.line + 1}, column {mark.column + 1}: {exc.problem}"
    return f"not valid YAML: {exc}"


def _keys_at(loc: Location) -> list[str]:
    """The keys the schema allows at a location, to suggest the one a typo meant."""
    model: type[BaseModel] | None = FirehouseConfig
    for part in loc:
        if isinstance(part, str) and model is not None and part in model.model_fields:
            model = _model_inside(model.model_fields[part].annotation)
    return list(model.model_fields) if model is not None else []


def _model_inside(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_inside(argument)
        if found is not None:
            return found
    return None
