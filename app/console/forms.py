"""Reading the console's forms into the shapes the domain verbs take (the API's JSON shapes)."""
from __future__ import annotations

from itertools import zip_longest

from werkzeug.datastructures import MultiDict

MAX_ROWS = 20  # rows of parts, returned parts and fees a resolve form may carry


def whole(text: str) -> int | None:
    """A whole number typed in a form; None for anything else (the domain then names the field)."""
    text = (text or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= 12:
        return int(text)
    return None


def _rows(form: MultiDict, prefix: str, names: tuple[str, ...]) -> list[dict]:
    """Rows of repeated fields (`part_name`, `part_code`, ...); a row left empty is no row."""
    columns = [form.getlist(f"{prefix}_{name}")[:MAX_ROWS] for name in names]
    rows = []
    for values in zip_longest(*columns, fillvalue=""):
        row = {name: (value or "").strip() for name, value in zip(names, values)}
        if any(row.values()):
            rows.append(row)
    return rows


def work_lines_payload(form: MultiDict) -> dict:
    """`parts`, `returned` and `fees` as `parse_work_lines` reads them from the API's body."""
    def parts(prefix: str) -> list[dict]:
        out = []
        for row in _rows(form, prefix, ("name", "code", "quantity")):
            quantity = whole(row["quantity"]) if row["quantity"] else 1
            out.append({"name": row["name"], "code": row["code"], "quantity": quantity})
        return out

    fees = [{"item": row["item"], "amount": row["amount"]} for row in _rows(form, "fee", ("item", "amount"))]
    return {"parts": parts("part"), "returned": parts("returned"), "fees": fees}
