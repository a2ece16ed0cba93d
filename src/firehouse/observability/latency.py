"""The request latency histogram, kept cheap enough for the status page's request rate.

prometheus_client's Histogram takes a lock per bucket and per sum on every observation: about
4 µs here, a few percent of a status page request on its own. Every observation comes from
the event loop's one thread (the middleware runs there, never in the thread pool), so plain
counters need no lock: a bisect and two additions. The scrape, in a worker thread, may read
a series mid-update and see its count one ahead of its sum; the next scrape is exact.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from prometheus_client.core import HistogramMetricFamily, Metric

NAME = "firehouse_http_request_duration_seconds"
LABELS = ("method", "route", "status")
# From a cached status page (a millisecond) to a slow export (seconds).
BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Series:
    """One label set: a count per bucket (not cumulative; the last one is +Inf) and the sum."""

    __slots__ = ("counts", "sum")

    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)
        self.sum = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect_left(BUCKETS, seconds)] += 1
        self.sum += seconds


class LatencyHistogram:
    """A prometheus_client collector; `series(labels)` is looked up once per request."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str, str], Series] = {}

    def series(self, labels: tuple[str, str, str]) -> Series:
        found = self._series.get(labels)
        if found is None:
            found = self._series.setdefault(labels, Series())
        return found

    def collect(self) -> Iterable[Metric]:
        family = HistogramMetricFamily(
            NAME,
            "Time to answer an HTTP request, by method, route template and status class.",
            labels=LABELS,
        )
        for labels, series in list(self._series.items()):
            counts, total = list(series.counts), series.sum
            cumulative, buckets = 0, []
            for bound, count in zip([*map(str, BUCKETS), "+Inf"], counts, strict=True):
                cumulative += count
                buckets.append((bound, float(cumulative)))
            family.add_metric(list(labels), buckets, total)
        return [family]
