"""The console's Flask-WTF CSRF guard, one per process, initialised on each app by setup.py."""
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
