"""Cross-references in firehouse.yaml: ids are unique, and every reference names someone declared.

These checks read the raw document rather than the validated model, so that a file with a
type error in one service still gets its unknown teams and people reported in the same run.
Every access is defensive: anything malformed here has already been reported by the schema.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from firehouse.catalog.config_oncall_references import oncall_problems
from firehouse.catalog.config_problems import Problem


def reference_problems(document: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    people = _declared_ids(document, "people", "id", "person", problems)
    teams = _declared_ids(document, "teams", "id", "team", problems)
    services = _declared_ids(document, "services", "id", "service", problems)
    _declared_ids(document, "webhooks", "name", "webhook", problems)
    problems += _alert_problems(document, services)
    problems += oncall_problems(document, people, teams, services, declared=_declared_ids)
    components = _component_ids(document, problems)
    for index, team in _items(document, "teams"):
        for key in ("members", "default_responders"):
            problems += _references(f"teams[{index}].{key}", team.get(key), people, "person")
    for index, service in _items(document, "services"):
        owner = service.get("team")
        if isinstance(owner, str) and owner not in teams:
            problems.append(Problem(f"services[{index}].team", f"unknown team '{owner}'"))
        path = f"services[{index}].point_people"
        problems += _references(path, service.get("point_people"), people, "person")
        if components is not None:
            path = f"services[{index}].components"
            problems += _references(path, service.get("components"), components, "component")
    return problems


def _alert_problems(document: Mapping[str, Any], services: set[str]) -> list[Problem]:
    """Intake key names and routing rule names are unique (a rule's name is what alerts and
    incidents record as their cause); a rule's service is a declared one."""
    problems: list[Problem] = []
    intake = document.get("intake")
    if isinstance(intake, Mapping):
        _declared_ids(intake, "keys", "name", "intake key", problems, prefix="intake.")
    routing = document.get("routing")
    if not isinstance(routing, Mapping):
        return problems
    _declared_ids(routing, "rules", "name", "routing rule", problems, prefix="routing.")
    for index, rule in _items(routing, "rules"):
        service = rule.get("service")
        if isinstance(service, str) and service not in services:
            problems.append(
                Problem(f"routing.rules[{index}].service", f"unknown service '{service}'")
            )
    return problems


def _component_ids(document: Mapping[str, Any], problems: list[Problem]) -> set[str] | None:
    """The status page's component ids, or None when the file has no status page section
    (then services' components are free-form names, as before the status page existed)."""
    page = document.get("statuspage")
    if not isinstance(page, Mapping):
        return None
    declared = _declared_ids(page, "components", "id", "component", problems, prefix="statuspage.")
    problems += _atlassian_mapping(page.get("atlassian"), declared)
    return declared


def _atlassian_mapping(section: Any, components: set[str]) -> list[Problem]:
    """The Atlassian mirror may map only components the status page declares."""
    mapping = section.get("components") if isinstance(section, Mapping) else None
    if not isinstance(mapping, Mapping):
        return []
    return [
        Problem(f"statuspage.atlassian.components.{key}", f"unknown component '{key}'")
        for key in mapping
        if isinstance(key, str) and key not in components
    ]


def _items(document: Mapping[str, Any], section: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    entries = document.get(section)
    if not isinstance(entries, list):
        return
    for index, entry in enumerate(entries):
        if isinstance(entry, Mapping):
            yield index, entry


def _declared_ids(
    document: Mapping[str, Any],
    section: str,
    key: str,
    entity: str,
    problems: list[Problem],
    *,
    prefix: str = "",
) -> set[str]:
    """The ids a section declares; a repeated id is reported where it repeats."""
    first_seen: dict[str, int] = {}
    for index, entry in _items(document, section):
        value = entry.get(key)
        if not isinstance(value, str):
            continue
        if value in first_seen:
            where = f"{prefix}{section}[{first_seen[value]}]"
            message = f"duplicate {entity} {key} '{value}' (first declared at {where})"
            problems.append(Problem(f"{prefix}{section}[{index}].{key}", message))
        else:
            first_seen[value] = index
    return set(first_seen)


def _references(path: str, value: Any, known: set[str], entity: str) -> list[Problem]:
    if not isinstance(value, list):
        return []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, reference in enumerate(value):
        if not isinstance(reference, str):
            continue
        if reference not in known:
            problems.append(Problem(f"{path}[{index}]", f"unknown {entity} '{reference}'"))
        elif reference in seen:
            problems.append(Problem(f"{path}[{index}]", f"'{reference}' is listed twice"))
        seen.add(reference)
    return problems
