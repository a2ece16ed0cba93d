"""What a page says: who is paged, about what, where the incident is, and how to acknowledge.

One `PageText` per notification, in each provider's shape: a subject and body for mail, one
short text for SMS (a single segment when it can be; the ack link always survives the cut),
TwiML for a voice call (every value escaped: incident text is user input), and Slack blocks
with an Acknowledge button. The text depends only on the notification and its ack link, so a
retried notification says exactly the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from firehouse.oncall.notifications import NotificationWork

SMS_LIMIT = 320  # two GSM-7 segments; carriers join them into one message
ACK_ACTION = "page_acknowledge"
VOICE = "Polly.Joanna"


@dataclass(frozen=True)
class PageText:
    headline: str  # "P1 incident #12: Checkout fails for some users"
    reason: str  # why this person: "You are on call (schedule engineering/primary)."
    message: str  # what the page itself says
    incident_url: str | None
    ack_url: str

    @property
    def subject(self) -> str:
        return f"[firehouse] Page: {self.headline}"

    @property
    def body(self) -> str:
        lines = [f"You are being paged: {self.headline}", ""]
        if self.message and self.message not in self.headline:
            lines += [self.message, ""]
        if self.reason:
            lines += [self.reason, ""]
        lines.append(f"Acknowledge: {self.ack_url}")
        if self.incident_url:
            lines.append(f"Incident: {self.incident_url}")
        lines += [
            "",
            "Acknowledging stops the escalation to the next person. The link expires; after",
            "that, acknowledge in firehouse, the CLI or Slack.",
        ]
        return "\n".join(lines) + "\n"

    @property
    def sms(self) -> str:
        tail = f" Ack: {self.ack_url}"
        head = f"firehouse page: {self.headline}"
        room = SMS_LIMIT - len(tail)
        if len(head) > room:
            head = head[: max(0, room - 1)].rstrip() + "…"
        return head + tail

    @property
    def twiml(self) -> str:
        """Read twice, since the first words of a call are often missed; the link is in the
        SMS and mail, so the call only says where to acknowledge."""
        said = escape(
            f"This is firehouse. You are being paged. {self.headline}. "
            "Acknowledge in Slack, by the link in your text message or e-mail, or in firehouse."
        )
        say = f'<Say voice="{VOICE}">{said}</Say>'
        pause = '<Pause length="1"/>'
        return f'<?xml version="1.0" encoding="UTF-8"?><Response>{say}{pause}{say}</Response>'

    def slack_blocks(self, page_id: int, person_id: str) -> list[dict[str, Any]]:
        context = [self.reason] if self.reason else []
        if self.incident_url:
            context.append(f"<{self.incident_url}|Open the incident>")
        blocks: list[dict[str, Any]] = [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f":rotating_light: *You are being paged*\n{_mrkdwn(self.headline)}",
                },
            }
        ]
        if self.message and self.message not in self.headline:
            blocks.append(
                {"type": "section", "text": {"type": "mrkdwn", "text": _mrkdwn(self.message)}}
            )
        if context:
            blocks.append(
                {"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(context)}]}
            )
        blocks.append(
            {
                "type": "actions",
                "block_id": "page",
                "elements": [
                    {
                        "type": "button",
                        "action_id": ACK_ACTION,
                        "style": "primary",
                        "text": {"type": "plain_text", "text": "Acknowledge"},
                        "value": f"{page_id}:{person_id}",
                    }
                ],
            }
        )
        return blocks

    @property
    def slack_text(self) -> str:
        """The notification's own text (what Slack shows in the push notification)."""
        return f"You are being paged: {_mrkdwn(self.headline)}"


def page_text(work: NotificationWork, *, base_url: str, ack_url: str) -> PageText:
    return PageText(
        headline=_headline(work),
        reason=f"Why you: {work.target}." if work.target else "",
        message=work.page_message.strip(),
        incident_url=(
            f"{base_url.rstrip('/')}/incidents/{work.incident_number}"
            if work.incident_number is not None
            else None
        ),
        ack_url=ack_url,
    )


def acknowledged_blocks(headline: str, who: str) -> list[dict[str, Any]]:
    """What the Slack message turns into once the page is acknowledged (no button left).
    `headline` is mrkdwn as Slack gave it back (escaped already)."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": headline}},
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f":white_check_mark: Acknowledged by {_mrkdwn(who)}"}
            ],
        },
    ]


def _headline(work: NotificationWork) -> str:
    if work.incident_number is None:
        return work.page_message.strip() or f"page {work.page_id}"
    priority = f"{work.incident_priority} " if work.incident_priority else ""
    what = work.incident_message or work.page_message
    return f"{priority}incident #{work.incident_number}: {what}".strip()


def _mrkdwn(text: str) -> str:
    """Slack's three control characters, escaped as Slack asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
