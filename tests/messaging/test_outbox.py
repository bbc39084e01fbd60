"""queue_text: who gets which text, when, and what is recorded instead of sent."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from app.config import Settings
from app.messaging.models import SmsBlock, Suppression
from app.messaging.outbox import queue_text
from app.messaging.policy import SendingPolicy
from app.messaging.templates import TemplateError

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "+8613800138000"
TICKET = {"ticket_number": "10012342", "kind_label": "报修", "hotline": "400 675 7888"}
REMINDER = {"serial_tail": "8321", "hotline": "400 675 7888"}


def suppress(session, clock, phone=PHONE):
    session.add(Suppression(phone=phone, source="sms", reason="replied T", created_at=clock.now()))
    session.flush()


def test_a_text_is_queued_with_the_signature_first_and_its_segments(session, clock):
    message = queue_text(session, phone=PHONE, template="ticket_created", context=TICKET, now=clock.now())
    assert message.status == "queued" and message.send_after == clock.now()
    assert message.body.startswith("【志高】") and message.segments == 1


def test_the_old_keyword_signature_still_sets_the_signature(session, clock):
    message = queue_text(session, phone=PHONE, template="ticket_created", context=TICKET, now=clock.now(),
                         signature="【志高空调】", ticket_id=None, lang="zh", send_after=None)
    assert message.body.startswith("【志高空调】")


def test_a_second_call_with_the_same_dedupe_key_returns_the_first_row(session, clock):
    first = queue_text(session, phone=PHONE, template="ticket_created", context=TICKET, now=clock.now(), dedupe_key="k")
    again = queue_text(session, phone=PHONE, template="ticket_created", context=TICKET, now=clock.now(), dedupe_key="k")
    assert again.id == first.id


def test_marketing_ends_with_the_opt_out(session, clock):
    message = queue_text(session, phone=PHONE, template="ticket_resolved", context=TICKET, now=clock.now(),
                         category="marketing")
    assert message.body.endswith("回T退订")


@pytest.mark.parametrize("category", ["reminder", "marketing", "survey"])
def test_a_suppressed_number_gets_no_reminder_marketing_or_survey_text(session, clock, category):
    suppress(session, clock)
    message = queue_text(session, phone=PHONE, template="maintenance_reminder", context=REMINDER, now=clock.now(),
                         category=category)
    assert message.status == "suppressed" and category in message.error_message


def test_a_suppressed_number_still_gets_the_answer_to_its_own_request(session, clock):
    suppress(session, clock)
    message = queue_text(session, phone=PHONE, template="ticket_created", context=TICKET, now=clock.now())
    assert message.status == "queued"


def test_a_landline_gets_no_text_at_all_and_the_row_says_why(session, clock):
    session.add(SmsBlock(phone=PHONE, reason="landline", error_code=21614, created_at=clock.now()))
    message = queue_text(session, phone=PHONE, template="ticket_created", context=TICKET, now=clock.now())
    assert message.status == "refused" and "landline" in message.error_message


def test_the_fourth_identical_text_within_24_hours_is_refused_and_recorded(session, clock):
    rows = [queue_text(session, phone=PHONE, template="ticket_created", context=TICKET, now=clock.advance(hours=1))
            for _ in range(4)]
    assert [r.status for r in rows] == ["queued", "queued", "queued", "refused"]
    assert "identical text number 4" in rows[3].error_message


def test_an_identical_text_after_24_hours_is_queued(session, clock):
    for _ in range(3):
        queue_text(session, phone=PHONE, template="ticket_created", context=TICKET, now=clock.now())
    message = queue_text(session, phone=PHONE, template="ticket_created", context=TICKET,
                         now=clock.advance(hours=24, seconds=1))
    assert message.status == "queued"


def test_identical_texts_to_another_number_do_not_count(session, clock):
    for _ in range(3):
        queue_text(session, phone=PHONE, template="ticket_created", context=TICKET, now=clock.now())
    other = queue_text(session, phone="+8613900139000", template="ticket_created", context=TICKET, now=clock.now())
    assert other.status == "queued"


def test_a_reminder_queued_at_night_waits_for_the_morning(session, clock):
    clock.set(clock.now().astimezone(SHANGHAI).replace(hour=22))
    message = queue_text(session, phone=PHONE, template="maintenance_reminder", context=REMINDER, now=clock.now(),
                         category="reminder")
    morning = clock.now().astimezone(SHANGHAI).replace(hour=8) + timedelta(days=1)
    assert morning <= message.send_after < morning + timedelta(hours=1)


def test_night_reminders_are_spread_over_the_morning_not_all_at_eight(session, clock):
    clock.set(clock.now().astimezone(SHANGHAI).replace(hour=22))
    times = {queue_text(session, phone=f"+86139001390{n:02d}", template="maintenance_reminder", context=REMINDER,
                        now=clock.now(), category="reminder").send_after for n in range(20)}
    assert len(times) == 20


def test_a_transactional_text_at_night_goes_at_once(session, clock):
    clock.set(clock.now().astimezone(SHANGHAI).replace(hour=22))
    message = queue_text(session, phone=PHONE, template="ticket_created", context=TICKET, now=clock.now())
    assert message.send_after == clock.now()


def test_configured_quiet_hours_apply_through_the_policy(session, clock):
    clock.set(clock.now().astimezone(SHANGHAI).replace(hour=21))
    policy = SendingPolicy.from_settings(Settings(database_url="sqlite://", sms_quiet_hours="22:00-07:00"))
    message = queue_text(session, phone=PHONE, template="maintenance_reminder", context=REMINDER, now=clock.now(),
                         category="reminder", policy=policy)
    assert message.send_after == clock.now()


def test_a_url_in_a_variable_is_refused_unless_configuration_allows_links(session, clock):
    context = {**TICKET, "hotline": "www.chigo.com"}
    with pytest.raises(TemplateError, match="URL"):
        queue_text(session, phone=PHONE, template="ticket_created", context=context, now=clock.now())
    allowed = SendingPolicy(allow_urls=True)
    message = queue_text(session, phone=PHONE, template="ticket_created", context=context, now=clock.now(),
                         policy=allowed)
    assert "www.chigo.com" in message.body


def test_an_unknown_category_is_a_programming_error(session, clock):
    with pytest.raises(ValueError, match="category"):
        queue_text(session, phone=PHONE, template="ticket_created", context=TICKET, now=clock.now(), category="promo")
