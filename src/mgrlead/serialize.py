"""Loading and dumping rubrics and profiles (cattrs): TOML, JSON and YAML.

One converter, made by :func:`make_converter`, turns plain data into the attrs
model and back.  It is strict: unknown keys are errors, strings are never turned
into numbers, booleans are never numbers, and every problem in a file is
reported at once with its path, e.g.
``rubric.toml: expected an integer, got str '3' @ $.scale.max``.

YAML is read only with a safe loader (``yaml.safe_load``): no file format can
run code or build Python objects.
"""

from __future__ import annotations

import difflib
import json
import sys
import typing
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from mgrlead.errors import InputError, MgrleadError, RubricError, RubricFileError
from mgrlead.model import Rubric
from mgrlead.results import Profile

if typing.TYPE_CHECKING:
    from mgrlead.norms import NormTable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "FORMATS",
    "dump_norms",
    "dump_rubric",
    "load_norms",
    "load_rubric_data",
    "load_rubric_file",
    "load_rubric_text",
    "make_converter",
    "structure_profile",
    "unstructure_rubric",
]

#: File suffixes and the format each one means.
FORMATS: Final = {".toml": "toml", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}


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


def _origin(t: Any) -> Any:  # noqa: ANN401
    return getattr(t, "__origin__", None)


@cache
def make_converter() -> cattrs.Converter:
    """The strict converter used for every rubric and profile (built once).

    Dumping leaves out every value equal to its default, so files stay short
    and TOML (which has no null) can hold every rubric.
    """
    converter = cattrs.Converter(
        forbid_extra_keys=True, detailed_validation=True, omit_if_default=True
    )
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(float, _strict_float)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(bool, _strict_bool)

    def structure_tuple(value: object, type_: Any) -> tuple[Any, ...]:  # noqa: ANN401
        _strict_tuple(value, type_)
        return base_tuple(value, type_)  # type: ignore[no-any-return]

    base_tuple = converter.get_structure_hook(tuple[int, ...])  # the generic tuple handler
    converter.register_structure_hook_func(lambda t: _origin(t) is tuple, structure_tuple)

    def structure_mapping(value: object, type_: Any) -> dict[str, Any]:  # noqa: ANN401
        if not isinstance(value, Mapping):
            raise _TypeMismatch(f"expected a table, got {_describe(value)}")
        value_type = type_.__args__[1]
        bad = [f"key {key!r} is not a string" for key in value if not isinstance(key, str)]
        out = {}
        for key, val in value.items():
            try:
                out[str(key)] = converter.structure(val, value_type)
            except _TypeMismatch as exc:  # noqa: PERF203 - every bad value is reported
                bad.append(f"{key!r}: {exc}")
        if bad:
            raise _TypeMismatch("; ".join(bad))
        return out

    def is_mapping(t: Any) -> bool:  # noqa: ANN401
        return _origin(t) in {Mapping, dict}

    converter.register_structure_hook_func(is_mapping, structure_mapping)
    converter.register_unstructure_hook_func(
        is_mapping, lambda m: {k: converter.unstructure(v) for k, v in m.items()}
    )
    # Provenance is not part of a rubric's content: files neither carry nor accept it.
    omit = override(omit=True)
    converter.register_structure_hook(
        Rubric,
        make_dict_structure_fn(Rubric, converter, _cattrs_forbid_extra_keys=True, sources=omit),
    )
    converter.register_unstructure_hook(
        Rubric,
        make_dict_unstructure_fn(Rubric, converter, _cattrs_omit_if_default=True, sources=omit),
    )
    # Profiles are results: every field is always written.
    converter.register_unstructure_hook(Profile, lambda p: attrs.asdict(p, recurse=True))
    return converter


def _format_exception(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, (_TypeMismatch, MgrleadError)):
        return str(exc)
    if isinstance(exc, ForbiddenExtraKeysError):
        known = [a.alias or a.name for a in attrs.fields(exc.cl) if a.init and a.name != "sources"]
        parts = []
        for key in sorted(exc.extra_fields):
            close = difflib.get_close_matches(key, known, n=1)
            parts.append(f"{key!r} (did you mean {close[0]!r}?)" if close else repr(key))
        return f"unknown key {', '.join(parts)}; the keys here are {', '.join(known)}"
    if isinstance(exc, KeyError):
        return "required key is missing"
    return cattrs.v.format_exception(exc, type_)


