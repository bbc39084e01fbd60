"""Running it for real: Prometheus metrics, the deep health check, JSON logs with request ids."""
