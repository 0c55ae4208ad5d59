"""Alembic migrations of the web app's database (run by :meth:`mgrlead.web.store.Store.upgrade`)."""
