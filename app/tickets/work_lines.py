"""Parts used and fees charged on a job, recorded at resolution (P-REP-2, P-WAR-9)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from app.errors import ValidationFailed, storable_text_of

MAX_LINES = 50
MAX_CODE = 40


def whole_number(value) -> int | None:
    """A JSON whole number as an int (2 and 2.0 alike, as JSON Schema counts them); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _money(value, where: str) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{where}: amount must be a number of yuan", {where: "amount must be a number of yuan"}) from None
    if not amount.is_finite() or amount < 0 or amount > 100000 or amount.as_tuple().exponent < -2:
        raise ValidationFailed(f"{where}: amount must be 0 to 100000 yuan, at most 2 decimals", {where: "amount out of range"})
    return f"{amount:.2f}"


def _part_lines(parts: list, name: str) -> list[dict]:
    out = []
    for i, part in enumerate(parts):
        where = f"{name}[{i}]"
        if not isinstance(part, dict) or not isinstance(part.get("name"), str) or not part["name"].strip():
            raise ValidationFailed(f"{where} needs a name", {where: "needs a name"})
        quantity = whole_number(part.get("quantity", 1))
        if quantity is None or not 1 <= quantity <= 100:
            raise ValidationFailed(f"{where}: quantity must be 1 to 100", {where: "quantity must be 1 to 100"})
        code = part.get("code")
        code = "" if code is None else str(code) if isinstance(code, int) and not isinstance(code, bool) else code
        if not isinstance(code, str) or len(code) > MAX_CODE:
            raise ValidationFailed(f"{where}: code must be a part number of at most {MAX_CODE} characters",
                                   {f"{where}.code": f"text or a number, at most {MAX_CODE} characters"})
        out.append({"code": storable_text_of(code, f"{where}.code"),
                    "name": storable_text_of(part["name"].strip(), f"{where}.name"), "quantity": quantity})
    return out


def parse_work_lines(payload: dict) -> dict:
    """Validate `parts` (issued: [{code?, name, quantity}]), `returned` (parts taken back, the same
    shape) and `fees` ([{item, amount}]) into a stored record: what the settlement reads (P-REP-2)."""
    parts, returned, fees = payload.get("parts", []), payload.get("returned", []), payload.get("fees", [])
    if not all(isinstance(v, list) for v in (parts, returned, fees)) or len(parts) + len(returned) + len(fees) > MAX_LINES:
        raise ValidationFailed("parts, returned and fees must be lists",
                               {"parts": f"lists of at most {MAX_LINES} lines in all", "returned": "a list",
                                "fees": "a list"})
    out_parts, out_returned, out_fees = _part_lines(parts, "parts"), _part_lines(returned, "returned"), []
    for i, fee in enumerate(fees):
        where = f"fees[{i}]"
        if not isinstance(fee, dict) or not isinstance(fee.get("item"), str) or not fee["item"].strip():
            raise ValidationFailed(f"{where} needs an item", {where: "needs an item"})
        out_fees.append({"item": storable_text_of(fee["item"].strip(), f"{where}.item"),
                         "amount": _money(fee.get("amount"), where)})
    if not (out_parts or out_returned or out_fees):
        return {}
    total = sum((Decimal(f["amount"]) for f in out_fees), Decimal("0"))
    lines = {"parts": out_parts, "fees": out_fees, "fee_total": f"{total:.2f}"}
    if out_returned:
        lines["returned"] = out_returned
    return lines
