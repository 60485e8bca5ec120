"""JSON logs with request ids, and Prometheus metrics."""
