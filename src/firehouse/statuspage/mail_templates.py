"""The plain-text mails subscribers get: a confirmation request, and one per notice.

Every mail carries its unsubscribe link twice: in the text, for people, and in the
List-Unsubscribe and List-Unsubscribe-Post headers (RFC 2369, RFC 8058), for mail clients,
which then offer their own one-click "unsubscribe" that POSTs to the link.
"""

from __future__ import annotations

from dataclasses import dataclass

from firehouse.statuspage.notices import Notice


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def list_headers(unsubscribe_url: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def confirmation(*, page_name: str, confirm_url: str, unsubscribe_url: str) -> Text:
    body = f"""Hello,

someone (we hope you) asked to be told by email when the status of {page_name} changes.

Confirm the subscription by opening this link:

  {confirm_url}

Until you do, you get nothing from us. If it was not you, ignore this mail, or stop any
further mail for this address here:

  {unsubscribe_url}
"""
    return Text(subject=f"[{page_name}] Confirm your subscription", body=body)


def notification(*, page_name: str, notice: Notice, unsubscribe_url: str) -> Text:
    parts = [notice.title, "", *notice.lines]
    if notice.link:
        parts += ["", f"Details: {notice.link}"]
    parts += [
        "",
        "--",
        f"You get this mail because you subscribed to {page_name}.",
        f"Unsubscribe with one click: {unsubscribe_url}",
    ]
    return Text(subject=f"[{page_name}] {notice.title}", body="\n".join(parts) + "\n")
