"""Run every benchmark with its defaults and print one Markdown report (`make bench`).

Declaring on SQLite at concurrency 8 (the goal) and on PostgreSQL for comparison, served by
one and by two processes, then
listing open incidents among 100,000 on both databases at concurrency 1 (the goal) and 8, then
the Slack declare flow and slash-command acknowledgements against the emulator, then the
public status page against nginx at concurrency 64 (skipped, with the reason, without wrk and
nginx: `make bench-deps`), then scale-out on PostgreSQL with 1, 2 and 3 server processes
(needs wrk) and the outbox emptied by 1 and 2 workers. Takes about fifteen minutes; each part
can be run alone, see bench/*.py --help.

    python bench/run_all.py
    python bench/run_all.py --duration 5 --incidents 20000     # a quick look
"""

from __future__ import annotations

import argparse
import time

import chat_declare_flow
import declare_incidents
import list_open_incidents
import outbox_delivery
import scale_out
import statuspage
from common import DEFAULT_POSTGRES_SERVER, SeedMix
from load import LoadPlan, results_table
from wrk import missing_tools


def main() -> None:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument("--duration", type=float, default=12.0, help="seconds measured per run")
    options.add_argument("--warmup", type=float, default=3.0, help="seconds discarded first")
    options.add_argument("--incidents", type=int, default=100_000, help="stored for listing")
    options.add_argument("--postgres-server", default=DEFAULT_POSTGRES_SERVER)
    args = options.parse_args()
    if args.duration <= 0 or args.warmup < 0 or args.incidents < 1:
        raise SystemExit("error: --duration and --incidents must be positive, --warmup >= 0")

    def plans(*levels: int) -> list[LoadPlan]:
        return [LoadPlan(concurrency=n, warmup=args.warmup, duration=args.duration) for n in levels]

    started = time.monotonic()
    declare_incidents.print_machine(args.postgres_server)
    both = ["sqlite", "postgresql"]
    declared = declare_incidents.run(both, plans(8), args.postgres_server, workers=[1, 2])
    print("## Declaring an incident\n")
    print(results_table(declared), end="\n\n", flush=True)
    listed = list_open_incidents.run(
        both, plans(1, 8), SeedMix(incidents=args.incidents), args.postgres_server, page_size=50
    )
    print("\n## Listing open incidents\n")
    print(results_table(listed), end="\n\n")
    chat = chat_declare_flow.Options()
    flows, acknowledged = chat_declare_flow.run(chat)
    print("\n## Chat: declare flow and slash commands\n")
    chat_declare_flow.print_report(flows, acknowledged, chat)
    print("\n## Status page: firehouse against nginx serving the same bytes\n")
    skipped = statuspage.unavailable()
    if skipped:
        print(f"skipped: {skipped}")
    else:
        page = [statuspage.Plan(statuspage.GOAL_CONCURRENCY, args.duration, 2.0, threads=2)]
        rows, notes = statuspage.run(page, workers=[1, 2])
        print(statuspage.results_table(rows))
        print("\n".join(f"- `{path}`: {note}" for path, note in notes.items()))
    print()
    scale(args.duration, args.warmup, args.postgres_server)
    print(f"(took {time.monotonic() - started:.0f} s)")


def scale(duration: float, warmup: float, postgres_server: str) -> None:
    """Scale-out on PostgreSQL: server processes under load, then outbox workers."""
    print("\n## Scale-out on PostgreSQL: 1, 2 and 3 server processes\n")
    if missing_tools("wrk"):
        print("skipped: needs wrk (`make bench-deps`)")
    else:
        plan = scale_out.Plan(duration=duration, warmup=max(1.0, warmup))
        rows = scale_out.run([1, 2, 3], list(scale_out.SCENARIOS), plan, postgres_server)
        print(scale_out.results_table(rows))
    print("\n## Outbox delivery: 1 and 2 workers, receiver answering in 20 ms\n")
    outbox = outbox_delivery.Plan(postgres_server=postgres_server)
    print(outbox_delivery.results_table(outbox_delivery.run(outbox, [1, 2]), outbox))
    print()


if __name__ == "__main__":
    main()
