"""The `aliyun` backend: texts go out through Alibaba Cloud SMS as registered templates.

A text's row holds what Alibaba needs (aliyun_templates.py, written when it was queued): the
template's language, hence its TemplateCode, and the TemplateParam JSON. The dispatcher writes
each claimed text's OutId before sending (claims.set_out_ids); one OutId per request, so a
SendBatchSms (texts of one template to distinct numbers) shares one, and (OutId, number)
names exactly one row and attempt. What is recorded:

- sent: `sid` = "<OutId>/<national number>" (what the delivery report is matched on),
  `provider_ref` = the BizId Alibaba answered;
- otherwise the kinds of aliyun_codes.py, with Alibaba's code in the error message.

A refused batch whose code concerns one number (an invalid number, its flow control) is sent
again one text at a time at once: Alibaba refused the whole request, so nothing of it went.

`find_sent` is what reconciliation asks: QuerySendDetails for the number on the claim's
day(s), Beijing time, looking for the row's OutId.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.config import Settings
from app.customers.phone_numbers import mask_phone
from app.integrations.aliyun_gateway import (
    AliyunError,
    Answer,
    SentDetail,
    make_aliyun_client,
    query_send_details,
    send_batch_sms,
    send_sms,
)
from app.messaging.aliyun_codes import INVALID_NUMBER, NUMBER_SPECIFIC, kind_of
from app.messaging.aliyun_templates import registry
from app.messaging.claims import ClaimedText
from app.messaging.send_outcome import SendOutcome

log = logging.getLogger(__name__)

BEIJING = ZoneInfo("Asia/Shanghai")  # Alibaba's SendDate is a Beijing day


def national(phone: str) -> str:
    """The number as Alibaba takes it: 11 digits for a Chinese mobile, else without the +."""
    return phone[3:] if phone.startswith("+86") else phone.lstrip("+")


def aliyun_sid(out_id: str, phone: str) -> str:
    """Our key for one Alibaba text: its request's OutId and its number."""
    return f"{out_id}/{national(phone)}"


class AliyunBackend:
    """Sends through the SDK (`alibabacloud-dysmsapi20170525`) with the registered signature."""

    name = "aliyun"
    can_look_up = True
    paced = False  # Alibaba's own flow control answers isv.BUSINESS_LIMIT_CONTROL: retried

    def __init__(self, settings: Settings, *, timeout: float) -> None:
        self.client = make_aliyun_client(settings.aliyun_access_key_id or "", settings.aliyun_access_key_secret or "",
                                         endpoint=settings.aliyun_sms_endpoint, timeout=timeout)
        self.sign_name = settings.aliyun_sms_sign_name or ""
        self.batch_size = settings.aliyun_batch_size

    def for_text(self, text: ClaimedText) -> "AliyunBackend":
        """One backend serves every text."""
        return self

    def send_group(self, texts: list[ClaimedText]) -> list[SendOutcome]:
        """One SendSms, or one SendBatchSms for several texts of one template to distinct numbers."""
        code = self._code(texts[0])
        if code is None:
            note = f"{texts[0].template_lang}/{texts[0].template} has no registered Alibaba template code"
            return [SendOutcome("failed", error_message=note) for _t in texts]
        if len(texts) == 1:
            return [self._outcome(texts[0], lambda: send_sms(
                self.client, phone=national(texts[0].phone), sign_name=self.sign_name, template_code=code,
                template_param=texts[0].template_params or "{}", out_id=texts[0].out_id or ""))[0]]
        batch, refused_with = self._outcome(texts[0], lambda: send_batch_sms(
            self.client, phones=[national(t.phone) for t in texts], sign_name=self.sign_name, template_code=code,
            template_params=[t.template_params or "{}" for t in texts], out_id=texts[0].out_id or ""))
        if batch.kind == "sent":
            return [SendOutcome("sent", sid=aliyun_sid(t.out_id or "", t.phone), twilio_status="sent",
                                provider_ref=batch.provider_ref) for t in texts]
        if refused_with in NUMBER_SPECIFIC:  # the whole request was refused for one number: send each alone
            return [outcome for text in texts for outcome in self.send_group([text])]
        return [batch] * len(texts)

    def _code(self, text: ClaimedText) -> str | None:
        entry = registry().get(text.template_lang or "zh", text.template or "")
        return entry.code if entry is not None else None

    def _outcome(self, text: ClaimedText, call) -> tuple[SendOutcome, str | None]:
        """Run one request; its outcome and Alibaba's code. Never raises for Alibaba's or the network's failures."""
        try:
            answer: Answer = call()
        except AliyunError as exc:
            if exc.status == 0:
                kind = "unknown" if exc.ambiguous else "retry"  # not ambiguous: no connection was made
            elif exc.status >= 500:
                kind = "unknown"  # Alibaba may have sent it before failing
            elif exc.status == 429:
                kind = "retry"
            else:
                kind = kind_of(exc.code or "")  # keys, signature: halt; Throttling: retry
            log.warning("SMS to %s through Alibaba: %s -> %s", mask_phone(text.phone), exc, kind)
            return SendOutcome(kind, error_message=f"Alibaba {exc}"[:300]), exc.code
        if answer.code == "OK":
            return SendOutcome("sent", sid=aliyun_sid(text.out_id or "", text.phone), twilio_status="sent",
                               provider_ref=answer.biz_id), None
        kind = kind_of(answer.code)
        log.warning("SMS to %s refused by Alibaba: %s -> %s", mask_phone(text.phone), answer.code, kind)
        message = f"Alibaba {answer.code}: {answer.message}"[:300]
        if kind == "suppress":
            return SendOutcome("failed", error_message=message, refusal="unsubscribed"), answer.code
        refusal = "invalid" if answer.code == INVALID_NUMBER else None
        return SendOutcome(kind, error_message=message, refusal=refusal), answer.code

    def find_sent(self, text: ClaimedText, *, slack: timedelta) -> SentDetail | None:
        """The text Alibaba sent under this row's OutId, or None when it has none (raises AliyunError)."""
        if not text.out_id:  # no OutId to look for: never guess, let reconciliation hand it to staff in time
            raise AliyunError("no OutId recorded for this text", status=0, code=None, ambiguous=True)
        start = text.claimed_at.astimezone(BEIJING)
        days = sorted({(start - slack).strftime("%Y%m%d"), start.strftime("%Y%m%d"), (start + slack).strftime("%Y%m%d")})
        for day in days:
            for detail in query_send_details(self.client, phone=national(text.phone), send_date=day):
                if detail.out_id == text.out_id:
                    return detail
        return None


def detail_sent_at(detail: SentDetail) -> datetime | None:
    """When Alibaba says it sent the text (Beijing time in its answer)."""
    try:
        return datetime.strptime(detail.send_date, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None
