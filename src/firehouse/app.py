"""Application assembly: settings, database, routes, and the dispatcher in the background."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import httpx
from fastapi import FastAPI

from firehouse import __version__
from firehouse.alerts.api import router as alerts_router
from firehouse.alerts.batching import IngestBatcher
from firehouse.alerts.intake_api import router as intake_router
from firehouse.alerts.intake_fast import IntakeFastPath
from firehouse.catalog.api import router as catalog_router
from firehouse.changes import build_feed
from firehouse.chat.console import ConsoleChatProvider
from firehouse.chat.flow import ChatFlow, ProviderFactory
from firehouse.chat.provider import ChatProvider
from firehouse.clock import Clock, SystemClock
from firehouse.db import Database, is_sqlite
from firehouse.guidance import (
    checklist_api,
    drill_api,
    follow_up_api,
    postmortem_api,
    reminder_api,
    report_api,
)
from firehouse.guidance.jobs import scheduled_jobs
from firehouse.guidance.reminder_delivery import ReminderDelivery
from firehouse.httpapi import errors
from firehouse.httpapi.health import router as health_router
from firehouse.httpapi.runtime import Runtime
from firehouse.incidents.api import router as incidents_router
from firehouse.integrations.atlassian_statuspage.mirror import AtlassianMirror
from firehouse.integrations.paging import build_page_notifier
from firehouse.integrations.slack.api import router as slack_router
from firehouse.integrations.slack.client import DEFAULT_API_URL, SlackProvider
from firehouse.integrations.trackers.handler import TrackerHandler
from firehouse.integrations.trackers.polling import poll_open_tickets
from firehouse.integrations.webhooks import WebhookHandler
from firehouse.observability.install import observed
from firehouse.oncall import ack_api, ical_api, paging_api
from firehouse.oncall.api import router as oncall_router
from firehouse.oncall.escalation_tasks import paging_tasks
from firehouse.oncall.flow import PagingFlow
from firehouse.outbox.console import LogHandler
from firehouse.outbox.dispatcher import Dispatcher, DispatcherConfig, Handler
from firehouse.outbox.retention import prune_delivered
from firehouse.periodic import Periodic, exclusive
from firehouse.scheduler import Scheduler
from firehouse.settings import Settings, get_settings
from firehouse.statuspage.api import router as statuspage_router
from firehouse.statuspage.flow import StatuspageFlow
from firehouse.statuspage.notify import build_notifier
from firehouse.statuspage.public_routes import PublicPages, public_router
from firehouse.statuspage.publisher import Publisher
from firehouse.statuspage.service_maintenance import advance_maintenances
from firehouse.statuspage.subscriber_api import router as subscriber_router
from firehouse.web.site import ROUTERS as WEB_ROUTERS

log = logging.getLogger(__name__)


def chat_providers(settings: Settings) -> ProviderFactory:
    """Slack when a bot token is set, else the console twin, which logs what it would do.

    The `chat` subscription's settings (firehouse.yaml's `chat:` section) say where Slack's
    Web API is; the token comes from the environment and never from the database.
    """
    token = settings.slack_bot_token

    def provider(chat: dict[str, Any]) -> ChatProvider:
        if token is None or not token.get_secret_value().strip():
            return ConsoleChatProvider()
        api_url = str((chat.get("slack") or {}).get("api_url") or DEFAULT_API_URL)
        return SlackProvider(
            api_url,
            token.get_secret_value(),
            settings.chat_timeout_seconds,
            post_interval=settings.chat_post_interval_seconds,
        )

    return provider


def build_dispatcher(db: Database, settings: Settings, clock: Clock) -> Dispatcher:
    client = httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False)
    handlers: dict[str, Handler] = {
        "webhook": WebhookHandler(client, clock=clock),
        "chat": ChatFlow(db, clock, settings.base_url, chat_providers(settings)),
        "statuspage": StatuspageFlow(db, clock),
        "statuspage_subscribers": build_notifier(db, settings, clock, client),
        "atlassian_statuspage": AtlassianMirror(db, clock, client),
        "paging": PagingFlow(db, clock),
        "page_notifications": build_page_notifier(db, settings, clock, client),
        "reminders": ReminderDelivery(db, clock, chat_providers(settings)),
        "trackers": TrackerHandler(db, clock, client),
        "log": LogHandler(),  # the null twin: logs each event, needs nothing set up
    }
    config = DispatcherConfig(
        max_attempts=settings.outbox_max_attempts,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        concurrency=settings.outbox_concurrency,
    )
    dispatcher = Dispatcher(db, handlers, clock, config)
    db.on_commit(dispatcher.wake)
    return dispatcher


def build_periodic(dispatcher: Dispatcher, clock: Clock, settings: Settings) -> Periodic:
    """The clock-driven tasks that ride on the dispatcher's loop (see firehouse.periodic)."""
    db = dispatcher.db
    scheduler = Scheduler(db)
    periodic = Periodic(clock)
    chat = dispatcher.handlers.get("chat")
    if isinstance(chat, ChatFlow):
        periodic.tasks.append(
            exclusive(
                scheduler, "archive chat channels", timedelta(minutes=5), chat.archive_due_channels
            )
        )
    periodic.tasks.append(
        exclusive(scheduler, "advance maintenance windows", timedelta(seconds=30), _advance(db))
    )
    periodic.tasks += paging_tasks(db)
    periodic.tasks += scheduled_jobs(db, scheduler)
    trackers = dispatcher.handlers.get("trackers")
    if isinstance(trackers, TrackerHandler):
        poll = partial(poll_open_tickets, db, trackers.client)
        periodic.tasks.append(
            exclusive(scheduler, "poll ticket trackers", timedelta(minutes=15), poll)
        )
    if settings.outbox_retention_days > 0:
        keep = timedelta(days=settings.outbox_retention_days)
        prune = partial(_prune_outbox, db, keep)
        periodic.tasks.append(exclusive(scheduler, "prune outbox", timedelta(hours=1), prune))
    return periodic


