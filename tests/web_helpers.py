"""Databases for the web tests: SQLite always, PostgreSQL when MGRLEAD_TEST_POSTGRESQL is set."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from starlette.applications import Starlette

#: A PostgreSQL database the tests may empty and use, e.g.
#: ``postgresql+psycopg://postgres@127.0.0.1:5432/mgrlead_test`` (else: SQLite only).
POSTGRESQL = os.environ.get("MGRLEAD_TEST_POSTGRESQL", "")

#: The kinds of database every storage test runs on (PostgreSQL when one is given;
#: ``test_web_store.py::test_postgresql_is_tested`` is skipped, and says so, when not).
DATABASES = ("sqlite", "postgresql") if POSTGRESQL else ("sqlite",)


def database_for(kind: str, tmp_path: Path) -> str:
    """A fresh, empty database of ``kind``: an SQLite file, or the PostgreSQL one emptied."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'web.sqlite3'}"
    engine = sa.create_engine(POSTGRESQL)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "DROP TABLE IF EXISTS raters_360, rounds_360, answers, assessment_sessions, "
            "alembic_version"
        )
    engine.dispose()
    return POSTGRESQL


@contextlib.contextmanager
def serving(database: str | Path, **options: Any) -> Iterator[Starlette]:
    """The web app on ``database`` (``create_app``'s options as given), its store closed after."""
    from mgrlead.web import create_app  # noqa: PLC0415

    app = create_app(database=database, **options)
    try:
        yield app
    finally:
        app.state.store.close()
