"""The JSON API, version 1: rubrics, stateless scoring, sessions, administration.

Every route is a method of :class:`Api`, which holds the app's settings, its
rubrics and its :class:`~mgrlead.web.store.Store` (no globals).  Database work
runs in Starlette's thread pool; the event loop only parses and answers.

The addresses (under ``/api/v1``, see :func:`routes`)::

    GET    /rubrics                           the rubrics served
    GET    /rubrics/{rubric_id}               one rubric, in its JSON file form
    POST   /score                             score answers, store nothing
    POST   /sessions                          start a session (201, with its token)
    GET    /sessions/{token}                  its state and a page of items
    DELETE /sessions/{token}                  delete it, its answers and profile
    PUT    /sessions/{token}/answers/{item}   answer an item (or clear: null)
    DELETE /sessions/{token}/answers/{item}   clear an answer
    POST   /sessions/{token}/finish           score it and keep the profile
    GET    /admin/sessions                    sessions per rubric (bearer token)
    POST   /admin/rounds                      create a 360 round: one private link per rater
    GET    /admin/rounds/{id}                 the round, with response counts per group
    POST   /admin/rounds/{id}/close           close it: raters can answer no more
    GET    /admin/rounds/{id}/report          the 360 result JSON, anonymity applied
    GET    /admin/rounds/{id}/report.html     the 360 HTML report, anonymity applied
    GET    /admin/rounds/{id}/export          the responses, ?format=csv|parquet
    GET    /openapi.json                      the OpenAPI document
    GET    /health                            liveness
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import secrets
from typing import TYPE_CHECKING, Any, Final

from attrs import define, field
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from mgrlead._version import __version__
from mgrlead.api import score as score_answers
from mgrlead.api import scoring_plan
from mgrlead.engines.checks import check_answer
from mgrlead.errors import (
    MgrleadError,
    RequestError,
    RoundNotFoundError,
    RubricChangedError,
    RubricError,
    RubricNotFoundError,
    SessionNotFoundError,
    SessionStateError,
    UnknownIdError,
    counted,
    did_you_mean,
)
from mgrlead.io.serialize import unstructure_rubric
from mgrlead.plan import content_hash
from mgrlead.web.openapi import openapi_document
from mgrlead.web.store import closed_error, finished_error

if TYPE_CHECKING:
    from collections.abc import Mapping

    from starlette.requests import Request

    from mgrlead.adaptive import AdaptiveSession
    from mgrlead.groups.multirater import Anonymity, Round360
    from mgrlead.model import Item, Rubric
    from mgrlead.web.safety import RateLimiter
    from mgrlead.web.store import Store, StoredRound, StoredSession

__all__ = ["API_PREFIX", "Api", "routes", "status_of"]

#: Where the JSON API lives inside the app.
API_PREFIX: Final = "/api/v1"

#: The options ``POST /score`` takes, and the JSON type of each.
SCORE_OPTIONS: Final = {"strategy": str, "weighting": str, "missing": str, "careless": bool}

_JSON_TYPES: Final = {str: "a string", bool: "true or false", dict: "an object", int: "an integer"}

#: The most raters one 360 round may invite.
MAX_RATERS: Final = 500

#: The export formats of a round's responses, with their media types.
EXPORT_FORMATS: Final = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise RequestError(
                f"the request body gives the key {key!r} twice in one object; give it once",
                status=400,
                field=key,
            )
        out[key] = value
    return out


def _refuse_constant(name: str) -> None:
    raise RequestError(
        f"the request body holds {name}, which is not JSON; send null for a missing answer",
        status=400,
    )


def _get(
    body: Mapping[str, Any], name: str, kind: type, *, required: bool = True, where: str = ""
) -> Any:  # noqa: ANN401 - the value, of type ``kind``
    if name not in body:
        if required:
            raise RequestError(f"the request body has no {where}{name!r}", field=where + name)
        return None
    value = body[name]
    if type(value) is not kind:
        raise RequestError(
            f"{where}{name!r} must be {_JSON_TYPES[kind]}, not {json.dumps(value)[:60]}",
            field=where + name,
        )
    return value


def _only(body: Mapping[str, Any], allowed: tuple[str, ...], where: str = "") -> None:
    for key in body:
        if key not in allowed:
            raise RequestError(
                f"the request body has the unknown field {where}{key!r}"
                f"{did_you_mean(key, allowed)} (the fields: {', '.join(allowed)})",
                field=where + key,
            )


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def status_of(exc: MgrleadError) -> int:
    """The HTTP status an error of the library answers with."""
    if isinstance(exc, RequestError):
        return exc.status
    if isinstance(
        exc, (SessionNotFoundError, RoundNotFoundError, RubricNotFoundError, UnknownIdError)
    ):
        return 404
    if isinstance(exc, SessionStateError):
        return 409
    return 422


@define
class Api:
    """The JSON API's routes, bound to one app's store, rubrics and settings."""

    store: Store
    """Where sessions are kept."""
    rubrics: dict[str, Rubric]
    """The rubrics served, by id."""
    admin_token: str | None
    """The administrator bearer token; ``None``: the admin endpoints are off."""
    max_body_bytes: int
    """The largest request body taken."""
    page_size: int
    """Items on a page of a session."""
    limiter: RateLimiter
    """The limit on new sessions per client."""
    hashes: dict[str, str] = field(factory=dict)
    """Each rubric's content hash, by id."""
    adaptive_ok: dict[str, bool] = field(factory=dict)
    """Whether each rubric can be taken adaptively, by id (filled when first asked)."""

    def __attrs_post_init__(self) -> None:
        """Compute the rubrics' content hashes once."""
        self.hashes = {rid: content_hash(r) for rid, r in self.rubrics.items()}

    # ------------------------------------------------------------- helpers
    async def body(self, request: Request, *, optional: bool = False) -> dict[str, Any]:
        """The request's JSON object, read to at most ``max_body_bytes``.

        Raises:
            RequestError: 413 when too large, 415 when not JSON, 400 when not
                parseable, 422 when not an object.
        """
        limit = self.max_body_bytes
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            raise RequestError(
                f"the request body is larger than {limit:,} bytes; send less", status=413
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise RequestError(
                    f"the request body is larger than {limit:,} bytes; send less", status=413
                )
            chunks.append(chunk)
        raw = b"".join(chunks)
        if not raw.strip():
            if optional:
                return {}
            raise RequestError("the request has no body; send a JSON object", status=400)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise RequestError(
                f"the request body is {kind or 'untyped'}; send JSON with "
                "Content-Type: application/json",
                status=415,
            )
        try:
            data = json.loads(
                raw, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant
            )
        except (ValueError, RecursionError) as exc:
            if isinstance(exc, RequestError):
                raise
            raise RequestError(f"the request body is not valid JSON: {exc}", status=400) from None
        if not isinstance(data, dict):
            raise RequestError("the request body must be a JSON object ({...})")
        return data

    def rubric(self, rubric_id: str) -> Rubric:
        """A served rubric by id.

        Raises:
            UnknownIdError: no rubric served has that id (404, naming the closest).
        """
        try:
            return self.rubrics[rubric_id]
        except KeyError:
            raise UnknownIdError(rubric_id, self.rubrics, "rubric") from None

    def session_rubric(self, stored: StoredSession) -> Rubric:
        """The rubric a stored session answers, in its language.

        Raises:
            SessionStateError: that rubric is no longer served, or it changed.
        """
        rubric = self.rubrics.get(stored.rubric_id)
        if rubric is None:
            raise RubricChangedError(
                f"the session answers rubric {stored.rubric_id!r}, which this server no "
                "longer serves; serve it again to go on"
            )
        if self.hashes[stored.rubric_id] != stored.content_hash:
            raise RubricChangedError(
                f"rubric {stored.rubric_id!r} changed since the session began (it was "
                f"version {stored.rubric_version}, {stored.content_hash}; it is now version "
                f"{rubric.version}, {self.hashes[stored.rubric_id]}); start a new session"
            )
        return rubric.localized(stored.language)

    # ------------------------------------------------------------- shared by API and pages
    def start(
        self,
        request: Request,
        rubric_id: str,
        language: str | None,
        adaptive: Mapping[str, Any] | None = None,
    ) -> tuple[str, StoredSession]:
        """Start a session of a served rubric (counted by the rate limit): its token and state.

        ``adaptive`` (the :class:`~mgrlead.adaptive.CatOptions` as a dict, ``{}``
        for the defaults) starts an adaptive session; ``None`` a session of every item.

        Raises:
            UnknownIdError: no such rubric is served.
            RequestError: the rubric has no texts in ``language`` (422), bad
                adaptive options or a rubric without IRT parameters (422, naming
                the field), or the client started too many sessions this minute (429).
        """
        rubric = self.rubric(rubric_id)
        language = language or rubric.language
        try:
            rubric.localized(language)
        except RubricError as exc:
            raise RequestError(str(exc), field="language") from None
        state = None if adaptive is None else self.adaptive_start(rubric, adaptive).to_json()
        self.limiter.hit(request.client.host if request.client else "unknown")
        return self.store.create(
            rubric_id=rubric.id,
            rubric_version=rubric.version,
            content_hash=self.hashes[rubric.id],
            language=language,
            adaptive=state,
        )

    def adaptable(self, rubric: Rubric) -> bool:
        """Whether ``rubric`` can be taken adaptively (its items carry IRT parameters)."""
        known = self.adaptive_ok.get(rubric.id)
        if known is None:
            try:
                self.adaptive_start(rubric, {})
            except RequestError:
                known = False
            else:
                known = True
            self.adaptive_ok[rubric.id] = known
        return known

    @staticmethod
    def adaptive_start(rubric: Rubric, options: Mapping[str, Any]) -> AdaptiveSession:
        """A new adaptive session of ``rubric`` with ``options`` (a CatOptions dict).

        Raises:
            RequestError: an option is unknown or bad (422, field ``adaptive.<name>``),
                or the rubric's items have no IRT parameters (422, field ``rubric``).
        """
        from mgrlead.adaptive import AdaptiveSession, CatOptions  # noqa: PLC0415 - numpy
        from mgrlead.errors import AdaptiveError  # noqa: PLC0415

        try:
            opts = CatOptions.from_dict(options)
        except (AdaptiveError, TypeError, ValueError) as exc:
            named = re.search(r"options\.(\w+)", str(exc)) or re.search(
                r"key\(s\) '(\w+)'", str(exc)
            )
            where = "adaptive" if named is None else f"adaptive.{named.group(1)}"
            raise RequestError(
                f"{where}: {exc} (see docs/adaptive.md for the options)", field=where
            ) from None
        try:
            return AdaptiveSession.start(rubric, opts)
        except AdaptiveError as exc:
            raise RequestError(f"adaptive: {exc}", field="adaptive") from None
        except RubricError as exc:
            raise RequestError(
                f"rubric {rubric.id!r} cannot be taken adaptively: {exc}", field="rubric"
            ) from None

    def adaptive_of(self, stored: StoredSession) -> AdaptiveSession | None:
        """A stored adaptive session's engine state (``None``: a session of every item).

        Raises:
            SessionStateError: the rubric is no longer served as it was, or the state
                does not fit it.
        """
        if stored.adaptive is None:
            return None
        from mgrlead.adaptive import AdaptiveSession  # noqa: PLC0415 - numpy

        self.session_rubric(stored)  # served, unchanged
        return AdaptiveSession.from_json(self.rubrics[stored.rubric_id], stored.adaptive)

    @staticmethod
    def adaptive_json(session: AdaptiveSession) -> dict[str, Any]:
        """The adaptive block of a session's state: the next item, whether done and why."""
        target = session.options.se
        return {
            "next_item": session.next_item(),
            "done": session.done,
            "stopped_by": list(session.stopped_by),
            "asked": [a.item for a in session.asked],
            "asked_count": len(session.asked),
            "max_items": session.options.max_items,
            "target_se": dict(target) if isinstance(target, tuple) else target,
            "estimates": {d: {"theta": t, "se": se} for d, (t, se) in session.estimates().items()},
        }

    def adaptive_answer(
        self, token: str, stored: StoredSession, item_id: str, code: int | None
    ) -> tuple[StoredSession, AdaptiveSession]:
        """Answer (``None``: skip) the item the engine asked, under the session's lock.

        Raises:
            SessionStateError: ``item_id`` is not the item asked, or the test stopped (409).
        """
        done: list[AdaptiveSession] = []

        def step(current: StoredSession) -> tuple[str, int | None, str]:
            session = self.adaptive_of(current)
            assert session is not None  # noqa: S101 - only for adaptive sessions
            expected = session.next_item()
            if expected is None:
                raise SessionStateError(
                    f"the adaptive test has stopped ({', '.join(session.stopped_by)}); finish "
                    "the session, or take the last answer back (DELETE it) to change it",
                )
            if item_id != expected:
                raise SessionStateError(
                    f"the adaptive test asks item {expected!r} now, not {item_id!r}; answer "
                    f"{expected!r} (or skip it with null)",
                    item=expected,
                )
            session.answer(item_id, code)
            done.append(session)
            return item_id, code, session.to_json()

        new = self.store.adaptive_step(token, step, content_hash=stored.content_hash)
        return new, done[0]

    def adaptive_undo(
        self, token: str, stored: StoredSession, item_id: str | None = None
    ) -> tuple[StoredSession, AdaptiveSession]:
        """Take back the last presented item (``item_id``, when given, must be it).

        Raises:
            SessionStateError: nothing was asked yet, or ``item_id`` is not the last (409).
        """
        done: list[AdaptiveSession] = []

        def step(current: StoredSession) -> tuple[str, int | None, str]:
            session = self.adaptive_of(current)
            assert session is not None  # noqa: S101 - only for adaptive sessions
            if not session.asked:
                raise SessionStateError("nothing was asked yet; there is no answer to take back")
            last = session.asked[-1].item
            if item_id is not None and item_id != last:
                raise SessionStateError(
                    f"an adaptive session takes back only its last answer, {last!r}, not "
                    f"{item_id!r}",
                    item=last,
                )
            session.undo()
            done.append(session)
            return last, None, session.to_json()

        new = self.store.adaptive_step(token, step, content_hash=stored.content_hash)
        return new, done[0]

    @staticmethod
    def code_of(rubric: Rubric, item_id: str, value: object) -> int | None:
        """The response code ``value`` gives item ``item_id`` (``None``: clear the answer).

        Raises:
            UnknownIdError: the rubric has no such item.
            AnswerError: ``value`` is not one of the item's codes.
        """
        if item_id not in rubric.item_ids:
            raise UnknownIdError(item_id, rubric.item_ids, "item")
        if value is None:
            return None
        plan = scoring_plan(rubric).items[rubric.item_ids.index(item_id)]
        # refuses what is not a code of the item; a missing code ("not
        # applicable") passes as None, and is stored as given: it is an answer
        checked = check_answer(item_id, value, plan.code_min, plan.code_max, plan.missing_codes)
        return int(value) if checked is None else checked  # type: ignore[call-overload]

    def page_count(self, rubric: Rubric) -> int:
        """How many pages the rubric's items fill."""
        return max(1, math.ceil(len(rubric.items) / self.page_size))

    def resume_page(self, rubric: Rubric, answers: Mapping[str, int]) -> int:
        """The first page with an unanswered item (the last page when all are answered)."""
        items = rubric.items
        at = next((j for j, i in enumerate(items) if i.id not in answers), len(items) - 1)
        return at // self.page_size + 1

    def page_items(self, rubric: Rubric, page: int) -> tuple[Item, ...]:
        """The items on page ``page`` (from 1)."""
        return rubric.items[(page - 1) * self.page_size : page * self.page_size]

    def finish_session(self, token: str, *, incomplete: bool = False) -> StoredSession:
        """Score the session and keep its profile (a finished one is returned as it is).

        Raises:
            SessionNotFoundError: no session has this token.
            SessionStateError: items are unanswered and ``incomplete`` is false,
                or the rubric changed.
        """
        stored = self.store.get(token)
        if stored.finished_at is not None and stored.profile is not None:
            return stored
        rubric = self.session_rubric(stored)

        def scored(current: StoredSession) -> str:
            # judged on the answers read under the session's lock, not on a snapshot
            session = self.adaptive_of(current)
            if session is not None:
                if not session.done and not incomplete:
                    raise SessionStateError(
                        f"the adaptive test has not stopped yet (it asks {session.next_item()!r} "
                        'next); answer on, or finish with {"allow_incomplete": true} to score '
                        "what was answered",
                        item=session.next_item(),
                    )
                return session.profile().to_json()
            pending = [i for i in rubric.item_ids if i not in current.answers]
            if pending and not incomplete:
                raise SessionStateError(
                    f"{counted(len(pending), 'item')} of {len(rubric.item_ids)} not answered "
                    f"yet (the first: {pending[0]!r}); answer them, or finish with "
                    '{"allow_incomplete": true} to score what was answered',
                    item=pending[0],
                )
            return score_answers(rubric, dict(current.answers)).to_json()

        return self.store.finish(token, scored, content_hash=stored.content_hash)

    @staticmethod
    def item_json(rubric: Rubric, item: Item, answer: int | None) -> dict[str, Any]:
        """An item as a client shows it: id, text, its scale's points and labels, the answer."""
        scale = rubric.item_scale(item)
        return {
            "id": item.id,
            "text": item.text,
            "scale": {
                "min": scale.min,
                "max": scale.max,
                "labels": [
                    {"value": v, "label": lab} for v, lab in zip(scale, scale.labels, strict=True)
                ],
                "missing": [{"value": m.code, "label": m.label} for m in scale.missing],
            },
            "answer": answer,
        }

    def state(
        self, request: Request, token: str, stored: StoredSession, page: int | None = None
    ) -> dict[str, Any]:
        """A session's state: rubric, times, answers, the next item, one page of items."""
        finished = stored.finished_at is not None
        rubric = None
        try:
            rubric = self.session_rubric(stored)
        except SessionStateError:
            if not finished:
                raise
        body: dict[str, Any] = {
            "token": token,
            "rubric": {
                "id": stored.rubric_id,
                "version": stored.rubric_version,
                "content_hash": stored.content_hash,
            },
            "language": stored.language,
            "created_at": _iso(stored.created_at),
            "updated_at": _iso(stored.updated_at),
            "finished_at": _iso(stored.finished_at),
            "answers": dict(stored.answers),
            "answered_count": len(stored.answers),
        }
        session = None if rubric is None else self.adaptive_of(stored)
        if session is not None:
            body["adaptive"] = self.adaptive_json(session)
        links = {
            "self": str(request.url_for("session", token=token)),
            "finish": str(request.url_for("finish", token=token)),
        }
        if rubric is not None:
            items = rubric.items
            body["rubric"]["title"] = rubric.title
            body["instructions"] = rubric.instructions
            body["items_total"] = len(items)
            pending = [item.id for item in items if item.id not in stored.answers]
            body["next_item"] = pending[0] if pending and not finished else None
            if session is not None:
                body["next_item"] = None if finished else session.next_item()
            pages = self.page_count(rubric)
            if page is None:
                page = self.resume_page(rubric, stored.answers)
            if not 1 <= page <= pages:
                raise RequestError(
                    f"page {page} does not exist; the session has pages 1 to {pages}",
                    field="page",
                )
            shown = self.page_items(rubric, page)
            body["page"] = {
                "number": page,
                "count": pages,
                "items": [self.item_json(rubric, i, stored.answers.get(i.id)) for i in shown],
            }
        else:
            body["page"] = None
        if finished:
            body["profile"] = None if stored.profile is None else json.loads(stored.profile)
        if stored.round_subject is not None:
            body["round"] = {
                "subject": stored.round_subject,
                "group": stored.rater_group,
                "status": "open" if stored.round_closed_at is None else "closed",
            }
        body["links"] = links
        return body

    # ------------------------------------------------------------- rubrics
    async def list_rubrics(self, request: Request) -> Response:
        """``GET /rubrics``: every rubric served, in short."""
        out = [
            {
                "id": r.id,
                "version": r.version,
                "title": r.title,
                "description": r.description,
                "language": r.language,
                "languages": [r.language, *r.translations],
                "items": len(r.items),
                "content_hash": self.hashes[r.id],
                "links": {"self": str(request.url_for("rubric", rubric_id=r.id))},
            }
            for r in self.rubrics.values()
        ]
        return JSONResponse({"rubrics": out})

    async def get_rubric(self, request: Request) -> Response:
        """``GET /rubrics/{rubric_id}``: the rubric in the JSON form of rubric files."""
        rubric = self.rubric(request.path_params["rubric_id"])
        return JSONResponse(unstructure_rubric(rubric))

    # ------------------------------------------------------------- scoring
    async def score(self, request: Request) -> Response:
        """``POST /score``: ``{rubric, answers, options}`` to the profile JSON; nothing stored."""
        body = await self.body(request)
        _only(body, ("rubric", "answers", "options"))
        rubric = self.rubric(_get(body, "rubric", str))
        answers = _get(body, "answers", dict)
        options = _get(body, "options", dict, required=False) or {}
        _only(options, tuple(SCORE_OPTIONS), "options.")
        kwargs = {
            name: _get(options, name, kind, where="options.")
            for name, kind in SCORE_OPTIONS.items()
            if name in options
        }
        profile = await run_in_threadpool(score_answers, rubric, answers, **kwargs)
        return Response(profile.to_json(), media_type="application/json")

    # ------------------------------------------------------------- sessions
    async def create_session(self, request: Request) -> Response:
        """``POST /sessions``: ``{rubric, language?, adaptive?}``; 201 with the token and page 1.

        ``adaptive`` (an object of adaptive options, ``{}`` for the defaults)
        starts an adaptive session.
        """
        body = await self.body(request)
        _only(body, ("rubric", "language", "adaptive"))
        rubric_id = _get(body, "rubric", str)
        language = _get(body, "language", str, required=False)
        adaptive = _get(body, "adaptive", dict, required=False)
        token, stored = await run_in_threadpool(self.start, request, rubric_id, language, adaptive)
        state = self.state(request, token, stored, page=1)
        return JSONResponse(state, status_code=201, headers={"Location": state["links"]["self"]})

    async def get_session(self, request: Request) -> Response:
        """``GET /sessions/{token}[?page=N]``: the state and one page of items."""
        token = request.path_params["token"]
        raw = request.query_params.get("page")
        page = None
        if raw is not None:
            if not raw.isdigit():
                raise RequestError(f"page must be a whole number, not {raw[:20]!r}", field="page")
            page = int(raw)
        stored = await run_in_threadpool(self.store.get, token)
        return JSONResponse(self.state(request, token, stored, page))

    async def delete_session(self, request: Request) -> Response:
        """``DELETE /sessions/{token}``: the session, its answers and its profile, gone."""
        await run_in_threadpool(self.store.delete, request.path_params["token"])
        return Response(status_code=204)

    async def answer(self, request: Request) -> Response:
        """``PUT /sessions/{token}/answers/{item_id}``: ``{"value": code}`` or ``null`` to clear."""
        body = await self.body(request)
        _only(body, ("value",))
        if "value" not in body:
            raise RequestError("the request body has no 'value'", field="value")
        return await self._answer(request, body["value"])

    async def clear_answer(self, request: Request) -> Response:
        """``DELETE /sessions/{token}/answers/{item_id}``: clear the answer."""
        return await self._answer(request, None)

    async def _answer(self, request: Request, value: object) -> Response:
        token = request.path_params["token"]
        item_id = request.path_params["item_id"]
        stored = await run_in_threadpool(self.store.get, token)
        if stored.round_closed_at is not None:  # before the answer's own checks
            raise closed_error(stored.round_closed_at)
        if stored.finished_at is not None:
            raise finished_error(stored.finished_at)
        rubric = self.session_rubric(stored)
        code = self.code_of(rubric, item_id, value)
        if stored.adaptive is not None:
            return await self._adaptive_answer(request, stored, item_id, code)
        stored = await run_in_threadpool(
            self.store.answer, token, item_id, code, content_hash=stored.content_hash
        )
        items = rubric.item_ids
        pending = [i for i in items if i not in stored.answers]
        return JSONResponse(
            {
                "item": item_id,
                "value": code,
                "answered_count": len(stored.answers),
                "items_total": len(items),
                "next_item": pending[0] if pending else None,
            }
        )

    async def _adaptive_answer(
        self,
        request: Request,
        stored: StoredSession,
        item_id: str,
        code: int | None,
    ) -> Response:
        token = request.path_params["token"]
        if request.method == "DELETE":  # take the last answer back
            stored, session = await run_in_threadpool(self.adaptive_undo, token, stored, item_id)
        else:  # null: skip the item asked
            stored, session = await run_in_threadpool(
                self.adaptive_answer, token, stored, item_id, code
            )
        return JSONResponse(
            {
                "item": item_id,
                "value": code if request.method != "DELETE" else None,
                "answered_count": len(stored.answers),
                "items_total": len(self.rubrics[stored.rubric_id].items),
                "next_item": session.next_item(),
                "adaptive": self.adaptive_json(session),
            }
        )

    async def finish(self, request: Request) -> Response:
        """``POST /sessions/{token}/finish``: score, keep and return the profile JSON."""
        body = await self.body(request, optional=True)
        _only(body, ("allow_incomplete",))
        incomplete = _get(body, "allow_incomplete", bool, required=False) or False
        token = request.path_params["token"]
        done = await run_in_threadpool(self.finish_session, token, incomplete=incomplete)
        return Response(done.profile, media_type="application/json")

    # ------------------------------------------------------------- admin
    def check_admin(self, request: Request) -> None:
        """Refuse (401) a request without the administrator's bearer token."""
        assert self.admin_token is not None  # noqa: S101 - the routes exist only with one
        given = request.headers.get("authorization", "")
        scheme, _, credential = given.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(
            credential.strip().encode(), self.admin_token.encode()
        ):
            raise RequestError(
                "the administrator endpoints need the header Authorization: Bearer <token> "
                "with the token the server was started with",
                status=401,
            )

    async def admin_sessions(self, request: Request) -> Response:
        """``GET /admin/sessions``: sessions started and finished per rubric version."""
        self.check_admin(request)
        counts = await run_in_threadpool(self.store.counts)
        rows = [
            {
                "rubric": c.rubric_id,
                "version": c.rubric_version,
                "content_hash": c.content_hash,
                "started": c.started,
                "finished": c.finished,
            }
            for c in counts
        ]
        return JSONResponse(
            {
                "rubrics": rows,
                "started": sum(c.started for c in counts),
                "finished": sum(c.finished for c in counts),
            }
        )

    # ------------------------------------------------------------- 360 rounds
    @staticmethod
    def _anonymity(body: Mapping[str, Any]) -> Anonymity:
        from mgrlead.groups.multirater import Anonymity  # noqa: PLC0415 - numpy

        _only(body, ("default", "minimum", "below"), "anonymity.")
        kwargs: dict[str, Any] = {}
        if "default" in body:
            kwargs["default"] = _get(body, "default", int, where="anonymity.")
        if "below" in body:
            kwargs["below"] = _get(body, "below", str, where="anonymity.")
        if "minimum" in body:
            minimum = _get(body, "minimum", dict, where="anonymity.")
            for group in minimum:
                _get(minimum, group, int, where="anonymity.minimum.")
            kwargs["minimum"] = minimum
        if kwargs.get("default", 1) < 1:
            raise RequestError("anonymity.default must be at least 1", field="anonymity.default")
        if kwargs.get("below", "merge") not in {"merge", "suppress"}:
            raise RequestError(
                f"anonymity.below must be 'merge' or 'suppress', not {kwargs['below']!r}",
                field="anonymity.below",
            )
        return Anonymity(**kwargs)  # the minimums are checked by the library's rules

    def round_json(self, request: Request, stored: StoredRound) -> dict[str, Any]:
        """A round as the admin API shows it: subject, rubric, rules, counts per group."""
        from mgrlead.groups.multirater import DEFAULT_GROUPS  # noqa: PLC0415

        order = list(DEFAULT_GROUPS)  # the library's display order
        groups = [
            {
                "group": g,
                "invited": stored.invited[g],
                "started": stored.started.get(g, 0),
                "finished": stored.finished.get(g, 0),
            }
            for g in sorted(stored.invited, key=order.index)
        ]
        rid = stored.id
        return {
            "id": rid,
            "subject": stored.subject,
            "rubric": {
                "id": stored.rubric_id,
                "version": stored.rubric_version,
                "content_hash": stored.content_hash,
            },
            "anonymity": json.loads(stored.anonymity),
            "status": "open" if stored.closed_at is None else "closed",
            "created_at": _iso(stored.created_at),
            "closed_at": _iso(stored.closed_at),
            "groups": groups,
            "invited": sum(stored.invited.values()),
            "finished": sum(stored.finished.values()),
            "links": {
                "self": str(request.url_for("admin_round", round_id=rid)),
                "close": str(request.url_for("admin_round_close", round_id=rid)),
                "report": str(request.url_for("admin_round_report", round_id=rid)),
                "report_html": str(request.url_for("admin_round_report_html", round_id=rid)),
                "export": str(request.url_for("admin_round_export", round_id=rid)),
            },
        }

    async def create_round(self, request: Request) -> Response:
        """``POST /admin/rounds``: ``{subject, rubric, raters, anonymity?, language?}``.

        ``raters`` maps each rater group to how many raters it invites.

        201 with the round and one private link per rater (shown this once:
        only their hashes are stored).
        """
        from mgrlead.groups.multirater import ALL_OTHERS, DEFAULT_GROUPS  # noqa: PLC0415

        self.check_admin(request)
        body = await self.body(request)
        _only(body, ("subject", "rubric", "raters", "anonymity", "language"))
        subject = _get(body, "subject", str).strip()
        if not subject or len(subject) > 200:
            raise RequestError("subject must be a name of 1 to 200 characters", field="subject")
        rubric = self.rubric(_get(body, "rubric", str))
        language = _get(body, "language", str, required=False) or rubric.language
        try:
            rubric.localized(language)
        except RubricError as exc:
            raise RequestError(str(exc), field="language") from None
        counts = _get(body, "raters", dict)
        raters: list[str] = []
        for group, count in counts.items():
            if group not in DEFAULT_GROUPS:
                raise RequestError(
                    f"raters names the unknown rater group {group!r}"
                    f"{did_you_mean(group, tuple(DEFAULT_GROUPS))} (the groups: "
                    f"{', '.join(DEFAULT_GROUPS)})",
                    field=f"raters.{group}",
                )
            if type(count) is not int or count < 0:
                raise RequestError(
                    f"raters.{group} must be a whole number of raters (0 or more), not "
                    f"{json.dumps(count)[:40]}",
                    field=f"raters.{group}",
                )
            raters.extend([group] * count)
        if not raters or len(raters) > MAX_RATERS:
            raise RequestError(
                f"a round needs 1 to {MAX_RATERS} raters; raters gives {len(raters)}",
                field="raters",
            )
        rules = self._anonymity(_get(body, "anonymity", dict, required=False) or {})
        for group in rules.minimum:
            if group not in DEFAULT_GROUPS and group != ALL_OTHERS:
                raise RequestError(
                    f"anonymity.minimum names the unknown rater group {group!r} (the groups: "
                    f"{', '.join([*DEFAULT_GROUPS, ALL_OTHERS])})",
                    field=f"anonymity.minimum.{group}",
                )
        rules_json = json.dumps(
            {"default": rules.default, "minimum": rules.minimum, "below": rules.below}
        )
        stored, links = await run_in_threadpool(
            lambda: self.store.create_round(
                subject=subject,
                rubric_id=rubric.id,
                rubric_version=rubric.version,
                content_hash=self.hashes[rubric.id],
                language=language,
                anonymity=rules_json,
                raters=raters,
            )
        )
        out = self.round_json(request, stored)
        out["raters"] = [
            {
                "group": group,
                "token": token,
                "link": str(request.url_for("form", token=token)),
                "session": str(request.url_for("session", token=token)),
            }
            for group, token in links
        ]
        return JSONResponse(out, status_code=201, headers={"Location": out["links"]["self"]})

    async def get_round(self, request: Request) -> Response:
        """``GET /admin/rounds/{round_id}``: the round and its response counts per group."""
        self.check_admin(request)
        stored = await run_in_threadpool(self.store.get_round, request.path_params["round_id"])
        return JSONResponse(self.round_json(request, stored))

    async def close_round(self, request: Request) -> Response:
        """``POST /admin/rounds/{round_id}/close``: no more answers; the round as closed."""
        self.check_admin(request)
        stored = await run_in_threadpool(self.store.close_round, request.path_params["round_id"])
        return JSONResponse(self.round_json(request, stored))

    def _round_result(self, round_id: int) -> tuple[StoredRound, Rubric, Round360]:
        """Score a round's finished responses with the library's 360 rules.

        Raises:
            SessionStateError: no rater finished yet, or the rubric changed.
        """
        from mgrlead.groups.multirater import Anonymity, score_360  # noqa: PLC0415

        stored = self.store.get_round(round_id)
        rubric = self._round_rubric(stored)
        responses = self.store.round_responses(round_id)
        if not responses:
            raise SessionStateError(
                f"no rater of round {round_id} has finished yet; the report needs at least "
                "one finished response (see the counts at GET /admin/rounds/{id})"
            )
        columns = _wide(stored.subject, rubric, responses)
        rules = Anonymity(**json.loads(stored.anonymity))
        return stored, rubric, score_360(rubric, columns, anonymity=rules)

    def _round_rubric(self, stored: StoredRound) -> Rubric:
        rubric = self.rubrics.get(stored.rubric_id)
        if rubric is None or self.hashes[stored.rubric_id] != stored.content_hash:
            raise SessionStateError(
                f"round {stored.id} answers rubric {stored.rubric_id!r} version "
                f"{stored.rubric_version} ({stored.content_hash}), which this server no longer "
                "serves as it was; serve that rubric again to score the round"
            )
        return rubric

    async def round_report(self, request: Request) -> Response:
        """``GET /admin/rounds/{round_id}/report``: the library's 360 result, anonymity applied."""
        self.check_admin(request)
        stored, _rubric, result = await run_in_threadpool(
            self._round_result, request.path_params["round_id"]
        )
        return JSONResponse({"round": self.round_json(request, stored), "result": result.to_dict()})

    async def round_report_html(self, request: Request) -> Response:
        """``GET /admin/rounds/{round_id}/report.html``: the 360 HTML report, as a download."""
        from mgrlead.report import feedback360_report  # noqa: PLC0415 - Jinja2, matplotlib

        self.check_admin(request)
        stored, rubric, result = await run_in_threadpool(
            self._round_result, request.path_params["round_id"]
        )
        text = await run_in_threadpool(feedback360_report, result, rubric, stored.subject)
        return Response(
            text,
            media_type="text/html",
            headers={"Content-Disposition": f'attachment; filename="round-{stored.id}-360.html"'},
        )

    async def round_export(self, request: Request) -> Response:
        """``GET /admin/rounds/{round_id}/export?format=csv|parquet``: the finished responses.

        The wide layout ``mgrlead score``, ``analyze`` and ``score_360`` read:
        ``subject``, ``rater_group``, then one column per item (empty: not answered).
        """
        self.check_admin(request)
        kind = request.query_params.get("format", "csv")
        if kind not in EXPORT_FORMATS:
            raise RequestError(f"format must be csv or parquet, not {kind[:20]!r}", field="format")
        round_id = request.path_params["round_id"]

        def export() -> tuple[StoredRound, bytes]:
            stored = self.store.get_round(round_id)
            rubric = self._round_rubric(stored)
            columns = _wide(stored.subject, rubric, self.store.round_responses(round_id))
            return stored, _table_bytes(columns, kind)

        stored, data = await run_in_threadpool(export)
        return Response(
            data,
            media_type=EXPORT_FORMATS[kind],
            headers={"Content-Disposition": f'attachment; filename="round-{stored.id}.{kind}"'},
        )

    # ------------------------------------------------------------- meta
    async def openapi(self, request: Request) -> Response:
        """``GET /openapi.json``: the OpenAPI 3.1 document of this API."""
        server = request.scope.get("root_path", "")  # the mount's path and /api/v1
        doc = openapi_document(server=server, admin=self.admin_token is not None)
        return JSONResponse(doc, headers={"Cache-Control": "no-cache"})

    async def health(self, _request: Request) -> Response:
        """``GET /health``: the app answers."""
        return JSONResponse({"status": "ok", "mgrlead": __version__})


def _wide(
    subject: str, rubric: Rubric, responses: list[tuple[str, dict[str, int]]]
) -> dict[str, list[Any]]:
    """Responses as the wide columns ``score_360`` reads (``None``: not answered)."""
    columns: dict[str, list[Any]] = {
        "subject": [subject] * len(responses),
        "rater_group": [group for group, _ in responses],
    }
    for item in rubric.item_ids:
        columns[item] = [answers.get(item) for _, answers in responses]
    return columns


def _table_bytes(columns: Mapping[str, list[Any]], kind: str) -> bytes:
    """The columns as CSV (empty cells for missing answers) or Parquet bytes."""
    from mgrlead.extras import pyarrow  # noqa: PLC0415 - optional

    pa = pyarrow()
    arrays = {
        name: pa.array(values, type=pa.string() if i < 2 else pa.int64())
        for i, (name, values) in enumerate(columns.items())
    }
    table = pa.table(arrays)
    sink = pa.BufferOutputStream()
    if kind == "parquet":
        pa.parquet.write_table(table, sink)
    else:
        pa.csv.write_csv(table, sink)
    return bytes(sink.getvalue().to_pybytes())


def routes(api: Api) -> list[BaseRoute]:
    """The app's routes: the JSON API under :data:`API_PREFIX`."""
    session = "/sessions/{token}"
    inner: list[BaseRoute] = [
        Route("/rubrics", api.list_rubrics, methods=["GET"], name="rubrics"),
        Route("/rubrics/{rubric_id}", api.get_rubric, methods=["GET"], name="rubric"),
        Route("/score", api.score, methods=["POST"], name="score"),
        Route("/sessions", api.create_session, methods=["POST"], name="sessions"),
        Route(session, api.get_session, methods=["GET"], name="session"),
        Route(session, api.delete_session, methods=["DELETE"], name="delete_session"),
        Route(f"{session}/answers/{{item_id}}", api.answer, methods=["PUT"], name="answer"),
        Route(
            f"{session}/answers/{{item_id}}",
            api.clear_answer,
            methods=["DELETE"],
            name="clear_answer",
        ),
        Route(f"{session}/finish", api.finish, methods=["POST"], name="finish"),
        Route("/openapi.json", api.openapi, methods=["GET"], name="openapi"),
        Route("/health", api.health, methods=["GET"], name="health"),
    ]
    if api.admin_token is not None:
        one = "/admin/rounds/{round_id:int}"
        inner += [
            Route("/admin/sessions", api.admin_sessions, methods=["GET"], name="admin_sessions"),
            Route("/admin/rounds", api.create_round, methods=["POST"], name="admin_rounds"),
            Route(one, api.get_round, methods=["GET"], name="admin_round"),
            Route(f"{one}/close", api.close_round, methods=["POST"], name="admin_round_close"),
            Route(f"{one}/report", api.round_report, methods=["GET"], name="admin_round_report"),
            Route(
                f"{one}/report.html",
                api.round_report_html,
                methods=["GET"],
                name="admin_round_report_html",
            ),
            Route(f"{one}/export", api.round_export, methods=["GET"], name="admin_round_export"),
        ]
    return [Mount(API_PREFIX, routes=inner)]
