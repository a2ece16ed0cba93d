"""Run every benchmark with its defaults and print one Markdown report (`make bench`).

Declaring on SQLite at concurrency 8 (the goal) and on PostgreSQL for comparison, served by
one and by two processes, then
listing open incidents among 100,000 on both databases at concurrency 1 (the goal) and 8, then
the Slack declare flow and slash-command acknowledgements against the emulator, then the
public status page against nginx at concurrency 64 (skipped, with the reason, without wrk and
nginx: `make bench-deps`). Takes about eight minutes; each part can be run alone, see
bench/*.py --help.

    python bench/run_all.py
    python bench/run_all.py --duration 5 --incidents 20000     # a quick look
"""

from __future__ import annotations

import argparse
import time

import chat_declare_flow
import declare_incidents
import list_open_incidents
import statuspage
from common import DEFAULT_POSTGRES_SERVER, SeedMix
from load import LoadPlan, results_table


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
    print(f"(took {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
