"""The staff console in the browser (`/console`): pages over the same domain services the JSON API calls.

Sessions (Flask-Login), CSRF on every form (Flask-WTF), failed sign-ins rate-limited (Flask-Limiter),
Chinese first with English on `?lang=en` (Flask-Babel). `register_console` (setup.py) wires them.
"""
from flask import Blueprint

console = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
                    static_folder="static", static_url_path="/static")

from app.console import filters, views_auth, views_campaigns, views_customers, views_dashboard  # noqa: E402,F401
from app.console import views_callbacks, views_ivr, views_queue, views_tickets  # noqa: E402,F401
