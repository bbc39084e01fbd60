"""The outbox dispatcher: claims due texts, paces them per sender, sends them, writes the outcome.

One pass (`OutboxDispatcher.run_pass`, the `outbox_dispatch` job):

1. settle stale claims (reconcile.py);
2. claim due texts in one committed transaction (claims.py: lease token, `claimed_until`),
   transactional before survey before reminder before marketing; reminders and marketing are
   not claimed in quiet hours; texts whose number opted out or was blocked since they were
   queued are settled instead of sent; pacing reserves each text's slot (pacing.py);
3. send each at its slot, but only while the request can finish before the lease ends; texts it
   cannot send in time (or when asked to stop) are released, never sent late;
4. write outcomes in small batches (outcomes.py), each guarded by the lease token.

A text is sent at most once per claim, and a claim whose outcome was lost is settled by looking
the text up at Twilio before anything is sent again (reconcile.py). Several dispatchers (threads
or processes, see dispatcher.py) share the queue and the pacing.

Two clocks (`jobs run outbox_dispatch --now` is the one time they differ): the business clock
decides what is due (`send_after`) and whether it is quiet hours; the real clock (`wall`) keeps
everything that Twilio or another dispatcher sees: claims and their leases, pacing slots, the
reconciliation grace and search window, retry backoff, the pass's budget and the times recorded
(`claimed_at`, `sent_at`). So a pass as of any `--now` leaves nothing that holds up or doubles
the real-time passes after it.
"""
from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from app.clock import ShiftedClock, SystemClock
from app.config import Settings
from app.database import Database, begin_write
from app.messaging.backends import SendOutcome, make_backend
from app.messaging.claims import ClaimedText, claim_due, extend_lease, release, set_out_ids, settle_unsendable
from app.messaging.delivery import purge_early_statuses
from app.messaging.outcomes import record_outcomes
from app.messaging.pacing import Sender, claim_size, reserve_slots, sender_from_settings
from app.messaging.policy import DispatchPolicy
from app.messaging.reconcile import reconcile_stale

log = logging.getLogger(__name__)

RECONCILE_EVERY = timedelta(seconds=15)
SUMMARY_ORDER = ("sent", "failed", "retry", "unknown", "suppressed", "refused", "released", "halt",
                 "found", "resent", "lookup_failed", "staff")


@dataclass(frozen=True)
class Claim:
    """Texts one claim holds, each with its sending slot, and when the lease ends."""

    token: str
    texts: list[ClaimedText]
    slots: list[datetime]
    until: datetime
    groups: list[list[int]]  # indices into `texts`, one request each, in sending order

    def unsent(self, first_group: int) -> list[ClaimedText]:
        """The texts of this group and every later one."""
        return [self.texts[i] for group in self.groups[first_group:] for i in group]


def summary(counts: Counter) -> str:
    """"sent 3, failed 0, ..." in a fixed order, zeros left out after the first two."""
    parts = [f"{k} {counts.get(k, 0)}" for k in SUMMARY_ORDER if k in ("sent", "failed") or counts.get(k)]
    return ", ".join(parts)


