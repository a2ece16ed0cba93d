"""The rules of the incident lifecycle that need no I/O: priorities, statuses, roles, links.

The priority policy is data. DEFAULT_POLICY mirrors the usual five-level table; firehouse.yaml
may replace any part of it, and the database holds whatever was last applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4", "P5")
STATUSPAGE_IMPACTS: tuple[str, ...] = ("none", "minor", "major", "critical")
# How a public incident is published: at once, or as a draft a responder confirms.
STATUSPAGE_PUBLISH: tuple[str, ...] = ("immediately", "confirm")


class Status(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Role(StrEnum):
    COMMANDER = "commander"
    COMMUNICATIONS_LEAD = "communications_lead"
    RESPONDER = "responder"

    @property
    def single_holder(self) -> bool:
        """Commander and communications lead are held by one person at a time."""
        return self is not Role.RESPONDER

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class LinkKind(StrEnum):
    FOLLOW_UP = "follow_up"
    BUG = "bug"
    POSTMORTEM = "postmortem"
    PLAYBOOK = "playbook"
    OTHER = "other"


@dataclass(frozen=True)
class PriorityLevel:
    priority: str
    name: str
    guidance: str
    examples: tuple[str, ...] = ()
    statuspage_impact: str = "none"
    statuspage_update_expected: bool = False
    postmortem_required: bool = False
    training_only: bool = False
    statuspage_component_status: str | None = None
    statuspage_publish: str = "confirm"
    # Who is paged when an incident is declared at this level: everyone on call, the
    # service's escalation policy, or nobody.
    page: str = "none"

    @property
    def rank(self) -> int:
        return PRIORITIES.index(self.priority) + 1

    @property
    def label(self) -> str:
        return f"{self.priority} {self.name}"


@dataclass(frozen=True)
class PriorityPolicy:
    levels: dict[str, PriorityLevel] = field(default_factory=dict)

    def level(self, priority: str) -> PriorityLevel:
        return self.levels[priority]

    def ordered(self) -> list[PriorityLevel]:
        return [self.levels[p] for p in PRIORITIES if p in self.levels]


DEFAULT_POLICY = PriorityPolicy(
    levels={
        "P1": PriorityLevel(
            priority="P1",
            name="Critical",
            guidance=(
                "Very high impact, every available hand helps: a user-facing service is "
                "unavailable to everyone, private data has been exposed, or customer data is lost."
            ),
            examples=(
                "The public website does not load for anyone.",
                "The website is being taken down by a denial-of-service attack.",
            ),
            statuspage_impact="critical",
            statuspage_update_expected=True,
            postmortem_required=True,
            page="all_on_call",
        ),
        "P2": PriorityLevel(
            priority="P2",
            name="High",
            guidance=(
                "Significant impact: a user-facing service is down for a group of users, or a "
                "core feature fails for one use case. Get the right people on it quickly."
            ),
            examples=(
                "Partners cannot remove artworks in the CMS.",
                "Several partners fail to add a credit card.",
                "Artwork pages show the same details twice.",
            ),
            statuspage_impact="major",
            statuspage_update_expected=True,
            page="escalation",
        ),
        "P3": PriorityLevel(
            priority="P3",
            name="Moderate",
            guidance=(
                "Low impact that still needs some urgency: one user or one resource is affected. "
                "Tell the owning product team."
            ),
            examples=(
                "Links on one fair page in the mobile app are broken.",
                "A single partner cannot sign in to the CMS.",
                "One bidder cannot bid in a live sale and the bid must be entered by hand.",
            ),
            statuspage_impact="minor",
            statuspage_update_expected=True,
        ),
        "P4": PriorityLevel(
            priority="P4",
            name="Low",
            guidance=(
                "Low impact and low urgency: a known problem a product team already tracks, or "
                "work that fits in a normal sprint. No status page update."
            ),
            examples=(
                "A partner's billing details need correcting.",
                "Someone asks why an artwork does not appear in search.",
            ),
        ),
        "P5": PriorityLevel(
            priority="P5",
            name="Informational",
            guidance="For practice: declare a P5 to rehearse the response without real impact.",
            examples=("A game-day drill of the incident process.",),
            training_only=True,
        ),
    }
)

_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.OPEN}),
    Status.CLOSED: frozenset({Status.OPEN}),
}


def can_transition(current: Status, target: Status) -> bool:
    return target in _TRANSITIONS[current]


def transition_refusal(current: Status, target: Status) -> str:
    """Why a transition is not allowed, in words a responder can act on."""
    if current is target:
        return f"incident is already {current.value}"
    allowed = ", ".join(sorted(s.value for s in _TRANSITIONS[current])) or "nothing"
    return f"cannot go from {current.value} to {target.value}; from {current.value} only {allowed}"


def is_training(policy: PriorityPolicy, priority: str, requested: bool | None) -> bool:
    """Training-only levels always mark the incident as training; others follow the request."""
    return policy.level(priority).training_only or bool(requested)
