"""Alembic's environment: migrate the connection :class:`~mgrlead.web.store.Store` passes in.

Run from the command line it needs ``-x url=...``; mgrlead itself never does
that: ``Store.upgrade`` hands Alembic its own connection, inside its transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic import context
from sqlalchemy import create_engine

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

from mgrlead.web.store import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite changes columns by copying the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # pragma: no cover - `alembic -x url=sqlite:///x.sqlite3 upgrade head` by hand
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("give the database with -x url=...")
    with create_engine(url).begin() as conn:
        _run(conn)
