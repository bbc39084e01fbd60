"""The staff JSON API, `/api/v1` (interfaces.md)."""
from flask import Blueprint

from app.api.params import refuse_unstorable_request

api = Blueprint("api", __name__, url_prefix="/api/v1")
api.before_request(refuse_unstorable_request)

from app.api import escalations, messages, network, openapi, reports, suppressions, tickets, units  # noqa: E402,F401
from app.api import call_reports, customers, inbox, network_admin, parts, scorecards  # noqa: E402,F401
from app.api import campaigns, openapi_campaigns, openapi_records, openapi_reports  # noqa: E402,F401
