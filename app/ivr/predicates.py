"""The named tests a `branch` node can ask, each a question about the call in the domain's words."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from sqlalchemy import bindparam, select

from app.customers.models import Customer, CustomerPhone
from app.ivr.staffing import is_staffed

if TYPE_CHECKING:
    from app.ivr.step import Step


def _staffed_now(step: "Step") -> bool:
    s = step.settings
    return is_staffed(s.ivr_staffed_hours, s.ivr_staff_numbers, step.now, step.tz)


# The caller ID's customer, when they have not consented to marketing texts (and are not erased).
_NO_CONSENT = (select(Customer.id).join(CustomerPhone, CustomerPhone.customer_id == Customer.id)
               .where(CustomerPhone.e164 == bindparam("phone"), Customer.marketing_consent.is_(False),
                      Customer.erased_at.is_(None)))


def _consent_missing(step: "Step") -> bool:
    """A known mobile caller who has not consented: the IVR may offer marketing texts (once asked)."""
    return bool(step.call.caller) and step.contact_is_mobile() and bool(
        step.read(_NO_CONSENT, {"phone": step.call.caller}))


TESTS: dict[str, Callable[["Step"], bool]] = {
    "caller_id": lambda step: bool(step.contact_phone()),           # we have a number to call back
    "caller_known": lambda step: bool(step.vars.get("caller_known")),  # the number is a customer's
    "caller_mobile": lambda step: step.contact_is_mobile(),         # texts can reach the caller
    "has_units": lambda step: bool(step.vars.get("units")),
    "unit_known": lambda step: bool(step.vars.get("unit_id")),
    "warranty_known": lambda step: bool(step.vars.get("warranty_known")),
    "in_warranty": lambda step: bool(step.vars.get("in_warranty")),
    "texted": lambda step: bool(step.vars.get("texted")),
    "staffed_now": _staffed_now,
    "service_pending": lambda step: bool(step.call.service) and not step.call.service_done,
    "urge_escalated": lambda step: bool(step.vars.get("urge_escalated")),  # the urge reached a supervisor
    "consent_missing": _consent_missing,
}
