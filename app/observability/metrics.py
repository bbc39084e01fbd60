"""`GET /metrics`: Prometheus text format, summed over every worker of the node.

Two kinds of figures:
- made by the workers as they serve (webhook latency, fallback answers): prometheus_client
  metrics. Under gunicorn each worker is its own process, so they are kept in the multiprocess
  mode: `PROMETHEUS_MULTIPROC_DIR` names a directory (empty at start; gunicorn.conf.py empties
  it) where every worker writes its values, and a scrape, whichever worker takes it, sums them.
  Without the variable (one process: `flask run`, tests) the process's own registry is shown.
- read from the database at scrape time (outbox depth and oldest age, SLA breaches, survey
  coverage): the same from any worker or node, so they are never summed.

When `METRICS_TOKEN` is set a scrape needs `Authorization: Bearer <METRICS_TOKEN>`; without it the
endpoint is open, and the network must keep it to the monitoring hosts (README, "Operations").
"""
from __future__ import annotations

import hmac
import logging
import os
import time

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from app.observability.state import outbox_lag, sla_breaches, survey_coverage, surveys_by_status
from app.web import database, now, settings

log = logging.getLogger(__name__)
metrics = Blueprint("metrics", __name__)
WEBHOOK_PREFIXES = ("/twilio/", "/aliyun/")

WEBHOOK_SECONDS = Histogram(
    "contact_centre_webhook_seconds", "Time to answer a webhook, by route", ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
FALLBACK_ANSWERS = Counter("contact_centre_voice_fallback_answers", "Callers answered by /twilio/voice/fallback")


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def _start_timer() -> None:
    if request.path.startswith(WEBHOOK_PREFIXES):
        g.webhook_started = time.perf_counter()


def _observe(_exc: BaseException | None = None) -> None:
    started = g.pop("webhook_started", None)
    if started is not None:
        route = request.url_rule.rule if request.url_rule is not None else "unknown"
        WEBHOOK_SECONDS.labels(route=route).observe(time.perf_counter() - started)


def register_metrics(app: Flask) -> None:
    """Time every webhook (its whole request, teardown included) and serve /metrics."""
    app.before_request(_start_timer)
    app.teardown_request(_observe)
    app.register_blueprint(metrics)


class DatabaseFigures:
    """Collector of the figures read from the database at scrape time."""

    def __init__(self, session, at) -> None:
        self.session, self.at = session, at

    def collect(self):
        up = GaugeMetricFamily("contact_centre_database_up", "1 when the database answered this scrape")
        try:
            lag = outbox_lag(self.session, self.at)
            breaches = sla_breaches(self.session)
            surveys = surveys_by_status(self.session)
        except Exception:  # the scrape still answers: the worker figures and database_up 0
            log.exception("metrics: the database did not answer")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("contact_centre_outbox_depth", "Texts waiting to be sent", value=lag.depth)
        yield GaugeMetricFamily("contact_centre_outbox_due", "Texts due now and not yet sent", value=lag.due)
        yield GaugeMetricFamily("contact_centre_outbox_oldest_due_seconds",
                                "How long the oldest due text has waited", value=lag.oldest_due_seconds)
        breached = CounterMetricFamily("contact_centre_sla_breaches", "Tickets whose SLA clock was breached",
                                       labels=["clock"])
        for clock_name, count in breaches.items():
            breached.add_metric([clock_name], count)
        yield breached
        by_status = GaugeMetricFamily("contact_centre_surveys", "Satisfaction surveys by status", labels=["status"])
        for status, count in sorted(surveys.items()):
            by_status.add_metric([status], count)
        yield by_status
        yield GaugeMetricFamily("contact_centre_survey_coverage_ratio",
                                "Surveys answered over surveys asked (withdrawn ones aside)",
                                value=survey_coverage(surveys))


def _authorised() -> bool:
    token = settings().metrics_token
    if not token:
        return True
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@metrics.get("/metrics")
def scrape():
    if not _authorised():
        return Response("metrics need the bearer token\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": "Bearer"})
    if multiprocess_dir():
        workers = CollectorRegistry()
        MultiProcessCollector(workers)
    else:
        workers = REGISTRY
    figures = CollectorRegistry(auto_describe=False)
    with database().session() as session:
        figures.register(DatabaseFigures(session, now()))
        body = generate_latest(workers) + generate_latest(figures)
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], content_type=CONTENT_TYPE_LATEST)
