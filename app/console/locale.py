"""Chinese first: the templates' msgids are Chinese, so Chinese needs no catalogue; English comes from
`translations/en/LC_MESSAGES/messages.po`, compiled in memory once per process (no binary committed).

Babel would resolve a `zh_CN` catalogue to `zh_Hans_CN` and silently skip it; with Chinese as the
source language there is no Chinese catalogue to skip.
"""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import request, session
from flask_babel import Domain, get_locale

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
PO_FILE = Path(__file__).parent / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def compile_po(path: Path) -> Translations:
    """The .po file as gettext translations, compiled in memory."""
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


class ConsoleDomain(Domain):
    """Flask-Babel's domain with the English catalogue read from the .po file itself."""

    def __init__(self) -> None:
        super().__init__(domain="messages")
        self._english: Translations | None = None

    def get_translations(self):
        locale = get_locale()
        if locale is None or locale.language != "en":
            return NullTranslations()
        if self._english is None:
            self._english = compile_po(PO_FILE)
        return self._english


DOMAIN = ConsoleDomain()


def select_locale() -> str:
    """`?lang=` sets the language for this and later pages (kept in the session); Chinese otherwise."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT


def use_console_domain() -> None:
    """Before each console request: its texts come from the console's catalogue."""
    DOMAIN.as_default()