class OutboxDispatcher:
    """One dispatcher (one thread); several may run at once against the same database."""

    def __init__(self, database: Database, settings: Settings, *, wall=None, clock=None, sleep=None, rng=None,
                 backend=None, sender: Sender | None = None, policy: DispatchPolicy | None = None) -> None:
        """`wall`: the real clock (default the system's); `clock`: the business clock, `wall` unless
        shifted by `--now`; `sleep`: how to wait for a pacing slot (default: on `wall`)."""
        self.database = database
        self.policy = policy or DispatchPolicy.from_settings(settings)
        self.sender = sender or sender_from_settings(settings)
        self.backend = backend or make_backend(settings, self.sender, timeout=self.policy.request_timeout)
        self.wall = wall or SystemClock()
        self.clock = clock or self.wall
        self._sleep = sleep or self.wall.sleep
        self.rng = rng or random.Random()

    def run_pass(self, *, budget: timedelta | None = None, stop: threading.Event | None = None) -> Counter:
        """Settle stale claims, then claim and send until nothing is due, `budget` is spent or `stop` is set.

        With a `budget` nothing is started that could not finish within it: a pass ends in time.
        """
        start = self.wall.now()
        deadline = start + budget if budget is not None else None
        timeout = timedelta(seconds=self.policy.request_timeout)
        counts = self.reconcile(deadline)
        next_reconcile = start + RECONCILE_EVERY
        while not (stop is not None and stop.is_set()):
            if deadline is not None and self.wall.now() + timeout >= deadline:
                break  # no request started now could finish within the budget
            if self.wall.now() >= next_reconcile:  # a long run must not leave a dead claim waiting for its end
                counts.update(self.reconcile(deadline))
                next_reconcile = self.wall.now() + RECONCILE_EVERY
            claim, settled = self.claim()
            counts.update(settled)
            if claim is None:
                if not settled:
                    break
                continue
            sent = self.send(claim, stop, deadline)
            counts.update(sent)
            if sent.get("halt"):
                log.error("the SMS backend refused our credentials or account: dispatching stopped")
                break
            if sent.get("released") and deadline is not None:
                break  # out of time (a slow Twilio, a slot past the budget): the next pass goes on
        return counts

    def reconcile(self, deadline: datetime | None = None) -> Counter:
        """Settle rows whose claimant's lease ran out (reconcile.py) and forget stale early callbacks."""
        counts = reconcile_stale(self.database, self.backend, clock=self.wall.now, policy=self.policy, rng=self.rng,
                                 deadline=deadline)
        with self.database.session() as session:
            purge_early_statuses(session, self.wall.now())
            session.commit()
        return counts

    def claim(self) -> tuple[Claim | None, Counter]:
        """Claim due texts, group them into requests, write their OutIds and reserve their slots,
        all committed before anything is sent."""
        now, token = self.wall.now(), uuid.uuid4().hex  # lease and slots on the real clock; due by the business one
        with self.database.session() as session:
            begin_write(session)
            texts = claim_due(session, now=now, due_at=self.clock.now(), token=token, lease=self.policy.lease,
                              limit=claim_size(self.sender, self.policy.batch_size),
                              quiet_hours=self.policy.quiet_hours)
            sendable, settled = settle_unsendable(session, texts, now)
            sendable, groups = self._group(session, token, sendable)
            paced = [t for t in sendable if self.backend.for_text(t).paced]
            reserved = iter(reserve_slots(session, self.sender, [t.segments for t in paced], now,
                                          horizon=self.policy.lease))
            slots = [next(reserved) if self.backend.for_text(t).paced else now for t in sendable]
            until = now + self.policy.lease
            if sendable and self.sender.paced:
                until = max(slots) + self.policy.lease
                extend_lease(session, token, until)
            session.commit()
        if not sendable:
            return None, settled
        return Claim(token, sendable, slots, until, groups), settled

    def _group(self, session, token: str, texts: list[ClaimedText]) -> tuple[list[ClaimedText], list[list[int]]]:
        """One request per Twilio or log text; Alibaba's texts of one template to distinct numbers
        share a SendBatchSms, each request its own OutId (written now, before sending)."""
        groups: list[list[int]] = []
        batches: dict[tuple, int] = {}
        for index, text in enumerate(texts):
            backend = self.backend.for_text(text)
            if backend.name != "aliyun":
                groups.append([index])
                continue
            key = (text.template, text.template_lang)
            open_batch = batches.get(key)
            if (open_batch is not None and len(groups[open_batch]) < backend.batch_size
                    and all(texts[i].phone != text.phone for i in groups[open_batch])):
                groups[open_batch].append(index)
            else:
                batches[key] = len(groups)
                groups.append([index])
        out_ids: dict[str, list[int]] = {}
        for number, group in enumerate(groups):
            if self.backend.for_text(texts[group[0]]).name == "aliyun":
                out_id = f"{token[:12]}{number:04x}"
                out_ids[out_id] = [texts[i].id for i in group]
                for i in group:
                    texts[i] = replace(texts[i], out_id=out_id)
        set_out_ids(session, token, out_ids)
        groups.sort(key=lambda group: group[0])
        return texts, groups

    def send(self, claim: Claim, stop: threading.Event | None = None, deadline: datetime | None = None) -> Counter:
        """Send the claim's requests at their slots; write outcomes in batches; release what cannot go
        (before its lease ends, or by `deadline`, the end of the pass)."""
        counts: Counter = Counter()
        pending: list[tuple[ClaimedText, SendOutcome]] = []
        flushed_at = time.monotonic()
        timeout = timedelta(seconds=self.policy.request_timeout)
        until = claim.until if deadline is None else min(claim.until, deadline)
        for number, group in enumerate(claim.groups):
            texts, slot = [claim.texts[i] for i in group], claim.slots[group[0]]
            if slot + timeout >= until:
                counts["released"] += self._release(claim.token, claim.unsent(number))
                break
            wait = (slot - self.wall.now()).total_seconds()
            if wait > 0.05 and pending:
                counts += self._flush(claim.token, pending)  # callbacks may arrive while we wait
                pending, flushed_at = [], time.monotonic()
            if wait > 0:
                self._wait(wait, stop)
            late = self.wall.now() + timeout >= until
            if late or (stop is not None and stop.is_set()):
                counts["released"] += self._release(claim.token, claim.unsent(number))
                break
            outcomes = self.backend.send_group(texts)
            pending.extend(zip(texts, outcomes))
            if any(outcome.kind == "halt" for outcome in outcomes):
                counts["released"] += self._release(claim.token, claim.unsent(number + 1))
                break
            due = time.monotonic() - flushed_at >= self.policy.flush_interval.total_seconds()
            if len(pending) >= self.policy.flush_every or due:
                counts += self._flush(claim.token, pending)
                pending, flushed_at = [], time.monotonic()
        if pending:
            counts += self._flush(claim.token, pending)
        return counts

    def _flush(self, token: str, pending: list[tuple[ClaimedText, SendOutcome]]) -> Counter:
        with self.database.session() as session:
            counts = record_outcomes(session, token, pending, now=self.wall.now(), policy=self.policy, rng=self.rng)
            session.commit()
        return counts

    def _release(self, token: str, texts: list[ClaimedText]) -> int:
        with self.database.session() as session:
            release(session, token, [t.id for t in texts])
            session.commit()
        return len(texts)

    def _wait(self, seconds: float, stop: threading.Event | None) -> None:
        if stop is not None:
            stop.wait(seconds)
        else:
            self._sleep(seconds)


# The longest a pass may take (`jobs run outbox_dispatch`). The scheduler starts one every 10 s
# and never two at once, so a pass with a backlog simply holds up the next one.
PASS_BUDGET = timedelta(seconds=50)


def run_outbox_pass(database: Database, settings: Settings, *, now: datetime, wall=None,
                    budget: timedelta = PASS_BUDGET) -> str:
    """One dispatcher pass whose business time starts at `now` and runs on; everything that must
    keep to real time keeps to `wall` (default the system clock). Returns its summary."""
    wall = wall or SystemClock()
    dispatcher = OutboxDispatcher(database, settings, wall=wall, clock=ShiftedClock(wall, now))
    return summary(dispatcher.run_pass(budget=budget))
