"""Cross-references of the on-call sections: schedules name declared people and teams,
escalation steps name declared schedules (and their layers), people, services and teams, and
teams and services name declared escalation policies. Defensive like config_references."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from firehouse.catalog.config_problems import Problem

Ids = set[str]


def oncall_problems(
    document: Mapping[str, Any], people: Ids, teams: Ids, services: Ids, *, declared: Any
) -> list[Problem]:
    """`declared` is config_references._declared_ids (shared, so duplicates read alike)."""
    problems: list[Problem] = []
    layers = _schedules(document, people, teams, problems, declared)
    policies = declared(document, "escalation_policies", "id", "escalation policy", problems)
    for index, policy in _items(document, "escalation_policies"):
        for step_index, step in _items(policy, "steps"):
            for target_index, target in _items(step, "notify"):
                path = f"escalation_policies[{index}].steps[{step_index}].notify[{target_index}]"
                problems += _target(
                    path, target, layers, people=people, services=services, teams=teams
                )
    for section in ("teams", "services"):
        for index, entry in _items(document, section):
            policy_id = entry.get("escalation_policy")
            if isinstance(policy_id, str) and policy_id not in policies:
                message = f"unknown escalation policy '{policy_id}'"
                problems.append(Problem(f"{section}[{index}].escalation_policy", message))
    return problems


def _schedules(
    document: Mapping[str, Any], people: Ids, teams: Ids, problems: list[Problem], declared: Any
) -> dict[str, Ids]:
    """Each schedule's layer names, by schedule id, reporting what is wrong on the way."""
    declared(document, "schedules", "id", "schedule", problems)
    layers: dict[str, Ids] = {}
    for index, schedule in _items(document, "schedules"):
        team = schedule.get("team")
        if isinstance(team, str) and team not in teams:
            problems.append(Problem(f"schedules[{index}].team", f"unknown team '{team}'"))
        names = declared(
            schedule, "layers", "name", "layer", problems, prefix=f"schedules[{index}]."
        )
        if isinstance(schedule.get("id"), str):
            layers[schedule["id"]] = names
        for layer_index, layer in _items(schedule, "layers"):
            path = f"schedules[{index}].layers[{layer_index}].people"
            problems += _people(path, layer.get("people"), people)
    return layers


def _people(path: str, value: Any, people: Ids) -> list[Problem]:
    """A rotation may list someone twice (a deliberate double turn), but only known people."""
    if not isinstance(value, list):
        return []
    return [
        Problem(f"{path}[{index}]", f"unknown person '{person}'")
        for index, person in enumerate(value)
        if isinstance(person, str) and person not in people
    ]


def _target(
    path: str,
    target: Mapping[str, Any],
    layers: dict[str, Ids],
    *,
    people: Ids,
    services: Ids,
    teams: Ids,
) -> list[Problem]:
    schedule, layer = target.get("schedule"), target.get("layer")
    if isinstance(schedule, str):
        if schedule not in layers:
            return [Problem(f"{path}.schedule", f"unknown schedule '{schedule}'")]
        if isinstance(layer, str) and layer not in layers[schedule]:
            return [Problem(f"{path}.layer", f"schedule '{schedule}' has no layer '{layer}'")]
    for key, known, entity in (
        ("person", people, "person"),
        ("service", services, "service"),
        ("team", teams, "team"),
    ):
        value = target.get(key)
        if isinstance(value, str) and value not in known:
            return [Problem(f"{path}.{key}", f"unknown {entity} '{value}'")]
    return []


def _items(document: Mapping[str, Any], section: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    entries = document.get(section)
    if not isinstance(entries, list):
        return
    for index, entry in enumerate(entries):
        if isinstance(entry, Mapping):
            yield index, entry
