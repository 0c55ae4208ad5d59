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


def main() -> None:
    """Migrate the connection mgrlead passed in (or, by hand, the ``-x url=...`` database)."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url")  # pragma: no cover - by hand
    if not url:  # pragma: no cover
        raise SystemExit("give the database with -x url=...")
    with create_engine(url).begin() as conn:  # pragma: no cover
        _run(conn)


# Alembic runs this file inside a migration context; importing it elsewhere (the
# docstring tests import every module) does nothing.
if hasattr(context, "config"):
    main()
