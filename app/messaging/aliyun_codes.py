"""What Alibaba's answers mean for a text: the `Code` of an HTTP 200 refusal, an HTTP error, no answer.

Each kind is a `SendOutcome.kind` (backends.py), as for Twilio:

- retry: Alibaba refused it for now and has not sent it (flow control, its own system error,
  throttling): queued again with backoff;
- failed: this text can never go (a bad number, a template or parameter Alibaba rejects);
  `isv.MOBILE_NUMBER_ILLEGAL` also blocks the number (call instead);
- suppress: the recipient refused our texts at the provider: failed, and the number goes on our
  suppression list as the customer's own refusal;
- halt: our account or credentials are wrong (balance, signature, keys): the text goes back to
  the queue untouched and the dispatcher stops until someone fixes it;
- unknown: HTTP 5xx or no answer after the request was sent: Alibaba may have sent it, so it is
  looked up with QuerySendDetails before anything is sent again (reconcile.py).

Codes are Alibaba's published SendSms error codes. `isv.BLACK_LIST` for a recipient on the
provider's refusal list is not confirmed by Alibaba's published list; it is kept here so that
such an answer is never retried.
"""
from __future__ import annotations

RETRY = frozenset({
    "isp.SYSTEM_ERROR", "isp.GATEWAY_ERROR", "isp.UNKNOWN", "isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL",
    "isv.MONTH_LIMIT_CONTROL", "isv.BUSINESS_LIMIT_HOUR", "isv.BUSINESS_LIMIT_DAY", "BUSINESS_LIMIT_CONTROL_MINUTE",
    "BUSINESS_LIMIT_CONTROL_PHONE", "isv.DATA_NOT_EXIST", "Throttling", "Throttling.User", "Throttling.Api",
    "ServiceUnavailable",
})
HALT = frozenset({
    "isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE", "isv.PRODUCT_UN_SUBSCRIPT", "isv.PRODUCT_UNSUBSCRIBE",
    "isv.ACCOUNT_NOT_EXISTS", "isv.ACCOUNT_ABNORMAL", "isv.SMS_SIGNATURE_ILLEGAL", "isv.SMS_SIGN_NAME_ILLEGAL",
    "isp.RAM_PERMISSION_DENY", "isv.RAM_CHECK_FAILED", "isv.BILLING_DEDUCTION_ERROR", "SignatureDoesNotMatch",
    "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive", "IncompleteSignature", "MissingAuthorization",
    "Forbidden.RAM", "InvalidTimeStamp.Expired",
})
SUPPRESS = frozenset({"isv.BLACK_LIST"})
INVALID_NUMBER = "isv.MOBILE_NUMBER_ILLEGAL"
# Codes that concern one number of a SendBatchSms: the others are sent one by one instead.
NUMBER_SPECIFIC = frozenset({INVALID_NUMBER, "isv.BUSINESS_LIMIT_CONTROL", *SUPPRESS})


def kind_of(code: str) -> str:
    """"retry", "halt", "suppress" or "failed" for a business or HTTP error code."""
    if code in RETRY:
        return "retry"
    if code in HALT:
        return "halt"
    if code in SUPPRESS:
        return "suppress"
    return "failed"
