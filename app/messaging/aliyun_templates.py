"""Templates as registered at Alibaba Cloud SMS: `sms_templates/aliyun.toml`, one table per file.

Alibaba sends only registered templates: the request names a `TemplateCode` and gives the
variables as `TemplateParam` JSON, and Alibaba composes `【SignName】` + the registered content
with `${name}` replaced. So each of our templates carries, as data, its registered code and the
content exactly as registered::

    [zh.ticket_created]
    code = "SMS_480100017"
    content = "您的${kind_label}已受理，工单号${ticket_number}，……"
    defaults = { hotline = "…" }   # optional: the values our template falls back to

A text routed to Alibaba is accepted only when composing the registered content with its
variables gives exactly the body we rendered (what we record is what the customer reads);
anything else is refused with the reason when it is queued, and `sms check` lists every
template without a code while a route needs one.
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from app.config import PROJECT_ROOT

REGISTRY_FILE = PROJECT_ROOT / "sms_templates" / "aliyun.toml"
_VARIABLE = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
ALIYUN_OPT_OUT, ALIYUN_OPT_OUT_KEY = "拒收请回复R", "R"  # as app.messaging.routes words Alibaba's routes
MAX_PARAM_CHARS = 35  # Alibaba's limit for a notification variable's value


class NotRegistered(ValueError):
    """A text Alibaba cannot send as rendered: no code, a missing variable, or other wording."""


@dataclass(frozen=True)
class RegisteredTemplate:
    """One template as registered at Alibaba."""

    lang: str
    name: str
    code: str
    content: str
    defaults: dict = field(default_factory=dict)
    # Why this text never goes by Alibaba (a staff reply is free text, and Alibaba registers no
    # free-text template): it is recorded as refused with this reason, and `sms check` accepts it.
    not_sendable: str = ""

    def variables(self) -> list[str]:
        """The `${name}` variables of the registered content, in order of first use."""
        return list(dict.fromkeys(_VARIABLE.findall(self.content)))

    def params(self, context: dict) -> dict[str, str]:
        """TemplateParam: each variable as a string, from `context` or the defaults."""
        values = {**self.defaults, **context}
        missing = [v for v in self.variables() if values.get(v) is None]
        if missing:
            raise NotRegistered(f"{self.lang}/{self.name}: no value for {', '.join(missing)}")
        params = {v: str(values[v]) for v in self.variables()}
        long = [v for v, value in params.items() if len(value) > MAX_PARAM_CHARS]
        if long:
            raise NotRegistered(f"{self.lang}/{self.name}: {', '.join(long)} longer than {MAX_PARAM_CHARS} characters")
        return params

    def compose(self, sign_name: str, params: dict[str, str]) -> str:
        """The text Alibaba sends: the signature in 【】, then the content with the variables filled in."""
        return f"【{sign_name}】" + _VARIABLE.sub(lambda m: params.get(m.group(1), m.group(0)), self.content)


class Registry:
    """The registered templates, by language and name."""

    def __init__(self, templates: dict[tuple[str, str], RegisteredTemplate]) -> None:
        self.templates = templates

    @classmethod
    def load(cls, path: Path = REGISTRY_FILE) -> "Registry":
        """Read the TOML file; a missing file registers nothing."""
        if not path.is_file():
            return cls({})
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        found = {}
        for lang, names in data.items():
            for name, entry in names.items():
                found[(lang, name)] = RegisteredTemplate(lang, name, str(entry.get("code") or ""),
                                                         str(entry.get("content") or ""), dict(entry.get("defaults") or {}),
                                                         str(entry.get("not_sendable") or ""))
        return cls(found)

    def get(self, lang: str, name: str) -> RegisteredTemplate | None:
        """The registration of `lang/name`, or None when it has no code."""
        entry = self.templates.get((lang, name))
        return entry if entry is not None and entry.code else None

    def by_code(self, code: str) -> RegisteredTemplate | None:
        """The template registered under `code` (what Alibaba looks up)."""
        return next((t for t in self.templates.values() if t.code == code), None)

    def registration(self, lang: str, name: str, context: dict, sign_name: str, body: str) -> tuple[str, str]:
        """(TemplateCode, TemplateParam JSON) for a rendered text; NotRegistered when Alibaba would send other words."""
        declared = self.templates.get((lang, name))
        if declared is not None and declared.not_sendable:
            raise NotRegistered(f"{lang}/{name} is not sent through Alibaba: {declared.not_sendable}")
        entry = self.get(lang, name)
        if entry is None:
            raise NotRegistered(f"{lang}/{name} has no registered Alibaba template code")
        params = entry.params(context)
        composed = entry.compose(sign_name, params)
        if composed != body:
            raise NotRegistered(f"{lang}/{name}: the registered template {entry.code} yields other words than ours")
        return entry.code, json.dumps(params, ensure_ascii=False, sort_keys=True)

    def problems(self, templates, sign_name: str, context: dict) -> list[str]:
        """One "lang/name: reason" line per template file Alibaba could not send as we render it
        (`templates` renders with the signature 【sign_name】): no code, or other words."""
        problems = []
        for lang, name in templates.files():
            declared = self.templates.get((lang, name))
            if declared is not None and declared.not_sendable:
                continue  # refused on that route by design, with its reason
            if self.get(lang, name) is None:
                problems.append(f"{lang}/{name}: no Alibaba template code in sms_templates/aliyun.toml "
                                "(a route sends through aliyun)")
                continue
            body = templates.render(name, lang, opt_out=ALIYUN_OPT_OUT, opt_out_key=ALIYUN_OPT_OUT_KEY, **context).body
            try:
                self.registration(lang, name, context, sign_name, body)
            except NotRegistered as exc:
                problems.append(str(exc))
        return problems


@lru_cache(maxsize=4)
def registry(path: Path = REGISTRY_FILE) -> Registry:
    """The shipped registrations (cached: a file that changes only on deploy)."""
    return Registry.load(path)
