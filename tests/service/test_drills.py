"""Training drills on both databases, with a fake clock: the drill incident, its scripted
steps played once at their time, and the safety of the training flag (no page, no public
incident, a drill-N channel)."""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from firehouse.alerts.model import Alert
from firehouse.catalog.config import ChatConfig
from firehouse.catalog.model import PriorityLevelRow
from firehouse.chat.flow import ChatFlow
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import InvalidInput
from firehouse.guidance.drills import run_due_steps, start_drill
from firehouse.guidance.model import DrillStep
from firehouse.guidance.scenario import Scenario, parse
from firehouse.incidents import service as incidents
from firehouse.incidents.model import Incident, TimelineEntry
from firehouse.incidents.policy import DEFAULT_POLICY
from firehouse.oncall.flow import PagingFlow
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.outbox.model import Subscription
from firehouse.statuspage.flow import StatuspageFlow
from firehouse.statuspage.model import PublicIncident
from tests.fakes.chat import FakeChatProvider
from tests.service.paging_support import add_on_call, pages
from tests.service.statuspage_support import add_components, subscribe_flow

SCENARIO = """
name: Checkout outage
service: website
message: "Drill: checkout fails"
steps:
  - {after: 2m, kind: alert, summary: "5xx above 5% on checkout", severity: critical}
  - {after: 5m, kind: message, text: "Support: payments fail"}
  - {after: 9m, kind: note, text: "Facilitator: time to update the status page?"}
"""


def drill(db: Database, clock: FakeClock, scenario: Scenario | None = None, **extra: Any) -> int:
    with db.write() as session:
        incident = start_drill(
            session,
            service=extra.get("service"),
            message=extra.get("message"),
            scenario=scenario,
            actor="alice",
            now=clock.now(),
        )
        return incident.number


def timeline(db: Database, number: int = 1) -> list[tuple[str, str]]:
    with db.read() as session:
        rows = session.execute(
            select(TimelineEntry.kind, TimelineEntry.text)
            .join(Incident, Incident.id == TimelineEntry.incident_id)
            .where(Incident.number == number)
            .order_by(TimelineEntry.id)
        )
        return [(kind, text) for kind, text in rows]


def texts(db: Database) -> list[str]:
    return [text for _kind, text in timeline(db)]


def test_a_drill_is_a_p5_training_incident(seeded_db: Database, clock: FakeClock) -> None:
    number = drill(seeded_db, clock, service="website")
    with seeded_db.read() as session:
        incident = session.scalars(select(Incident).where(Incident.number == number)).one()
        assert (incident.priority, incident.training) == ("P5", True)
        assert incident.message == "Training drill"
        assert incident.reporter == "alice"


def test_a_drill_takes_service_and_message_from_its_scenario(
    seeded_db: Database, clock: FakeClock
) -> None:
    drill(seeded_db, clock, parse(SCENARIO))
    with seeded_db.read() as session:
        incident = session.scalars(select(Incident)).one()
        assert (incident.service_id, incident.message) == ("website", "Drill: checkout fails")


def test_a_drill_without_a_service_is_refused_naming_the_field(
    seeded_db: Database, clock: FakeClock
) -> None:
    with pytest.raises(InvalidInput) as refused:
        drill(seeded_db, clock)
    assert refused.value.field == "service"


def test_steps_are_scheduled_from_the_start(seeded_db: Database, clock: FakeClock) -> None:
    start = clock.now()
    drill(seeded_db, clock, parse(SCENARIO))
    with seeded_db.read() as session:
        steps = session.scalars(select(DrillStep).order_by(DrillStep.due_at)).all()
        assert [(s.kind, s.due_at - start) for s in steps] == [
            ("alert", timedelta(minutes=2)),
            ("message", timedelta(minutes=5)),
            ("note", timedelta(minutes=9)),
        ]
        assert all(s.done_at is None for s in steps)


def test_nothing_runs_before_its_time(seeded_db: Database, clock: FakeClock) -> None:
    drill(seeded_db, clock, parse(SCENARIO))
    clock.advance(minutes=1, seconds=59)
    assert run_due_steps(seeded_db, clock.now()) == 0
    assert not any(text.startswith("Drill alert") for text in texts(seeded_db))


def test_each_step_runs_at_its_time_and_only_once(seeded_db: Database, clock: FakeClock) -> None:
    drill(seeded_db, clock, parse(SCENARIO))
    clock.advance(minutes=2)
    assert run_due_steps(seeded_db, clock.now()) == 1
    assert run_due_steps(seeded_db, clock.now()) == 0
    clock.advance(minutes=10)
    assert run_due_steps(seeded_db, clock.now()) == 2
    assert run_due_steps(seeded_db, clock.now()) == 0
    played = [(kind, text) for kind, text in timeline(seeded_db) if kind in {"note", "drill.note"}]
    assert [text for _kind, text in played] == [
        "Drill alert: 5xx above 5% on checkout",
        "Support: payments fail",
        "Facilitator: time to update the status page?",
    ]


