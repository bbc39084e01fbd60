"""`POST /twilio/voice/fallback`: the hotline numbers' Twilio fallback URL (signed).

Twilio calls it when a step's own URL failed (an error, a timeout, a dropped connection). It needs
nothing that may be what failed: no database, no flow file. The caller hears an apology and a
callback promise in Mandarin, and their number goes to the local spool, which `fallback_replay`
turns into a callback ticket once the database answers (P-REC-1).
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from twilio.twiml.voice_response import VoiceResponse

from app.customers.phone_numbers import mask_phone
from app.fallback.replay import spool_caller
from app.observability.metrics import FALLBACK_ANSWERS
from app.web import now, settings
from app.webhooks.signature import twilio_signed

log = logging.getLogger(__name__)
fallback = Blueprint("voice_fallback", __name__)
APOLOGY = "非常抱歉，系统暂时出现问题。我们已记录您的来电，将尽快给您回电。再见。"


@fallback.post("/twilio/voice/fallback")
@twilio_signed
def voice_fallback():
    try:
        spool_caller(settings().fallback_spool, request.form, now=now())
        log.warning("voice fallback: call %s from %s spooled for a callback",
                    request.form.get("CallSid", "-")[:64], mask_phone(request.form.get("From", "")))
    except OSError:  # the apology still goes out; the log says whom to call
        log.exception("voice fallback: could not spool call %s from %s", request.form.get("CallSid", "-")[:64],
                      mask_phone(request.form.get("From", "")))
    FALLBACK_ANSWERS.inc()
    response = VoiceResponse()
    response.say(APOLOGY, language="zh-CN", voice=settings().ivr_voice_zh)
    response.hangup()
    return Response(str(response), mimetype="text/xml")
