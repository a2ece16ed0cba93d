"""`config apply` stores intake keys and routing (with the teams' hours) for the alert service,
reporting only what changed; `check` refuses dangling or repeated alert names."""

from __future__ import annotations

import copy
from typing import Any

from firehouse.alerts.routing import load_rules
from firehouse.catalog.apply import apply_config
from firehouse.catalog.config import FirehouseConfig
from firehouse.catalog.config_references import reference_problems
from firehouse.catalog.model import OrganisationSetting
from firehouse.clock import FakeClock
from firehouse.db import Database

BASE: dict[str, Any] = {
    "organisation": {"name": "Example Arts"},
    "teams": [
        {
            "id": "platform",
            "name": "Platform",
            "business_hours": {"timezone": "Europe/Berlin", "start": "08:00"},
        }
    ],
    "services": [{"id": "website", "name": "Website", "team": "platform"}],
    "intake": {"keys": [{"name": "default", "key_env": "FIREHOUSE_INTAKE_KEY"}]},
    "routing": {
        "rules": [
            {
                "name": "critical",
                "match": {"labels": {"severity": "critical"}},
                "action": "incident",
            }
        ],
        "default": "channel",
    },
}


def apply(db: Database, clock: FakeClock, document: dict[str, Any]) -> list[str]:
    with db.write() as session:
        config = FirehouseConfig.model_validate(document)
        changes = apply_config(session, config, source="firehouse.yaml", now=clock.now())
    return [str(change) for change in changes if "alert" in str(change) or "intake" in str(change)]


def test_the_first_apply_stores_keys_and_routing(db: Database, clock: FakeClock) -> None:
    assert apply(db, clock, BASE) == ["created intake key default", "created routing alerts"]
    with db.read() as session:
        keys = session.get(OrganisationSetting, "intake.keys")
        assert keys is not None
        assert keys.value == [{"name": "default", "key_env": "FIREHOUSE_INTAKE_KEY"}]
        rules = load_rules(session)
    assert [rule.name for rule in rules.rules] == ["critical"]
    assert rules.default == "channel"
    assert rules.business_hours["platform"].timezone == "Europe/Berlin"


def test_a_second_apply_reports_nothing(db: Database, clock: FakeClock) -> None:
    apply(db, clock, BASE)
    assert apply(db, clock, BASE) == []


def test_changed_values_are_reported(db: Database, clock: FakeClock) -> None:
    apply(db, clock, BASE)
    document = copy.deepcopy(BASE)
    document["routing"]["default"] = "record"
    document["intake"]["keys"] = [{"name": "grafana", "key_env": "GRAFANA_KEY"}]
    assert apply(db, clock, document) == [
        "created intake key grafana",
        "removed intake key default",
        "updated routing alerts: default",
    ]


def test_changed_business_hours_are_reported_as_routing(db: Database, clock: FakeClock) -> None:
    apply(db, clock, BASE)
    document = copy.deepcopy(BASE)
    document["teams"][0]["business_hours"]["end"] = "17:00"
    assert apply(db, clock, document) == ["updated routing alerts: business_hours"]


def test_a_file_without_alerts_stores_nothing(db: Database, clock: FakeClock) -> None:
    document = {key: value for key, value in BASE.items() if key not in {"intake", "routing"}}
    document["teams"] = [{"id": "platform", "name": "Platform"}]
    assert apply(db, clock, document) == []
    with db.read() as session:
        assert session.get(OrganisationSetting, "alerts.routing") is None


def test_a_rule_must_name_a_declared_service() -> None:
    document = copy.deepcopy(BASE)
    document["routing"]["rules"][0]["service"] = "nope"
    [problem] = reference_problems(document)
    assert (problem.path, "unknown service 'nope'" in str(problem)) == (
        "routing.rules[0].service",
        True,
    )


def test_rule_and_key_names_are_unique() -> None:
    document = copy.deepcopy(BASE)
    document["routing"]["rules"] *= 2
    document["intake"]["keys"] *= 2
    paths = sorted(problem.path for problem in reference_problems(document))
    assert paths == ["intake.keys[1].name", "routing.rules[1].name"]
