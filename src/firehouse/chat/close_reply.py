"""Closing a report that is not an incident: answer the reporter in the thread it came from.

Called by the chat flow for `incident.closed`. Only when the close recorded bug links and the
incident's source is a thread this provider can reply in; posted once per incident under the
key `not_an_incident_reply` (found again after a lost answer like every other post). A
refusal (thread deleted, app removed from the channel) is noted on the timeline, not retried.
"""

from __future__ import annotations

from firehouse.chat.flow_setup import ChannelSetup
from firehouse.chat.progress import Context, Entry, save
from firehouse.chat.provider import ChatRefused, Message
from firehouse.guidance.not_an_incident import reply_text
from firehouse.guidance.settings import load_guidance

KEY = "not_an_incident_reply"


def reply_to_reporter(setup: ChannelSetup, ctx: Context, *, check: bool) -> None:
    bugs = [url for kind, url, _title in ctx.facts.links if kind == "bug"]
    thread = setup.provider.thread_from_url(ctx.source_url or "")
    if not bugs or thread is None or KEY in ctx.posts:
        return
    with setup.db.read() as session:
        text = reply_text(load_guidance(session), bugs)
    try:
        posted = setup.post_once(
            ctx, KEY, thread.channel_id, Message(text=text), check=check, thread_ts=thread.ts
        )
    except ChatRefused as refusal:
        failed = Entry("chat.step_failed", f"Could not reply to the reporter: {refusal.error}")
        save(setup.db, ctx, now=setup.now(), entry=failed)
        return
    entry = Entry("chat.reporter_replied", "Replied in the report's thread: not an incident")
    save(setup.db, ctx, now=setup.now(), post=(KEY, posted), entry=entry)
