"""queue_texts: a batch obeys every rule queue_text does (it is the same path), in a few queries."""
from __future__ import annotations

import hashlib

from sqlalchemy import event, func, select

from app.config import Settings
from app.messaging.models import ErasedSuppression, Message, SmsBlock, Suppression
from app.messaging.outbox import TextItem, queue_text, queue_texts
from app.messaging.policy import SendingPolicy

REMINDER = {"serial_tail": "8321", "hotline": "400 675 7888"}


def phones(n: int) -> list[str]:
    return [f"+86139{i:08d}" for i in range(n)]


def items(numbers, **extra) -> list[TextItem]:
    return [TextItem(phone=p, context=REMINDER, dedupe_key=f"batch:{p}", **extra) for p in numbers]


def test_a_batch_queues_one_row_per_item_in_order_with_its_own_key(session, clock):
    numbers = phones(5)
    rows = queue_texts(session, items(numbers), template="maintenance_reminder", now=clock.now(), category="reminder")
    assert [m.phone for m in rows] == numbers and {m.status for m in rows} == {"queued"}
    assert [m.dedupe_key for m in rows] == [f"batch:{p}" for p in numbers]
    assert all(m.body.startswith("【志高】") and m.id for m in rows)


def test_a_batch_run_twice_writes_nothing_twice_and_returns_the_first_rows(session, clock):
    numbers = phones(4)
    first = queue_texts(session, items(numbers), template="maintenance_reminder", now=clock.now(), category="reminder")
    again = queue_texts(session, items(numbers[:2] + phones(6)[4:]), template="maintenance_reminder",
                        now=clock.now(), category="reminder")
    assert [m.id for m in again[:2]] == [m.id for m in first[:2]]
    assert session.scalar(select(func.count()).select_from(Message)) == 6


def test_the_same_key_twice_in_one_batch_is_one_row(session, clock):
    [phone] = phones(1)
    rows = queue_texts(session, items([phone, phone]), template="maintenance_reminder", now=clock.now(),
                       category="reminder")
    assert rows[0] is rows[1] and session.scalar(select(func.count()).select_from(Message)) == 1


def test_refusals_blocks_and_erased_refusals_are_honoured_as_for_one_text(session, clock):
    refused, blocked, erased, fine = phones(4)
    session.add(Suppression(phone=refused, source="sms", reason="replied T", created_at=clock.now()))
    session.add(SmsBlock(phone=blocked, reason="landline", error_code=21614, created_at=clock.now()))
    session.add(ErasedSuppression(phone_hash=hashlib.sha256(erased.encode()).hexdigest(), source="sms",
                                  created_at=clock.now()))
    session.flush()
    batch = queue_texts(session, [TextItem(phone=p, context=REMINDER) for p in (refused, blocked, erased, fine)],
                        template="maintenance_reminder", now=clock.now(), category="reminder")
    singles = [queue_text(session, phone=p, template="maintenance_reminder", context=REMINDER, now=clock.now(),
                          category="reminder") for p in (refused, blocked, erased, fine)]
    assert [m.status for m in batch] == [m.status for m in singles] == ["suppressed", "refused", "suppressed", "queued"]
    assert [m.error_message for m in batch] == [m.error_message for m in singles]


def test_a_transactional_batch_still_reaches_a_number_that_refused_marketing(session, clock):
    [phone] = phones(1)
    session.add(Suppression(phone=phone, source="sms", reason="replied T", created_at=clock.now()))
    session.flush()
    [message] = queue_texts(session, [TextItem(phone=phone, context=REMINDER)], template="maintenance_reminder",
                            now=clock.now(), category="transactional")
    assert message.status == "queued"


def test_identical_texts_count_across_the_batch_and_the_rows_before_it(session, clock):
    [phone] = phones(1)
    queue_text(session, phone=phone, template="maintenance_reminder", context=REMINDER, now=clock.now())
    rows = queue_texts(session, [TextItem(phone=phone, context=REMINDER) for _ in range(3)],
                       template="maintenance_reminder", now=clock.now())
    assert [m.status for m in rows] == ["queued", "queued", "refused"]
    assert "identical text number 4" in rows[2].error_message


def test_quiet_hours_hold_a_batch_as_they_hold_one_text(session, clock):
    policy = SendingPolicy.from_settings(Settings(database_url="sqlite://", sms_quiet_hours="20:00-08:00"))
    night = clock.now().replace(hour=22)
    rows = queue_texts(session, items(phones(3)), template="maintenance_reminder", now=night, category="reminder",
                       policy=policy)
    assert all(m.send_after.astimezone(night.tzinfo).hour == 8 for m in rows)


def test_a_batch_of_500_reads_and_writes_in_a_few_statements(session, clock):
    statements = []
    engine = session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        queue_texts(session, items(phones(500)), template="maintenance_reminder", now=clock.now(), category="reminder")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert len(reads) <= 5, reads  # dedupe keys, blocks, refusals (two), identical texts: not one per text
    if engine.dialect.name == "postgresql":
        # One multi-row INSERT ... RETURNING; SQLite's driver takes the rows one statement each.
        assert len(inserts) <= 2, len(inserts)
