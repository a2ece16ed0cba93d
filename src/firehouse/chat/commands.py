"""The `/incident` command language, parsed without I/O.

Pure on purpose: every phrasing a responder may type is a unit test, and a second chat provider
reuses the same language. The text arrives as chat systems send it: mentions as `<@U123|name>`
or `<@U123>`, links as `<https://...>` or `<https://...|label>`, and `&`, `<`, `>` escaped.

An incident is named by a leading number, `12` or `#12` (`/incident 12 priority P1`); inside an
incident's channel it may be left out. Whether it may be is for the caller to decide, since
only the caller knows which channel the command came from.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import StrEnum

PRIORITY = re.compile(r"[Pp]([1-5])")
NUMBER = re.compile(r"#?([0-9]{1,9})")
MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")
LINK = re.compile(r"<((?:https?|mailto):[^|>]*)(?:\|([^>]*))?>")
CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|([^>]*))?>")
HANDLE = re.compile(r"@?([A-Za-z0-9._-]{1,100})")
LINK_KINDS: dict[str, str] = {
    "follow_up": "follow_up",
    "follow-up": "follow_up",
    "followup": "follow_up",
    "bug": "bug",
    "postmortem": "postmortem",
    "post-mortem": "postmortem",
    "playbook": "playbook",
    "other": "other",
}


class Verb(StrEnum):
    DECLARE = "declare"
    PRIORITY = "priority"
    COMMANDER = "commander"
    COMMS = "comms"
    NOTE = "note"
    LINK = "link"
    RESOLVE = "resolve"
    CLOSE = "close"
    STATUS = "status"
    STATUSPAGE = "statuspage"
    ESCALATE = "escalate"
    HELP = "help"


USAGE: dict[Verb, str] = {
    Verb.DECLARE: "declare [P1-P5 service message]  (without arguments: opens a form)",
    Verb.PRIORITY: "priority P1-P5",
    Verb.COMMANDER: "commander @person",
    Verb.COMMS: "comms @person  (communications lead)",
    Verb.NOTE: "note text  (adds it to the timeline)",
    Verb.LINK: "link url [follow_up|bug|postmortem]",
    Verb.RESOLVE: "resolve note",
    Verb.CLOSE: "close reason",
    Verb.STATUS: "status  (a summary only you see)",
    Verb.STATUSPAGE: "statuspage publish|investigating|identified|monitoring|resolved message",
    Verb.ESCALATE: "escalate [service|@person] [message]  (pages point-people, invites them)",
    Verb.HELP: "help",
}
_ALIASES = {"comm": Verb.COMMS, "communications": Verb.COMMS, "ic": Verb.COMMANDER}


@dataclass(frozen=True)
class UserRef:
    """Someone named in a command: by chat user id (a mention), by handle, or both."""

    user_id: str | None
    handle: str | None

    def __str__(self) -> str:
        return f"@{self.handle}" if self.handle else f"<@{self.user_id}>"


@dataclass(frozen=True)
class Command:
    """One parsed command. Only the fields its verb uses are set."""

    verb: Verb
    number: int | None = None
    priority: str | None = None
    service: str | None = None
    text: str | None = None
    person: UserRef | None = None
    url: str | None = None
    link_kind: str | None = None
    public_status: str | None = None

    @property
    def needs_incident(self) -> bool:
        return self.verb not in {Verb.DECLARE, Verb.HELP}

    @property
    def opens_form(self) -> bool:
        """`declare` alone: the details are asked for in a form instead."""
        return self.verb is Verb.DECLARE and self.text is None


class CommandError(ValueError):
    """What is wrong with the command, in words to show the person who typed it."""

    def __init__(self, problem: str, verb: Verb | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.verb = verb


def parse(text: str) -> Command:
    """Raises CommandError naming what is wrong and how the command is written."""
    words = text.strip().split(maxsplit=1)
    number = None
    if words and (found := NUMBER.fullmatch(words[0])):
        number = int(found.group(1))
        if number < 1:
            raise CommandError("incident numbers start at 1")
        words = words[1].split(maxsplit=1) if len(words) > 1 else []
    if not words:
        return Command(Verb.STATUS if number else Verb.HELP, number=number)
    verb = _verb(words[0])
    rest = words[1].strip() if len(words) > 1 else ""
    if verb is Verb.DECLARE and number is not None:
        raise CommandError("declare takes no incident number: the new incident gets one", verb)
    return _PARSERS[verb](verb, number, rest)


def _verb(word: str) -> Verb:
    name = word.lower()
    if name in _ALIASES:
        return _ALIASES[name]
    try:
        return Verb(name)
    except ValueError:
        known = ", ".join(v.value for v in Verb)
        raise CommandError(f"unknown command '{word[:40]}'; use one of {known}") from None


def _declare(verb: Verb, _number: int | None, rest: str) -> Command:
    if not rest:
        return Command(verb)
    parts = rest.split(maxsplit=2)
    if len(parts) < 3:
        raise CommandError("declare needs a priority, a service and a message", verb)
    first, second, message = parts
    if PRIORITY.fullmatch(first):
        priority, service = first, second
    elif PRIORITY.fullmatch(second):
        service, priority = first, second
    else:
        raise CommandError(f"declare needs a priority P1-P5 first, not '{first[:40]}'", verb)
    return Command(
        verb, priority=priority.upper(), service=service.lower(), text=plain_text(message)
    )


def _priority(verb: Verb, number: int | None, rest: str) -> Command:
    if not PRIORITY.fullmatch(rest):
        raise CommandError(f"priority must be one of P1-P5, not '{rest[:40]}'", verb)
    return Command(verb, number=number, priority=rest.upper())


def _person(verb: Verb, number: int | None, rest: str) -> Command:
    return Command(verb, number=number, person=user_ref(rest, verb))


def _text(verb: Verb, number: int | None, rest: str) -> Command:
    text = plain_text(rest)
    if not text:
        what = {Verb.NOTE: "some text", Verb.RESOLVE: "a note", Verb.CLOSE: "a reason"}[verb]
        raise CommandError(f"{verb.value} needs {what}", verb)
    return Command(verb, number=number, text=text)


def _link(verb: Verb, number: int | None, rest: str) -> Command:
    parts = rest.split()
    if not parts or len(parts) > 2:
        raise CommandError("link needs a URL and, optionally, a kind", verb)
    url = _url(parts[0])
    if url is None:
        raise CommandError(f"'{parts[0][:80]}' is not an http(s) URL", verb)
    kind = "other"
    if len(parts) == 2:
        kind = LINK_KINDS.get(parts[1].lower(), "")
        if not kind:
            raise CommandError(f"unknown link kind '{parts[1][:40]}'", verb)
    return Command(verb, number=number, url=url, link_kind=kind)


PUBLIC_STATUSES = ("publish", "investigating", "identified", "monitoring", "resolved")


def _statuspage(verb: Verb, number: int | None, rest: str) -> Command:
    """`statuspage identified We found the cause` posts a public update; `publish` publishes
    the draft (with the message as its first update, if given)."""
    parts = rest.split(maxsplit=1)
    status = parts[0].lower() if parts else ""
    if status not in PUBLIC_STATUSES:
        shown = f"'{parts[0][:40]}'" if parts else "nothing"
        raise CommandError(
            f"statuspage takes one of {', '.join(PUBLIC_STATUSES)}, not {shown}", verb
        )
    message = plain_text(parts[1]) if len(parts) > 1 else ""
    if not message and status != "publish":
        raise CommandError(f"statuspage {status} needs a message for the public", verb)
    return Command(verb, number=number, public_status=status, text=message or None)


def _escalate(verb: Verb, number: int | None, rest: str) -> Command:
    """`escalate` pages the incident's service's point-people; `escalate payments` another
    service's, `escalate @dan` one person; any words after are the message. Whether the first
    word names a service is for the service layer to know: `service` is only a candidate,
    and `text` keeps everything in case it is the start of the message."""
    words = rest.split(maxsplit=1)
    if not words:
        return Command(verb, number=number)
    first = words[0]
    message = plain_text(words[1]) if len(words) > 1 else None
    if first.startswith(("<@", "@")):
        return Command(verb, number=number, person=user_ref(first, verb), text=message)
    return Command(verb, number=number, service=first.lower(), text=plain_text(rest))


def _bare(verb: Verb, number: int | None, rest: str) -> Command:
    if rest:
        raise CommandError(f"{verb.value} takes nothing after it", verb)
    return Command(verb, number=number)


_PARSERS = {
    Verb.DECLARE: _declare,
    Verb.PRIORITY: _priority,
    Verb.COMMANDER: _person,
    Verb.COMMS: _person,
    Verb.NOTE: _text,
    Verb.RESOLVE: _text,
    Verb.CLOSE: _text,
    Verb.LINK: _link,
    Verb.STATUS: _bare,
    Verb.STATUSPAGE: _statuspage,
    Verb.ESCALATE: _escalate,
    Verb.HELP: _bare,
}


def user_ref(text: str, verb: Verb | None = None) -> UserRef:
    """`<@U123|name>`, `<@U123>`, `@name` or `name` (a firehouse person id or chat handle)."""
    value = text.strip()
    if found := MENTION.fullmatch(value):
        return UserRef(user_id=found.group(1), handle=found.group(2) or None)
    if found := HANDLE.fullmatch(value):
        return UserRef(user_id=None, handle=found.group(1))
    shown = f"'{value[:40]}'" if value else "nobody"
    raise CommandError(f"name one person with @, not {shown}", verb)


def _url(word: str) -> str | None:
    found = LINK.fullmatch(word)
    url = html.unescape(found.group(1) if found else word)
    if not re.fullmatch(r"https?://[^\s<>]+", url) or len(url) > 2000:
        return None
    return url


def plain_text(text: str) -> str:
    """The text as a person reads it: mentions as @name, links as their URL, no escapes."""
    text = MENTION.sub(lambda m: f"@{m.group(2) or m.group(1)}", text)
    text = CHANNEL.sub(lambda m: f"#{m.group(2) or m.group(1)}", text)
    text = LINK.sub(lambda m: m.group(1), text)
    return html.unescape(text).strip()


def usage(command: str, verb: Verb | None = None) -> str:
    """How to write one command, or all of them."""
    if verb is not None:
        number = "" if verb in {Verb.DECLARE, Verb.HELP} else "[number] "
        return f"Usage: `{command} {number}{USAGE[verb]}`"
    lines = [f"`{command} {USAGE[v]}`" for v in Verb]
    return (
        "In an incident channel the commands act on its incident; elsewhere start with the "
        f"incident number, e.g. `{command} 12 priority P1`.\n" + "\n".join(lines)
    )
