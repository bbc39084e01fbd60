"""The TwiML of one answer to Twilio, built with the SDK's VoiceResponse.

Prompts queue up and go *inside* the next <Gather>, so a key pressed while the welcome or a
"sorry, I did not hear you" is still playing counts. Every <Gather> and <Record> is followed by a
<Redirect> to the timeout path: without it Twilio simply ends the call (field-notes).
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from twilio.twiml import TwiML
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

STEP_PATH = "/twilio/voice/step"
RESCUE_PATH = "/twilio/voice/rescue"
# Our language codes -> the language Twilio's <Say> and speech recognition take.
SAY_LANGUAGES = {"zh": "zh-CN", "en": "en-US"}
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


class Turn:
    """One TwiML answer; its action URLs carry the step number `n` the next request must bring back."""

    def __init__(self, *, step_no: int, voices: dict[str, str], query: dict | None = None) -> None:
        self.response = VoiceResponse()
        self.step_no = step_no
        self.voices = voices
        self.query = dict(query or {})
        self._query_text = ""
        self.pending: list[tuple[str, str]] = []
        self.ended = False

    def say(self, text: str, lang: str) -> None:
        """Queue `text` to be said in `lang` before (or inside) the next verb."""
        if text and text.strip():
            self.pending.append((text.strip(), lang))

    def url(self, event: str) -> str:
        """The step URL for `event` (input, timeout, recorded, dialled), relative as Twilio resolves it."""
        if not self._query_text:
            self._query_text = "".join(f"&{urlencode({k: v})}" for k, v in self.query.items())
        return f"{STEP_PATH}?n={self.step_no}&ev={event}{self._query_text}"

    def _say_into(self, parent) -> None:
        for text, lang in self.pending:
            attrs = {"language": SAY_LANGUAGES.get(lang, lang)}
            if self.voices.get(lang):
                attrs["voice"] = self.voices[lang]
            parent.say(text, **attrs)
        self.pending.clear()

    def gather(self, *, timeout: int, num_digits: int | None = None, finish_on_key: str | None = None,
               speech_lang: str | None = None, hints: str | None = None) -> None:
        """Wait for keys (and speech when `speech_lang`); the queued prompts play inside the Gather."""
        attrs: dict = {"action": self.url("input"), "method": "POST", "timeout": timeout}
        if num_digits:
            attrs["num_digits"] = num_digits
        if finish_on_key is not None:
            attrs["finish_on_key"] = finish_on_key
        if speech_lang:
            attrs.update(input="dtmf speech", language=SAY_LANGUAGES.get(speech_lang, speech_lang),
                         speech_timeout="auto")
            if hints:
                attrs["hints"] = hints
        gather = Gather(**attrs)
        self._say_into(gather)
        self.response.append(gather)
        self.response.redirect(self.url("timeout"), method="POST")

    def record(self, *, max_seconds: int) -> None:
        """Record the caller after a beep; silence falls through to the timeout path."""
        self._say_into(self.response)
        self.response.record(action=self.url("recorded"), method="POST", max_length=max_seconds, timeout=5,
                             finish_on_key="#", play_beep=True)
        self.response.redirect(self.url("timeout"), method="POST")

    def dial(self, numbers: tuple[str, ...], *, timeout: int, action: str | None = None) -> None:
        """Ring every staff phone at once; the first to answer takes the call."""
        self._say_into(self.response)
        dial = Dial(action=action or self.url("dialled"), method="POST", timeout=timeout)
        for number in numbers:
            dial.number(number)
        self.response.append(dial)

    def hangup(self) -> None:
        self._say_into(self.response)
        self.response.hangup()
        self.ended = True

    def xml(self) -> str:
        """The finished TwiML document: the same text as `str(VoiceResponse)`."""
        self._say_into(self.response)
        return XML_DECLARATION + twiml_text(self.response)


def twiml_text(verb: TwiML) -> str:
    """`verb` and what it holds as XML, exactly as the SDK writes it.

    The SDK builds an ElementTree and serialises that; writing its verbs directly gives the same
    text in a quarter of the time, and every answer to Twilio pays it (bench/ivr_webhook.py).
    """
    parts: list[str] = []
    _write_verb(verb, parts.append)
    return "".join(parts)


def _write_verb(verb: TwiML, write) -> None:
    # The SDK's rules: attributes sorted, booleans as true/false, a dict value as JSON; a string
    # nested before any verb replaces the text, one nested after a verb follows it.
    write("<" + verb.name)
    for key in sorted(verb.attrs):
        value = verb.attrs[key]
        write(f' {key}="{_escape_attribute(str(value).lower() if isinstance(value, bool) else str(value))}"')
    text = verb.value
    if text and isinstance(text, dict):
        text = json.dumps(text)
    children: list[list] = []
    for nested in verb.verbs:
        if isinstance(nested, str):
            if children:
                children[-1][1] = nested
            else:
                text = nested
        else:
            children.append([nested, None])
    if not text and not children:
        write(" />")
        return
    write(">")
    if text:
        write(_escape_text(str(text)))
    for child, tail in children:
        _write_verb(child, write)
        if tail:
            write(_escape_text(tail))
    write(f"</{verb.name}>")


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(text: str) -> str:
    return (_escape_text(text).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#09;"))
