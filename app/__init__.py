"""The contact-centre service: `create_app()` builds it as a list of named registration steps."""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask

from app.api import api
from app.api.errors import register_json_errors
from app.campaigns.recalls import recall_reply_handler
from app.care.booking import booking_reply_handler
from app.clock import SystemClock
from app.closed_loop.replies import survey_reply_handler
from app.commands import register
from app.config import PROJECT_ROOT, Settings
from app.console.setup import register_console
from app.database import Database
from app.health import health
from app.log_redaction import install
from app.messaging.policy import SendingPolicy
from app.messaging.routes import use_routes
from app.observability.logs import register_request_logging
from app.observability.metrics import register_metrics
from app.startup import load_settings
from app.surveys.policy import SurveyPolicy
from app.tickets.urging import urge_reply_handler
from app.web import close_db_session
from app.webhooks.aliyun import aliyun_webhooks
from app.webhooks.fallback import fallback
from app.webhooks.recall import recall_webhooks
from app.webhooks.sms import sms_webhooks
from app.webhooks.voice import voice

MAX_REQUEST_BYTES = 1024 * 1024


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. No side effects: nothing is created, migrated or started here."""
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"))
    configure(app, test_config or {})
    register_log_redaction(app)
    register_request_logging(app)
    register_database(app)
    register_blueprints(app)
    register_console(app)
    register_metrics(app)
    register_error_handlers(app)
    register_commands(app)
    register_sms_reply_handlers(app)
    register_closed_loop_replies(app)
    return app


def configure(app: Flask, test_config: dict) -> None:
    """Settings from the environment, overridable by a test (`SETTINGS`, `CLOCK`)."""
    # Bodies larger than any request of ours are refused (413) from Content-Length, before they are read.
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.config.update({k: v for k, v in test_config.items() if k not in ("SETTINGS", "CLOCK")})
    settings = test_config.get("SETTINGS") or load_settings(instance_path=Path(app.instance_path))
    app.extensions["settings"] = settings
    app.extensions["clock"] = test_config.get("CLOCK") or SystemClock()
    app.json.ensure_ascii = False  # staff read Chinese; keep it readable in JSON
    app.json.sort_keys = False


def register_log_redaction(app: Flask) -> None:
    """Phone numbers are masked in every log line the service and its servers write."""
    install()


def register_database(app: Flask) -> None:
    """One engine per app; one session per request, rolled back unless the view committed."""
    settings: Settings = app.extensions["settings"]
    app.extensions["database"] = Database(settings.database_url, echo=settings.log_sql)
    use_routes(app.extensions["database"], settings)  # texts queued without a policy follow SMS_ROUTES
    app.teardown_appcontext(close_db_session)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(health)
    app.register_blueprint(api)
    app.register_blueprint(sms_webhooks)
    app.register_blueprint(aliyun_webhooks)
    app.register_blueprint(voice)
    app.register_blueprint(recall_webhooks)
    app.register_blueprint(fallback)


def register_error_handlers(app: Flask) -> None:
    register_json_errors(app)


def register_commands(app: Flask) -> None:
    register(app)


def register_sms_reply_handlers(app: Flask) -> None:
    """Handlers offered each inbound text that is not a keyword (app.messaging.inbound); features append theirs."""
    app.extensions["sms_reply_handlers"] = []


def register_closed_loop_replies(app: Flask) -> None:
    """催办 for an open repair, answers to a recall (1 or 预约), replies to a maintenance reminder (预约) and
    to a satisfaction survey; the recall is tried before the booking (a safety notice first) and the
    booking word before the survey, so 预约 from a customer with an open survey books rather than
    counting as a bad answer."""
    settings = app.extensions["settings"]
    app.extensions["sms_reply_handlers"].append(urge_reply_handler(SendingPolicy.from_settings(settings),
                                                                   ZoneInfo(settings.tz_name)))
    app.extensions["sms_reply_handlers"].append(recall_reply_handler(settings.sms_signature))
    app.extensions["sms_reply_handlers"].append(booking_reply_handler(settings.sms_signature))
    app.extensions["sms_reply_handlers"].append(survey_reply_handler(SurveyPolicy.from_settings(settings)))
