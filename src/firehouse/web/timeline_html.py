"""Timeline entries as HTML, each rendered once per process.

An entry never changes once written (the timeline is append-only), so its HTML is cached: a
page with a thousand entries joins cached strings instead of running the template a thousand
times, the largest cost of a long incident's page. The cache key is the whole row, so an
entry is never shown with another's text (ids alone repeat across databases); its size bounds
the memory (about 300 bytes an entry).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from firehouse.web.incident_view import Entry, EntryRow
from firehouse.web.pages import template_macro

CACHED_ENTRIES = 50_000


@lru_cache(maxsize=1)
def _entry_items() -> Callable[..., Any]:
    return template_macro("_timeline_entry.html", "entry_items")


@lru_cache(maxsize=CACHED_ENTRIES)
def _row_html(row: EntryRow) -> str:
    return str(_entry_items()([Entry.of(*row)])).strip()


def entry_html(entry: Entry) -> Markup:
    row = (entry.id, entry.kind, entry.text, entry.actor, entry.occurred_at)
    return Markup(_row_html(row))  # noqa: S704 -- the macro's output, escaped


def entries_html(rows: Iterable[EntryRow]) -> Markup:
    """Rows as `incident_view.entry_rows` reads them: no Entry is built for a cached one."""
    return Markup("\n".join(_row_html(row) for row in rows))  # noqa: S704 -- escaped