def _problems(exc: Exception, path: str = "$") -> list[str]:
    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        return list(cattrs.transform_error(exc, path=path, format_exception=_format_exception))
    return [f"{exc} @ {path}"]


_STRUCTURE_ERRORS = (ClassValidationError, IterableValidationError, RubricError, _TypeMismatch)


def load_rubric_data(
    data: Mapping[str, Any], *, source: str = "<data>", folder: Path | None = None
) -> Rubric:
    """Build a rubric from plain data (as read from TOML, JSON or YAML).

    A rubric with ``extends = "name"`` builds on a registered rubric (or a
    rubric file, relative to ``folder``): its dimensions are added (one with the
    id of a base dimension replaces it), and every other key it sets replaces
    the base's value.

    Raises:
        RubricFileError: listing every problem with its path.
    """
    if not isinstance(data, Mapping):
        raise RubricFileError(source, [f"expected a table at the top, got {_describe(data)}"])
    if "extends" in data:
        rubric = _extend(data, source, folder)
    else:
        try:
            rubric = make_converter().structure(data, Rubric)
        except _STRUCTURE_ERRORS as exc:
            raise RubricFileError(source, _problems(exc)) from exc
    _check_required_plugins(rubric, source)
    return rubric


def _extend(data: Mapping[str, Any], source: str, folder: Path | None) -> Rubric:
    from mgrlead.api import load_rubric  # noqa: PLC0415

    name = data["extends"]
    if not isinstance(name, str):
        raise RubricFileError(
            source, [f"expected a rubric name, got {_describe(name)} @ $.extends"]
        )
    problems = [f"an extending rubric needs its own {key} @ $" for key in ("id", "version")
                if key not in data]  # fmt: skip
    candidate = (folder / name) if folder is not None else Path(name)
    try:
        base = load_rubric(candidate if candidate.suffix and candidate.is_file() else name)
    except MgrleadError as exc:
        raise RubricFileError(source, [*problems, f"extends {name!r}: {exc} @ $.extends"]) from exc
    hints = typing.get_type_hints(Rubric)
    fields = {a.name: hints[a.name] for a in attrs.fields(Rubric) if a.init and a.name != "sources"}
    converter = make_converter()
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key == "extends":
            continue
        if key not in fields:
            close = difflib.get_close_matches(key, fields, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"unknown key {key!r}{hint} @ $")
            continue
        try:
            changes[key] = converter.structure(value, fields[key])
        except _STRUCTURE_ERRORS as exc:
            problems.extend(_problems(exc, f"$.{key}"))
    if problems:
        raise RubricFileError(source, problems)
    if "dimensions" in changes:
        added = {d.id: d for d in changes["dimensions"]}
        merged = [added.pop(d.id, d) for d in base.dimensions]
        changes["dimensions"] = [*merged, *added.values()]
    try:
        rubric = attrs.evolve(base, **changes)
    except RubricError as exc:
        raise RubricFileError(source, [f"{exc} @ $"]) from exc
    sources = {k: v for k, v in base.sources.items() if k.startswith("dimension:")}
    return attrs.evolve(rubric, sources=sources)


def _check_required_plugins(rubric: Rubric, source: str) -> None:
    """Every plugin the rubric requires must be installed, recent enough, and loaded."""
    if not rubric.requires_plugins:
        return
    from importlib import metadata  # noqa: PLC0415

    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415

    from mgrlead.plugins import default_host  # noqa: PLC0415

    problems = []
    loaded = {p.name for p in default_host().plugins}
    for n, text in enumerate(rubric.requires_plugins):
        where = f"$.requires_plugins[{n}]"
        try:
            req = Requirement(text)
        except InvalidRequirement as exc:
            problems.append(
                f"{text!r} is not a requirement like 'mgrlead-x>=1.0' ({exc}) @ {where}"
            )
            continue
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            problems.append(
                f"needs the plugin {text!r}, which is not installed; pip install '{text}' @ {where}"
            )
            continue
        if req.specifier and not req.specifier.contains(version, prereleases=True):
            problems.append(
                f"needs the plugin {text!r}, but version {version} is installed; "
                f"pip install --upgrade '{text}' @ {where}"
            )
        elif req.name not in loaded:
            problems.append(
                f"needs the plugin {req.name!r}, which is installed but not loaded; check "
                f"MGRLEAD_LOAD_PLUGINS and MGRLEAD_DISABLE_PLUGINS (`mgrlead plugins`) @ {where}"
            )
    if problems:
        raise RubricFileError(source, problems)


