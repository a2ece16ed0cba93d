"""The request latency histogram reads as Prometheus expects: cumulative `le` buckets, where a
duration equal to a bound belongs to that bound's bucket."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from firehouse.observability.latency import LatencyHistogram


def buckets_after(*durations: float) -> dict[str, float]:
    histogram = LatencyHistogram()
    for seconds in durations:
        histogram.series(("GET", "/status", "2xx")).observe(seconds)
    registry = CollectorRegistry()
    registry.register(histogram)
    text = generate_latest(registry).decode()
    [family] = text_string_to_metric_families(text)
    return {s.labels["le"]: s.value for s in family.samples if s.name.endswith("_bucket")}


def test_a_duration_on_a_bound_is_counted_in_that_bucket() -> None:
    buckets = buckets_after(0.005)
    assert buckets["0.002"] == 0
    assert buckets["0.005"] == 1


def test_buckets_are_cumulative_up_to_infinity() -> None:
    buckets = buckets_after(0.001, 0.3, 60.0)
    assert (buckets["0.002"], buckets["0.5"], buckets["10.0"], buckets["+Inf"]) == (1, 2, 2, 3)


def test_count_and_sum_cover_every_observation() -> None:
    histogram = LatencyHistogram()
    series = histogram.series(("POST", "/api/v1/alerts", "2xx"))
    series.observe(0.25)
    series.observe(0.5)
    [family] = histogram.collect()
    samples = {s.name: s.value for s in family.samples if not s.name.endswith("_bucket")}
    assert samples["firehouse_http_request_duration_seconds_count"] == 2
    assert samples["firehouse_http_request_duration_seconds_sum"] == 0.75
