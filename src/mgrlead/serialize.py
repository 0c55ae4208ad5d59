"""Loading and dumping rubrics and profiles (cattrs).

One converter, made by :func:`make_converter`, turns plain data (from TOML or
JSON) into the attrs model and back.  It is strict: unknown keys are errors,
strings are never turned into numbers, booleans are never numbers, and every
problem in a file is reported at once with its path, e.g.
``rubric.toml: expected an integer, got str '3' @ $.scale.max``.
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from mgrlead.errors import InputError, MgrleadError, RubricError, RubricFileError
from mgrlead.model import Rubric
from mgrlead.results import Profile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "dump_rubric",
    "load_rubric_data",
    "load_rubric_file",
    "make_converter",
    "structure_profile",
    "unstructure_rubric",
]

#: File suffixes and the format each one means.
FORMATS = {".toml": "toml", ".json": "json"}


class _TypeMismatch(ValueError):  # noqa: N818 - a message carrier, shown as is
    """A value of the wrong type in a file; its message is shown as is."""


def _describe(value: object) -> str:
    return f"{type(value).__name__} {value!r}"


def _strict_int(value: object, _type: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _TypeMismatch(f"expected an integer, got {_describe(value)}")
    return value


def _strict_float(value: object, _type: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _TypeMismatch(f"expected a number, got {_describe(value)}")
    return float(value)


def _strict_str(value: object, _type: object) -> str:
    if not isinstance(value, str):
        raise _TypeMismatch(f"expected a string, got {_describe(value)}")
    return value


def _strict_bool(value: object, _type: object) -> bool:
    if not isinstance(value, bool):
        raise _TypeMismatch(f"expected true or false, got {_describe(value)}")
    return value


def _strict_tuple(value: object, _type: object) -> None:
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
        raise _TypeMismatch(f"expected a list, got {_describe(value)}")


@cache
def make_converter() -> cattrs.Converter:
    """The strict converter used for every rubric and profile (built once)."""
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(float, _strict_float)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(bool, _strict_bool)

    def is_tuple(t: Any) -> bool:  # noqa: ANN401
        return getattr(t, "__origin__", None) is tuple

    def structure_tuple(value: object, type_: Any) -> tuple[Any, ...]:  # noqa: ANN401
        _strict_tuple(value, type_)
        return base_tuple(value, type_)  # type: ignore[no-any-return]

    base_tuple = converter.get_structure_hook(tuple[int, ...])  # a generic tuple handler
    converter.register_structure_hook_func(is_tuple, structure_tuple)

    def is_mapping(t: Any) -> bool:  # noqa: ANN401
        return getattr(t, "__origin__", None) is Mapping

    def structure_mapping(value: object, _type: Any) -> dict[str, float]:  # noqa: ANN401
        if not isinstance(value, Mapping):
            raise _TypeMismatch(f"expected a table of names to numbers, got {_describe(value)}")
        bad = [
            f"{key!r}: expected a number, got {_describe(val)}"
            for key, val in value.items()
            if isinstance(val, bool) or not isinstance(val, (int, float))
        ]
        bad += [f"key {key!r} is not a string" for key in value if not isinstance(key, str)]
        if bad:
            raise _TypeMismatch("; ".join(bad))
        return {str(key): float(val) for key, val in value.items()}

    converter.register_structure_hook_func(is_mapping, structure_mapping)
    converter.register_unstructure_hook_func(is_mapping, dict)
    # Provenance is not part of a rubric's content: files neither carry nor accept it.
    omit = override(omit=True)
    converter.register_structure_hook(
        Rubric,
        make_dict_structure_fn(Rubric, converter, _cattrs_forbid_extra_keys=True, sources=omit),
    )
    converter.register_unstructure_hook(
        Rubric, make_dict_unstructure_fn(Rubric, converter, sources=omit)
    )
    return converter


def _format_exception(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, (_TypeMismatch, MgrleadError)):
        return str(exc)
    if isinstance(exc, ForbiddenExtraKeysError):
        known = [a.alias or a.name for a in attrs.fields(exc.cl) if a.init]
        parts = []
        for key in sorted(exc.extra_fields):
            close = difflib.get_close_matches(key, known, n=1)
            parts.append(f"{key!r} (did you mean {close[0]!r}?)" if close else repr(key))
        return f"unknown key {', '.join(parts)}; the keys here are {', '.join(known)}"
    if isinstance(exc, KeyError):
        return "required key is missing"
    return cattrs.v.format_exception(exc, type_)


def _problems(exc: Exception) -> list[str]:
    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        return list(cattrs.transform_error(exc, format_exception=_format_exception))
    return [f"{exc} @ $"]


def load_rubric_data(data: Mapping[str, Any], *, source: str = "<data>") -> Rubric:
    """Build a rubric from plain data (as read from TOML or JSON).

    Raises:
        RubricFileError: listing every problem with its path.
    """
    if not isinstance(data, Mapping):
        raise RubricFileError(source, [f"expected a table at the top, got {_describe(data)}"])
    try:
        return make_converter().structure(data, Rubric)
    except (ClassValidationError, IterableValidationError, RubricError, _TypeMismatch) as exc:
        raise RubricFileError(source, _problems(exc)) from exc


def load_rubric_file(path: str | Path) -> Rubric:
    """Load a rubric from a ``.toml`` or ``.json`` file.

    Raises:
        RubricFileError: when the file cannot be read, parsed, or validated.
    """
    path = Path(path)
    name = path.name
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise RubricFileError(
            name, [f"unknown rubric file type {path.suffix!r}; use one of {', '.join(FORMATS)}"]
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RubricFileError(name, [f"cannot read the file: {exc.strerror}"]) from exc
    rubric = load_rubric_text(raw, fmt=fmt, source=name)
    rubric = attrs.evolve(rubric, sources={f"rubric:{rubric.id}": f"file {name}"})
    try:
        _ = rubric.plan  # resolves the strategy name (built-in or from a plugin)
    except RubricError as exc:
        raise RubricFileError(name, [f"{exc} @ $.strategy"]) from exc
    return rubric


def load_rubric_text(raw: str | bytes, *, fmt: str, source: str = "<string>") -> Rubric:
    """Parse rubric text in format ``fmt`` (``"toml"`` or ``"json"``) and build it."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    try:
        data = tomllib.loads(text) if fmt == "toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RubricFileError(source, [f"not valid {fmt.upper()}: {exc}"]) from exc
    return load_rubric_data(data, source=source)


def unstructure_rubric(rubric: Rubric) -> dict[str, Any]:
    """The rubric as plain data, ready for JSON or TOML."""
    data: dict[str, Any] = make_converter().unstructure(rubric)
    return data


def dump_rubric(rubric: Rubric) -> str:
    """The rubric as JSON text that :func:`load_rubric_text` reads back equal."""
    return json.dumps(unstructure_rubric(rubric), indent=2, ensure_ascii=False)


def structure_profile(data: Mapping[str, Any]) -> Profile:
    """Rebuild a :class:`~mgrlead.results.Profile` from its dict form."""
    try:
        return make_converter().structure(data, Profile)
    except (ClassValidationError, IterableValidationError, _TypeMismatch) as exc:
        problems = "; ".join(_problems(exc))
        raise InputError(f"not a valid profile: {problems}") from exc
