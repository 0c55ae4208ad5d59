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

import contextvars
import functools
import json
import re
import sys
import typing
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final, Protocol

import attrs

from mgrlead.conversion import describe, file_fields, problems, strict_converter, structure_errors
from mgrlead.errors import (
    DuplicateKeyError,
    InputError,
    MgrleadError,
    RubricError,
    RubricFileError,
    closest,
    did_you_mean,
)
from mgrlead.model import Rubric
from mgrlead.plan import compile_plan
from mgrlead.strategies import BUILTIN_STRATEGIES, ScoringStrategy

if typing.TYPE_CHECKING:
    import cattrs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "FORMATS",
    "RubricContext",
    "dump_rubric",
    "dump_text",
    "load_rubric_data",
    "load_rubric_file",
    "load_rubric_text",
    "make_converter",
    "parse_text",
    "unstructure_rubric",
]

#: File suffixes and the format each one means.
FORMATS: Final = {".toml": "toml", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}


class _PluginInfo(Protocol):
    @property
    def name(self) -> str: ...


class RubricContext(Protocol):
    """What loading a rubric file may need from a :class:`~mgrlead.plugins.host.PluginHost`.

    ``extends = "name"`` needs :meth:`rubric`; ``requires_plugins`` needs
    :attr:`plugins`; a strategy that is not built in needs :meth:`resolve_strategy`.
    """

    @property
    def plugins(self) -> Iterable[_PluginInfo]:
        """The loaded plugins (each with a ``name``)."""
        ...  # pragma: no cover - a protocol

    def rubric(self, name: str) -> Rubric:
        """A registered rubric by name."""
        ...  # pragma: no cover - a protocol

    def resolve_strategy(self, name: str) -> ScoringStrategy:
        """A strategy by name."""
        ...  # pragma: no cover - a protocol


@cache
def make_converter() -> cattrs.Converter:
    """The strict converter used for rubrics and norm tables (built once).

    See :func:`mgrlead.conversion.strict_converter`: unknown keys are errors,
    no value changes type, and provenance (``sources``, ``host``) is neither
    written nor accepted.
    """
    return strict_converter()


def load_rubric_data(
    data: Mapping[str, Any],
    *,
    source: str = "<data>",
    folder: Path | None = None,
    context: RubricContext | None = None,
) -> Rubric:
    """Build a rubric from plain data (as read from TOML, JSON or YAML).

    A rubric with ``extends = "name"`` builds on a registered rubric (or a
    rubric file, relative to ``folder``): its dimensions are added (one with the
    id of a base dimension replaces it), and every other key it sets replaces
    the base's value.  ``context`` (a plugin host) resolves registered names and
    checks ``requires_plugins``; :func:`mgrlead.load_rubric` passes the
    process-wide host.

    Raises:
        RubricFileError: listing every problem with its path.
    """
    if not isinstance(data, Mapping):
        raise RubricFileError(source, [f"expected a table at the top, got {describe(data)}"])
    if "extends" in data:
        rubric = _extend(data, source, folder, context)
    else:
        try:
            rubric = make_converter().structure(data, Rubric)
        except structure_errors() as exc:
            raise RubricFileError(source, problems(exc)) from exc
    _check_translation_keys(rubric, data.get("translations"), source)
    _check_required_plugins(rubric, source, context)
    return rubric


def _check_translation_keys(rubric: Rubric, translations: object, source: str) -> None:
    """A file's translations name only texts the rubric has (the model leaves others out).

    Raises:
        RubricFileError: naming each unknown key, with the closest known one.
    """
    if not isinstance(translations, Mapping):
        return
    keys = rubric.text_keys()
    unknown = [
        f"translation {lang!r} has the unknown text key {key!r}{did_you_mean(key, keys)} "
        f"@ $.translations.{lang}"
        for lang, texts in translations.items()
        if isinstance(texts, Mapping)
        for key in texts
        if key not in keys
    ]
    if unknown:
        raise RubricFileError(source, unknown)


#: How many ``extends`` may chain (a file extending a file extending ...).
MAX_EXTENDS: Final = 16
_EXTENDING: contextvars.ContextVar[tuple[Path, ...]] = contextvars.ContextVar(
    "mgrlead_extending", default=()
)


