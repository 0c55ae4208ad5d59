"""mgrlead on the web: an ASGI app, a JSON API and real storage (``mgrlead[web]``).

:func:`create_app` returns a Starlette application that serves the JSON API
under ``/api/v1`` and keeps assessment sessions in a database
(:class:`~mgrlead.web.store.Store`: SQLite by default, PostgreSQL by URL).
Run it with ``mgrlead serve``, or mount it in your own ASGI app::

    app.mount("/assess", mgrlead.web.create_app(database="sqlite:///assess.sqlite3"))

``import mgrlead`` never imports this package; importing it without the
``web`` extra raises an :class:`ImportError` that names the fix.
"""

from __future__ import annotations

try:
    import sqlalchemy  # noqa: F401 - checked here, so that the message names the extra
    import starlette  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    msg = f"mgrlead.web needs the web extra ({exc.name} is missing): pip install 'mgrlead[web]'"
    raise ImportError(msg, name=exc.name) from exc

from mgrlead.web.app import create_app
from mgrlead.web.store import Store

__all__ = ["Store", "create_app"]
