"""The fee card (P-WAR-9): every product line has one, in both languages, and its text fits a text."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.messaging.outbox import sms_templates
from app.warranty.fee_card import FeeCardError, fee_card, load_fee_card, price_words
from app.warranty.terms import PRODUCT_LINES


@pytest.mark.parametrize("line", PRODUCT_LINES)
def test_every_line_has_chargeable_services_with_conditions_and_prices_in_both_languages(line):
    items = fee_card(line)
    assert items
    for item in items:
        for lang in ("zh", "en"):
            service, condition, _per = item.words(lang)
            assert service and condition
        assert item.price >= 0


def test_free_work_is_not_on_the_card():
    # P-WAR-8 and P-INS-2: in-warranty repairs and installing a new unit cost nothing.
    names = [item.words("zh")[0] for line in PRODUCT_LINES for item in fee_card(line)]
    assert not any("安装" == name or "保修期内" in name for name in names)


def test_prices_read_as_plain_numbers():
    assert price_words(Decimal("60")) == "60" and price_words(Decimal("12.50")) == "12.5"


def test_a_card_without_a_line_is_refused(tmp_path):
    path = tmp_path / "card.toml"
    path.write_text('[[home_ac]]\nservice = { zh = "a" }\ncondition = { zh = "b" }\nprice = 1\n', encoding="utf-8")
    with pytest.raises(FeeCardError, match="no items for commercial_ac"):
        load_fee_card(path)


def test_a_negative_price_is_refused(tmp_path):
    path = tmp_path / "card.toml"
    body = "".join(f'[[{line}]]\nservice = {{ zh = "a" }}\ncondition = {{ zh = "b" }}\nprice = -1\n' for line in PRODUCT_LINES)
    path.write_text(body, encoding="utf-8")
    with pytest.raises(FeeCardError, match="price must be a number"):
        load_fee_card(path)


@pytest.mark.parametrize("lang,label", [("zh", "空气能热水器"), ("en", "heat-pump water heater")])
def test_the_fee_card_text_renders_with_the_context_the_ivr_gives(lang, label):
    text = sms_templates().render("fee_card", lang, product_label=label, hotline="400 075 7112")
    assert label in text.body and "400 075 7112" in text.body