def _base(name: str, folder: Path | None, context: RubricContext | None) -> Rubric:
    """The rubric an ``extends`` names: a file (relative to ``folder``), or a registered one.

    A file must lie in ``folder`` or below it: ``extends`` never reaches out of
    the folder of the file that names it (``../`` and absolute paths are
    refused).  A chain of files may not loop, and at most :data:`MAX_EXTENDS`
    deep.
    """
    candidate = (folder / name) if folder is not None else Path(name)
    if candidate.suffix and candidate.is_file():
        home = (folder or Path.cwd()).resolve()
        target = candidate.resolve()
        if not target.is_relative_to(home):
            raise RubricError(
                f"{name!r} lies outside the folder of the file that extends it ({home}); "
                "put the base rubric beside it or in a folder below"
            )
        chain = _EXTENDING.get()
        if target in chain:
            loop = " -> ".join(p.name for p in (*chain[chain.index(target) :], target))
            raise RubricError(f"the files extend each other in a loop: {loop}")
        if len(chain) >= MAX_EXTENDS:
            raise RubricError(f"more than {MAX_EXTENDS} files extend each other in a chain")
        token = _EXTENDING.set((*chain, target))
        try:
            return load_rubric_file(candidate, context=context)
        finally:
            _EXTENDING.reset(token)
    if context is None:
        raise RubricError(
            f"{name!r} is no rubric file, and a registered rubric needs a plugin host to be "
            "found; load the file with mgrlead.load_rubric"
        )
    return context.rubric(name)


def _extend(
    data: Mapping[str, Any], source: str, folder: Path | None, context: RubricContext | None
) -> Rubric:
    name = data["extends"]
    if not isinstance(name, str):
        raise RubricFileError(source, [f"expected a rubric name, got {describe(name)} @ $.extends"])
    found = [f"an extending rubric needs its own {key} @ $" for key in ("id", "version")
             if key not in data]  # fmt: skip
    try:
        base = _base(name, folder, context)
    except MgrleadError as exc:
        raise RubricFileError(source, [*found, f"extends {name!r}: {exc} @ $.extends"]) from exc
    hints = typing.get_type_hints(Rubric)
    fields = {a.name: hints[a.name] for a in file_fields(Rubric)}
    converter = make_converter()
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key == "extends":
            continue
        if key not in fields:
            close = closest(key, fields)
            hint = f" (did you mean {close!r}?)" if close else ""
            found.append(f"unknown key {key!r}{hint} @ $")
            continue
        try:
            changes[key] = converter.structure(value, fields[key])
        except structure_errors() as exc:
            found.extend(problems(exc, f"$.{key}"))
    if found:
        raise RubricFileError(source, found)
    if "dimensions" in changes:
        ids = [d.id for d in changes["dimensions"]]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise RubricFileError(source, [
                f"dimension id {i!r} is used twice; give each dimension its own id @ $.dimensions"
                for i in twice
            ])  # fmt: skip
        added = {d.id: d for d in changes["dimensions"]}
        merged = [added.pop(d.id, d) for d in base.dimensions]
        changes["dimensions"] = [*merged, *added.values()]
    try:
        rubric = attrs.evolve(base, **changes)
    except RubricError as exc:
        raise RubricFileError(source, [f"{exc} @ $"]) from exc
    sources = {k: v for k, v in base.sources.items() if k.startswith("dimension:")}
    return attrs.evolve(rubric, sources=sources)


def _check_required_plugins(rubric: Rubric, source: str, context: RubricContext | None) -> None:
    """Every plugin the rubric requires must be installed, recent enough, and loaded.

    Loaded means loaded by ``context``; without one, installed is enough.
    """
    if not rubric.requires_plugins:
        return
    from importlib import metadata  # noqa: PLC0415

    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415

    found = []
    loaded = None if context is None else {p.name for p in context.plugins}
    for n, text in enumerate(rubric.requires_plugins):
        where = f"$.requires_plugins[{n}]"
        try:
            req = Requirement(text)
        except InvalidRequirement as exc:
            found.append(f"{text!r} is not a requirement like 'mgrlead-x>=1.0' ({exc}) @ {where}")
            continue
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            found.append(
                f"needs the plugin {text!r}, which is not installed; pip install '{text}' @ {where}"
            )
            continue
        if req.specifier and not req.specifier.contains(version, prereleases=True):
            found.append(
                f"needs the plugin {text!r}, but version {version} is installed; "
                f"pip install --upgrade '{text}' @ {where}"
            )
        elif loaded is not None and req.name not in loaded:
            found.append(
                f"needs the plugin {req.name!r}, which is installed but not loaded; check "
                f"MGRLEAD_LOAD_PLUGINS and MGRLEAD_DISABLE_PLUGINS (`mgrlead plugins`) @ {where}"
            )
    if found:
        raise RubricFileError(source, found)


