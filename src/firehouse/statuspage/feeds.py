"""The page's history as Atom 1.0 and RSS 2.0, for feed readers and chat-room feed bots.

One entry per public incident or maintenance (newest first); its content lists the updates,
newest first, as Statuspage's feeds do. Built with ElementTree so that every user-written
text is escaped by the serializer, never by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from xml.etree import ElementTree as ET

from firehouse.statuspage import public_api
from firehouse.statuspage.public_api import PageData
from firehouse.statuspage.render import EventView, history_events

ATOM_NS = "http://www.w3.org/2005/Atom"
ENTRIES = 50


def _events(data: PageData) -> list[EventView]:
    """The most recently changed events first, as a feed reader expects."""
    return sorted(history_events(data), key=lambda event: event.updated, reverse=True)[:ENTRIES]


def _content(event: EventView) -> str:
    parts = [f"<p><small>{escape(event.window)}</small></p>"]
    if event.components:
        parts.append(f"<p>Affects: {escape(', '.join(event.components))}</p>")
    parts += [
        f"<p><small>{escape(u.at)}</small><br><strong>{escape(u.status)}</strong> - "
        f"{escape(u.body)}</p>"
        for u in event.updates
    ]
    return "".join(parts)


def _link(data: PageData, event: EventView) -> str:
    return public_api.shortlink(data, event.id)


def atom(data: PageData) -> bytes:
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": "en"})
    page_url = data.page.url.rstrip("/")
    _text(feed, "id", f"{page_url}/history.atom")
    _text(feed, "title", f"{data.page.name} - Incident history")
    _text(feed, "updated", _rfc3339(data.page.updated_at))
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", {"rel": "alternate", "href": page_url})
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", {"rel": "self", "href": f"{page_url}/history.atom"})
    author = ET.SubElement(feed, f"{{{ATOM_NS}}}author")
    _text(author, "name", data.page.name)
    for event in _events(data):
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        _text(entry, "id", _link(data, event))
        _text(entry, "title", event.name)
        _text(entry, "published", _rfc3339(event.created))
        _text(entry, "updated", _rfc3339(event.updated))
        ET.SubElement(entry, f"{{{ATOM_NS}}}link", {"rel": "alternate", "href": _link(data, event)})
        content = _text(entry, "content", _content(event))
        content.set("type", "html")
    return _serialise(feed)


def rss(data: PageData) -> bytes:
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")
    page_url = data.page.url.rstrip("/")
    ET.SubElement(channel, "title").text = f"{data.page.name} - Incident history"
    ET.SubElement(channel, "link").text = page_url
    ET.SubElement(channel, "description").text = f"Incidents and maintenance of {data.page.name}"
    ET.SubElement(channel, "language").text = "en"
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(
        data.page.updated_at.astimezone(UTC), usegmt=True
    )
    for event in _events(data):
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = event.name
        ET.SubElement(item, "link").text = _link(data, event)
        guid = ET.SubElement(item, "guid", {"isPermaLink": "false"})
        guid.text = _link(data, event)
        ET.SubElement(item, "pubDate").text = format_datetime(
            event.created.astimezone(UTC), usegmt=True
        )
        ET.SubElement(item, "description").text = _content(event)
    return _serialise(root)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}")
    element.text = text
    return element


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _serialise(root: ET.Element) -> bytes:
    serialised: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return serialised
