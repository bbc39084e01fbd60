"""Phone numbers as customers and dealers type them: accepted forms, refusals, kinds, masking."""
import pytest

from app.customers.phone_numbers import (
    InvalidPhoneNumber,
    PhoneNumber,
    mask_phone,
    normalise_phone,
)

MOBILE = "+8613800138000"


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "013800138000",  # with the domestic trunk prefix
        "8613800138000",  # country code without the plus
        "+8613800138000",
        "+86 138 0013 8000",
        "0086 13800138000",
        "+0086 13800138000",
        "86 138 0013 8000",
        "138-0013-8000",
        "138 0013 8000",
        "(138) 0013 8000",
        "138.0013.8000",
        "  13800138000  ",
        "１３８００１３８０００",  # full-width digits
        "＋86 13800138000",  # full-width plus
        "＋８６　１３８　００１３　８０００",  # full-width plus, digits and spaces
        "１３８－００１３－８０００",  # full-width hyphens
    ],
)
def test_accepts_mobile_forms(raw):
    assert normalise_phone(raw) == PhoneNumber(MOBILE, "mobile")


@pytest.mark.parametrize(
    "raw, e164",
    [
        ("0771 1234567", "+867711234567"),  # Nanning
        ("0771-1234567", "+867711234567"),
        ("(0771) 1234567", "+867711234567"),
        ("+86 771 1234567", "+867711234567"),
        ("010 12345678", "+861012345678"),  # Beijing
        ("（010）12345678", "+861012345678"),  # full-width brackets
        ("+86 (0)10 12345678", "+861012345678"),
    ],
)
def test_accepts_landlines_with_area_code_as_fixed_line(raw, e164):
    assert normalise_phone(raw) == PhoneNumber(e164, "fixed_line")


@pytest.mark.parametrize(
    "raw, e164",
    [
        ("4006757888", "+864006757888"),  # home AC hotline
        ("400 675 7555", "+864006757555"),  # commercial AC hotline
        ("400-075-7112", "+864000757112"),  # water-heater hotline
        ("+86 400 675 7888", "+864006757888"),
    ],
)
def test_accepts_400_hotlines_as_shared_cost(raw, e164):
    assert normalise_phone(raw) == PhoneNumber(e164, "shared_cost")


def test_accepts_800_numbers_as_toll_free():
    assert normalise_phone("800 820 8820") == PhoneNumber("+868008208820", "toll_free")


@pytest.mark.parametrize("raw", ["+1 415 555 2671", "001 415 555 2671"])
def test_accepts_valid_foreign_number_with_international_prefix(raw):
    # The library cannot tell US mobiles from landlines, so the kind is "other".
    assert normalise_phone(raw) == PhoneNumber("+14155552671", "other")


def test_accepts_foreign_mobile_with_its_kind():
    assert normalise_phone("+44 7400 123456") == PhoneNumber("+447400123456", "mobile")


def test_reads_national_numbers_in_the_given_region():
    assert normalise_phone("020 7946 0958", region="GB") == PhoneNumber("+442079460958", "fixed_line")


def test_unknown_region_is_a_programming_error_not_an_invalid_number():
    with pytest.raises(ValueError) as info:
        normalise_phone("13800138000", region="XX")
    assert not isinstance(info.value, InvalidPhoneNumber)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "\u3000",  # a full-width space only
        None,
        "None",
        "null",
        "abc",
        "138abc00138000",
        "1380013800O",  # letter O for zero: not guessed
        "+8613800138000x12",  # extensions are not accepted
        "13800138000#",
        "138001380００/1",
        "12345",  # too short
        "1380013800",  # a digit short of a mobile
        "138001380001",  # a digit over
        "+861380013800",
        "00000000000",
        "10086",  # a service short code, not a customer's number
        "+1 555 0100",  # impossible US number
        "+999 1234567",  # no such country code
        "+86",
        "+",
        "++8613800138000",
        "138+00138000",
        "1" * 65,
        " " * 60 + "13800138000",  # over 64 characters with padding
    ],
)
def test_rejects(raw):
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone(raw)


@pytest.mark.parametrize("raw", [13800138000, b"13800138000"])
def test_rejects_values_that_are_not_text(raw):
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone(raw)


def test_invalid_phone_number_is_a_value_error():
    assert issubclass(InvalidPhoneNumber, ValueError)


@pytest.mark.parametrize(
    "raw, message",
    [
        ("12345", "'12345' is not a valid Chinese phone number."),
        ("", "A phone number is required."),
        (None, "A phone number is required."),
        ("abc", "'abc' is not a valid Chinese phone number: only digits, spaces and + - ( ) . may be used."),
        ("+86 123", "'+86 123' is not a valid Chinese phone number: it has too few digits."),
        ("+999 1234567", "'+999 1234567' is not a valid phone number: the country code is not recognised."),
        ("1" * 65, "The phone number is too long: it must be at most 64 characters."),
    ],
)
def test_error_message_is_a_sentence_naming_the_problem(raw, message):
    with pytest.raises(InvalidPhoneNumber) as info:
        normalise_phone(raw)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "raw, kind, is_mobile",
    [
        ("13800138000", "mobile", True),
        ("17012345678", "mobile", True),
        ("0771 1234567", "fixed_line", False),
        ("4006757888", "shared_cost", False),
        ("8008208820", "toll_free", False),
        ("+1 415 555 2671", "other", False),
    ],
)
def test_kind_and_is_mobile(raw, kind, is_mobile):
    number = normalise_phone(raw)
    assert (number.kind, number.is_mobile) == (kind, is_mobile)


def test_phone_number_is_immutable():
    number = normalise_phone("13800138000")
    with pytest.raises(AttributeError):
        number.e164 = "+8613900139000"


def test_masked_property():
    assert normalise_phone("13800138000").masked == "+86138****8000"


@pytest.mark.parametrize("show", [repr, str])
def test_repr_and_str_never_show_the_full_number(show):
    assert "13800138000" not in show(normalise_phone("13800138000"))


@pytest.mark.parametrize(
    "value, masked",
    [
        ("+8613800138000", "+86138****8000"),
        ("13800138000", "+86138****8000"),  # raw input is normalised first
        ("+86 138 0013 8000", "+86138****8000"),
        ("１３８００１３８０００", "+86138****8000"),
        ("+867711234567", "+86771***4567"),
        ("+861012345678", "+86101***5678"),
        ("+864006757888", "+86400***7888"),
        ("+14155552671", "+1415***2671"),
        ("+447400123456", "+44740***3456"),
    ],
)
def test_mask_phone_keeps_country_code_first_three_and_last_four(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    "value, masked",
    [
        ("138001380001", "138*****0001"),  # invalid: bare digits, no country code guessed
        ("garbage 1234567890123", "123******0123"),
        ("12345", "*****"),  # too few digits to keep any
        ("1234567", "*******"),
        ("abc", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone_on_invalid_input_never_raises(value, masked):
    assert mask_phone(value) == masked
