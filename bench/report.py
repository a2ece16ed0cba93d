"""What the figures depend on, and how they are shown: the machine, and Markdown tables."""

from __future__ import annotations

import os
import platform
import sqlite3
from importlib.metadata import version
from pathlib import Path

from sqlalchemy import create_engine, text


def machine(postgres_server: str | None) -> dict[str, str]:
    """What the figures depend on, so a reader can compare them with their own machine."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    facts = {
        "CPUs (nproc)": str(os.cpu_count()),
        "CPU model": cpu,
        "RAM": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": _postgres_version(postgres_server) if postgres_server else "not used",
    }
    for package in ("uvicorn", "fastapi", "sqlalchemy", "psycopg", "httpx"):
        facts[package] = version(package)
    return facts


def _postgres_version(server: str) -> str:
    engine = create_engine(server)
    try:
        with engine.connect() as connection:
            return str(connection.scalar(text("SHOW server_version")))
    except Exception as exc:  # noqa: BLE001 -- an absent server is a fact to report, not a crash
        return f"unreachable ({type(exc).__name__})"
    finally:
        engine.dispose()


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
