"""wrk as a load tool: run it, and read its `--latency` report.

wrk (https://github.com/wg/wrk) is a C load generator. It keeps up with nginx, which a
Python client cannot, so it measures a static file server and firehouse with the same
yardstick. Like bench/load.py it is closed-loop: each connection sends its next request when
the last answer arrives.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from urllib.parse import urlsplit

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_TIME = r"([\d.]+)(us|ms|s|m|h)"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    per_second: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    """Socket errors (connect, read, write, timeout) plus non-2xx/3xx answers."""


def find_tool(name: str) -> str | None:
    """The tool's path; Debian puts nginx in /usr/sbin, which a user's PATH may lack."""
    return shutil.which(name) or shutil.which(name, path="/usr/local/sbin:/usr/sbin:/sbin")


def missing_tools(*names: str) -> list[str]:
    return [name for name in names if find_tool(name) is None]


def run_wrk(
    url: str, *, connections: int, duration: float, threads: int = 2, timeout: float = 5.0
) -> WrkResult:
    """One wrk run against a loopback URL; raises RuntimeError with wrk's output if it fails."""
    if urlsplit(url).hostname not in _LOOPBACK:
        raise ValueError(f"refusing to load anything but loopback: {url}")
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={max(1, round(timeout))}s",
        "--latency",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse(done.stdout)


def parse(report: str) -> WrkResult:
    """The figures of wrk's `--latency` report (wrk 4.x), latencies in milliseconds."""
    percentiles = {
        int(float(share)): _ms(value, unit)
        for share, value, unit in re.findall(rf"^\s+([\d.]+)%\s+{_TIME}\s*$", report, re.M)
    }
    latency = re.search(rf"^\s+Latency\s+{_TIME}\s+{_TIME}\s+{_TIME}", report, re.M)
    total = re.search(r"^\s+(\d+) requests in ([\d.]+)(us|ms|s|m|h),", report, re.M)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", report, re.M)
    if not (latency and total and rate) or not {50, 75, 90, 99} <= percentiles.keys():
        raise RuntimeError(f"unexpected wrk output:\n{report}")
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    errors = sum(map(int, socket_errors.groups())) if socket_errors else 0
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return WrkResult(
        requests=int(total.group(1)),
        seconds=_ms(total.group(2), total.group(3)) / 1000,
        per_second=float(rate.group(1)),
        p50_ms=percentiles[50],
        p75_ms=percentiles[75],
        p90_ms=percentiles[90],
        p99_ms=percentiles[99],
        max_ms=_ms(latency.group(5), latency.group(6)),
        errors=errors,
    )


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]
