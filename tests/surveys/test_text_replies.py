"""Survey answers by text: read forgivingly, thanked by ticket number, re-asked once, then a person."""
import pytest

from app.surveys.policy import SurveyPolicy
from app.closed_loop.replies import take_survey_reply
from tests.surveys.support import PUBLIC_BASE_URL, at, open_escalations, resolved_job, survey_of, texts_to

PHONE = "+8613800138000"


@pytest.fixture
def asked(session, run_job):
    """A repair resolved at 10:00 whose survey was texted at 10:05."""
    ticket = resolved_job(session, at(7, 10), phone=PHONE)
    session.commit()
    run_job("survey_send", at(7, 10, 5))
    return ticket


def reply(session, body, when=at(7, 11), phone=PHONE):
    taken = take_survey_reply(session, phone, body, when, policy=SurveyPolicy())
    session.commit()
    return taken


def test_the_survey_text_asks_for_1_to_5_or_words_with_the_ticket_number(session, asked):
    [question] = texts_to(session, PHONE, "survey_request")
    assert asked.number in question.body and "1-5" in question.body and question.category == "survey"


def test_an_understood_reply_verifies_the_ticket_and_the_thanks_names_it(session, asked):
    assert reply(session, "非常满意！") is True
    assert survey_of(session, asked).ticket.status == "verified"
    [thanks] = texts_to(session, PHONE, "survey_thanks")
    assert asked.number in thanks.body


def test_an_unreadable_reply_gets_one_re_ask(session, asked):
    reply(session, "师傅人不错")
    [reask] = texts_to(session, PHONE, "survey_reask")
    assert asked.number in reask.body
    assert open_escalations(session) == []


def test_a_second_unreadable_reply_goes_to_the_staff_inbox_with_its_words(session, asked):
    reply(session, "师傅人不错")
    reply(session, "就是来得有点晚", when=at(7, 11, 5))
    [item] = open_escalations(session, "survey_unreadable")
    assert item.queue == "staff_inbox" and "就是来得有点晚" in item.detail
    assert len(texts_to(session, PHONE, "survey_reask")) == 1
    assert survey_of(session, asked).status == "staff"


def test_a_readable_reply_after_the_staff_item_still_counts_and_closes_the_item(session, asked):
    reply(session, "师傅人不错")
    reply(session, "就是来得有点晚", when=at(7, 11, 5))
    reply(session, "4分", when=at(7, 11, 10))
    assert survey_of(session, asked).ticket.status == "verified"
    assert open_escalations(session, "survey_unreadable") == []


def test_with_several_open_surveys_the_reply_counts_for_the_newest_and_says_which(session, run_job, asked):
    newer = resolved_job(session, at(7, 12), phone=PHONE)
    session.commit()
    run_job("survey_send", at(7, 12, 5))
    reply(session, "5", when=at(7, 12, 30))
    assert survey_of(session, newer).ticket.status == "verified"
    assert survey_of(session, asked).ticket.status == "resolved"
    [thanks] = texts_to(session, PHONE, "survey_thanks")
    assert newer.number in thanks.body and asked.number not in thanks.body


def test_a_reply_naming_an_older_ticket_counts_for_that_ticket(session, run_job, asked):
    resolved_job(session, at(7, 12), phone=PHONE)
    session.commit()
    run_job("survey_send", at(7, 12, 5))
    reply(session, f"{asked.number} 满意", when=at(7, 12, 30))
    assert survey_of(session, asked).ticket.status == "verified"


def test_a_text_from_a_number_with_no_open_survey_is_not_taken(session, asked):
    assert reply(session, "5", phone="+8613900139000") is False


def test_a_text_after_the_answer_is_not_taken_again(session, asked):
    reply(session, "5")
    assert reply(session, "5", when=at(7, 11, 30)) is False
    assert len(texts_to(session, PHONE, "survey_thanks")) == 1


def test_a_survey_not_yet_texted_takes_no_reply(session):
    resolved_job(session, at(7, 10), phone=PHONE)
    session.commit()
    assert reply(session, "5") is False


def test_a_reply_through_the_sms_webhook_reaches_the_survey(session, twilio_post, asked):
    response = twilio_post("/twilio/sms", {"MessageSid": "SM" + "1" * 32, "From": "13800138000",
                                           "To": "+864006757888", "Body": "５分"}, base=PUBLIC_BASE_URL)
    assert response.status_code == 200
    assert survey_of(session, asked).ticket.status == "verified"
    assert len(texts_to(session, PHONE, "survey_thanks")) == 1


def test_a_webhook_retry_of_the_same_reply_thanks_once(session, twilio_post, asked):
    params = {"MessageSid": "SM" + "2" * 32, "From": "13800138000", "To": "+864006757888", "Body": "满意"}
    twilio_post("/twilio/sms", params, base=PUBLIC_BASE_URL)
    twilio_post("/twilio/sms", params, base=PUBLIC_BASE_URL)
    assert len(texts_to(session, PHONE, "survey_thanks")) == 1