def load_rubric_file(path: str | Path, *, context: RubricContext | None = None) -> Rubric:
    """Load a rubric from a ``.toml``, ``.json`` or ``.yaml`` file.

    ``context`` (a plugin host) resolves registered names (``extends``, a
    plugin's strategy) and becomes the rubric's :attr:`~mgrlead.model.Rubric.host`;
    :func:`mgrlead.load_rubric` passes the process-wide host.

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
    rubric = load_rubric_text(raw, fmt=fmt, source=name, folder=path.parent, context=context)
    sources = {**rubric.sources, f"rubric:{rubric.id}": f"file {name}"}
    rubric = attrs.evolve(rubric, sources=sources, host=context)
    theta = rubric.strategy == "theta" and context is None  # built in, from mgrlead.irt
    if rubric.strategy not in BUILTIN_STRATEGIES and context is None and not theta:
        problem = (
            f"no strategy named {rubric.strategy!r} is built in; load the file with "
            "mgrlead.load_rubric so that plugins can provide it"
        )
        raise RubricFileError(name, [f"{problem} @ $.strategy"])
    try:  # the strategy name must resolve, and bands on its score fit its range
        if theta:
            from mgrlead.irt.scoring import ThetaStrategy  # noqa: PLC0415 - only for θ

            compile_plan(rubric, ThetaStrategy())
        else:
            compile_plan(rubric)
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
            data = yaml.load(text, Loader=_strict_yaml_loader())
            _check_size(data)
        except DuplicateKeyError as exc:
            raise RubricFileError(source, [str(exc)]) from None
        except yaml.YAMLError as exc:
            raise RubricFileError(
                source, [f"not valid YAML: {' '.join(str(exc).split())[:500]}"]
            ) from exc
        return data
    try:
        if fmt == "toml":
            return tomllib.loads(text)
        return json.loads(text, object_pairs_hook=_unique_keys)
    except DuplicateKeyError as exc:
        raise RubricFileError(source, [f"{exc}{_json_lines(text, exc.key)}"]) from None
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise RubricFileError(source, [f"not valid {fmt.upper()}: {exc}"]) from exc
    except RecursionError:
        raise RubricFileError(
            source, [f"nested too deeply to be a rubric (at most {MAX_DEPTH} levels)"]
        ) from None


#: How deeply a rubric file may nest, how many YAML aliases it may use, and how
#: many values it may hold once the aliases are expanded.
MAX_DEPTH: Final = 64
MAX_ALIASES: Final = 100
MAX_VALUES: Final = 1_000_000


def _check_size(data: object) -> None:
    """Refuse data that holds more than :data:`MAX_VALUES` values, aliases expanded."""
    yaml = _yaml()
    budget = MAX_VALUES
    stack = [data]
    while stack:
        value = stack.pop()
        budget -= 1
        if budget < 0:
            msg = f"more than {MAX_VALUES:,} values once its aliases are expanded"
            raise yaml.YAMLError(msg)
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKeyError(key)
        out[key] = value
    return out


def _json_lines(text: str, key: str) -> str:
    """Where a key stands in JSON text: the lines it is a key on."""
    pattern = re.compile(r'"' + re.escape(key) + r'"\s*:')
    lines = sorted({text.count("\n", 0, m.start()) + 1 for m in pattern.finditer(text)})
    return f" (it is a key on line {', '.join(map(str, lines))})" if lines else ""


@functools.cache
def _strict_yaml_loader() -> Any:  # noqa: ANN401
    """PyYAML's safe loader, refusing duplicate keys and bounding aliases and depth."""
    yaml = _yaml()

    class StrictLoader(yaml.SafeLoader):  # type: ignore[misc,name-defined]
        aliases = 0
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: ANN401
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    mark = self.peek_event().start_mark
                    msg = f"more than {MAX_ALIASES} aliases (line {mark.line + 1}); write it out"
                    raise yaml.YAMLError(msg)
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    msg = f"nested more than {MAX_DEPTH} levels deep"
                    raise yaml.YAMLError(msg)
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:  # noqa: ANN401
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    line = key_node.start_mark.line + 1
                    raise DuplicateKeyError(str(key), f" (line {line})")
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return StrictLoader


def load_rubric_text(
    raw: str | bytes,
    *,
    fmt: str,
    source: str = "<string>",
    folder: Path | None = None,
    context: RubricContext | None = None,
) -> Rubric:
    """Parse rubric text in format ``fmt`` (``toml``, ``json`` or ``yaml``) and build it."""
    data = parse_text(raw, fmt=fmt, source=source)
    return load_rubric_data(data, source=source, folder=folder, context=context)


def _yaml() -> Any:  # noqa: ANN401
    try:
        import yaml  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = "YAML files need PyYAML: pip install 'mgrlead[yaml]'"
        raise InputError(msg) from exc
    return yaml


def unstructure_rubric(rubric: Rubric) -> dict[str, Any]:
    """The rubric as plain data, ready for any format (defaults left out)."""
    data: dict[str, Any] = make_converter().unstructure(rubric)
    return data


def dump_text(data: Any, fmt: str, *, what: str = "rubric") -> str:  # noqa: ANN401
    """Plain data as TOML, JSON or YAML text that :func:`parse_text` reads back equal."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "toml":
        import tomli_w  # noqa: PLC0415

        return tomli_w.dumps(data, multiline_strings=True)
    if fmt == "yaml":
        text: str = _yaml().safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        return text
    raise InputError(f"unknown {what} format {fmt!r}; use toml, json or yaml")


def dump_rubric(rubric: Rubric, fmt: str = "json") -> str:
    """The rubric as text in ``fmt`` that :func:`load_rubric_text` reads back equal."""
    return dump_text(unstructure_rubric(rubric), fmt)