def load_rubric_file(path: str | Path) -> Rubric:
    """Load a rubric from a ``.toml``, ``.json`` or ``.yaml`` file.

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
    rubric = load_rubric_text(raw, fmt=fmt, source=name, folder=path.parent)
    sources = {**rubric.sources, f"rubric:{rubric.id}": f"file {name}"}
    rubric = attrs.evolve(rubric, sources=sources)
    try:
        _ = rubric.plan  # resolves the strategy name (built-in or from a plugin)
    except RubricError as exc:
        raise RubricFileError(name, [f"{exc} @ $.strategy"]) from exc
    return rubric


def parse_text(raw: str | bytes, *, fmt: str, source: str = "<string>") -> Any:  # noqa: ANN401
    """Parse TOML, JSON or YAML text into plain data (YAML through the safe loader)."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise RubricFileError(
            source, [f"not UTF-8 text ({exc.reason} at byte {exc.start})"]
        ) from exc
    if fmt == "yaml":
        yaml = _yaml()
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise RubricFileError(
                source, [f"not valid YAML: {' '.join(str(exc).split())}"]
            ) from exc
    try:
        return tomllib.loads(text) if fmt == "toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise RubricFileError(source, [f"not valid {fmt.upper()}: {exc}"]) from exc


def load_rubric_text(
    raw: str | bytes, *, fmt: str, source: str = "<string>", folder: Path | None = None
) -> Rubric:
    """Parse rubric text in format ``fmt`` (``toml``, ``json`` or ``yaml``) and build it."""
    return load_rubric_data(parse_text(raw, fmt=fmt, source=source), source=source, folder=folder)


def _yaml() -> Any:  # noqa: ANN401
    try:
        import yaml  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = "YAML rubric files need PyYAML: pip install 'mgrlead[yaml]'"
        raise InputError(msg) from exc
    return yaml


def unstructure_rubric(rubric: Rubric) -> dict[str, Any]:
    """The rubric as plain data, ready for any format (defaults left out)."""
    data: dict[str, Any] = make_converter().unstructure(rubric)
    return data


def dump_rubric(rubric: Rubric, fmt: str = "json") -> str:
    """The rubric as text in ``fmt`` that :func:`load_rubric_text` reads back equal."""
    data = unstructure_rubric(rubric)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "toml":
        import tomli_w  # noqa: PLC0415

        return tomli_w.dumps(data, multiline_strings=True)
    if fmt == "yaml":
        text: str = _yaml().safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        return text
    raise InputError(f"unknown rubric format {fmt!r}; use toml, json or yaml")


def load_norms(path: str | Path) -> NormTable:
    """Load a norm table from a ``.toml``, ``.json`` or ``.yaml`` file.

    Raises:
        RubricFileError: the file cannot be read or is not a valid norm table.
    """
    from mgrlead.norms import NormTable  # noqa: PLC0415

    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise RubricFileError(path.name, [f"unknown file type {path.suffix!r}"])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RubricFileError(path.name, [f"cannot read the file: {exc.strerror}"]) from exc
    data = parse_text(raw, fmt=fmt, source=path.name)
    try:
        return make_converter().structure(data, NormTable)
    except _STRUCTURE_ERRORS as exc:
        raise RubricFileError(path.name, _problems(exc)) from exc


def dump_norms(table: NormTable, fmt: str = "toml") -> str:
    """A norm table as TOML, JSON or YAML text that :func:`load_norms` reads back equal."""
    data = make_converter().unstructure(table)
    if fmt == "toml":
        import tomli_w  # noqa: PLC0415

        return tomli_w.dumps(data)
    if fmt == "yaml":
        text: str = _yaml().safe_dump(data, sort_keys=False, allow_unicode=True)
        return text
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def structure_profile(data: Mapping[str, Any]) -> Profile:
    """Rebuild a :class:`~mgrlead.results.Profile` from its dict form."""
    try:
        return make_converter().structure(data, Profile)
    except (ClassValidationError, IterableValidationError, _TypeMismatch) as exc:
        problems = "; ".join(_problems(exc))
        raise InputError(f"not a valid profile: {problems}") from exc
