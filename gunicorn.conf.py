"""gunicorn settings for the web nodes: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be set from the environment (systemd unit, Procfile, container):
- GUNICORN_BIND (default 0.0.0.0:$PORT when a platform sets PORT, else 127.0.0.1:8000)
- WEB_CONCURRENCY: worker processes (default 2 per core: webhooks wait on the database)
- GUNICORN_THREADS: threads per worker (default 1, sync workers; more makes them gthread)
- GUNICORN_TIMEOUT: seconds before a stuck worker is replaced (default 30; Twilio waits 15 s
  for an answer and then calls the fallback URL, so nothing waits on a worker that long)
- PROMETHEUS_MULTIPROC_DIR: where the workers keep their metrics for /metrics to sum. It is
  emptied of its metric files when gunicorn starts (stale files of an earlier run would be summed too), and a dead
  worker's live gauges are dropped.
"""
import os
from pathlib import Path

from prometheus_client import multiprocess

bind = os.environ.get("GUNICORN_BIND") or (f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 20
keepalive = 5  # the load balancer keeps connections open; Twilio's requests come through it
# Requests are logged by the app (JSON logs with the request id); gunicorn logs errors only.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Each worker imports the app itself: a worker that dies takes nothing shared with it.
preload_app = False


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # only the metric files: the directory may hold others
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    # After the worker imported the app: from here on it takes requests (tests and deploys wait for it).
    worker.log.info("worker %s ready", worker.pid)
