"""Which backend carries a text to which number (SMS_ROUTES), and what follows from the route.

`SMS_ROUTES="+86=aliyun,*=twilio"`: the longest matching prefix wins, `*` matches any number,
and without SMS_ROUTES every number goes through SMS_BACKEND. The route is chosen when a text is
queued and kept on the row (`messages.provider`), because it decides the text itself:

- the refusal wording (P-PRIV-2): `回T退订` / reply T on Twilio's routes, `拒收请回复R` / reply R on
  Alibaba's (`opt_out`, `opt_out_key`, given to every template as `opt_out` and `opt_out_key`);
- on Alibaba the text must be a registered template (aliyun_templates.py);
- SMS_SURVEY_BY_VOICE lists routes (their prefix as written in SMS_ROUTES, or a backend name)
  whose surveys skip the text rung and go straight to the automated call, for providers whose
  template rules do not allow a survey text.

Many services queue texts with only the signature (no SendingPolicy); they get the routes their
session's database was given from Settings by `use_routes` (the app's database and every job
context's).
"""
from __future__ import annotations

from dataclasses import dataclass

from app.config import Settings
from app.messaging.aliyun_templates import ALIYUN_OPT_OUT, ALIYUN_OPT_OUT_KEY

OPT_OUT_WORDING = {"aliyun": (ALIYUN_OPT_OUT, ALIYUN_OPT_OUT_KEY)}
DEFAULT_OPT_OUT = ("回T退订", "T")


def opt_out_wording(backend: str | None) -> tuple[str, str]:
    """(the refusal line, the letter to reply) a text through `backend` carries (P-PRIV-2)."""
    return OPT_OUT_WORDING.get(backend or "", DEFAULT_OPT_OUT)


@dataclass(frozen=True)
class SmsRoutes:
    """The configured routes; `default` is SMS_BACKEND (None: whatever the dispatcher was given)."""

    routes: tuple[tuple[str, str], ...] = ()
    default: str | None = None
    survey_by_voice: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> "SmsRoutes":
        """SMS_ROUTES, SMS_BACKEND and SMS_SURVEY_BY_VOICE."""
        return cls(routes=settings.sms_routes, default=settings.sms_backend,
                   survey_by_voice=settings.sms_survey_by_voice)

    def route_of(self, phone: str) -> tuple[str, str | None]:
        """(the matching prefix or "*", the backend) for `phone`."""
        best: tuple[str, str] | None = None
        for prefix, backend in self.routes:
            if prefix == "*" and best is None:
                best = (prefix, backend)
            elif prefix != "*" and phone.startswith(prefix) and (best is None or best[0] == "*"
                                                                 or len(prefix) > len(best[0])):
                best = (prefix, backend)
        return best or ("*", self.default)

    def backend_for(self, phone: str) -> str | None:
        """The backend that carries texts to `phone`."""
        return self.route_of(phone)[1]

    def recorded_for(self, phone: str) -> str | None:
        """What a queued row keeps as its provider: the route's backend when SMS_ROUTES is set,
        else None (the dispatcher's own backend, SMS_BACKEND)."""
        return self.backend_for(phone) if self.routes else None

    def backends(self) -> set[str]:
        """Every backend some number may be routed to."""
        names = {backend for _prefix, backend in self.routes}
        if self.default and not any(prefix == "*" for prefix, _b in self.routes):
            names.add(self.default)
        return names

    def opt_out(self, phone: str) -> str:
        """How a marketing text to `phone` says to refuse, in its provider's words."""
        return OPT_OUT_WORDING.get(self.backend_for(phone) or "", DEFAULT_OPT_OUT)[0]

    def opt_out_key(self, phone: str) -> str:
        """The letter to reply to refuse on `phone`'s route."""
        return OPT_OUT_WORDING.get(self.backend_for(phone) or "", DEFAULT_OPT_OUT)[1]

    def survey_by_voice_for(self, phone: str) -> bool:
        """True when `phone`'s route sends the survey straight to the voice rung."""
        prefix, backend = self.route_of(phone)
        return prefix in self.survey_by_voice or (backend or "") in self.survey_by_voice



ROUTES_KEY = "sms_routes"  # in Session.info: this database's routes and Alibaba signature


def use_routes(database, settings: Settings) -> None:
    """Give every session of `database` the routes of `settings`, for texts queued without a SendingPolicy."""
    database.sessions.configure(info={ROUTES_KEY: (SmsRoutes.from_settings(settings), settings.aliyun_sms_sign_name)})


def session_routes(session) -> tuple[SmsRoutes, str | None]:
    """The routes and Alibaba signature the session's database was given (`use_routes`), else none."""
    return session.info.get(ROUTES_KEY) or (SmsRoutes(), None)
