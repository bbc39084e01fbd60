"""Twilio webhooks of a recall's automated call (P-CARE-3), each signed (403 otherwise), thin:

- `/twilio/voice/recall?r=<recipient>`: the call was answered: the recall's wording
  (`voice_prompts/recall.toml`, the campaign's own text in the middle) inside a `<Gather>` for key 1;
- `/twilio/voice/recall/key?r=<recipient>`: key 1 logs the repair ticket linked to the recall (once);
- `/twilio/voice/recall/status?r=<recipient>`: the call's status (completed, no-answer, busy...).

`r` names the recipient row; a row that is not a recall's, or whose CallSid is another call's,
is a 404.
"""
from __future__ import annotations

from flask import Blueprint, Response, request
from twilio.twiml.voice_response import Gather, VoiceResponse

from app.campaigns.recall_calls import record_call_status
from app.campaigns.recalls import answer_recall, call_picked_up, call_words, recipient_for_call
from app.web import db_session, now, settings
from app.webhooks.signature import twilio_signed

recall_webhooks = Blueprint("recall_webhooks", __name__)


def _twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


def _recipient(session):
    recipient = recipient_for_call(session, request.args.get("r", type=int), request.form.get("CallSid", ""))
    if recipient is None:
        return None, Response("no such recall call", status=404, mimetype="text/plain")
    return recipient, None


def _say(response, text: str, language: str) -> None:
    response.say(text, voice=settings().ivr_voice_zh, language=language)


@recall_webhooks.post("/twilio/voice/recall")
@twilio_signed
def recall_call():
    """The owner picked up: say the recall and listen for key 1; silence ends with the hotline."""
    session = db_session()
    recipient, refused = _recipient(session)
    if refused is not None:
        return refused
    words = call_words(session, recipient)
    call_picked_up(session, recipient, now=now())
    session.commit()
    response = VoiceResponse()
    gather = Gather(num_digits=1, timeout=8, action=f"/twilio/voice/recall/key?r={recipient.id}", method="POST")
    gather.say(words.message, voice=settings().ivr_voice_zh, language=words.language)
    response.append(gather)
    _say(response, words.not_booked, words.language)  # no key: <Gather> falls through to here
    response.hangup()
    return _twiml(response)


@recall_webhooks.post("/twilio/voice/recall/key")
@twilio_signed
def recall_key():
    """Key 1: the repair ticket, linked to the recall; any other key: the hotline to call."""
    session = db_session()
    recipient, refused = _recipient(session)
    if refused is not None:
        return refused
    words = call_words(session, recipient)
    response = VoiceResponse()
    if request.form.get("Digits", "").strip() == "1":
        ticket = answer_recall(session, recipient, channel="voice", now=now(), signature=settings().sms_signature)
        session.commit()
        _say(response, words.booked(ticket.number), words.language)
    else:
        _say(response, words.not_booked, words.language)
    response.hangup()
    return _twiml(response)


@recall_webhooks.post("/twilio/voice/recall/status")
@twilio_signed
def recall_status():
    """The call's status: kept on the recipient row (a completed call reached the owner)."""
    session = db_session()
    recipient, refused = _recipient(session)
    if refused is not None:
        return refused
    record_call_status(session, recipient, call_sid=request.form.get("CallSid", "")[:40],
                       status=request.form.get("CallStatus", "")[:16], now=now())
    session.commit()
    return _twiml(VoiceResponse())
