"""The HTML pages: take an assessment in a browser and see the results.

Server-rendered with the report's Jinja2 environment (autoescaping on), plain
forms that work without JavaScript, POST-redirect-GET.  The session logic is
the JSON API's (:class:`~mgrlead.web.endpoints.Api`): the pages only render
and read forms.  The addresses::

    GET  /                       the rubrics served
    GET  /r/{rubric_id}[?lang=]  a rubric's landing page, with a start button
    POST /r/{rubric_id}          start a session: 303 to its private link
    GET  /s/{token}[?page=N]     a page of the form (no page: where it stopped)
    POST /s/{token}              save the page's answers; back, next or finish

An adaptive session (started with the landing page's second button) shows one
statement per page, the one the adaptive engine asks next; Back takes the last
answer back, and the session is finished when the engine stops.
    GET  /s/{token}/result       the results (the HTML report's content)
    GET  /s/{token}/report.html  download: the self-contained HTML report
    GET  /s/{token}/profile.json download: the profile JSON
    GET  /static/{name}          the style sheets and the optional script

Forms are protected from cross-site requests by the double-submit cookie
pattern: a random token in a ``SameSite=Strict`` cookie and in a hidden field
of every form; a POST whose two differ is refused with a 403 page.

The pages' own words go through :mod:`mgrlead.i18n` and are rendered in the
request's language (:meth:`Pages.speak`): a session's stored language, the
landing page's ``?lang=``, or else the language the browser's
``Accept-Language`` prefers among those the rubric (or, with no rubric, the
interface) has.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import math
import re
import secrets
from importlib import resources
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl, urlencode

from attrs import define, field
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from mgrlead.errors import MgrleadError, RequestError, RubricChangedError, SessionNotFoundError
from mgrlead.i18n import (
    LANGUAGES,
    LanguageError,
    current_language,
    language_name,
    match_language,
    resolve_language,
    use_language,
)
from mgrlead.i18n import gettext as _
from mgrlead.web.endpoints import status_of
from mgrlead.web.safety import DEFAULT_CSP

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from starlette.requests import Request

    from mgrlead.adaptive import AdaptiveSession
    from mgrlead.model import Rubric
    from mgrlead.web.endpoints import Api
    from mgrlead.web.store import StoredSession

__all__ = [
    "CSRF_COOKIE",
    "SECONDS_PER_ITEM",
    "Pages",
    "browser_language",
    "interface_language",
    "own_name",
    "page_routes",
]

#: The cookie (and form field) of the double-submit CSRF token.
CSRF_COOKIE: Final = "mgrlead_csrf"

#: The time one statement takes, for the landing page's estimate.
SECONDS_PER_ITEM: Final = 10

_STATIC: Final = {
    "app.css": ("mgrlead.web", "static/app.css", "text/css"),
    "app.js": ("mgrlead.web", "static/app.js", "text/javascript"),
    "report.css": ("mgrlead.report", "templates/report.css", "text/css"),
}

_STYLE_ATTRIBUTE: Final = re.compile(r'\sstyle="([^"]*)"')


def _static(name: str) -> bytes:
    package, path, _kind = _STATIC[name]
    return resources.files(package).joinpath(path).read_bytes()


def minutes(items: int) -> int:
    """About how many minutes ``items`` statements take (at least 1)."""
    return max(1, math.ceil(items * SECONDS_PER_ITEM / 60))


def style_hashes(page: str) -> list[str]:
    """The CSP hash sources of every ``style`` attribute in ``page`` (report bars)."""
    values = {html.unescape(v) for v in _STYLE_ATTRIBUTE.findall(page)}
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(v.encode()).digest()).decode() + "'"
        for v in sorted(values)
    ]


def browser_language(header: str | None, available: Sequence[str]) -> str | None:
    """The language of ``available`` that an ``Accept-Language`` header prefers most.

    Werkzeug parses the header (quality values; ``q=0`` refuses a language) and
    Babel's :func:`~babel.core.negotiate_locale` takes the first preferred
    language that is available, itself or its base language (``fr-CH`` takes
    ``fr``).  ``None`` when the header is missing or accepts none of them.
    """
    if not header or not available:
        return None
    from babel.core import negotiate_locale  # noqa: PLC0415
    from werkzeug.datastructures import LanguageAccept  # noqa: PLC0415
    from werkzeug.http import parse_accept_header  # noqa: PLC0415

    accept = parse_accept_header(header, LanguageAccept)  # by quality, best first
    preferred = [value.replace("_", "-") for value, q in accept if q > 0 and value != "*"]
    best = negotiate_locale(preferred, available, sep="-")
    if best is None:
        return None
    spelled = {tag.lower(): tag for tag in available}  # Babel gives the header's spelling
    return spelled.get(best.lower())


def _told(exc: MgrleadError) -> str:
    """What an error page tells a respondent: in their language where they may meet it."""
    if isinstance(exc, RubricChangedError):
        return _(
            "This assessment was changed after you began it, so your answers cannot be "
            "added to it. Please start it again from the beginning."
        )
    if isinstance(exc, RequestError) and exc.status == 429:
        return _(
            "Too many assessments were started from this address in the last minute. "
            "Please try again in {seconds} seconds."
        ).format(seconds=exc.retry_after or 60)
    return str(exc)


def interface_language(tag: str) -> str:
    """The shipped interface language for a rubric's language tag (English when none fits)."""
    try:
        return resolve_language(tag)
    except LanguageError:
        return "en"


