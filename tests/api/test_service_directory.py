"""The service directory card: point-people, who is on call for the service now, its
escalation policy (the service's own, else its team's) and its playbook."""

from __future__ import annotations

from firehouse.catalog.model import Team
from firehouse.db import Database
from firehouse.oncall.model import EscalationPolicy, Schedule
from tests.api.client import Api

STEPS = [{"notify": [{"schedule": "web"}], "wait_minutes": 5}, {"notify": [{"person": "dan"}]}]


def put_web_on_call(db: Database) -> None:
    """A weekly schedule with carol on primary and bob on secondary, paged through the
    platform team's policy."""
    with db.write() as session:
        session.add(
            Schedule(
                id="web",
                name="Web on-call",
                timezone="Europe/London",
                layers=[
                    {"name": "primary", "people": ["carol"], "start": "2025-12-01"},
                    {"name": "secondary", "people": ["bob"], "start": "2025-12-01"},
                ],
            )
        )
        session.add(EscalationPolicy(id="web", name="Web escalation", steps=STEPS, repeat=1))
        session.get_one(Team, "platform").escalation_policy_id = "web"


def test_a_service_card_names_its_point_people_and_playbook(api: Api) -> None:
    response = api.get("/api/v1/services/website")
    assert response.status_code == 200, response.text
    card = response.json()
    assert card["point_people_named"] == [{"id": "alice", "name": "Alice Ng"}]
    assert card["playbook_url"] == "https://wiki.example.com/website"
    assert card["on_call"] == []
    assert card["escalation_policy"] is None


def test_a_service_card_shows_who_is_on_call_through_its_teams_escalation_policy(
    api: Api,
) -> None:
    put_web_on_call(api.db)
    card = api.get("/api/v1/services/website").json()
    assert card["on_call"] == [
        {"id": "carol", "name": "Carol Diaz"},
        {"id": "bob", "name": "Bob Ortiz"},
    ]
    assert card["escalation_policy"]["id"] == "web"
    assert card["escalation_policy"]["repeat"] == 1
    assert card["escalation_policy"]["steps"] == STEPS


def test_an_unknown_service_is_404_naming_it(api: Api) -> None:
    response = api.get("/api/v1/services/nope")
    assert response.status_code == 404
    assert "nope" in response.text


def test_the_service_card_needs_a_token(api: Api) -> None:
    assert api.client.get("/api/v1/services/website").status_code == 401
