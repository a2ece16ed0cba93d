"""What operators watch: Prometheus metrics, structured logs with request ids, and the
filter that keeps secrets out of those logs (docs/observability.md)."""
