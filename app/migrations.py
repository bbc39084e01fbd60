"""Running the Alembic migrations in `migrations/` from code (used by `db upgrade` and the tests)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from app.config import PROJECT_ROOT


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (any `sqlite+driver://` spelling), or None for memory and other databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:"):  # a SQLite URI filename: leave it to SQLite
        return None
    return Path(parsed.database)


def upgrade_database(url: str, revision: str = "heads") -> None:
    """Bring the database at `url` to `revision`, creating the SQLite file's folder when needed."""
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)