def own_name(tag: str) -> str:
    """A language's name in itself, capitalised for a menu (``Deutsch``, ``Français``).

    Shipped languages are named by :func:`mgrlead.i18n.language_name`; other
    languages a rubric has by Babel (``Italiano``), or by their tag when Babel
    knows no such language.
    """
    if tag in LANGUAGES:
        name = language_name(tag)
    else:
        from babel import Locale, UnknownLocaleError  # noqa: PLC0415

        try:
            locale = Locale.parse(tag, sep="-")
        except (ValueError, TypeError, UnknownLocaleError):
            return tag
        name = str(locale.get_display_name(locale))
    return name[:1].upper() + name[1:]


def precision(session: AdaptiveSession) -> dict[str, Any]:
    """How far an adaptive test is: per dimension its SE and target, and a share (0 to 1).

    A dimension's share is the information gained over the information its target
    SE needs (``(1/se² - 1/sd²) / (1/target² - 1/sd²)``, capped at 1; ``sd`` the
    prior's); the test's share is their mean, or the items asked over
    ``max_items`` when that is more.
    """
    opts = session.options
    prior = 1.0 / opts.prior.sd**2
    rows = []
    for dim, (_theta, se) in session.estimates().items():
        target = opts.per_dimension("se", dim)
        need = None if target is None else 1.0 / float(target) ** 2 - prior
        if need is None:  # no SE rule for it
            share = 0.0
        elif need <= 0:
            share = 1.0
        else:
            share = min(1.0, max(0.0, (1.0 / se**2 - prior) / need))
        rows.append({"dimension": dim, "se": se, "target": target, "share": share})
    share = sum(r["share"] for r in rows) / len(rows) if rows else 1.0
    if opts.max_items:
        share = max(share, min(1.0, len(session.asked) / opts.max_items))
    if session.done:
        share = 1.0
    reached = sum(r["share"] >= 1.0 for r in rows)
    return {"dimensions": rows, "percent": round(100 * share), "reached": reached}


def _rater_context(stored: StoredSession) -> dict[str, str] | None:
    """Whom a rater of a 360 round rates, and as which group (``None``: no round)."""
    if stored.round_subject is None:
        return None
    from mgrlead.groups.multirater import DEFAULT_GROUPS, SELF  # noqa: PLC0415
    from mgrlead.report import default_group_label  # noqa: PLC0415

    group = stored.rater_group or ""
    return {
        "subject": stored.round_subject,
        "group": default_group_label(group) or DEFAULT_GROUPS.get(group, group),
        "self": "yes" if group == SELF else "",
    }