def test_a_step_already_claimed_elsewhere_is_not_played_again(
    seeded_db: Database, clock: FakeClock
) -> None:
    drill(seeded_db, clock, parse(SCENARIO))
    clock.advance(minutes=2)
    with seeded_db.write() as session:
        step = session.scalars(select(DrillStep).where(DrillStep.kind == "alert")).one()
        step.done_at = clock.now()  # as another worker would, a moment earlier
    assert run_due_steps(seeded_db, clock.now()) == 0
    assert not any(text.startswith("Drill alert") for text in texts(seeded_db))


def test_a_scripted_alert_is_attached_to_the_drill_and_labelled(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = drill(seeded_db, clock, parse(SCENARIO))
    clock.advance(minutes=2)
    run_due_steps(seeded_db, clock.now())
    with seeded_db.read() as session:
        alert = session.scalars(select(Alert)).one()
        incident = session.scalars(select(Incident).where(Incident.number == number)).one()
        assert alert.incident_id == incident.id
        assert alert.summary == "[drill] 5xx above 5% on checkout"
        assert alert.labels["drill"] == "true"
        assert alert.severity == "critical"
        assert "never routed or paged" in alert.route_note


def test_steps_of_a_resolved_drill_are_skipped_not_retried(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = drill(seeded_db, clock, parse(SCENARIO))
    with seeded_db.write() as session:
        incidents.resolve(session, number, "Practice over", actor="alice", now=clock.now())
    clock.advance(minutes=30)
    assert run_due_steps(seeded_db, clock.now()) == 3
    assert run_due_steps(seeded_db, clock.now()) == 0
    assert "Support: payments fail" not in texts(seeded_db)


def strongest_p5(db: Database) -> None:
    """A policy whose P5 would page everyone on call and publish at once, were it not training."""
    with db.write() as session:
        for level in DEFAULT_POLICY.ordered():
            fields = dataclasses.asdict(level)
            fields["examples"] = list(fields["examples"])
            if level.priority == "P5":
                fields |= {
                    "page": "all_on_call",
                    "statuspage_publish": "immediately",
                    "statuspage_update_expected": True,
                }
            session.add(PriorityLevelRow(rank=level.rank, **fields))


def test_a_drill_pages_nobody_even_where_p5_would_page(
    seeded_db: Database, clock: FakeClock
) -> None:
    add_on_call(seeded_db, subscribe=True)
    strongest_p5(seeded_db)
    drill(seeded_db, clock, parse(SCENARIO))
    clock.advance(minutes=30)
    run_due_steps(seeded_db, clock.now())
    Dispatcher(seeded_db, {"paging": PagingFlow(seeded_db, clock)}, clock).run_until_idle()
    assert pages(seeded_db) == []


def test_a_drill_prepares_no_public_incident(seeded_db: Database, clock: FakeClock) -> None:
    add_components(seeded_db, clock.now())
    subscribe_flow(seeded_db)
    strongest_p5(seeded_db)
    drill(seeded_db, clock, parse(SCENARIO))
    flow = StatuspageFlow(seeded_db, clock)
    Dispatcher(seeded_db, {"statuspage": flow}, clock).run_until_idle()
    with seeded_db.read() as session:
        assert session.scalars(select(PublicIncident)).all() == []


def test_a_drill_channel_is_named_drill_n(seeded_db: Database, clock: FakeClock) -> None:
    chat = FakeChatProvider()
    with seeded_db.write() as session:
        session.add(
            Subscription(
                name="chat",
                kind="chat",
                event_types=["incident.*"],
                settings=ChatConfig().model_dump(),
            )
        )
    flow = ChatFlow(seeded_db, clock, "https://firehouse.example.com", lambda _s: chat)
    number = drill(seeded_db, clock, service="website")
    Dispatcher(seeded_db, {"chat": flow}, clock).run_until_idle()
    assert chat.named(f"drill-{number}") is not None
    assert chat.named(f"incident-{number}") is None


def test_two_schedulers_at_once_play_each_step_once(seeded_db: Database, clock: FakeClock) -> None:
    drill(seeded_db, clock, parse(SCENARIO))
    clock.advance(minutes=30)
    ran: list[int] = []
    start = threading.Barrier(2)

    def scheduler() -> None:
        start.wait()
        ran.append(run_due_steps(seeded_db, clock.now()))

    workers = [threading.Thread(target=scheduler) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert sum(ran) == 3
    kinds = [kind for kind, _text in timeline(seeded_db)]
    assert kinds.count("drill.note") == 1
