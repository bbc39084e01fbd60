"""Phone numbers as customers type them, turned into E.164 (or refused).

Callers and dealers' lists give numbers in many shapes (``013800138000``, ``+86 138 0013 8000``,
full-width digits typed on a Chinese keyboard); everything stored and texted is E.164.
An invalid number is refused, never guessed, because a wrong guess texts a stranger.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

MAX_INPUT_CHARS = 64

# After NFKC only these may appear: the library would otherwise read letters as vanity digits
# ("1-800-FLOWERS") or as an extension ("x12"), which is a guess we do not want.
_ALLOWED = re.compile(r"[0-9+\-(). \t]*")

_KINDS = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.TOLL_FREE: "toll_free",
    # FIXED_LINE_OR_MOBILE (e.g. the US) is "other": we cannot promise a text will arrive.
}

_POSSIBILITY_REASONS = {
    ValidationResult.TOO_SHORT: "it has too few digits",
    ValidationResult.TOO_LONG: "it has too many digits",
    ValidationResult.INVALID_LENGTH: "it has the wrong number of digits",
    ValidationResult.INVALID_COUNTRY_CODE: "the country code is not recognised",
}


class InvalidPhoneNumber(ValueError):
    """A number that cannot be used; the message is an English sentence safe to show the customer."""


@dataclass(frozen=True, repr=False)
class PhoneNumber:
    """A valid number in E.164 with its kind (only ``mobile`` numbers can receive texts)."""

    e164: str
    kind: str  # "mobile" | "fixed_line" | "shared_cost" | "toll_free" | "other"

    @property
    def is_mobile(self) -> bool:
        """True when the number can be texted (Chinese landlines reject SMS)."""
        return self.kind == "mobile"

    @property
    def masked(self) -> str:
        """The number with its middle digits hidden, for logs."""
        return mask_phone(self.e164)

    def __repr__(self) -> str:
        # Masked so that a number in a log line or traceback is never logged in full.
        return f"PhoneNumber(e164={self.masked!r}, kind={self.kind!r})"

    __str__ = __repr__


def normalise_phone(raw: str, region: str = "CN") -> PhoneNumber:
    """Parse a number as typed (national, +86/0086/86 prefixed, full-width) into E.164.

    Numbers without an international prefix are read as numbers of ``region``; numbers given
    with ``+`` or an international prefix may belong to any country. Raises InvalidPhoneNumber
    for anything that is not a valid number.
    """
    if region not in phonenumbers.SUPPORTED_REGIONS:
        # A programming error, not the customer's: not an InvalidPhoneNumber.
        raise ValueError(f"unknown region {region!r}")
    if raw is None:
        raise InvalidPhoneNumber("A phone number is required.")
    if not isinstance(raw, str):
        raise InvalidPhoneNumber("A phone number must be given as text.")
    if len(raw) > MAX_INPUT_CHARS:
        # Checked before any work: long input is not a phone number and may be an attack.
        raise InvalidPhoneNumber(
            f"The phone number is too long: it must be at most {MAX_INPUT_CHARS} characters."
        )
    shown = raw.strip()
    if not shown:
        raise InvalidPhoneNumber("A phone number is required.")

    text = _clean(raw)
    # A number given with "+" is not necessarily Chinese: do not call it so in the message.
    where = "phone number" if text.startswith("+") else _place(region)
    if not _ALLOWED.fullmatch(text):
        raise InvalidPhoneNumber(
            f"'{shown}' is not a valid {where}: only digits, spaces and + - ( ) . may be used."
        )
    if "+" in text[1:]:
        raise InvalidPhoneNumber(f"'{shown}' is not a valid {where}: '+' may only come first.")

    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        reason = {
            NumberParseException.INVALID_COUNTRY_CODE: "the country code is not recognised",
            NumberParseException.TOO_LONG: "it has too many digits",
            NumberParseException.TOO_SHORT_NSN: "it has too few digits",
            NumberParseException.TOO_SHORT_AFTER_IDD: "it has too few digits",
        }.get(exc.error_type, "it does not contain a phone number")
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            where = "phone number"
        raise InvalidPhoneNumber(f"'{shown}' is not a valid {where}: {reason}.") from None

    same_country = number.country_code == phonenumbers.country_code_for_region(region)
    where = _place(region) if same_country else "phone number"
    # The type is UNKNOWN exactly when the number is not valid (the library's contract), so one
    # look-up answers both questions; is_valid_number would work the type out a second time.
    number_type = phonenumbers.number_type(number)
    if number.extension or number_type == PhoneNumberType.UNKNOWN:
        reason = _POSSIBILITY_REASONS.get(phonenumbers.is_possible_number_with_reason(number))
        suffix = f": {reason}." if reason else "."
        raise InvalidPhoneNumber(f"'{shown}' is not a valid {where}{suffix}")

    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneNumber(e164=e164, kind=_KINDS.get(number_type, "other"))


def mask_phone(e164_or_raw: str) -> str:
    """Hide a number for logs: keep the country code, the first 3 and last 4 national digits.

    ``+8613800138000`` becomes ``+86138****8000``. Never raises (it is called while logging);
    input that is not a valid number is reduced to its digits and masked the same way, and
    fewer than 8 digits are masked entirely, since 3 + 4 kept digits would reveal them all.
    """
    if not e164_or_raw:
        return ""
    try:
        number = phonenumbers.parse(normalise_phone(str(e164_or_raw)).e164)
        prefix = f"+{number.country_code}"
        digits = phonenumbers.national_significant_number(number)
    except (InvalidPhoneNumber, NumberParseException):
        # Not a valid number: no country code can be trusted, so mask the bare digits.
        prefix = ""
        digits = "".join(ch for ch in _clean(str(e164_or_raw)) if ch in "0123456789")
    if len(digits) < 8:
        return prefix + "*" * len(digits)
    return prefix + digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _clean(raw: str) -> str:
    """Fold full-width digits, plus and brackets (from Chinese input methods) to ASCII."""
    return unicodedata.normalize("NFKC", raw).strip()


def _place(region: str) -> str:
    """How the error message names the kind of number expected."""
    return "Chinese phone number" if region == "CN" else f"phone number for region {region}"