@define
class Pages:
    """The HTML pages, bound to the app's :class:`~mgrlead.web.endpoints.Api`."""

    api: Api
    """The API whose store, rubrics and session logic the pages use."""
    frame_ancestors: str = "'none'"
    """The app's CSP ``frame-ancestors`` (pages with their own policy repeat it)."""
    env: Any = field(default=None)
    """The Jinja2 environment (the report's, with the web templates first)."""
    static: dict[str, bytes] = field(factory=dict)
    """The static files, read once."""

    def __attrs_post_init__(self) -> None:
        """Load the templates and the static files."""
        from mgrlead.report import environment  # noqa: PLC0415 - needs Jinja2

        # the report's environment: the pages' words through gettext, in the
        # current language (newstyle: `_("%(n)s of %(total)s", n=..., total=...)`)
        self.env = environment("mgrlead.web")
        self.static = {name: _static(name) for name in _STATIC}

    # ------------------------------------------------------------- helpers
    def speak(self, request: Request, language: str) -> str:
        """Render the rest of ``request`` in ``language`` (a rubric's language tag).

        The interface words take the shipped language that fits it (English when
        none does), until the request is answered; the page's ``<html lang>``
        is ``language``.  Returns the interface language.  Only within
        :meth:`guarded` (which ends the language with the request).
        """
        stack: contextlib.ExitStack[bool | None] = request.state.mgrlead_languages
        request.state.mgrlead_language = language
        return stack.enter_context(use_language(interface_language(language)))

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any],
        *,
        status: int = 200,
        csp: str | None = None,
    ) -> Response:
        """Render a page; set the CSRF cookie when the browser has none."""
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        base = request.scope.get("root_path", "").rstrip("/")
        from mgrlead._version import __version__  # noqa: PLC0415

        context = {
            "csrf": token,
            "base": base,
            "version": __version__,
            "lang": getattr(request.state, "mgrlead_language", None) or current_language(),
        } | context
        text = self.env.get_template(template).render(context)
        headers = {}
        if csp is not None:
            headers["Content-Security-Policy"] = csp
        response = HTMLResponse(text, status_code=status, headers=headers)
        if request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(
                CSRF_COOKIE,
                token,
                path=base or "/",
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
            )
        return response

    def error_page(self, request: Request, status: int, heading: str, message: str) -> Response:
        """A friendly error page with a link home (``heading`` and ``message`` as shown)."""
        return self.render(
            request,
            "web/error.html.j2",
            {"title": heading, "message": message, "status": status},
            status=status,
        )

    def guarded(self, handler: Callable[[Request], Awaitable[Response]]) -> Any:  # noqa: ANN401
        """``handler`` with the library's errors shown as HTML pages."""

        async def run(request: Request) -> Response:
            # the language lives as long as the request: a handler that learns a
            # better one (the session's) switches to it with speak(), and an
            # error page after that is in it too; every request has its own
            # context, so concurrent requests keep their languages apart
            with contextlib.ExitStack() as languages:
                request.state.mgrlead_languages = languages
                languages.enter_context(use_language(self.request_language(request)))
                try:
                    return await handler(request)
                except SessionNotFoundError:
                    return self.error_page(
                        request,
                        404,
                        _("No such assessment"),
                        _(
                            "This private link leads to no assessment: it may be mistyped, "
                            "cut off, or the assessment was deleted. Check the link you were "
                            "given."
                        ),
                    )
                except MgrleadError as exc:
                    # the library's message stays as it was raised (see mgrlead.i18n),
                    # but for what a respondent meets in the normal course of things
                    heading = _("That did not work")
                    page = self.error_page(request, status_of(exc), heading, _told(exc))
                    if isinstance(exc, RequestError) and exc.retry_after is not None:
                        page.headers["Retry-After"] = str(exc.retry_after)
                    return page

        return run

    def request_language(self, request: Request) -> str:
        """The interface language a request without a session or rubric is shown in.

        The shipped language its ``Accept-Language`` prefers, else English.
        """
        return browser_language(request.headers.get("accept-language"), LANGUAGES) or "en"

    def round_closed(self, request: Request, stored: StoredSession) -> Response:
        """The friendly 409 page for a rater whose 360 round was closed."""
        assert stored.round_closed_at is not None  # noqa: S101 - the callers check
        return self.error_page(
            request,
            409,
            _("This feedback round is closed"),
            _(
                "The round this link belongs to was closed on {date} and takes no more "
                "answers. Thank you; nothing more is needed from you."
            ).format(date=f"{stored.round_closed_at:%Y-%m-%d}"),
        )

    async def form(self, request: Request) -> dict[str, str]:
        """The POSTed form, CSRF-checked.

        Raises:
            RequestError: 403 when the CSRF token is missing or differs from the
                cookie's; 413 / 415 when the body is too large or not a form.
        """
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            raise RequestError(
                f"this address takes a web form (application/x-www-form-urlencoded), not "
                f"{kind or 'an untyped body'}",
                status=415,
            )
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > self.api.max_body_bytes:
                raise RequestError("the form is too large", status=413)
        pairs = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
        data: dict[str, str] = {}
        for key, value in pairs:
            if key in data:
                raise RequestError(f"the form gives {key!r} twice; send it once", field=key)
            data[key] = value
        cookie = request.cookies.get(CSRF_COOKIE, "")
        given = data.pop("csrf", "")
        if not cookie or not secrets.compare_digest(cookie.encode(), given.encode()):
            # TRANSLATORS: shown to a respondent on the 403 page of a web form
            message = _(
                "this form could not be accepted: it did not come from this site's own page, "
                "or your browser keeps no cookies for it. Go back, reload the page and send "
                "it again (cookies for this site must be allowed)."
            )
            raise RequestError(message, status=403)
        return data

    def _languages(self, rubric: Rubric) -> list[str]:
        return [rubric.language, *rubric.translations]

    # ------------------------------------------------------------- pages
    async def index(self, request: Request) -> Response:
        """``GET /``: every rubric served, with a link to its landing page."""
        lang = self.request_language(request)
        self.speak(request, lang)
        # each rubric's title in the page's language, where it has texts in it
        rubrics = []
        for rubric in self.api.rubrics.values():
            own = match_language(lang, self._languages(rubric))
            rubrics.append(rubric.localized(own) if own else rubric)
        return self.render(
            request, "web/index.html.j2", {"title": _("Assessments"), "rubrics": rubrics}
        )

    async def landing(self, request: Request) -> Response:
        """``GET /r/{rubric_id}``: title, description, instructions, length, start button."""
        base = self.api.rubric(request.path_params["rubric_id"])
        languages = self._languages(base)
        wanted = request.query_params.get("lang")
        chosen = match_language(wanted, languages) if wanted else None  # de-CH is de, DE is de
        missing = bool(wanted) and chosen is None
        # else the browser's choice among the rubric's languages
        accept = request.headers.get("accept-language")
        lang = chosen or browser_language(accept, languages) or base.language
        rubric = base.localized(lang)
        self.speak(request, lang)
        note = ""
        if missing:
            note = _(
                "This assessment has no texts in {wanted}; it is shown in {shown}. "
                "It has: {languages}."
            ).format(
                wanted=repr(wanted),
                shown=own_name(lang),
                languages=", ".join(own_name(code) for code in languages),
            )
        return self.render(
            request,
            "web/landing.html.j2",
            {
                "title": rubric.title,
                "rubric": rubric,
                "lang": lang,
                "languages": [{"code": code, "name": own_name(code)} for code in languages],
                "language_note": note,
                "items": len(rubric.items),
                "pages": self.api.page_count(rubric),
                "minutes": minutes(len(rubric.items)),
                "adaptive": self.api.adaptable(base),
            },
        )

    async def start(self, request: Request) -> Response:
        """``POST /r/{rubric_id}``: start a session; 303 to its private link."""
        data = await self.form(request)
        rubric_id = request.path_params["rubric_id"]
        adaptive: dict[str, Any] | None = {} if data.get("adaptive") == "1" else None
        token, _stored = await run_in_threadpool(
            self.api.start, request, rubric_id, data.get("lang") or None, adaptive
        )
        return RedirectResponse(self._link(request, token), status_code=303)

    def _link(self, request: Request, token: str, tail: str = "", **query: object) -> str:
        base = request.scope.get("root_path", "").rstrip("/")
        link = f"{base}/s/{token}{tail}"
        return f"{link}?{urlencode(query)}" if query else link

    async def _open_session(self, token: str) -> tuple[StoredSession, Rubric]:
        stored = await run_in_threadpool(self.api.store.get, token)
        return stored, self.api.session_rubric(stored)

    async def session_page(self, request: Request) -> Response:
        """``GET /s/{token}[?page=N]``: one page of statements (default: where it stopped)."""
        token = request.path_params["token"]
        stored = await run_in_threadpool(self.api.store.get, token)
        self.speak(request, stored.language)
        if stored.finished_at is not None:
            return RedirectResponse(self._link(request, token, "/result"), status_code=303)
        if stored.round_closed_at is not None:
            return self.round_closed(request, stored)
        rubric = self.api.session_rubric(stored)
        if stored.adaptive is not None:
            return await self._adaptive_page(request, token, stored, rubric)
        count = self.api.page_count(rubric)
        raw = request.query_params.get("page")
        if raw is None:
            page = self.api.resume_page(rubric, stored.answers)
        elif raw.isdigit() and 1 <= int(raw) <= count:
            page = int(raw)
        else:
            return self.error_page(
                request,
                404,
                _("No such page"),
                _("This assessment has pages 1 to {count}.").format(count=count),
            )
        items = self.api.page_items(rubric, page)
        first = (page - 1) * self.api.page_size
        statements = []
        for k, item in enumerate(items):
            scale = rubric.item_scale(item)
            options = [
                {"value": v, "label": lab} for v, lab in zip(scale, scale.labels, strict=True)
            ]
            options += [{"value": m.code, "label": m.label} for m in scale.missing]
            statements.append(
                {
                    "item": item,
                    "number": first + k + 1,
                    "options": options,
                    "answer": stored.answers.get(item.id),
                }
            )
        pending = [i for i in rubric.item_ids if i not in stored.answers]
        unanswered = request.query_params.get("unanswered") == "1" and bool(pending)
        return self.render(
            request,
            "web/form.html.j2",
            {
                "title": rubric.title,
                "rubric": rubric,
                "lang": stored.language,
                "token": token,
                "page": page,
                "pages": count,
                "statements": statements,
                "total": len(rubric.items),
                "answered": len(stored.answers),
                "pending": len(pending),
                "unanswered": unanswered,
                "rater": _rater_context(stored),
                "api": f"{request.scope.get('root_path', '').rstrip('/')}/api/v1/sessions/"
                f"{token}/answers/",
            },
        )

    async def save_page(self, request: Request) -> Response:  # noqa: PLR0911 - one per outcome
        """``POST /s/{token}``: save the answers given; go back, on, or finish."""
        token = request.path_params["token"]
        stored, rubric = await self._open_session(token)
        self.speak(request, stored.language)  # a refused form is told in it too
        data = await self.form(request)
        if stored.finished_at is not None:
            return RedirectResponse(self._link(request, token, "/result"), status_code=303)
        if stored.round_closed_at is not None:
            return self.round_closed(request, stored)
        if stored.adaptive is not None:
            return await self._adaptive_save(request, token, stored, rubric, data)
        count = self.api.page_count(rubric)
        raw = data.pop("page", "")
        page = int(raw) if raw.isdigit() and 1 <= int(raw) <= count else 1
        go = data.pop("go", "next")
        for key, value in data.items():
            prefix, _, item_id = key.partition(".")
            if prefix != "a" or not item_id:
                raise RequestError(
                    f"the form has the unknown field {key[:40]!r}; answers are a.<item id>",
                    field=key[:40],
                )
            if not value.lstrip("-").isdigit():
                raise RequestError(
                    f"the answer to {item_id!r} is {value[:20]!r}, not one of its codes",
                    field=item_id,
                )
            code = self.api.code_of(rubric, item_id, int(value))
            if stored.answers.get(item_id) != code:
                stored = await run_in_threadpool(
                    self.api.store.answer, token, item_id, code, content_hash=stored.content_hash
                )
        if go == "back":
            return RedirectResponse(
                self._link(request, token, page=max(1, page - 1)), status_code=303
            )
        if go in {"finish", "finish-anyway"}:
            pending = [i for i in rubric.item_ids if i not in stored.answers]
            if pending and go == "finish":
                first = self.api.resume_page(rubric, stored.answers)
                return RedirectResponse(
                    self._link(request, token, page=first, unanswered=1), status_code=303
                )
            await run_in_threadpool(self.api.finish_session, token, incomplete=True)
            return RedirectResponse(self._link(request, token, "/result"), status_code=303)
        return RedirectResponse(
            self._link(request, token, page=min(count, page + 1)), status_code=303
        )

    # ------------------------------------------------------------- adaptive sessions
    async def _adaptive_page(
        self, request: Request, token: str, stored: StoredSession, rubric: Rubric
    ) -> Response:
        """One statement: the item the engine asks next; progress as precision reached."""
        session = await run_in_threadpool(self.api.adaptive_of, stored)
        assert session is not None  # noqa: S101 - an adaptive session
        item_id = session.next_item()
        statement = None
        if item_id is not None:
            item = rubric.items[rubric.item_ids.index(item_id)]
            scale = rubric.item_scale(item)
            options = [
                {"value": v, "label": lab} for v, lab in zip(scale, scale.labels, strict=True)
            ]
            options += [{"value": m.code, "label": m.label} for m in scale.missing]
            statement = {"item": item, "number": len(session.asked) + 1, "options": options}
        return self.render(
            request,
            "web/adaptive.html.j2",
            {
                "title": rubric.title,
                "rubric": rubric,
                "lang": stored.language,
                "token": token,
                "statement": statement,
                "asked": len(session.asked),
                "precision": precision(session),
                "unanswered": request.query_params.get("unanswered") == "1",
                "rater": _rater_context(stored),
            },
        )

    async def _adaptive_save(
        self,
        request: Request,
        token: str,
        stored: StoredSession,
        rubric: Rubric,
        data: dict[str, str],
    ) -> Response:
        """Answer (or skip) the statement shown, or go back (undo); finish when it stops."""
        go = data.pop("go", "next")
        item_id = data.pop("item", "")
        if go == "back":
            current = await run_in_threadpool(self.api.adaptive_of, stored)
            if current is not None and current.asked:
                await run_in_threadpool(self.api.adaptive_undo, token, stored)
            return RedirectResponse(self._link(request, token), status_code=303)
        if go == "finish":
            await run_in_threadpool(self.api.finish_session, token, incomplete=False)
            return RedirectResponse(self._link(request, token, "/result"), status_code=303)
        unknown = [k for k in data if k != f"a.{item_id}"]
        if unknown or not item_id:
            name = unknown[0][:40] if unknown else "item"
            raise RequestError(
                f"the form has the unexpected field {name!r}; an adaptive page answers the "
                "one statement it shows (a.<item id>)",
                field=name,
            )
        value = data.get(f"a.{item_id}")
        if go == "skip":
            code = None
        elif value is None:
            return RedirectResponse(self._link(request, token, unanswered=1), status_code=303)
        elif not value.lstrip("-").isdigit():
            raise RequestError(
                f"the answer to {item_id!r} is {value[:20]!r}, not one of its codes",
                field=item_id,
            )
        else:
            code = self.api.code_of(rubric, item_id, int(value))
        _stored, session = await run_in_threadpool(
            self.api.adaptive_answer, token, stored, item_id, code
        )
        if session.done:
            await run_in_threadpool(self.api.finish_session, token)
            return RedirectResponse(self._link(request, token, "/result"), status_code=303)
        return RedirectResponse(self._link(request, token), status_code=303)

    async def _finished(self, request: Request) -> tuple[str, StoredSession, Rubric] | Response:
        token = request.path_params["token"]
        stored = await run_in_threadpool(self.api.store.get, token)
        self.speak(request, stored.language)
        if stored.finished_at is None or stored.profile is None:
            return RedirectResponse(self._link(request, token), status_code=303)
        rubric = self.api.session_rubric(stored)
        session = await run_in_threadpool(self.api.adaptive_of, stored)
        if session is not None:  # scored from the answers given, θ with the session's prior
            import attrs  # noqa: PLC0415

            from mgrlead.model import MissingPolicy  # noqa: PLC0415
            from mgrlead.plan import content_hash  # noqa: PLC0415
            from mgrlead.results import Profile  # noqa: PLC0415

            scored = Profile.from_json(stored.profile).content_hash
            for candidate in (
                session.scoring_rubric(rubric),
                attrs.evolve(rubric, missing=MissingPolicy.named("available")),
            ):
                if content_hash(candidate) == scored:
                    rubric = candidate
                    break
        return token, stored, rubric

    async def result(self, request: Request) -> Response:
        """``GET /s/{token}/result``: the report's content, downloads, print styles."""
        from mgrlead.report import profile_context  # noqa: PLC0415
        from mgrlead.results import Profile  # noqa: PLC0415

        opened = await self._finished(request)
        if isinstance(opened, Response):
            return opened
        token, stored, rubric = opened
        assert stored.profile is not None  # noqa: S101 - checked by _finished
        profile = Profile.from_json(stored.profile)
        context = profile_context(profile, rubric) | {"lang": stored.language, "token": token}
        page = self.render(request, "web/result.html.j2", context)
        text = bytes(page.body).decode("utf-8")
        style_src = " ".join(["'self'", "'unsafe-hashes'", *style_hashes(text)])
        csp = DEFAULT_CSP.replace("style-src 'self'", f"style-src {style_src}")
        page.headers["Content-Security-Policy"] = f"{csp}; frame-ancestors {self.frame_ancestors}"
        return page

    async def download_report(self, request: Request) -> Response:
        """``GET /s/{token}/report.html``: the self-contained HTML report, as a download."""
        from mgrlead.report import profile_report  # noqa: PLC0415
        from mgrlead.results import Profile  # noqa: PLC0415

        opened = await self._finished(request)
        if isinstance(opened, Response):
            return opened
        _token, stored, rubric = opened
        assert stored.profile is not None  # noqa: S101 - checked by _finished
        text = profile_report(Profile.from_json(stored.profile), rubric)
        return HTMLResponse(
            text,
            headers={"Content-Disposition": f'attachment; filename="{rubric.id}-report.html"'},
        )

    async def download_profile(self, request: Request) -> Response:
        """``GET /s/{token}/profile.json``: the profile JSON, as a download."""
        opened = await self._finished(request)
        if isinstance(opened, Response):
            return opened
        _token, stored, rubric = opened
        assert stored.profile is not None  # noqa: S101 - checked by _finished
        return Response(
            stored.profile,
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{rubric.id}-profile.json"'},
        )

    async def static_file(self, request: Request) -> Response:
        """``GET /static/{name}``: a style sheet or the optional script."""
        name = request.path_params["name"]
        if name not in self.static:
            return self.error_page(request, 404, _("Not found"), _("There is no such file here."))
        return Response(
            self.static[name],
            media_type=_STATIC[name][2],
            headers={"Cache-Control": "no-cache"},
        )


def page_routes(pages: Pages) -> list[BaseRoute]:
    """The routes of the HTML pages."""
    g = pages.guarded
    session = "/s/{token}"
    return [
        Route("/", g(pages.index), methods=["GET"], name="home"),
        Route("/r/{rubric_id}", g(pages.landing), methods=["GET"], name="landing"),
        Route("/r/{rubric_id}", g(pages.start), methods=["POST"], name="start"),
        Route(session, g(pages.session_page), methods=["GET"], name="form"),
        Route(session, g(pages.save_page), methods=["POST"], name="save"),
        Route(f"{session}/result", g(pages.result), methods=["GET"], name="result"),
        Route(f"{session}/report.html", g(pages.download_report), methods=["GET"]),
        Route(f"{session}/profile.json", g(pages.download_profile), methods=["GET"]),
        Route("/static/{name}", g(pages.static_file), methods=["GET"], name="static"),
    ]
