"""The three product lines and their 24/7 hotlines (P-HOT), typed once and imported everywhere.

A hotline is written here as its ten digits; the number Twilio reports when it is dialled (E.164)
and the number printed in a text are both made from them.
"""
from __future__ import annotations

PRODUCT_LINES = ("home_ac", "commercial_ac", "water_heater")

_HOTLINE_DIGITS = {"home_ac": "4006757888", "commercial_ac": "4006757555", "water_heater": "4000757112"}


def _printed(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


# Product line -> its hotline as a customer reads it in a text ("400 675 7888").
HOTLINE_BY_LINE = {line: _printed(digits) for line, digits in _HOTLINE_DIGITS.items()}
# Dialled number (E.164) -> product line: the default hotline map of the IVR and the SMS webhook.
HOTLINE_NUMBERS = {f"+86{digits}": line for line, digits in _HOTLINE_DIGITS.items()}
