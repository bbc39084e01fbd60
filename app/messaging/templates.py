"""SMS texts as data: one Jinja2 file per message and language, under ``sms_templates/<lang>/``.

Rendering enforces what Chinese carriers and Twilio enforce anyway (signature, no links,
``回T退订`` on marketing, 500 characters / 8 segments), so a bad text fails here, in a test or
``check_all()``, rather than at the carrier.
"""
from __future__ import annotations

import pathlib
import re
import stat
import unicodedata
from dataclasses import dataclass

import jinja2

from app.messaging.segments import SegmentCount, count_segments
from app.product_lines import HOTLINE_BY_LINE

FALLBACK_LANG = "zh"
SUFFIX = ".txt.j2"
OPT_OUT = "回T退订"
OPT_OUT_KEY = "T"

# Names become file paths: keep them to plain identifiers so no "../" can reach other files.
_NAME = re.compile(r"[a-z0-9_]+")
_LANG = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?")

# Schemes, "www." and bare domains (short-link hosts such as t.cn included); the dot may be a
# Chinese full stop, a common way round carriers' link filters.
_TLDS = (
    "com|cn|net|org|gov|edu|info|biz|top|xyz|io|co|cc|me|tv|vip|shop|site|online|club|ltd|app|"
    "ly|gl|link|ai|hk|tw|mo|wang|ink|ren|work|tech|store|live|fun|icu|asia|mobi|uk|us|jp|kr|de"
)
_URL = re.compile(
    rf"[a-z][a-z0-9+.-]*://|www[.。]|(?<![a-z0-9-])(?:[a-z0-9-]+[.。])+(?:{_TLDS})(?![a-z0-9-])",
    re.IGNORECASE,
)

SAMPLE_CONTEXT: dict = {
    "ticket_number": "10012342",  # digits with a Luhn check digit, as app.tickets.numbers makes
    "kind_label": "报修",
    "hotline": HOTLINE_BY_LINE["home_ac"],
    "product_label": "空气能热水器",  # the longest product label: the worst case for length
    "serial_tail": "8321",
    "new_end_date": "2031-06-30",
    "season_label": "制冷",
    "reply": "您好" * 200,  # a staff reply from the inbox, at its longest (400 characters)
    "due": "7月7日12:00",
    "body": "志高提醒：" * 40,  # a campaign's own text, rendered before (app/campaigns/texts.py)
}


class TemplateError(ValueError):
    """A template that cannot be rendered or whose text may not be sent; names both."""

    def __init__(self, lang: str, name: str, reason: str):
        super().__init__(f"{lang}/{name}: {reason}")
        self.lang, self.name, self.reason = lang, name, reason


@dataclass(frozen=True)
class RenderedText:
    """A text ready to send; ``lang`` is the language actually used (``zh`` after a fallback)."""

    name: str
    lang: str
    body: str
    segments: SegmentCount


class PreparedTemplate:
    """One template of `SmsTemplates`, resolved and compiled: `render` per recipient."""

    def __init__(self, owner: "SmsTemplates", name: str, lang: str, template: jinja2.Template) -> None:
        self.owner, self.name, self.lang, self._template = owner, name, lang, template

    def render(self, /, *, marketing: bool = False, opt_out: str = OPT_OUT, opt_out_key: str = OPT_OUT_KEY,
               **context) -> RenderedText:
        """The text for one `context` (see `SmsTemplates.render`)."""
        name, used_lang, owner = self.name, self.lang, self.owner
        try:
            body = self._template.render(**{"opt_out": opt_out, "opt_out_key": opt_out_key, **context}).strip()
        except jinja2.UndefinedError as exc:
            raise TemplateError(used_lang, name, f"missing variable: {exc.message}") from None
        except jinja2.TemplateError as exc:
            raise TemplateError(used_lang, name, f"cannot render: {exc}") from None
        if not body:
            raise TemplateError(used_lang, name, "renders to an empty text")

        if owner.signature and not body.startswith(owner.signature):
            body = owner.signature + body
        if marketing and opt_out not in body:
            # Chinese runs straight on; after a Latin letter or full stop a space reads better.
            body += (" " if body[-1].isascii() else "") + opt_out

        owner._check(used_lang, name, body)
        return RenderedText(name=name, lang=used_lang, body=body, segments=count_segments(body))


