"""The dashboard at `/`: open incidents by priority with their age, commander and status-page
state; who is on call; recent alerts — and nothing of a private incident the reader may not
see, not even in a count."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select, update

from firehouse.alerts.model import Alert
from firehouse.incidents.model import Incident
from firehouse.statuspage.model import PublicIncident
from tests.api.client import Api
from tests.api.web_support import add_user, browser_for
from tests.service.schedule_support import add_schedule

KEY = "d4" * 16


@pytest.fixture(autouse=True)
def intake_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREHOUSE_INTAKE_KEY", KEY)


def dashboard_of(api: Api, username: str, *, role: str = "responder", person: str | None) -> str:
    add_user(api, username, role=role, person=person)
    page = browser_for(api, username).get("/")
    assert page.status_code == 200, page.text
    text: str = page.text
    return text


def open_count(page: str) -> int:
    found = re.search(r"Open incidents <span class=\"muted\">\((\d+)\)", page)
    assert found is not None, "the page shows no count of open incidents"
    return int(found.group(1))


def send_alert(api: Api, fingerprint: str, **fields: Any) -> int:
    body = {
        "alerts": [{"summary": f"{fingerprint} is failing", "fingerprint": fingerprint, **fields}]
    }
    response = api.client.post(
        "/api/v1/alerts", json=body, headers={"Authorization": f"Bearer {KEY}"}
    )
    assert response.status_code == 202, response.text
    alert_id: int = response.json()["alerts"][0]["alert_id"]
    return alert_id


def attach(api: Api, alert_id: int, number: int) -> None:
    with api.db.write() as session:
        incident_id = session.scalar(select(Incident.id).where(Incident.number == number))
        session.execute(update(Alert).where(Alert.id == alert_id).values(incident_id=incident_id))


# open incidents ----------------------------------------------------------------------------
def test_with_nothing_open_the_dashboard_says_so(api: Api) -> None:
    page = dashboard_of(api, "alice", person="alice")
    assert "No open incidents" in page
    assert open_count(page) == 0


def test_open_incidents_are_grouped_by_priority_most_urgent_first(api: Api) -> None:
    minor = api.declare(priority="P3", message="Slow image thumbnails")["number"]
    critical = api.declare(priority="P1", message="The website is down")["number"]
    page = dashboard_of(api, "alice", person="alice")
    assert page.index("P1 Critical") < page.index("The website is down")
    assert page.index("The website is down") < page.index("Slow image thumbnails")
    assert f'href="/incidents/{critical}">#{critical}</a>' in page
    assert f'href="/incidents/{minor}">#{minor}</a>' in page
    assert open_count(page) == 2


def test_resolved_incidents_are_not_on_the_dashboard(api: Api) -> None:
    number = api.declare(message="Gone by now")["number"]
    resolved = api.post(f"/api/v1/incidents/{number}/resolve", {"note": "Rolled back."})
    assert resolved.status_code == 200, resolved.text
    page = dashboard_of(api, "alice", person="alice")
    assert "Gone by now" not in page
    assert "No open incidents" in page


@pytest.mark.parametrize(
    ("elapsed", "shown"), [({"minutes": 12}, "12 min"), ({"hours": 3}, "3 h"), ({"days": 2}, "2 d")]
)
def test_each_incident_shows_its_age(api: Api, elapsed: dict[str, float], shown: str) -> None:
    api.declare()
    api.clock.advance(**elapsed)
    page = dashboard_of(api, "alice", person="alice")
    assert f"<dt>Age</dt><dd>{shown}</dd>" in page


def test_an_incident_without_a_commander_is_highlighted(api: Api) -> None:
    api.declare()
    page = dashboard_of(api, "alice", person="alice")
    assert '<dt>Commander</dt><dd><strong class="dash-missing">none</strong></dd>' in page


def test_the_commander_is_shown_by_name(api: Api) -> None:
    api.declare(commander="bob")
    page = dashboard_of(api, "alice", person="alice")
    assert "<dt>Commander</dt><dd>Bob Ortiz</dd>" in page


def test_the_status_page_state_is_none_draft_or_the_public_status(api: Api) -> None:
    plain, drafted, public = (api.declare(message=m)["number"] for m in ("one", "two", "three"))
    now = api.clock.now()
    with api.db.write() as session:
        for public_id, number, published in (("d1", drafted, None), ("p1", public, now)):
            session.add(
                PublicIncident(
                    id=public_id,
                    name="Checkout problems",
                    status="identified",
                    impact="major",
                    incident_id=session.scalar(
                        select(Incident.id).where(Incident.number == number)
                    ),
                    created_at=now,
                    updated_at=now,
                    published_at=published,
                )
            )
    page = dashboard_of(api, "alice", person="alice")
    states = re.findall(r"<dt>Status page</dt><dd>\s*(.*?)\s*</dd>", page)
    # newest first within a priority: three, two, one
    assert states == ["published: identified", "draft", "none"]
    assert plain < drafted < public


def test_training_and_private_incidents_carry_their_badges(api: Api) -> None:
    api.declare(priority="P5", message="Game day drill")
    api.declare(private=True, reporter="alice", message="Leaked credentials")
    page = dashboard_of(api, "alice", person="alice")
    assert '<span class="badge training">Training</span>' in page
    assert '<span class="badge private">Private</span>' in page


def test_a_private_incident_is_hidden_from_a_non_participant_and_from_the_counts(
    api: Api,
) -> None:
    api.declare(message="Ordinary outage")
    secret = api.declare(private=True, reporter="alice", message="Leaked credentials")["number"]
    page = dashboard_of(api, "bob", person="bob")
    assert "Ordinary outage" in page
    assert "Leaked credentials" not in page
    assert f"/incidents/{secret}" not in page
    assert open_count(page) == 1
    assert "Private" not in page


def test_a_participant_sees_the_private_incident(api: Api) -> None:
    api.declare(private=True, reporter="alice", message="Leaked credentials")
    page = dashboard_of(api, "alice", person="alice")
    assert "Leaked credentials" in page
    assert open_count(page) == 1


def test_an_admin_sees_private_incidents_and_counts_them(api: Api) -> None:
    api.declare(message="Ordinary outage")
    api.declare(private=True, reporter="alice", message="Leaked credentials")
    page = dashboard_of(api, "root", role="admin", person=None)
    assert "Leaked credentials" in page
    assert open_count(page) == 2


# links --------------------------------------------------------------------------------------
def test_a_responder_is_offered_to_declare_and_to_see_all_incidents(api: Api) -> None:
    page = dashboard_of(api, "alice", person="alice")
    assert 'href="/declare">Declare an incident</a>' in page
    assert 'href="/incidents">All incidents</a>' in page


def test_a_viewer_is_not_offered_to_declare(api: Api) -> None:
    page = dashboard_of(api, "vic", role="viewer", person=None)
    assert "Declare an incident" not in page
    assert 'href="/incidents">All incidents</a>' in page


# on call ------------------------------------------------------------------------------------
def test_the_people_on_call_now_are_shown_per_schedule(api: Api) -> None:
    add_schedule(api.db)  # at the fake clock's now: alice primary, carol secondary
    page = dashboard_of(api, "bob", person="bob")
    assert "On call now" in page
    assert "<h3>Engineering on-call</h3>" in page
    assert "<li>primary: Alice Ng</li>" in page
    assert "<li>secondary: Carol Diaz</li>" in page


def test_without_a_schedule_there_is_no_on_call_section(api: Api) -> None:
    page = dashboard_of(api, "bob", person="bob")
    assert "On call now" not in page


# recent alerts ------------------------------------------------------------------------------
def test_recent_alerts_are_shown_newest_first(api: Api) -> None:
    send_alert(api, "disk-full", service="website")
    api.clock.advance(minutes=5)
    send_alert(api, "queue-stuck")
    page = dashboard_of(api, "bob", person="bob")
    assert "Recent alerts" in page
    assert page.index("queue-stuck is failing") < page.index("disk-full is failing")
    assert "website · 1× · last seen 5 min ago" in page


def test_without_alerts_there_is_no_alerts_section(api: Api) -> None:
    assert "Recent alerts" not in dashboard_of(api, "bob", person="bob")


def test_an_alert_shows_the_incident_it_belongs_to(api: Api) -> None:
    number = api.declare()["number"]
    attach(api, send_alert(api, "disk-full"), number)
    page = dashboard_of(api, "bob", person="bob")
    assert f'<a href="/incidents/{number}">#{number}</a>' in page


def test_an_alert_of_a_private_incident_does_not_reveal_its_number(api: Api) -> None:
    number = api.declare(private=True, reporter="alice", message="Leaked credentials")["number"]
    attach(api, send_alert(api, "token-leak"), number)
    page = dashboard_of(api, "bob", person="bob")
    assert "token-leak is failing" in page
    assert f"/incidents/{number}" not in page
    assert f"#{number}" not in page
