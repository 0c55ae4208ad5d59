"""The OpenAPI 3.1 document of the JSON API, built from the library's own JSON Schemas.

The rubric and profile schemas are :func:`mgrlead.io.schema.rubric_schema` and
:func:`~mgrlead.io.schema.profile_schema` (JSON Schema 2020-12, which OpenAPI
3.1 takes as is); their ``$defs`` move to ``components/schemas``.  The
document is checked with ``openapi-spec-validator`` in the tests.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from mgrlead._version import __version__

__all__ = ["openapi_document"]

_REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _hoist(schema: dict[str, Any], into: dict[str, Any]) -> dict[str, Any]:
    """``schema`` without ``$schema``/``$id``/``$defs``, its definitions moved to ``into``."""
    schema = copy.deepcopy(schema)
    defs = schema.pop("$defs", {})
    for key in ("$schema", "$id"):
        schema.pop(key, None)

    def fix(node: Any) -> Any:  # noqa: ANN401 - any JSON value
        if isinstance(node, dict):
            return {
                k: (_REF + v.removeprefix("#/$defs/"))
                if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/")
                else fix(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    for name, entry in defs.items():
        if name in into:
            msg = f"two schemas define {name!r}"  # pragma: no cover - a bug of the schemas
            raise AssertionError(msg)
        into[name] = fix(entry)
    result: dict[str, Any] = fix(schema)
    return result


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["type", "message"],
                "additionalProperties": False,
                "properties": {
                    "type": {
                        "type": "string",
                        "description": "The error's class: AnswerError, RequestError, ...",
                    },
                    "message": {"type": "string", "description": "What is wrong, and the fix."},
                    "item": {"type": "string", "description": "The item at fault."},
                    "field": {"type": "string", "description": "The request field at fault."},
                },
            }
        },
    }


def _schemas() -> dict[str, Any]:
    from mgrlead.io.schema import profile_schema, rubric_schema  # noqa: PLC0415 - on first use

    schemas: dict[str, Any] = {}
    schemas["Rubric"] = _hoist(rubric_schema(), schemas)
    schemas["Profile"] = _hoist(profile_schema(), schemas)
    schemas["Error"] = _error_schema()
    answer_value = {
        "type": ["integer", "null"],
        "description": "A response code on the item's scale (or a missing code); null: none.",
    }
    schemas["RubricSummary"] = {
        "type": "object",
        "required": ["id", "version", "title", "content_hash", "items", "languages"],
        "properties": {
            "id": {"type": "string"},
            "version": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "language": {"type": "string"},
            "languages": {"type": "array", "items": {"type": "string"}},
            "items": {"type": "integer", "minimum": 0},
            "content_hash": {"type": "string"},
            "links": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    schemas["ScoreRequest"] = {
        "type": "object",
        "required": ["rubric", "answers"],
        "additionalProperties": False,
        "properties": {
            "rubric": {"type": "string", "description": "The id of a rubric served."},
            "answers": {
                "type": "object",
                "additionalProperties": {"type": ["integer", "number", "null"]},
                "description": "Item id to response code; a missing item is unanswered.",
            },
            "options": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "strategy": {"type": "string"},
                    "weighting": {"type": "string"},
                    "missing": {"type": "string"},
                    "careless": {"type": "boolean"},
                },
            },
        },
    }
    schemas["SessionCreate"] = {
        "type": "object",
        "required": ["rubric"],
        "additionalProperties": False,
        "properties": {
            "rubric": {"type": "string"},
            "language": {"type": "string", "description": "Default: the rubric's own."},
            "adaptive": {
                "type": "object",
                "description": "Start an adaptive session with these adaptive options "
                "(mgrlead.adaptive.CatOptions: se, max_items, ...; {} for the defaults); "
                "the rubric's items need IRT parameters.",
            },
        },
    }
    labelled = {
        "type": "object",
        "required": ["value", "label"],
        "properties": {"value": {"type": "integer"}, "label": {"type": "string"}},
    }
    schemas["SessionItem"] = {
        "type": "object",
        "required": ["id", "text", "scale", "answer"],
        "properties": {
            "id": {"type": "string"},
            "text": {"type": "string"},
            "scale": {
                "type": "object",
                "required": ["min", "max", "labels", "missing"],
                "properties": {
                    "min": {"type": "integer"},
                    "max": {"type": "integer"},
                    "labels": {"type": "array", "items": labelled},
                    "missing": {"type": "array", "items": labelled},
                },
            },
            "answer": answer_value,
        },
    }
    schemas["SessionState"] = {
        "type": "object",
        "required": ["token", "rubric", "language", "created_at", "answers", "links"],
        "properties": {
            "token": {"type": "string", "description": "The session's private token."},
            "rubric": {
                "type": "object",
                "required": ["id", "version", "content_hash"],
                "properties": {
                    "id": {"type": "string"},
                    "version": {"type": "string"},
                    "content_hash": {"type": "string"},
                    "title": {"type": "string"},
                },
            },
            "language": {"type": "string"},
            "instructions": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "finished_at": {"type": ["string", "null"], "format": "date-time"},
            "answers": {"type": "object", "additionalProperties": {"type": "integer"}},
            "answered_count": {"type": "integer"},
            "items_total": {"type": "integer"},
            "next_item": {"type": ["string", "null"]},
            "page": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["number", "count", "items"],
                        "properties": {
                            "number": {"type": "integer", "minimum": 1},
                            "count": {"type": "integer", "minimum": 1},
                            "items": {"type": "array", "items": _ref("SessionItem")},
                        },
                    },
                ]
            },
            "profile": {"oneOf": [{"type": "null"}, _ref("Profile")]},
            "adaptive": {
                "type": "object",
                "description": "An adaptive session's engine: the item it asks, whether it "
                "stopped and why, the items asked, θ and SE per dimension.",
                "required": ["next_item", "done", "stopped_by", "asked"],
                "properties": {
                    "next_item": {"type": ["string", "null"]},
                    "done": {"type": "boolean"},
                    "stopped_by": {"type": "array", "items": {"type": "string"}},
                    "asked": {"type": "array", "items": {"type": "string"}},
                    "asked_count": {"type": "integer"},
                    "max_items": {"type": ["integer", "null"]},
                    "target_se": {},
                    "estimates": {"type": "object"},
                },
            },
            "round": {
                "type": "object",
                "description": "For a rater of a 360 round: whom they rate, as which group.",
                "required": ["subject", "group", "status"],
                "properties": {
                    "subject": {"type": "string"},
                    "group": {"type": "string"},
                    "status": {"enum": ["open", "closed"]},
                },
            },
            "links": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    schemas["Answer"] = {
        "type": "object",
        "required": ["value"],
        "additionalProperties": False,
        "properties": {"value": answer_value},
    }
    schemas["AnswerResult"] = {
        "type": "object",
        "required": ["item", "value", "answered_count", "items_total", "next_item"],
        "properties": {
            "item": {"type": "string"},
            "value": answer_value,
            "answered_count": {"type": "integer"},
            "items_total": {"type": "integer"},
            "next_item": {"type": ["string", "null"]},
        },
    }
    schemas["Finish"] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "allow_incomplete": {
                "type": "boolean",
                "description": "Score even with unanswered items (the missing-data rules apply).",
            }
        },
    }
    schemas["SessionCounts"] = {
        "type": "object",
        "required": ["rubrics", "started", "finished"],
        "properties": {
            "rubrics": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["rubric", "version", "content_hash", "started", "finished"],
                    "properties": {
                        "rubric": {"type": "string"},
                        "version": {"type": "string"},
                        "content_hash": {"type": "string"},
                        "started": {"type": "integer"},
                        "finished": {"type": "integer"},
                    },
                },
            },
            "started": {"type": "integer"},
            "finished": {"type": "integer"},
        },
    }
    schemas.update(_round_schemas())
    return schemas


def _round_schemas() -> dict[str, Any]:
    """The 360 round bodies of the admin endpoints."""
    count = {"type": "integer", "minimum": 0}
    rules = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "default": {"type": "integer", "minimum": 1},
            "minimum": {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 1},
            },
            "below": {"enum": ["merge", "suppress"]},
        },
    }
    group_count = {
        "type": "object",
        "required": ["group", "invited", "started", "finished"],
        "properties": {"group": {"type": "string"}, "invited": count, "started": count,
                       "finished": count},
    }  # fmt: skip
    link = {"type": "string"}
    round_ = {
        "type": "object",
        "required": ["id", "subject", "rubric", "anonymity", "status", "groups", "links"],
        "properties": {
            "id": {"type": "integer"},
            "subject": {"type": "string"},
            "rubric": {
                "type": "object",
                "required": ["id", "version", "content_hash"],
                "properties": {
                    "id": {"type": "string"},
                    "version": {"type": "string"},
                    "content_hash": {"type": "string"},
                },
            },
            "anonymity": rules,
            "status": {"enum": ["open", "closed"]},
            "created_at": {"type": "string", "format": "date-time"},
            "closed_at": {"type": ["string", "null"], "format": "date-time"},
            "groups": {"type": "array", "items": group_count},
            "invited": count,
            "finished": count,
            "links": {"type": "object", "additionalProperties": link},
        },
    }
    rater = {
        "type": "object",
        "required": ["group", "token", "link", "session"],
        "properties": {"group": {"type": "string"}, "token": {"type": "string"},
                       "link": link, "session": link},
    }  # fmt: skip
    return {
        "RoundCreate": {
            "type": "object",
            "required": ["subject", "rubric", "raters"],
            "additionalProperties": False,
            "properties": {
                "subject": {"type": "string", "minLength": 1, "maxLength": 200},
                "rubric": {"type": "string"},
                "raters": {
                    "type": "object",
                    "description": "How many raters each group invites.",
                    "additionalProperties": count,
                },
                "anonymity": rules,
                "language": {"type": "string"},
            },
        },
        "Round": round_,
        "RoundCreated": {
            "allOf": [
                _ref("Round"),
                {
                    "type": "object",
                    "required": ["raters"],
                    "properties": {"raters": {"type": "array", "items": rater}},
                },
            ]
        },
        "RoundReport": {
            "type": "object",
            "required": ["round", "result"],
            "properties": {
                "round": _ref("Round"),
                "result": {
                    "type": "object",
                    "description": "Round360.to_dict(): withheld views carry no numbers.",
                },
            },
        },
    }


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(schema)}}


def _ok(description: str, schema: str | None, status: str = "200") -> dict[str, Any]:
    out: dict[str, Any] = {"description": description}
    if schema is not None:
        out["content"] = _json(schema)
    return {status: out}


def _errors(*codes: int) -> dict[str, Any]:
    words = {
        400: "The body is not JSON, or gives a key twice.",
        401: "No valid administrator token.",
        404: "No such rubric, session, item or round.",
        409: "The session or round cannot do that now (finished, closed, incomplete, "
        "rubric changed).",
        413: "The body is too large.",
        415: "The body is not application/json.",
        422: "A field or an answer is invalid; the message names it.",
        429: "Too many new sessions from this address; see Retry-After.",
    }
    return {str(c): {"description": words[c], "content": _json("Error")} for c in codes}


def _body(schema: str, *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": _json(schema)}


_TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
_RUBRIC = {"name": "rubric_id", "in": "path", "required": True, "schema": {"type": "string"}}
_PAGE = {
    "name": "page",
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 1},
}
_ITEM = {"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}}


def _paths(*, admin: bool) -> dict[str, Any]:
    body_errors = (400, 413, 415, 422)
    paths: dict[str, Any] = {
        "/rubrics": {
            "get": {
                "operationId": "listRubrics",
                "summary": "The rubrics served.",
                "responses": {
                    "200": {
                        "description": "Every rubric, in short.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["rubrics"],
                                    "properties": {
                                        "rubrics": {
                                            "type": "array",
                                            "items": _ref("RubricSummary"),
                                        }
                                    },
                                }
                            }
                        },
                    }
                },
            }
        },
        "/rubrics/{rubric_id}": {
            "get": {
                "operationId": "getRubric",
                "summary": "One rubric, in the JSON form of rubric files.",
                "parameters": [_RUBRIC],
                "responses": {**_ok("The rubric.", "Rubric"), **_errors(404)},
            }
        },
        "/score": {
            "post": {
                "operationId": "score",
                "summary": "Score answers; nothing is stored.",
                "requestBody": _body("ScoreRequest"),
                "responses": {
                    **_ok("The profile, as Profile.from_json reads it.", "Profile"),
                    **_errors(404, *body_errors),
                },
            }
        },
        "/sessions": {
            "post": {
                "operationId": "createSession",
                "summary": "Start a session; its token is the respondent's private key.",
                "requestBody": _body("SessionCreate"),
                "responses": {
                    **_ok("The new session and its first page.", "SessionState", "201"),
                    **_errors(404, *body_errors, 429),
                },
            }
        },
        "/sessions/{token}": {
            "parameters": [_TOKEN],
            "get": {
                "operationId": "getSession",
                "summary": "A session's state and one page of its items.",
                "parameters": [_PAGE],
                "responses": {**_ok("The state.", "SessionState"), **_errors(404, 409, 422)},
            },
            "delete": {
                "operationId": "deleteSession",
                "summary": "Delete the session, its answers and its profile.",
                "responses": {**_ok("Deleted.", None, "204"), **_errors(404)},
            },
        },
        "/sessions/{token}/answers/{item_id}": {
            "parameters": [_TOKEN, _ITEM],
            "put": {
                "operationId": "answer",
                "summary": "Answer an item (null clears it); committed before the reply.",
                "requestBody": _body("Answer"),
                "responses": {
                    **_ok("Stored.", "AnswerResult"),
                    **_errors(404, 409, *body_errors),
                },
            },
            "delete": {
                "operationId": "clearAnswer",
                "summary": "Clear an item's answer.",
                "responses": {**_ok("Cleared.", "AnswerResult"), **_errors(404, 409)},
            },
        },
        "/sessions/{token}/finish": {
            "parameters": [_TOKEN],
            "post": {
                "operationId": "finishSession",
                "summary": "Score the session and keep its profile (again: the same profile).",
                "requestBody": _body("Finish", required=False),
                "responses": {
                    **_ok("The profile.", "Profile"),
                    **_errors(404, 409, *body_errors),
                },
            },
        },
        "/health": {
            "get": {
                "operationId": "health",
                "summary": "The app answers.",
                "responses": {"200": {"description": "It does."}},
            }
        },
    }
    if admin:
        paths["/admin/sessions"] = {
            "get": {
                "operationId": "adminSessions",
                "summary": "Sessions started and finished per rubric version.",
                "security": [{"admin": []}],
                "responses": {**_ok("The counts.", "SessionCounts"), **_errors(401)},
            }
        }
        paths.update(_round_paths())
    return paths


_ROUND = {"name": "round_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _round_paths() -> dict[str, Any]:
    admin: list[dict[str, list[str]]] = [{"admin": []}]
    one = "/admin/rounds/{round_id}"
    return {
        "/admin/rounds": {
            "post": {
                "operationId": "createRound",
                "summary": "Create a 360 round: one private link per rater (shown once).",
                "security": admin,
                "requestBody": _body("RoundCreate"),
                "responses": {
                    **_ok("The round and its raters' links.", "RoundCreated", "201"),
                    **_errors(400, 401, 404, 413, 415, 422),
                },
            }
        },
        one: {
            "parameters": [_ROUND],
            "get": {
                "operationId": "getRound",
                "summary": "The round and its response counts per rater group.",
                "security": admin,
                "responses": {**_ok("The round.", "Round"), **_errors(401, 404)},
            },
        },
        f"{one}/close": {
            "parameters": [_ROUND],
            "post": {
                "operationId": "closeRound",
                "summary": "Close the round: its raters can answer no more.",
                "security": admin,
                "responses": {**_ok("The closed round.", "Round"), **_errors(401, 404)},
            },
        },
        f"{one}/report": {
            "parameters": [_ROUND],
            "get": {
                "operationId": "roundReport",
                "summary": "score_360 of the finished responses, anonymity applied.",
                "security": admin,
                "responses": {**_ok("The report.", "RoundReport"), **_errors(401, 404, 409)},
            },
        },
        f"{one}/report.html": {
            "parameters": [_ROUND],
            "get": {
                "operationId": "roundReportHtml",
                "summary": "The 360 HTML report, anonymity applied.",
                "security": admin,
                "responses": {
                    "200": {
                        "description": "The self-contained HTML report.",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    },
                    **_errors(401, 404, 409),
                },
            },
        },
        f"{one}/export": {
            "parameters": [_ROUND],
            "get": {
                "operationId": "roundExport",
                "summary": "The finished responses, wide: subject, rater_group, the items.",
                "security": admin,
                "parameters": [
                    {
                        "name": "format",
                        "in": "query",
                        "required": False,
                        "schema": {"enum": ["csv", "parquet"], "default": "csv"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The file.",
                        "content": {
                            "text/csv": {"schema": {"type": "string"}},
                            "application/vnd.apache.parquet": {
                                "schema": {"type": "string", "contentEncoding": "binary"}
                            },
                        },
                    },
                    **_errors(401, 404, 409, 422),
                },
            },
        },
    }


@functools.lru_cache(maxsize=8)
def _document(server: str, admin: bool) -> dict[str, Any]:
    components: dict[str, Any] = {"schemas": _schemas()}
    if admin:
        components["securitySchemes"] = {"admin": {"type": "http", "scheme": "bearer"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mgrlead web API",
            "version": __version__,
            "description": "Manager-or-leader assessments: rubrics, scoring and sessions.",
        },
        "servers": [{"url": server}],
        "paths": _paths(admin=admin),
        "components": components,
    }


def openapi_document(*, server: str = "/api/v1", admin: bool = False) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API served at ``server`` (with the admin paths or not)."""
    return copy.deepcopy(_document(server, admin))