def _prune_outbox(db: Database, keep: timedelta, now: datetime) -> int:
    return prune_delivered(db, now - keep)


def _advance(db: Database) -> Callable[[datetime], int]:
    def advance(now: datetime) -> int:
        with db.write() as session:
            return advance_maintenances(session, now)

    return advance


def intake_concurrency(settings: Settings, db: Database) -> int:
    """See Settings.intake_concurrency and docs/performance.md for how the defaults were found."""
    if settings.intake_concurrency is not None:
        return settings.intake_concurrency
    return 4 if is_sqlite(db.engine) else 16


def _freeze_startup_objects() -> None:
    """Everything loaded at startup (a quarter of a million objects: the frameworks, the app)
    lives as long as the process. Left to the garbage collector, each full collection walks
    all of them, a pause of 150-200 ms on a small machine every few page views; frozen, they
    are never scanned again and a collection looks only at what requests allocate."""
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    run_dispatcher: bool | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    clock = clock or SystemClock()
    db = database or Database(settings.database_url, settings.database_pool_size)
    dispatcher = build_dispatcher(db, settings, clock)
    runtime = Runtime(settings=settings, db=db, clock=clock, dispatcher=dispatcher)
    background = settings.dispatcher if run_dispatcher is None else run_dispatcher
    alert_batcher = IngestBatcher(db, clock)  # group commit for alert intake
    change_feed = build_feed(
        db, settings.listen_database_url
    )  # tells live readers when to look again (firehouse.changes)
    status_publisher = Publisher(db, clock, settings.base_url, feed=change_feed)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        thread = None
        if background:
            thread = threading.Thread(
                target=dispatcher.run_forever,
                args=(
                    stop,
                    settings.outbox_poll_seconds,
                    build_periodic(dispatcher, clock, settings).run_due,
                ),
                name="outbox-dispatcher",
                daemon=True,
            )
            thread.start()
        change_feed.start()
        status_publisher.start()
        _freeze_startup_objects()
        yield
        status_publisher.stop()
        change_feed.stop()
        alert_batcher.stop()
        stop.set()
        dispatcher.request_stop()  # the current batch finishes; the rest goes back untried
        if thread is not None:
            thread.join(timeout=30)
        dispatcher.close()

    app = FastAPI(
        title="firehouse",
        version=__version__,
        description="Incident response: incidents, timeline, roles, links, and the outbox.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    errors.install(app)
    app.include_router(health_router)
    app.include_router(catalog_router)
    app.include_router(incidents_router)
    app.include_router(statuspage_router)
    app.include_router(subscriber_router)
    app.include_router(public_router(status_publisher))  # documents the paths; see below
    # Public pages are answered before FastAPI's routing: for bytes already in memory, trying
    # every route and the per-request middleware cost more than the answer (performance.md).
    app.add_middleware(PublicPages, publisher=status_publisher)
    # The same for alert intake, gated so a burst cannot starve the rest (alerts/intake_fast.py).
    app.add_middleware(IntakeFastPath, concurrency=intake_concurrency(settings, db))
    app.state.status_publisher = status_publisher
    app.state.change_feed = change_feed  # the incident page's live stream waits on it
    app.state.alert_batcher = alert_batcher
    app.include_router(slack_router)
    app.include_router(intake_router)
    app.include_router(alerts_router)
    app.include_router(oncall_router)
    app.include_router(paging_api.router)
    app.include_router(ical_api.router)
    app.include_router(ack_api.router)
    for guidance in (
        checklist_api,
        postmortem_api,
        follow_up_api,
        report_api,
        drill_api,
        reminder_api,
    ):
        app.include_router(guidance.router)
    for web_router in WEB_ROUTERS:
        app.include_router(web_router)
    # Last: metrics' middleware must be outermost, to see what PublicPages and IntakeFastPath
    # answer. Also logging, in each process of `serve --workers N` (observability/install.py).
    return observed(app, settings, dispatcher, alert_batcher)
