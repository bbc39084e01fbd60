"""Ticket numbers: digits with a Luhn check digit, so a mistyped number is told from an unknown one."""
from __future__ import annotations

import pytest

from app.tickets.numbers import is_well_formed, luhn_digit, ticket_number

SAMPLE_IDS = [1, 7, 42, 1234, 98765, 8_999_999]


def test_the_first_ticket_number_is_eight_digits():
    assert ticket_number(1) == "10000016"


@pytest.mark.parametrize("ticket_id", SAMPLE_IDS)
def test_every_issued_number_is_well_formed(ticket_id):
    number = ticket_number(ticket_id)
    assert number.isdigit() and is_well_formed(number)


def test_numbers_are_distinct_and_grow_with_the_id():
    numbers = [ticket_number(i) for i in range(1, 2001)]
    assert len(set(numbers)) == len(numbers) and numbers == sorted(numbers, key=int)


@pytest.mark.parametrize("digits, check", [("7992739871", "3"), ("0", "0"), ("1000001", "6")])
def test_luhn_digit_matches_known_values(digits, check):
    assert luhn_digit(digits) == check


def _single_digit_typos(number: str):
    for i, right in enumerate(number):
        for wrong in "0123456789":
            if wrong != right:
                yield number[:i] + wrong + number[i + 1:]


def _adjacent_swaps(number: str):
    for i in range(len(number) - 1):
        a, b = number[i], number[i + 1]
        if a != b:
            yield {a, b}, number[:i] + b + a + number[i + 2:]


@pytest.mark.parametrize("ticket_id", SAMPLE_IDS)
def test_any_single_digit_typo_is_detected(ticket_id):
    assert not [typo for typo in _single_digit_typos(ticket_number(ticket_id)) if is_well_formed(typo)]


@pytest.mark.parametrize("ticket_id", SAMPLE_IDS)
def test_adjacent_swaps_are_detected_except_zero_nine(ticket_id):
    missed = [swapped for digits, swapped in _adjacent_swaps(ticket_number(ticket_id))
              if digits != {"0", "9"} and is_well_formed(swapped)]
    assert missed == []


def test_swapping_zero_and_nine_is_the_swap_luhn_cannot_see():
    number = ticket_number(8_999_990)  # "9999990" + check: ends in 9, 0 before the check digit
    swapped = number[:-3] + number[-2] + number[-3] + number[-1]
    assert {number[-3], number[-2]} == {"0", "9"} and is_well_formed(swapped)


@pytest.mark.parametrize("text", ["", "1000001", "1000001a", "abcdefgh", " 10000016", "10000016 ", "-10000016",
                                  "１０００００１６", "1000001\u2076", "\u00b9\u2070\u2070\u2070\u2070\u2070\u00b96"])
def test_only_ascii_digits_of_full_length_are_well_formed(text):
    assert is_well_formed(text) is False
