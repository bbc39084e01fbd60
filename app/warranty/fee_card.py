"""The fee card (消费明白卡, P-WAR-9): conditions and prices of chargeable services, per product line.

The card is data (`fee_card.toml` beside this file). The hotline reads it out; the `fee_card`
text tells the caller where to hear it in full.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from app.warranty.terms import PRODUCT_LINES

CARD_FILE = Path(__file__).with_name("fee_card.toml")


@dataclass(frozen=True)
class FeeItem:
    """One chargeable service: its name and condition per language, its price in yuan."""

    service: dict[str, str]
    condition: dict[str, str]
    price: Decimal
    per: dict[str, str]

    def words(self, lang: str) -> tuple[str, str, str]:
        """(service, condition, per-unit words) in `lang`, falling back to Chinese."""
        return (self.service.get(lang, self.service["zh"]), self.condition.get(lang, self.condition["zh"]),
                self.per.get(lang, self.per.get("zh", "")))


class FeeCardError(ValueError):
    """The card file is not in the agreed shape; says where."""


def _item(line: str, index: int, raw: dict) -> FeeItem:
    where = f"{CARD_FILE.name}: {line}[{index}]"
    for name in ("service", "condition"):
        if not isinstance(raw.get(name), dict) or "zh" not in raw[name]:
            raise FeeCardError(f"{where}: {name} needs at least a zh text")
    price = raw.get("price")
    if isinstance(price, bool) or not isinstance(price, (int, float)) or price < 0:
        raise FeeCardError(f"{where}: price must be a number of yuan")
    per = raw.get("per", {})
    if not isinstance(per, dict):
        raise FeeCardError(f"{where}: per must be a table of language = text")
    return FeeItem(raw["service"], raw["condition"], Decimal(str(price)), per)


@lru_cache(maxsize=4)
def load_fee_card(path: Path = CARD_FILE) -> dict[str, tuple[FeeItem, ...]]:
    """Every product line's items, in the order of the card."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    card = {}
    for line in PRODUCT_LINES:
        items = data.get(line)
        if not isinstance(items, list) or not items:
            raise FeeCardError(f"{path.name}: no items for {line}")
        card[line] = tuple(_item(line, i, raw) for i, raw in enumerate(items))
    return card


def fee_card(product_line: str) -> tuple[FeeItem, ...]:
    """The chargeable services of `product_line` (KeyError for an unknown line)."""
    return load_fee_card()[product_line]


def price_words(amount: Decimal) -> str:
    """50 -> "50", 12.5 -> "12.5": how a price is written before the currency word."""
    return format(amount.normalize(), "f")
