"""The ASGI application: :func:`create_app`, its middleware and its error responses.

The routes of the JSON API are in :mod:`mgrlead.web.endpoints`; this module wires
them into a Starlette app with

* errors as JSON, ``{"error": {"type", "message", "item"/"field"}}``, with the
  message the library raised and the right status code, and never a stack
  trace (an unexpected error answers 500 with a fixed message; the traceback
  goes to the server's log);
* security headers on every response and a per-client limit on new sessions
  (:mod:`mgrlead.web.safety`).

Nothing is global: every setting lives on the app that :func:`create_app`
returns, so two apps (two databases, two rubric sets) can run in one process.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from mgrlead.errors import (
    InputError,
    MgrleadError,
    RequestError,
    UnknownIdError,
)
from mgrlead.i18n import gettext as _
from mgrlead.i18n import use_language
from mgrlead.model import Rubric
from mgrlead.web.endpoints import API_PREFIX, Api, routes, status_of
from mgrlead.web.pages import Pages, page_routes
from mgrlead.web.safety import RateLimiter, SecurityHeaders
from mgrlead.web.store import Store

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Mapping

    from starlette.requests import Request
    from starlette.types import ASGIApp

__all__ = [
    "MIN_ADMIN_TOKEN",
    "WebApp",
    "create_app",
    "error_body",
    "status_of",
]

#: The shortest administrator token :func:`create_app` accepts.
MIN_ADMIN_TOKEN: Final = 16


# ---------------------------------------------------------------- errors
def error_body(
    kind: str, message: str, *, item: str | None = None, field: str | None = None
) -> dict[str, Any]:
    """``{"error": {"type": ..., "message": ..., "item"/"field": ...}}``."""
    error: dict[str, Any] = {"type": kind, "message": message}
    if item is not None:
        error["item"] = item
    if field is not None:
        error["field"] = field
    return {"error": error}


async def _library_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MgrleadError)  # noqa: S101 - registered for MgrleadError only
    item = getattr(exc, "item", None)
    if isinstance(exc, UnknownIdError):
        message = exc.message
        if exc.what == "item":
            item = str(exc.key)
    else:
        message = str(exc)
    body = error_body(
        type(exc).__name__,
        message,
        item=item if isinstance(item, str) else None,
        field=getattr(exc, "field", None),
    )
    headers = {}
    if isinstance(exc, RequestError) and exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, RequestError) and exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="mgrlead admin"'
    return JSONResponse(body, status_code=status_of(exc), headers=headers)


_HTTP_KINDS: Final = {404: "NotFound", 405: "MethodNotAllowed"}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException only
    pages: Pages | None = getattr(request.app.state, "pages", None)
    path = request.scope.get("path", "")
    if pages is not None and f"{API_PREFIX}/" not in f"{path}/" and exc.status_code in _HTTP_KINDS:
        with use_language(pages.request_language(request)):  # no session: the browser's
            if exc.status_code == 404:
                return pages.error_page(
                    request, 404, _("Page not found"), _("There is no page at this address.")
                )
            return pages.error_page(
                request,
                405,
                _("Not allowed"),
                _("This page cannot be reached that way; go back."),
            )
    kind = _HTTP_KINDS.get(exc.status_code, "HTTPError")
    message = "no such address in the API (see /api/v1/openapi.json)"
    if exc.status_code == 405:
        message = "this address does not take that method (see /api/v1/openapi.json)"
    elif exc.status_code != 404:
        message = str(exc.detail)
    return JSONResponse(error_body(kind, message), status_code=exc.status_code, headers=exc.headers)


async def _internal_error(_request: Request, _exc: Exception) -> Response:
    # Starlette logs the exception (and re-raises it to the server) after this
    # response is sent: the client sees this fixed text only.
    return JSONResponse(
        error_body(
            "InternalError",
            "the server failed to answer this request; the error is in its log",
        ),
        status_code=500,
    )


# ---------------------------------------------------------------- the factory
class WebApp(Starlette):
    """The app :func:`create_app` returns: a Starlette app whose security headers wrap all.

    Starlette puts its server-error handler outside every middleware added with
    ``add_middleware``; here :class:`~mgrlead.web.safety.SecurityHeaders` wraps
    that too, so a 500 carries the same headers as every other response.
    """

    frame_ancestors: str = "'none'"

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's stack, inside the security headers."""
        return SecurityHeaders(
            super().build_middleware_stack(), frame_ancestors=self.frame_ancestors
        )


