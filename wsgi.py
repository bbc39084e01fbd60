"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
import sys

from app import create_app
from app.config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as exc:  # one line saying what to fix, never a traceback (every command loads this)
    sys.exit(f"Error: {exc}")
