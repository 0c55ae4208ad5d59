"""A JSON Schema of the rubric-file format, generated from the attrs model.

Editors (VS Code with the YAML or Even Better TOML extensions, JetBrains IDEs)
use it to complete keys and flag mistakes while a rubric file is written.  It
is generated from the model's fields, types, validators and attribute
docstrings, so it cannot drift from what mgrlead accepts; the loader checks
more (cross-field invariants) than a schema can say.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Mapping
from typing import Any

import attrs

from mgrlead._version import __version__
from mgrlead.conversion import field_docs, file_fields
from mgrlead.model import Rubric
from mgrlead.results import (
    CARELESS_METRICS,
    DIMENSION_METRICS,
    OVERALL_METRICS,
    THETA_METRICS,
    Metric,
    Profile,
)

if typing.TYPE_CHECKING:
    from mgrlead.plan import ScoringPlan

__all__ = ["profile_schema", "rubric_schema", "score_row_schema"]

_PRIMITIVES: dict[Any, dict[str, Any]] = {
    int: {"type": "integer"},
    float: {"type": "number"},
    str: {"type": "string"},
    bool: {"type": "boolean"},
}


def _validator_keywords(validator: Any) -> dict[str, Any]:  # noqa: ANN401
    """What a schema can say about attrs' standard validators (in_, matches_re)."""
    out: dict[str, Any] = {}
    for v in getattr(validator, "_validators", (validator,)):
        options = getattr(v, "options", None)
        if options is not None and not isinstance(options, type):
            out["enum"] = list(options)
        pattern = getattr(v, "pattern", None)
        if pattern is not None:
            out["pattern"] = f"^(?:{getattr(pattern, 'pattern', pattern)})$"
    return out


def _type_schema(
    tp: Any,  # noqa: ANN401
    defs: dict[str, Any],
    *,
    results: bool = False,
) -> dict[str, Any]:
    """The schema of a type; ``results``: ``None`` is a value (results), not a default (files)."""
    if tp in _PRIMITIVES:
        return dict(_PRIMITIVES[tp])
    if attrs.has(tp):
        _class_schema(tp, defs, results=results)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is tuple:
        return {"type": "array", "items": _type_schema(args[0], defs, results=results)}
    if origin in {Mapping, dict}:
        return {
            "type": "object",
            "additionalProperties": _type_schema(args[1], defs, results=results),
        }
    if origin in {typing.Union, types.UnionType}:
        options = [_type_schema(a, defs, results=results) for a in args if a is not type(None)]
        if results and type(None) in args:
            options.append({"type": "null"})
        return options[0] if len(options) == 1 else {"anyOf": options}
    return {}


def _class_schema(cls: type, defs: dict[str, Any], *, results: bool = False) -> None:
    if cls.__name__ in defs:
        return
    defs[cls.__name__] = {}  # placeholder: classes may refer to themselves
    hints = typing.get_type_hints(cls)
    docs = field_docs(cls)
    properties = {}
    required = []
    for field in attrs.fields(cls) if results else file_fields(cls):
        schema = _type_schema(hints[field.name], defs, results=results)
        schema.update(_validator_keywords(field.validator))
        if field.name in docs:
            schema["description"] = docs[field.name]
        properties[field.alias or field.name] = schema
        if results or field.default is attrs.NOTHING:  # results carry every field
            required.append(field.alias or field.name)
    entry: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    doc = inspect.getdoc(cls)
    if doc:
        entry["description"] = doc.split("\n\n")[0].replace("\n", " ")
    if required:
        entry["required"] = required
    defs[cls.__name__] = entry


def rubric_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a rubric file.

    A file that ``extends`` another rubric needs only the keys it changes, plus
    ``extends``, ``id`` and ``version``.
    """
    defs: dict[str, Any] = {}
    _class_schema(Rubric, defs)
    root = dict(defs.pop("Rubric"))
    root["properties"] = {
        "extends": {
            "type": "string",
            "description": "Build on a registered rubric (or a rubric file): add dimensions, "
            "override other keys.",
        },
        **root["properties"],
    }
    required = root.pop("required", [])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://mgrlead.readthedocs.io/schema/rubric-{__version__}.json",
        "title": "mgrlead rubric",
        **root,
        "if": {"not": {"required": ["extends"]}},
        "then": {"required": required},
        "else": {"required": ["extends", "id", "version"]},
        "$defs": defs,
    }


def profile_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a profile, as :meth:`Profile.to_json` writes it.

    Generated from the result classes: every field is there, and a number that
    could not be computed is ``null``, never 0.
    """
    defs: dict[str, Any] = {}
    _class_schema(Profile, defs, results=True)
    root = dict(defs.pop("Profile"))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://mgrlead.readthedocs.io/schema/profile-{__version__}.json",
        "title": "mgrlead profile",
        **root,
        "$defs": defs,
    }


_JSON_TYPES = {"float": "number", "int": "integer", "str": "string", "bool": "boolean"}


def _metric_schema(metric: Metric, bands: tuple[str, ...] | None = None) -> dict[str, Any]:
    kind = _JSON_TYPES[metric.kind]
    schema: dict[str, Any] = {"type": [kind, "null"] if metric.nullable else kind}
    if bands is not None:
        schema["enum"] = [*bands, None]
    if metric.description:
        schema["description"] = metric.description
    return schema


def score_row_schema(plan: ScoringPlan, *, careless: bool = True) -> dict[str, Any]:
    """The JSON Schema of one row of scores (``mgrlead score --format json``) for ``plan``.

    Generated from the metrics table (:data:`~mgrlead.results.DIMENSION_METRICS`
    and its siblings): one property per score column, band columns limited to
    their bands' ids.  Pass-through columns are allowed beside them.
    """
    properties: dict[str, Any] = {}
    for dim in plan.dimensions:
        ids = tuple(b.id for b in dim.bands)
        for m in DIMENSION_METRICS:
            properties[f"{dim.id}_{m.name}"] = _metric_schema(m, ids if m.name == "band" else None)
        for m in THETA_METRICS if plan.strategy.scores_theta else ():  # null: not scorable
            properties[f"{dim.id}_{m.name}"] = _metric_schema(attrs.evolve(m, nullable=True))
    overall = tuple(b.id for b in plan.overall_bands)
    for m in OVERALL_METRICS:
        properties[f"overall_{m.name}"] = _metric_schema(m, overall if m.name == "band" else None)
    if careless:
        for m in CARELESS_METRICS:
            properties[f"careless_{m.name}"] = _metric_schema(m)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"mgrlead scores of {plan.rubric} {plan.version}",
        "type": "object",
        "properties": properties,
        "required": list(properties),
    }
