"""The closed loop's own texts render with just the ticket number, in both languages, in two segments."""
import pathlib

import pytest

from app.messaging.templates import SmsTemplates

SHIPPED = pathlib.Path(__file__).resolve().parents[2] / "sms_templates"
OURS = ["survey_reminder", "outlet_overdue_respond", "outlet_overdue_arrive", "outlet_overdue_resolve",
        "outlet_loaner_task"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", OURS)
def test_renders_with_the_ticket_number_alone_in_two_segments(name, lang):
    rendered = SmsTemplates(SHIPPED).render(name, lang, ticket_number="10012342")
    assert rendered.lang == lang and "10012342" in rendered.body and rendered.segments.segments <= 2


@pytest.mark.parametrize("name", ["outlet_overdue_respond", "outlet_overdue_arrive", "outlet_overdue_resolve"])
def test_the_three_breach_notices_differ_so_carriers_do_not_reject_repeats(name):
    bodies = {n: SmsTemplates(SHIPPED).render(n, ticket_number="10012342").body for n in OURS}
    assert list(bodies.values()).count(bodies[name]) == 1
