"""The /incident command language, as a responder types it and Slack sends it."""

from __future__ import annotations

import pytest

from firehouse.chat.commands import Command, CommandError, UserRef, Verb, parse, plain_text, usage


def test_nothing_at_all_asks_for_help() -> None:
    assert parse("") == Command(Verb.HELP)


def test_help_is_a_command() -> None:
    assert parse("help") == Command(Verb.HELP)


def test_declare_alone_opens_the_form() -> None:
    command = parse("declare")
    assert command.verb is Verb.DECLARE
    assert command.opens_form


def test_declare_with_priority_service_and_message_needs_no_form() -> None:
    command = parse("declare P2 website Partners cannot delete artworks")
    assert command == Command(
        Verb.DECLARE, priority="P2", service="website", text="Partners cannot delete artworks"
    )
    assert not command.opens_form


def test_declare_accepts_the_service_before_the_priority_and_any_case() -> None:
    command = parse("Declare website p1 Site down")
    assert (command.priority, command.service, command.text) == ("P1", "website", "Site down")


def test_declare_without_a_message_is_refused_with_what_it_needs() -> None:
    with pytest.raises(CommandError, match="priority, a service and a message"):
        parse("declare P2 website")


def test_declare_without_a_priority_is_refused() -> None:
    with pytest.raises(CommandError, match="priority P1-P5"):
        parse("declare website cms something broke")


def test_declare_takes_no_incident_number() -> None:
    with pytest.raises(CommandError, match="no incident number"):
        parse("12 declare P2 website broken")


def test_priority_is_normalised_to_upper_case() -> None:
    assert parse("priority p1") == Command(Verb.PRIORITY, priority="P1")


def test_an_unknown_priority_is_refused() -> None:
    with pytest.raises(CommandError, match="P1-P5"):
        parse("priority P9")


def test_a_leading_number_names_the_incident() -> None:
    assert parse("12 priority P1") == Command(Verb.PRIORITY, number=12, priority="P1")


def test_a_leading_hash_number_names_the_incident_too() -> None:
    assert parse("#12 priority P1") == Command(Verb.PRIORITY, number=12, priority="P1")


def test_a_number_alone_asks_for_that_incident_s_status() -> None:
    assert parse("#7") == Command(Verb.STATUS, number=7)


def test_incident_zero_does_not_exist() -> None:
    with pytest.raises(CommandError, match="start at 1"):
        parse("0 status")


def test_commander_takes_slack_s_escaped_mention() -> None:
    command = parse("commander <@U0123ABC|bob>")
    assert command == Command(Verb.COMMANDER, person=UserRef("U0123ABC", "bob"))


def test_commander_takes_a_mention_without_a_name() -> None:
    assert parse("commander <@U0123ABC>").person == UserRef("U0123ABC", None)


def test_commander_takes_a_plain_handle() -> None:
    assert parse("commander @bob").person == UserRef(None, "bob")


def test_comms_names_the_communications_lead() -> None:
    assert parse("3 comms <@U9|carol>") == Command(
        Verb.COMMS, number=3, person=UserRef("U9", "carol")
    )


def test_a_role_needs_exactly_one_person() -> None:
    with pytest.raises(CommandError, match="one person"):
        parse("commander @bob @carol")


def test_a_role_without_a_person_is_refused() -> None:
    with pytest.raises(CommandError, match="nobody"):
        parse("commander")


def test_note_keeps_the_text_as_a_person_reads_it() -> None:
    command = parse("note rolled back &lt;v2&gt; with <@U1|ann> &amp; <https://ci.example.com/1>")
    assert command.text == "rolled back <v2> with @ann & https://ci.example.com/1"


def test_note_needs_text() -> None:
    with pytest.raises(CommandError, match="note needs some text"):
        parse("note   ")


def test_link_defaults_to_other() -> None:
    command = parse("link https://example.com/x")
    assert (command.url, command.link_kind) == ("https://example.com/x", "other")


def test_link_takes_slack_s_bracketed_url_and_a_kind() -> None:
    command = parse("link <https://jira.example.com/B-1|B-1> bug")
    assert (command.url, command.link_kind) == ("https://jira.example.com/B-1", "bug")


@pytest.mark.parametrize("kind", ["follow_up", "follow-up", "FOLLOWUP"])
def test_link_kind_follow_up_has_several_spellings(kind: str) -> None:
    assert parse(f"link https://x.example.com {kind}").link_kind == "follow_up"


def test_link_refuses_what_is_not_a_web_address() -> None:
    with pytest.raises(CommandError, match="not an http"):
        parse("link ftp://example.com")


def test_link_refuses_an_unknown_kind() -> None:
    with pytest.raises(CommandError, match="unknown link kind"):
        parse("link https://example.com banana")


def test_resolve_takes_a_note() -> None:
    assert parse("resolve rolled back") == Command(Verb.RESOLVE, text="rolled back")


def test_resolve_without_a_note_is_refused() -> None:
    with pytest.raises(CommandError, match="resolve needs a note"):
        parse("resolve")


def test_close_takes_a_reason() -> None:
    assert parse("4 close duplicate of 3") == Command(Verb.CLOSE, number=4, text="duplicate of 3")


def test_status_takes_nothing_more() -> None:
    with pytest.raises(CommandError, match="takes nothing"):
        parse("status please")


def test_an_unknown_command_lists_the_known_ones() -> None:
    with pytest.raises(CommandError, match=r"unknown command 'frobnicate'.*declare"):
        parse("frobnicate")


def test_plain_text_shows_channels_by_name() -> None:
    assert plain_text("see <#C123|ops>") == "see #ops"


def test_usage_of_one_command_shows_the_optional_number() -> None:
    assert usage("/incident", Verb.PRIORITY) == "Usage: `/incident [number] priority P1-P5`"


def test_full_usage_names_every_command() -> None:
    text = usage("/inc")
    assert all(f"/inc {verb.value}" in text for verb in Verb)


def test_statuspage_takes_a_public_status_and_a_message() -> None:
    command = parse("statuspage identified We found a <https://status.example.com|bad> node")
    assert command.verb is Verb.STATUSPAGE
    assert command.public_status == "identified"
    assert command.text == "We found a https://status.example.com node"


def test_statuspage_publish_needs_no_message() -> None:
    command = parse("12 statuspage publish")
    assert (command.number, command.public_status, command.text) == (12, "publish", None)


@pytest.mark.parametrize("text", ["statuspage", "statuspage fixed it", "statuspage resolved"])
def test_statuspage_without_a_known_status_or_a_message_is_refused(text: str) -> None:
    with pytest.raises(CommandError):
        parse(text)


def test_escalate_alone_means_the_incidents_own_service() -> None:
    assert parse("escalate") == Command(Verb.ESCALATE)


def test_escalate_keeps_a_candidate_service_and_every_word_of_the_message() -> None:
    """Whether `payments` names a service is for the service layer; the words stay."""
    assert parse("12 escalate payments checkout is down") == Command(
        Verb.ESCALATE, number=12, service="payments", text="payments checkout is down"
    )


def test_escalate_to_a_mentioned_person_with_a_message() -> None:
    command = parse("escalate <@U0DAN|dan> please look at the queue")
    assert command.person is not None
    assert (command.person.user_id, command.text) == ("U0DAN", "please look at the queue")
