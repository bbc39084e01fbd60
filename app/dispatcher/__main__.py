"""The dispatcher as a long-lived process, next to (or instead of) the scheduled `outbox_dispatch` job.

    python -m app.dispatcher [--workers 2] [--poll 1.0] [--until-idle]

Reads the same environment as the service (DATABASE_URL, SMS_BACKEND, TWILIO_*, SMS_*). Each
worker thread is a full dispatcher; any number of workers and processes may run at once, on
PostgreSQL or SQLite: claims never overlap and pacing is shared through the database.
SIGTERM / SIGINT stop it cleanly: claimed texts not yet sent are given back to the queue. A
`kill -9` is safe too: its claims run out and are reconciled (reconcile.py).
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from sqlalchemy.exc import OperationalError

from app.clock import SystemClock
from app.database import Database
from app.log_redaction import install as install_log_redaction
from app.messaging.claims import outbox_idle
from app.messaging.dispatch import OutboxDispatcher, summary
from app.observability.logs import configure_process_logging
from app.startup import database_or_exit, settings_or_exit

log = logging.getLogger("app.dispatcher")


def work(dispatcher: OutboxDispatcher, stop: threading.Event, *, poll: float, until_idle: bool) -> None:
    """Run passes until `stop` is set (or, with `until_idle`, until the outbox is idle)."""
    while not stop.is_set():
        try:
            counts = dispatcher.run_pass(stop=stop)
        except OperationalError:
            log.exception("database unavailable; trying again in %.1f s", poll)
            stop.wait(poll)
            continue
        except Exception:  # a bug must not silently end this worker: its claims are reconciled anyway
            log.exception("dispatcher pass failed; trying again in %.1f s", poll)
            stop.wait(poll)
            continue
        if +counts:
            log.info("%s: %s", threading.current_thread().name, summary(counts))
        if counts.get("halt"):
            stop.wait(60 * poll)  # a configuration error: do not hammer Twilio while someone fixes it
        if until_idle:
            with dispatcher.database.session() as session:
                if outbox_idle(session, dispatcher.clock.now()):
                    return
        if not +counts:
            stop.wait(poll)


def main(argv: list[str] | None = None) -> int:
    """Start the workers and wait for them; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m app.dispatcher", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="dispatcher threads in this process")
    parser.add_argument("--poll", type=float, default=1.0, help="seconds to wait when nothing is due")
    parser.add_argument("--until-idle", action="store_true", help="exit once nothing is due or claimed")
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    configure_process_logging(settings.log_format)
    install_log_redaction()  # second line of defence: call sites mask already
    database_or_exit(settings)
    database = Database(settings.database_url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threads = [
        threading.Thread(target=work, name=f"dispatcher-{n}", daemon=True,
                         args=(OutboxDispatcher(database, settings, wall=SystemClock()), stop),
                         kwargs={"poll": args.poll, "until_idle": args.until_idle})
        for n in range(max(1, args.workers))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.5)  # short joins keep the main thread free to take signals
    database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