class SmsTemplates:
    """The templates under ``root``, rendered under the rules for texts to Chinese mobiles."""

    def __init__(
        self,
        root: pathlib.Path,
        *,
        signature: str = "【志高】",
        allow_urls: bool = False,
        max_segments: int = 8,
        max_chars: int = 500,
    ):
        self.root = pathlib.Path(root)
        self.signature = signature
        self.allow_urls = allow_urls
        self.max_segments = max_segments
        self.max_chars = max_chars
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.root)),
            undefined=jinja2.StrictUndefined,  # a missing variable must fail, not send a blank
            autoescape=False,  # plain text: HTML escaping would show "&amp;" to customers
            trim_blocks=True,
            keep_trailing_newline=False,
        )
        self._listings: dict[str, tuple[int, tuple[str, ...]]] = {}  # lang -> (directory mtime, names)

    def languages(self) -> list[str]:
        """The languages that have a directory of templates."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and _LANG.fullmatch(p.name))

    def names(self, lang: str = "zh") -> list[str]:
        """The templates that can be rendered in ``lang``, counting those that fall back to zh."""
        names = set(self._own_names(lang, "*"))
        if lang != FALLBACK_LANG and (self.root / FALLBACK_LANG).is_dir():
            names |= set(self._own_names(FALLBACK_LANG, "*"))
        return sorted(names)

    def render(
        self, name: str, lang: str = "zh", /, *, marketing: bool = False, opt_out: str = OPT_OUT,
        opt_out_key: str = OPT_OUT_KEY, **context
    ) -> RenderedText:
        """Render ``name`` in ``lang`` (else in zh) with ``context`` into a sendable text.

        ``name`` and ``lang`` are positional-only so that templates may use variables of the same
        names (a customer's ``name``, say).

        Adds the signature in front once and, for marketing, ``opt_out`` (the route's refusal
        wording, ``回T退订`` by default) at the end once; templates may also use ``{{ opt_out }}``
        and ``{{ opt_out_key }}`` (the letter to reply, ``T`` by default) themselves.
        Raises TemplateError for an unknown template or language, a missing variable, a URL
        (unless allowed) or a text over ``max_chars`` characters or ``max_segments`` segments.
        """
        return self.prepare(name, lang).render(marketing=marketing, opt_out=opt_out, opt_out_key=opt_out_key,
                                               **context)

    def prepare(self, name: str, lang: str = "zh") -> "PreparedTemplate":
        """``name`` in ``lang`` (else in zh) found and compiled once, to render many texts (a batch)
        under the rules of `render`. Raises TemplateError for an unknown template or language."""
        used_lang = self._resolve(name, lang)
        try:
            template = self._env.get_template(f"{used_lang}/{name}{SUFFIX}")
        except jinja2.TemplateSyntaxError as exc:
            reason = f"syntax error on line {exc.lineno}: {exc.message}"
            raise TemplateError(used_lang, name, reason) from None
        return PreparedTemplate(self, name, used_lang, template)

    def files(self) -> list[tuple[str, str]]:
        """Every (lang, name) that has its own file, for counting and listing."""
        return [(lang, name) for lang in self.languages() for name in self._own_names(lang, "*")]

    def check_all(self) -> list[str]:
        """Render every template of every language with SAMPLE_CONTEXT; return the problems.

        Each problem reads ``"lang/name: reason"``; an empty list means all is well. Templates
        are rendered as marketing, the longest form, so a text that passes fits either way.
        """
        problems = []
        if FALLBACK_LANG not in self.languages():
            problems.append(f"{FALLBACK_LANG}/*: the fallback language has no templates directory")
        for lang in self.languages():
            for name in self._own_names(lang, "*"):
                try:
                    self.render(name, lang, marketing=True, **SAMPLE_CONTEXT)
                except TemplateError as exc:
                    problems.append(str(exc))
        return problems

    def _own_names(self, lang: str, name: str, *, fresh: bool = False) -> tuple[str, ...]:
        """Names of the template files in ``lang``'s own directory.

        Every text queued renders a template, so the listing is kept, keyed on the directory's
        modification time: one stat per render instead of a listing and a stat per file.
        ``fresh`` lists again whatever the time says (a file added within the clock's tick).
        """
        known = isinstance(lang, str) and _LANG.fullmatch(lang)
        try:
            info = (self.root / lang).stat() if known else None
        except OSError:
            info = None
        if info is None or not stat.S_ISDIR(info.st_mode):
            raise TemplateError(str(lang), name, "unknown language")
        kept = self._listings.get(lang)
        if kept is not None and kept[0] == info.st_mtime_ns and not fresh:
            return kept[1]
        names = tuple(sorted(
            p.name[: -len(SUFFIX)]
            for p in (self.root / lang).iterdir()
            if p.is_file() and p.name.endswith(SUFFIX) and _NAME.fullmatch(p.name[: -len(SUFFIX)])
        ))
        self._listings[lang] = (info.st_mtime_ns, names)
        return names

    def _resolve(self, name: str, lang: str) -> str:
        """The language whose file will be rendered: ``lang``, else zh, else TemplateError."""
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise TemplateError(str(lang), str(name), "unknown template")
        if name in self._own_names(lang, name) or name in self._own_names(lang, name, fresh=True):
            return lang
        if lang != FALLBACK_LANG and (self.root / FALLBACK_LANG / f"{name}{SUFFIX}").is_file():
            return FALLBACK_LANG
        raise TemplateError(lang, name, "unknown template")

    def _check(self, lang: str, name: str, body: str) -> None:
        """Refuse texts that carriers would refuse or split beyond the limits."""
        if not self.allow_urls:
            # NFKC so that full-width "ｗｗｗ．" is caught as well.
            match = _URL.search(unicodedata.normalize("NFKC", body))
            if match:
                reason = f"contains a URL ({match.group(0)!r}); texts to China may not carry links"
                raise TemplateError(lang, name, reason)
        if len(body) > self.max_chars:
            reason = f"{len(body)} characters, over the limit of {self.max_chars}"
            raise TemplateError(lang, name, reason)
        count = count_segments(body)
        if count.segments > self.max_segments:
            reason = f"{count.segments} segments ({count.encoding}), over the limit of {self.max_segments}"
            raise TemplateError(lang, name, reason)
