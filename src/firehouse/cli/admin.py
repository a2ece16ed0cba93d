"""The server processes: `serve` (API plus dispatcher) and `worker` (dispatcher alone)."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from firehouse.cli.errors import CliError
from firehouse.cli.local import database, warn_unless_migrated
from firehouse.clock import SystemClock
from firehouse.observability.logs import configure_logging
from firehouse.settings import get_settings

if TYPE_CHECKING:
    from uvicorn import Server

    from firehouse.outbox.dispatcher import Dispatcher

commands = typer.Typer()


@commands.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1, max=64, help="Server processes sharing the port; one per core uses them all."
        ),
    ] = 1,
) -> None:
    """Serve the API (and run the outbox dispatcher, unless FIREHOUSE_DISPATCHER=false).

    With --workers N the processes share one listening socket and the database, as several
    servers behind a load balancer would; SQLite writers queue on a file lock between them.
    """
    # Imported here: the web stack takes a second to load, which no other command should pay.
    import uvicorn  # noqa: PLC0415
    from uvicorn.supervisors import Multiprocess  # noqa: PLC0415

    from firehouse.app import create_app  # noqa: PLC0415

    settings = get_settings()
    with database(settings) as db:
        warn_unless_migrated(db)
        listener = _listen(host, port)
        configure_logging(settings)
        bound_port = listener.getsockname()[1]
        url_host = f"[{host}]" if ":" in host else host
        typer.echo(f"firehouse is serving on http://{url_host}:{bound_port}")
        with listener:
            if workers == 1:
                config = uvicorn.Config(
                    create_app(settings, database=db),
                    log_config=None,  # configure_logging's format (JSON or text) throughout
                    access_log=False,
                    timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
                )
                _server_class()(config).run(sockets=[listener])
            else:
                # Each process builds its own app from the same environment.
                config = uvicorn.Config(
                    "firehouse.app:create_app",
                    log_config=None,
                    factory=True,
                    workers=workers,
                    access_log=False,
                    timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
                )
                Multiprocess(config, sockets=[listener]).run()


def _server_class() -> type[Server]:
    """uvicorn's server, except that a signal it has already handled (a graceful stop) is not
    raised again at the end, so SIGTERM ends `serve` with status 0 as it does a worker."""
    import uvicorn  # noqa: PLC0415 -- see serve

    class GracefulServer(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            with super().capture_signals():
                yield
                self._captured_signals.clear()

    return GracefulServer


# On shutdown, requests in flight get this long to finish. The incident pages' live streams
# never finish by themselves; the browser reconnects to another process.
SHUTDOWN_GRACE_SECONDS = 10


def _listen(host: str, port: int) -> socket.socket:
    """Bind before starting uvicorn, so a taken port is one clear line and not a log dump."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return listener


def _serve_metrics(dispatcher: Dispatcher, host: str, port: int) -> None:
    """The worker's own counters (deliveries by provider and result) and the deployment's
    gauges, on a small HTTP server of its own: a worker has no API to hang /metrics on. It
    shows counts only, so it asks for no token; bind it where only Prometheus reaches."""
    from prometheus_client import start_http_server  # noqa: PLC0415 -- only when asked

    from firehouse.observability.metrics import build_metrics  # noqa: PLC0415

    metrics = build_metrics(dispatcher.db, dispatcher.clock)
    dispatcher.observer = metrics.count_delivery
    try:
        start_http_server(port, addr=host, registry=metrics.registry)
    except OSError as exc:
        raise CliError(f"--metrics-port: cannot listen on {host}:{port}: {exc.strerror}") from None
    typer.echo(f"worker metrics on http://{host}:{port}/metrics")


class Heartbeat:
    """Touches a file after every round, so a liveness probe can tell a stuck worker (an old
    file) from a busy one. Throttled to once a second; a failed touch is logged, not fatal."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self._last = 0.0

    def beat(self) -> None:
        now = time.monotonic()
        if self.path is None or now - self._last < 1.0:
            return
        self._last = now
        try:
            self.path.touch()
        except OSError as exc:
            logging.getLogger(__name__).warning("cannot touch heartbeat file: %s", exc.strerror)


@commands.command()
def worker(
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="Serve this worker's Prometheus metrics on this port (no HTTP otherwise).",
        ),
    ] = None,
    metrics_host: Annotated[
        str, typer.Option(help="Address of the metrics port; 0.0.0.0 in a container.")
    ] = "127.0.0.1",
) -> None:
    """Deliver outbox events until SIGTERM or Ctrl-C; run several for scale-out."""
    from firehouse.app import build_dispatcher, build_periodic  # noqa: PLC0415 -- see serve

    settings = get_settings()
    with database(settings) as db:
        warn_unless_migrated(db)
        configure_logging(settings)
        clock = SystemClock()
        dispatcher = build_dispatcher(db, settings, clock)
        periodic = build_periodic(dispatcher, clock, settings)
        if metrics_port is not None:
            _serve_metrics(dispatcher, metrics_host, metrics_port)
        heartbeat = Heartbeat(settings.worker_heartbeat_file)
        stop = threading.Event()

        def _stop(_signum: int, _frame: FrameType | None) -> None:
            stop.set()
            dispatcher.request_stop()  # ends the idle wait now; the batch in hand finishes

        def between_rounds() -> None:
            periodic.run_due()
            heartbeat.beat()

        previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        typer.echo(f"firehouse worker {dispatcher.worker_id} is delivering outbox events")
        try:
            dispatcher.run_forever(stop, settings.outbox_poll_seconds, between_rounds)
        finally:
            dispatcher.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    typer.echo("firehouse worker stopped")