def _rubric_table(rubrics: Iterable[str | Path | Rubric] | None) -> dict[str, Rubric]:
    from mgrlead.api import available_rubrics, load_rubric  # noqa: PLC0415 - plugins load here

    chosen = available_rubrics() if rubrics is None else rubrics
    if isinstance(chosen, (str, Path, Rubric)):
        raise InputError("rubrics is a list of rubrics, names or paths, not a single one")
    table: dict[str, Rubric] = {}
    for entry in chosen:
        rubric = load_rubric(entry)
        if rubric.id in table:
            raise InputError(
                f"two of the rubrics have the id {rubric.id!r} (versions "
                f"{table[rubric.id].version} and {rubric.version}); serve one of them"
            )
        table[rubric.id] = rubric
    return table


def _positive(name: str, value: object) -> None:
    if type(value) is not int or value < 1:
        raise InputError(f"{name} must be a whole number of at least 1, not {value!r}")


def create_app(  # noqa: PLR0913 - every setting of the app, by keyword
    *,
    database: str | Path | Store,
    rubrics: Iterable[str | Path | Rubric] | None = None,
    admin_token: str | None = None,
    max_body_bytes: int = 1_000_000,
    page_size: int = 6,
    sessions_per_minute: int = 30,
    frame_ancestors: str = "'none'",
) -> WebApp:
    """The mgrlead web app: HTML pages, the JSON API under ``/api/v1``, sessions in ``database``.

    The database is opened (an SQLite file and its folder are created) and
    migrated to the newest schema here, so the app works mounted inside
    another one, whose lifespan does not reach it.

    Args:
        database: A SQLAlchemy URL (``sqlite:///assess.sqlite3``,
            ``postgresql+psycopg://user@host/db``), a SQLite file path, or an
            open :class:`~mgrlead.web.store.Store`.
        rubrics: The rubrics to serve (names, file paths or
            :class:`~mgrlead.model.Rubric` objects); default every registered one.
        admin_token: The bearer token of the administrator endpoints (at
            least 16 characters). There is no default: without one they are off.
        max_body_bytes: The largest request body taken (larger ones: 413).
        page_size: How many items a page of a session shows (the API's and the form's).
        sessions_per_minute: How many sessions one client address may start a minute (429).
        frame_ancestors: Who may show the app in a frame (the CSP source list);
            ``'none'`` by default.

    Raises:
        InputError: a setting is invalid (the message names it).
        RubricNotFoundError: a rubric named in ``rubrics`` does not exist.
    """
    token: object = admin_token  # callers without type checks may pass anything
    if token is not None and (not isinstance(token, str) or len(token.strip()) < MIN_ADMIN_TOKEN):
        raise InputError(
            f"the administrator token must be at least {MIN_ADMIN_TOKEN} characters; make "
            "one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    for name, value in (
        ("max_body_bytes", max_body_bytes),
        ("page_size", page_size),
        ("sessions_per_minute", sessions_per_minute),
    ):
        _positive(name, value)
    framers: object = frame_ancestors
    if not isinstance(framers, str) or any(c in framers for c in ";,\r\n"):
        raise InputError(
            f"frame_ancestors is one CSP source list like \"'self' https://intranet.example\", "
            f"not {frame_ancestors!r}"
        )
    table = _rubric_table(rubrics)
    store = database if isinstance(database, Store) else Store(database)
    api = Api(
        store=store,
        rubrics=table,
        admin_token=None if admin_token is None else admin_token.strip(),
        max_body_bytes=max_body_bytes,
        page_size=page_size,
        limiter=RateLimiter(sessions_per_minute),
    )
    owned = not isinstance(database, Store)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        if owned:
            store.close()

    handlers: Mapping[Any, Any] = {
        MgrleadError: _library_error,
        HTTPException: _http_error,
        Exception: _internal_error,
    }
    pages = Pages(api, frame_ancestors=frame_ancestors)
    app = WebApp(
        routes=[*routes(api), *page_routes(pages)], exception_handlers=handlers, lifespan=lifespan
    )
    app.frame_ancestors = frame_ancestors
    app.state.mgrlead = api
    app.state.pages = pages
    app.state.store = store
    return app
