"""`config check`: every problem in firehouse.yaml reported at once, each at its path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from firehouse.catalog.config import FirehouseConfig, Problem, check_file, parse_config
from firehouse.incidents.policy import DEFAULT_POLICY

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "firehouse.yaml"

VALID: dict[str, Any] = {
    "organisation": {"name": "Example Arts"},
    "people": [
        {"id": "alice", "name": "Alice Ng", "email": "alice@example.com", "chat_handle": "alice"},
        {"id": "bob", "name": "Bob Ortiz"},
    ],
    "teams": [
        {"id": "platform", "name": "Platform", "members": ["alice", "bob"]},
    ],
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
        {"id": "payments", "name": "Payments", "team": "platform"},
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


def problems_in(document: Any) -> list[str]:
    _, problems = parse_config(yaml.safe_dump(document, sort_keys=False))
    return [str(problem) for problem in problems]


def changed(**edits: Any) -> dict[str, Any]:
    """The valid document with items edited: `services__2={"team": "payments"}` and so on."""
    document = copy.deepcopy(VALID)
    for target, values in edits.items():
        section, _, index = target.partition("__")
        if index:
            document[section][int(index)].update(values)
        else:
            document[section] = values
    return document


def test_the_example_file_is_clean() -> None:
    config, problems = check_file(EXAMPLE)
    assert problems == []
    assert config is not None
    assert {service.id for service in config.services} >= {"website", "auctions", "payments"}


def test_a_valid_file_parses_into_a_config() -> None:
    config, problems = parse_config(yaml.safe_dump(VALID))
    assert problems == []
    assert isinstance(config, FirehouseConfig)
    assert config.services[0].point_people == ["alice"]
    assert config.webhooks[0].secret_env == "FIREHOUSE_WEBHOOK_AUDIT_SECRET"


def test_a_problem_reads_as_path_then_message() -> None:
    problem = Problem("services[2].team", "unknown team 'payments'")
    assert str(problem) == "services[2].team: unknown team 'payments'"


def test_a_service_owned_by_an_unknown_team_is_reported_at_its_path() -> None:
    assert problems_in(changed(services__2={"team": "payments"})) == [
        "services[2].team: unknown team 'payments'"
    ]


def test_unknown_people_are_reported_wherever_they_are_named() -> None:
    document = changed(
        services__0={"point_people": ["alice", "zoe"]},
        teams__0={"members": ["yan"], "default_responders": ["xia"]},
    )
    assert problems_in(document) == [
        "teams[0].members[0]: unknown person 'yan'",
        "teams[0].default_responders[0]: unknown person 'xia'",
        "services[0].point_people[1]: unknown person 'zoe'",
    ]


def test_a_person_listed_twice_in_one_list_is_reported() -> None:
    document = changed(teams__0={"members": ["alice", "bob", "alice"]})
    assert problems_in(document) == ["teams[0].members[2]: 'alice' is listed twice"]


def test_a_misspelt_key_is_reported_with_the_key_it_probably_meant() -> None:
    document = copy.deepcopy(VALID)
    document["services"][1]["tema"] = document["services"][1].pop("team")
    assert problems_in(document) == ["services[1].tema: unknown key 'tema'; did you mean 'team'?"]


def test_an_unknown_top_level_section_is_reported() -> None:
    document = {**VALID, "dashboards": []}
    assert problems_in(document) == [
        "dashboards: unknown key 'dashboards' (known keys: organisation, people, "
        "teams, services, policy, webhooks, chat, statuspage, intake, routing, schedules, "
        "escalation_policies, paging, web, guidance)"
    ]


def test_missing_required_fields_are_reported() -> None:
    document = changed(people=[{"id": "alice"}])
    document.pop("organisation")
    document["teams"] = []
    document["services"] = []
    assert problems_in(document) == [
        "organisation: is required",
        "people[0].name: is required",
    ]


def test_values_of_the_wrong_type_are_reported_with_what_was_found() -> None:
    document = changed(services__1={"name": 5, "components": "cms"}, people__1={"name": True})
    assert problems_in(document) == [
        "people[1].name: expected a string, got a boolean (true)",
        "services[1].name: expected a string, got a number (5)",
        "services[1].components: expected a list, got a string ('cms')",
    ]


@pytest.mark.parametrize("bad_id", ["Website", "web site", "web.site", "", "x" * 65])
def test_ids_must_be_slugs(bad_id: str) -> None:
    problems = problems_in(changed(services__1={"id": bad_id}))
    assert len(problems) == 1
    assert problems[0].startswith("services[1].id: ")
    assert "is not a valid id" in problems[0]


def test_a_duplicate_id_is_reported_where_it_repeats() -> None:
    document = changed(services__2={"id": "website"})
    assert problems_in(document) == [
        "services[2].id: duplicate service id 'website' (first declared at services[0])"
    ]


@pytest.mark.parametrize(
    "url", ["ftp://wiki.example.com/x", "wiki.example.com/x", "https://", "https://a b.com/"]
)
def test_playbook_urls_must_be_http_or_https(url: str) -> None:
    assert problems_in(changed(services__0={"playbook_url": url})) == [
        f"services[0].playbook_url: '{url}' is not an http:// or https:// URL"
    ]


@pytest.mark.parametrize("email", ["alice", "alice@", "alice@example", "a b@example.com"])
def test_emails_must_look_like_email_addresses(email: str) -> None:
    assert problems_in(changed(people__0={"email": email})) == [
        f"people[0].email: '{email}' is not an email address"
    ]


def test_only_levels_p1_to_p5_can_be_overridden() -> None:
    document = {**VALID, "policy": {"priorities": {"P6": {"name": "Extra"}}}}
    assert problems_in(document) == [
        "policy.priorities.P6: 'P6' is not one of 'P1', 'P2', 'P3', 'P4' or 'P5'"
    ]


def test_the_statuspage_impact_must_be_a_known_impact() -> None:
    document = {**VALID, "policy": {"priorities": {"P2": {"statuspage_impact": "severe"}}}}
    assert problems_in(document) == [
        "policy.priorities.P2.statuspage_impact: expected one of 'none', 'minor', 'major' or "
        "'critical', got a string ('severe')"
    ]


def test_policy_flags_must_be_booleans_not_yes_or_no_strings() -> None:
    document = {**VALID, "policy": {"priorities": {"P1": {"postmortem_required": "yes"}}}}
    assert problems_in(document) == [
        "policy.priorities.P1.postmortem_required: expected true or false, got a string ('yes')"
    ]


def test_a_policy_override_changes_only_the_fields_it_names() -> None:
    document = {**VALID, "policy": {"priorities": {"P3": {"statuspage_update_expected": False}}}}
    config, _ = parse_config(yaml.safe_dump(document))
    assert config is not None
    policy = config.priority_policy()
    assert policy.level("P3").statuspage_update_expected is False
    assert policy.level("P3").guidance == DEFAULT_POLICY.level("P3").guidance
    assert policy.level("P1") == DEFAULT_POLICY.level("P1")


def test_webhook_events_must_be_known_event_types_or_wildcards() -> None:
    document = changed(webhooks__0={"events": ["*", "incident.resolved", "alert.fired"]})
    problems = problems_in(document)
    assert len(problems) == 1
    assert problems[0].startswith("webhooks[0].events[2]: unknown event type 'alert.fired'")


def test_webhook_secret_env_must_be_an_environment_variable_name() -> None:
    problems = problems_in(changed(webhooks__0={"secret_env": "my-secret"}))
    assert len(problems) == 1
    assert problems[0].startswith(
        "webhooks[0].secret_env: 'my-secret' is not an environment variable name"
    )


def test_a_webhook_secret_written_into_the_file_is_refused() -> None:
    problems = problems_in(changed(webhooks__0={"secret": "hunter2"}))
    assert problems == [
        "webhooks[0].secret: secrets never go in this file; name the environment variable "
        "that holds it with secret_env"
    ]


def test_every_problem_is_reported_together_in_file_order() -> None:
    document = changed(
        webhooks__0={"url": "mailto:ops@example.com"},
        services__2={"team": "payments", "colour": "red"},
        people__1={"email": "bob"},
    )
    document["policy"] = {"priorities": {"P1": {"training_only": "no"}}}
    assert [problem.split(":")[0] for problem in problems_in(document)] == [
        "people[1].email",
        "services[2].colour",
        "services[2].team",
        "policy.priorities.P1.training_only",
        "webhooks[0].url",
    ]


def test_commented_out_sections_read_as_empty() -> None:
    config, problems = parse_config("organisation: {name: Example Arts}\nwebhooks:\n# - name: x\n")
    assert problems == []
    assert config is not None
    assert config.webhooks == []


def test_a_yaml_syntax_error_names_its_line() -> None:
    config, problems = parse_config("organisation:\n  name: Example\npeople: [alice\n")
    assert config is None
    assert len(problems) == 1
    assert problems[0].path == "(file)"
    assert "line 4" in problems[0].message


def test_a_key_given_twice_is_reported_with_its_line() -> None:
    _, problems = parse_config("organisation: {name: A}\npeople: []\npeople: []\n")
    assert [str(p) for p in problems] == [
        "(file): line 3: key 'people' appears twice in one mapping"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "(file): the file is empty"),
        ("- organisation\n", "(file): expected a mapping of organisation"),
    ],
)
def test_a_file_that_is_not_a_mapping_is_one_problem(text: str, expected: str) -> None:
    config, problems = parse_config(text)
    assert config is None
    assert len(problems) == 1
    assert str(problems[0]).startswith(expected)


def test_an_unreadable_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    config, problems = check_file(tmp_path / "missing.yaml")
    assert config is None
    assert [p.path for p in problems] == ["(file)"]
    assert "cannot read" in problems[0].message


def test_a_file_that_is_not_utf8_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "firehouse.yaml"
    path.write_bytes(b"organisation: {name: \xff}\n")
    _, problems = check_file(path)
    assert [str(p) for p in problems] == [f"(file): {path} is not UTF-8 text"]


_yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "name", "team", "P1", "x"]), children, max_size=3)
    ),
    max_leaves=12,
)


@given(st.text(max_size=200))
def test_any_text_gives_problems_rather_than_an_exception(text: str) -> None:
    config, problems = parse_config(text)
    assert (config is None) == bool(problems)


@given(st.dictionaries(st.sampled_from([*VALID, "policy", "extra"]), _yaml_values, max_size=6))
def test_any_document_shape_gives_problems_rather_than_an_exception(document: Any) -> None:
    _, problems = parse_config(yaml.safe_dump(document))
    assert all(problem.path and problem.message for problem in problems)


def test_a_slack_token_in_the_file_is_refused_and_the_environment_variable_named() -> None:
    text = "organisation: {name: Example}\nchat:\n  token: xoxb-oops\n"
    _config, problems = parse_config(text)
    assert [problem.path for problem in problems] == ["chat.token"]
    assert "FIREHOUSE_SLACK_BOT_TOKEN" in problems[0].message
    assert "xoxb-oops" not in problems[0].message


def test_a_chat_channel_pattern_must_number_the_channels() -> None:
    text = "organisation: {name: Example}\nchat:\n  channel_name: incidents\n"
    _config, problems = parse_config(text)
    assert [problem.path for problem in problems] == ["chat.channel_name"]
    assert "{number}" in problems[0].message


def test_status_page_components_are_what_services_may_name() -> None:
    text = (
        "organisation: {name: Example}\n"
        "services:\n  - {id: web, name: Web, components: [website, api]}\n"
        "statuspage:\n  components:\n    - {id: website, name: Website}\n"
    )
    _config, problems = parse_config(text)
    assert [str(problem) for problem in problems] == [
        "services[0].components[1]: unknown component 'api'"
    ]
