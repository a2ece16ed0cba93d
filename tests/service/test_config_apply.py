"""`config apply`: the catalogue rows follow firehouse.yaml, idempotently, on both databases."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from firehouse.catalog.apply import Change, apply_config
from firehouse.catalog.config import FirehouseConfig, check_file
from firehouse.catalog.model import OrganisationSetting, Person, PriorityLevelRow, Service, Team
from firehouse.catalog.service import list_services, load_policy
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import InvalidInput
from firehouse.incidents.model import Incident
from firehouse.incidents.policy import DEFAULT_POLICY, PRIORITIES
from firehouse.outbox.model import Subscription
from firehouse.statuspage.model import Component
from tests.factories import declare

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "firehouse.yaml"

BASE: dict[str, Any] = {
    "organisation": {"name": "Example Arts"},
    "people": [
        {"id": "alice", "name": "Alice Ng", "email": "alice@example.com", "chat_handle": "alice"},
        {"id": "bob", "name": "Bob Ortiz"},
    ],
    "teams": [{"id": "platform", "name": "Platform", "members": ["alice", "bob"]}],
    "services": [
        {
            "id": "website",
            "name": "Website",
            "team": "platform",
            "point_people": ["alice"],
            "playbook_url": "https://wiki.example.com/website",
            "components": ["website"],
        },
        {"id": "cms", "name": "Partner CMS", "team": "platform"},
    ],
    "webhooks": [
        {
            "name": "audit",
            "url": "https://hooks.example.com/firehouse",
            "secret_env": "FIREHOUSE_WEBHOOK_AUDIT_SECRET",
            "events": ["incident.*"],
        }
    ],
}


def config_of(document: dict[str, Any]) -> FirehouseConfig:
    return FirehouseConfig.model_validate(document)


def apply(db: Database, clock: FakeClock, document: dict[str, Any]) -> list[str]:
    with db.write() as session:
        changes = apply_config(
            session, config_of(document), source="firehouse.yaml", now=clock.now()
        )
    return [str(change) for change in changes]


def edited(**sections: Any) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    document.update(sections)
    return document


def test_a_change_reads_as_action_entity_id_and_fields() -> None:
    change = Change("updated", "service", "website", ("playbook_url", "point_people"))
    assert str(change) == "updated service website: playbook_url, point_people"
    assert str(Change("created", "team", "platform")) == "created team platform"


def test_the_first_apply_creates_everything_the_file_declares(
    db: Database, clock: FakeClock
) -> None:
    assert apply(db, clock, BASE) == [
        "created organisation Example Arts",
        "created person alice",
        "created person bob",
        "created team platform",
        "created service website",
        "created service cms",
        *[f"created priority {priority}" for priority in PRIORITIES],
        "created webhook audit",
        "created paging page-notifications",
    ]
    with db.read() as session:
        website = session.get(Service, "website")
        alice = session.get(Person, "alice")
    assert website is not None
    assert website.team_id == "platform"
    assert website.point_people == ["alice"]
    assert website.components == ["website"]
    assert alice is not None
    assert alice.email == "alice@example.com"


def test_applying_the_same_file_twice_changes_nothing_the_second_time(
    db: Database, clock: FakeClock
) -> None:
    apply(db, clock, BASE)
    clock.advance(minutes=5)
    assert apply(db, clock, BASE) == []


def test_the_example_file_applies_and_is_then_idempotent(db: Database, clock: FakeClock) -> None:
    config, problems = check_file(EXAMPLE)
    assert problems == []
    assert config is not None
    with db.write() as session:
        first = apply_config(session, config, source=str(EXAMPLE), now=clock.now())
    with db.write() as session:
        second = apply_config(session, config, source=str(EXAMPLE), now=clock.now())
    assert {"organisation", "person", "team", "service", "priority"} <= {c.entity for c in first}
    assert second == []
    with db.read() as session:
        services = [service.id for service in list_services(session)]
    assert services == ["auctions", "mobile-app", "partner-cms", "payments", "website"]


def test_an_edited_service_reports_the_fields_that_changed(db: Database, clock: FakeClock) -> None:
    apply(db, clock, BASE)
    document = edited()
    document["services"][0].update(
        point_people=["alice", "bob"], playbook_url="https://wiki.example.com/web"
    )
    assert apply(db, clock, document) == ["updated service website: point_people, playbook_url"]


def test_a_service_moved_to_a_new_team_reports_the_team_key(db: Database, clock: FakeClock) -> None:
    apply(db, clock, BASE)
    document = edited(teams=[*BASE["teams"], {"id": "partners", "name": "Partners"}])
    document["services"][1]["team"] = "partners"
    assert apply(db, clock, document) == [
        "created team partners",
        "updated service cms: team",
    ]
    with db.read() as session:
        cms = session.get(Service, "cms")
    assert cms is not None
    assert cms.team_id == "partners"


def test_entities_left_out_of_the_file_are_deactivated_not_deleted(
    db: Database, clock: FakeClock
) -> None:
    apply(db, clock, BASE)
    document = edited(services=BASE["services"][:1], people=BASE["people"][:1], webhooks=[])
    document["teams"][0]["members"] = ["alice"]
    assert apply(db, clock, document) == [
        "deactivated person bob",
        "updated team platform: members",
        "deactivated service cms",
        "deactivated webhook audit",
    ]
    with db.read() as session:
        cms = session.get(Service, "cms")
        active = [service.id for service in list_services(session)]
    assert cms is not None
    assert cms.active is False
    assert active == ["website"]


def test_a_deactivated_service_keeps_its_incidents(db: Database, clock: FakeClock) -> None:
    apply(db, clock, BASE)
    incident = declare(db, clock.now(), service_id="cms", actor="alice")
    apply(db, clock, edited(services=BASE["services"][:1]))
    with db.read() as session:
        stored = session.scalars(select(Incident)).one()
    assert stored.number == incident.number
    assert stored.service_id == "cms"


def test_an_entity_declared_again_is_reactivated(db: Database, clock: FakeClock) -> None:
    apply(db, clock, BASE)
    apply(db, clock, edited(services=BASE["services"][:1]))
    assert apply(db, clock, BASE) == ["updated service cms: active"]
    with db.read() as session:
        cms = session.get(Service, "cms")
    assert cms is not None
    assert cms.active is True


def test_a_policy_override_is_what_load_policy_returns(db: Database, clock: FakeClock) -> None:
    override = {"P3": {"statuspage_update_expected": False, "examples": ["One partner locked out"]}}
    apply(db, clock, edited(policy={"priorities": override}))
    with db.read() as session:
        policy = load_policy(session)
        rows = session.scalars(select(PriorityLevelRow)).all()
    assert len(rows) == 5
    assert policy.level("P3").statuspage_update_expected is False
    assert policy.level("P3").examples == ("One partner locked out",)
    assert policy.level("P3").guidance == DEFAULT_POLICY.level("P3").guidance
    assert policy.level("P1") == DEFAULT_POLICY.level("P1")


def test_removing_a_policy_override_restores_the_default(db: Database, clock: FakeClock) -> None:
    apply(db, clock, edited(policy={"priorities": {"P2": {"name": "Major"}}}))
    assert apply(db, clock, BASE) == ["updated priority P2: name"]
    with db.read() as session:
        assert load_policy(session).level("P2").name == "High"


def test_webhooks_become_outbox_subscriptions(db: Database, clock: FakeClock) -> None:
    apply(db, clock, BASE)
    with db.read() as session:
        subscription = session.get(Subscription, "webhook:audit")
    assert subscription is not None
    assert subscription.kind == "webhook"
    assert subscription.event_types == ["incident.*"]
    assert subscription.settings == {
        "url": "https://hooks.example.com/firehouse",
        "secret_env": "FIREHOUSE_WEBHOOK_AUDIT_SECRET",
    }
    assert subscription.active is True


def test_a_changed_webhook_reports_the_setting_that_changed(db: Database, clock: FakeClock) -> None:
    apply(db, clock, BASE)
    document = edited()
    document["webhooks"][0].update(url="https://hooks.example.com/v2", events=[])
    assert apply(db, clock, document) == ["updated webhook audit: events, url"]


def test_subscriptions_of_other_integrations_are_left_alone(db: Database, clock: FakeClock) -> None:
    with db.write() as session:
        session.add(Subscription(name="slack", kind="slack", event_types=[], settings={}))
    apply(db, clock, edited(webhooks=[]))
    with db.read() as session:
        slack = session.get(Subscription, "slack")
    assert slack is not None
    assert slack.active is True


def test_the_organisation_and_the_config_source_are_recorded(
    db: Database, clock: FakeClock
) -> None:
    apply(db, clock, BASE)
    with db.read() as session:
        settings = {row.key: row.value for row in session.scalars(select(OrganisationSetting))}
    document = settings.pop("config.document")
    assert document["organisation"] == {"name": "Example Arts"}
    assert settings == {
        "organisation.name": "Example Arts",
        "config.source": "firehouse.yaml",
        "config.applied_at": clock.now().isoformat(),
    }


def test_renaming_the_organisation_is_reported(db: Database, clock: FakeClock) -> None:
    apply(db, clock, BASE)
    document = edited(organisation={"name": "Example Arts Ltd"})
    assert apply(db, clock, document) == ["updated organisation Example Arts Ltd: name"]


def test_a_config_with_a_dangling_reference_writes_nothing(db: Database, clock: FakeClock) -> None:
    document = edited()
    document["services"][1]["team"] = "payments"
    with pytest.raises(InvalidInput, match=r"services\[1\]\.team: unknown team 'payments'"):
        apply(db, clock, document)
    with db.read() as session:
        assert session.scalars(select(Team)).all() == []
        assert session.scalars(select(OrganisationSetting)).all() == []


def test_the_chat_section_becomes_the_chat_subscription_and_leaving_it_out_stops_it(
    db: Database, clock: FakeClock
) -> None:
    document = edited()
    document["chat"] = {"incidents_channel": "#incidents", "channel_name": "inc-{number}"}
    assert "created chat slack" in apply(db, clock, document)
    with db.read() as session:
        row = session.get(Subscription, "chat")
        assert row is not None
        assert row.kind == "chat"
        assert row.event_types == ["incident.*", "alert.*", "page.*"]
        assert row.settings["channel_name"] == "inc-{number}"
    del document["chat"]
    assert apply(db, clock, document) == ["deactivated chat slack"]
    with db.read() as session:
        row = session.get(Subscription, "chat")
        assert row is not None
        assert not row.active


def test_status_page_components_are_applied_in_page_order_and_keep_their_live_status(
    db: Database, clock: FakeClock
) -> None:
    document = edited()
    document["statuspage"] = {
        "name": "Example Status",
        "components": [
            {"id": "website", "name": "Website", "group": "Marketplace"},
            {"id": "api", "name": "Public API"},
        ],
    }
    apply(db, clock, document)
    with db.write() as session:
        web = session.get(Component, "website")
        assert web is not None
        web.status = "partial_outage"
    document["statuspage"]["components"].reverse()
    changes = apply(db, clock, document)
    assert changes == ["updated component api: order", "updated component website: order"]
    with db.read() as session:
        rows = session.scalars(select(Component).order_by(Component.position)).all()
        assert [(row.id, row.status, row.group_name) for row in rows] == [
            ("api", "operational", None),
            ("website", "partial_outage", "Marketplace"),
        ]
