"""The plugin host: loads plugins, validates what they register, and serves it.

Build one with :func:`get_plugin_host`; the library itself uses
:func:`default_host`, built lazily on first use (never at import time).

Loading order: plugins from the entry-point group ``mgrlead`` (installed
distributions), then plugins passed in-process, then mgrlead's built-ins
(marked ``trylast``); then every plugin's hook names are checked for misspellings.

Environment variables:

``MGRLEAD_LOAD_PLUGINS``
    Comma-separated distribution names: only these installed plugins load.
    Set but empty: no installed plugin loads.
``MGRLEAD_DISABLE_PLUGINS``
    Comma-separated plugin names that never load.
``MGRLEAD_STRICT_PLUGINS``
    ``1``: a broken plugin is an error (:class:`PluginError`) instead of a
    warning (:class:`PluginWarning`).
"""

from __future__ import annotations

import os
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import metadata
from typing import Any, Final

import attrs
import pluggy
from attrs import field, frozen

from mgrlead._version import __version__
from mgrlead.errors import (
    PluginError,
    PluginWarning,
    RubricError,
    RubricNotFoundError,
    closest,
    did_you_mean,
)
from mgrlead.i18n import match_language
from mgrlead.io.survey import RubricFormat
from mgrlead.model import Band, Dimension, Rubric, Weighting
from mgrlead.plugins import hookspecs
from mgrlead.strategies import BUILTIN_STRATEGIES, ScoringStrategy

__all__ = [
    "BUILTIN_PLUGIN",
    "FeedbackEdit",
    "PluginHost",
    "PluginInfo",
    "Refusal",
    "Registration",
    "default_host",
    "get_plugin_host",
    "host_generation",
    "reset_default_host",
    "set_default_host",
]

#: The name under which mgrlead's own built-ins are registered.
BUILTIN_PLUGIN: Final = "mgrlead.builtin"

#: Hooks that register named objects, in call order, with the kind and type each takes.
_REGISTER_HOOKS: Final[tuple[tuple[str, str, type], ...]] = (
    ("mgrlead_register_dimensions", "dimension", Dimension),
    ("mgrlead_register_strategies", "strategy", ScoringStrategy),
    ("mgrlead_register_weightings", "weighting", Weighting),
    ("mgrlead_register_rubrics", "rubric", Rubric),
    ("mgrlead_register_rubric_formats", "rubric_format", RubricFormat),
)
_FEEDBACK_HOOK: Final = "mgrlead_contribute_feedback"
_HOOK_NAMES: Final = (*(h for h, _, _ in _REGISTER_HOOKS), _FEEDBACK_HOOK)
_POLE_FIELDS: Final = ("description", "strengths", "risks", "development")


@frozen
class Registration:
    """One object a plugin registered."""

    kind: str
    """``dimension``, ``strategy``, ``weighting``, ``rubric``, ``rubric_format`` or ``feedback``."""
    name: str
    """The registered id (for feedback: ``dimension/target/field``)."""
    plugin: str
    """The plugin that registered it."""
    replaces: str | None = None
    """The plugin whose entry of the same name this one declared it replaces."""


@frozen
class FeedbackEdit:
    """Feedback text a plugin contributes to a dimension's pole or band."""

    dimension: str
    target: str
    field: str
    text: str
    mode: str
    plugin: str
    translations: tuple[tuple[str, str], ...] = ()
    """The text in other languages, as (language, text) pairs."""


@frozen
class PluginInfo:
    """What ``mgrlead plugins`` shows about one loaded plugin."""

    name: str
    """Plugin name: the distribution name for installed plugins."""
    version: str | None
    """The distribution version (``None`` when unknown)."""
    builtin: bool
    """Whether this is mgrlead's own built-in plugin."""
    hooks: tuple[str, ...]
    """The hooks it implements."""
    registered: tuple[Registration, ...]
    """What it registered (after replacements)."""

    @property
    def label(self) -> str:
        """``name version``, as recorded in profiles."""
        return self.name if self.version is None else f"{self.name} {self.version}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form used by ``mgrlead plugins --json``."""
        return {
            "name": self.name,
            "version": self.version,
            "builtin": self.builtin,
            "hooks": list(self.hooks),
            "registered": [
                {"kind": r.kind, "name": r.name, "replaces": r.replaces} for r in self.registered
            ],
        }


@frozen
class Refusal:
    """A plugin that was found but not loaded, and why (``mgrlead plugins`` shows it)."""

    name: str
    """Plugin name: the distribution name for installed plugins."""
    version: str | None
    """The distribution version (``None`` when unknown)."""
    reason: str
    """What was wrong, naming the hook, the cause and the fix (as the warning said)."""

    @property
    def label(self) -> str:
        """``name version``."""
        return self.name if self.version is None else f"{self.name} {self.version}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form used by ``mgrlead plugins --json``."""
        return {"name": self.name, "version": self.version, "refused": self.reason}


@frozen
class _Entry:
    obj: Any
    registration: Registration


@attrs.define
class _Stage:
    """One plugin's registrations, before they are accepted all together."""

    plugin: str
    entries: dict[str, dict[str, _Entry]] = field(factory=dict)
    feedback: list[FeedbackEdit] = field(factory=list)


@frozen
class _Loaded:
    name: str
    plugin: object
    version: str | None
    builtin: bool


class PluginHost:
    """A typed facade over the pluggy plugin manager and what plugins registered.

    Built by :func:`get_plugin_host`; immutable once built.
    """

    def __init__(
        self,
        manager: pluggy.PluginManager,
        infos: tuple[PluginInfo, ...],
        entries: Mapping[str, Mapping[str, _Entry]],
        feedback: tuple[FeedbackEdit, ...],
        refused: tuple[Refusal, ...] = (),
    ) -> None:
        """Not for direct use: call :func:`get_plugin_host`."""
        self.manager = manager
        self.plugins: tuple[PluginInfo, ...] = infos
        #: The plugins found but not loaded (broken, or clashing with another), and why.
        self.refused: tuple[Refusal, ...] = refused
        self._entries = entries
        self._feedback = feedback
        self._labels = {info.name: info.label for info in infos}
        self._rubrics: dict[str, Rubric] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------ lookups
    def names(self, kind: str) -> tuple[str, ...]:
        """The registered names of one kind (``dimension``, ``rubric``, ...).

        In the order pluggy called the plugins' hooks for that kind
        (``tryfirst`` first, the built-ins last), each plugin's in the order it
        registered them.
        """
        return tuple(self._entries.get(kind, {}))

    def source(self, kind: str, name: str) -> str:
        """``plugin version`` of the plugin that registered ``name``."""
        return self._labels[self._entries[kind][name].registration.plugin]

    def _get(self, kind: str, name: str) -> Any:  # noqa: ANN401
        table = self._entries.get(kind, {})
        if name in table:
            return table[name].obj
        known = sorted(table)
        hint = did_you_mean(name, known)
        listed = ", ".join(known) or "none"
        message = (
            f"no {kind} named {name!r} is registered{hint} (registered: {listed}); "
            "is the plugin that provides it installed and enabled? See `mgrlead plugins`"
        )
        if kind == "rubric":
            raise RubricNotFoundError(message)
        raise RubricError(message)

    def dimension(self, name: str) -> Dimension:
        """A registered dimension, with contributed feedback applied."""
        dim: Dimension = self._get("dimension", name)
        return self._apply_feedback(dim, None)

    def weighting(self, name: str) -> Weighting:
        """A registered weighting scheme."""
        weighting: Weighting = self._get("weighting", name)
        return weighting

    def strategy(self, name: str) -> ScoringStrategy:
        """A registered scoring strategy."""
        strategy: ScoringStrategy = self._get("strategy", name)
        return strategy

    def rubric_format(self, name: str) -> RubricFormat:
        """A registered rubric format (a rubric source: ``surveyjs``, ``qsf``, ...)."""
        fmt: RubricFormat = self._get("rubric_format", name)
        return fmt

    def rubric(self, name: str) -> Rubric:
        """A registered rubric, with contributed feedback and its sources recorded."""
        with self._lock:
            if name not in self._rubrics:
                rubric: Rubric = self._get("rubric", name)
                dims = [self._apply_feedback(d, rubric.bands) for d in rubric.dimensions]
                translations = self._translated_feedback(rubric, dims)
                source = self.source("rubric", name)
                sources = {f"rubric:{rubric.id}": source}
                sources.update({f"dimension:{d.id}": source for d in rubric.dimensions})
                sources.update(self._side_sources(rubric.strategy, rubric.weighting.id, source))
                self._rubrics[name] = attrs.evolve(
                    rubric, dimensions=dims, sources=sources, host=self, translations=translations
                )
            return self._rubrics[name]

    def _side_sources(self, strategy: str, weighting: str, fallback: str) -> dict[str, str]:
        out = {}
        if strategy in self._entries.get("strategy", {}):
            out[f"strategy:{strategy}"] = self.source("strategy", strategy)
        out[f"weighting:{weighting}"] = (
            self.source("weighting", weighting)
            if weighting in self._entries.get("weighting", {})
            else fallback
        )
        return out

    def build_rubric(
        self,
        base: Rubric | str,
        *,
        extra_dimensions: Sequence[str | Dimension] = (),
        weighting: str | Weighting | None = None,
        strategy: str | None = None,
    ) -> Rubric:
        """Compose an instrument: a rubric plus registered dimensions, under a scheme.

        Args:
            base: A rubric, or the name of a registered one.
            extra_dimensions: Registered dimension ids (or Dimension objects) to add.
            weighting: A registered scheme's id, or a Weighting; ``None`` keeps
                the base rubric's.
            strategy: A strategy name; ``None`` keeps the base rubric's.

        Raises:
            RubricError: an unknown name, or a combination that is not a valid rubric.
        """
        rubric = self.rubric(base) if isinstance(base, str) else base
        sources = dict(rubric.sources)
        dims = list(rubric.dimensions)
        present = {d.id for d in rubric.walk()}
        for extra in extra_dimensions:
            if isinstance(extra, Dimension):
                dim, source = extra, "python"
            else:
                dim, source = self.dimension(extra), self.source("dimension", extra)
            if dim.id in present:
                raise RubricError(
                    f"dimension {dim.id!r} is already in rubric {rubric.id!r}; add it once"
                )
            present.add(dim.id)
            dims.append(dim)
            sources[f"dimension:{dim.id}"] = source
        changes: dict[str, Any] = {"dimensions": dims}
        if weighting is not None:
            scheme = weighting if isinstance(weighting, Weighting) else self.weighting(weighting)
            changes["weighting"] = scheme
            sources = {k: v for k, v in sources.items() if not k.startswith("weighting:")}
            sources[f"weighting:{scheme.id}"] = (
                "python"
                if isinstance(weighting, Weighting)
                else self.source("weighting", scheme.id)
            )
        if strategy is not None:
            self.resolve_strategy(strategy)
            changes["strategy"] = strategy
            sources = {k: v for k, v in sources.items() if not k.startswith("strategy:")}
            if strategy in self._entries.get("strategy", {}):
                sources[f"strategy:{strategy}"] = self.source("strategy", strategy)
        changes["sources"] = sources
        changes["host"] = self
        return attrs.evolve(rubric, **changes)

    def resolve_strategy(self, name: str) -> ScoringStrategy:
        """The strategy object for ``name`` (built-in names always mean the built-ins)."""
        if name in BUILTIN_STRATEGIES:
            return BUILTIN_STRATEGIES[name]
        return self.strategy(name)

    # ----------------------------------------------------------- feedback
    def _translated_feedback(
        self, rubric: Rubric, dims: Sequence[Dimension]
    ) -> dict[str, dict[str, str]]:
        """The rubric's translations with the contributed feedback in them too.

        A contribution's text in a language goes into that language's
        translation; without one, an appended text is appended as it was
        written (nothing a plugin adds goes missing in another language) and a
        replaced text's translation is dropped (the replacement shows, not a
        translation of the text it replaced).  A dimension that got its own
        copy of the rubric's bands takes their translated labels and feedback.
        """
        out = {lang: dict(texts) for lang, texts in rubric.translations.items()}
        if not out or not self._feedback:
            return out
        before = {d.id: d for d in rubric.walk()}
        for dim in _walk(dims):
            old = before[dim.id]
            prefix = f"dimension.{dim.id}"
            if old.bands is None and dim.bands is not None:  # a copy of the rubric's
                for texts in out.values():
                    for band in dim.bands:
                        for name in ("label", "feedback"):
                            there = texts.get(f"band.{band.id}.{name}")
                            if there is not None:
                                texts[f"{prefix}.band.{band.id}.{name}"] = there
            inline: dict[str, str] = {}  # each text as the edits so far left it
            for edit in (e for e in self._feedback if e.dimension == dim.id):
                if edit.target in {"low", "high"}:
                    key = f"{prefix}.{edit.target}.{edit.field}"
                    was = getattr(getattr(old, edit.target), edit.field)
                else:
                    key = f"{prefix}.band.{edit.target}.feedback"
                    bands = rubric.bands_of(old)
                    was = next((b.feedback for b in bands if b.id == edit.target), "")
                was = inline.get(key, was)
                inline[key] = _combine(was, edit.text, edit.mode)
                theirs = {match_language(tag, out): text for tag, text in edit.translations}
                for lang, texts in out.items():
                    if lang in theirs:  # the text that shows there, with this one added
                        texts[key] = _combine(texts.get(key, was), theirs[lang], edit.mode)
                    elif edit.mode == "replace":
                        texts.pop(key, None)
                    elif key in texts:
                        texts[key] = _combine(texts[key], edit.text, edit.mode)
        return out

    def _apply_feedback(self, dim: Dimension, rubric_bands: tuple[Band, ...] | None) -> Dimension:
        edits = [e for e in self._feedback if e.dimension == dim.id]
        subs = [self._apply_feedback(s, rubric_bands) for s in dim.dimensions]
        if not edits:
            return attrs.evolve(dim, dimensions=subs) if subs else dim
        low, high = dim.low, dim.high
        bands = dim.bands if dim.bands is not None else rubric_bands
        for edit in edits:
            if edit.target in {"low", "high"}:
                pole = low if edit.target == "low" else high
                text = _combine(getattr(pole, edit.field), edit.text, edit.mode)
                pole = attrs.evolve(pole, **{edit.field: text})
                low, high = (pole, high) if edit.target == "low" else (low, pole)
            elif bands is not None:
                bands = tuple(
                    attrs.evolve(b, feedback=_combine(b.feedback, edit.text, edit.mode))
                    if b.id == edit.target
                    else b
                    for b in bands
                )
        band_changed = bands is not None and bands != (dim.bands or rubric_bands)
        return attrs.evolve(
            dim,
            low=low,
            high=high,
            dimensions=subs,
            bands=bands if band_changed else dim.bands,
        )


def _walk(dims: Iterable[Dimension]) -> Iterator[Dimension]:
    for dim in dims:
        yield from dim.walk()


def _combine(old: str, new: str, mode: str) -> str:
    if mode == "replace" or not old:
        return new
    return f"{old} {new}"


# --------------------------------------------------------------------- loading
def _env_list(environ: Mapping[str, str], key: str) -> list[str] | None:
    if key not in environ:
        return None
    return [part.strip() for part in environ[key].split(",") if part.strip()]


def normalized(name: str) -> str:
    """A plugin name as packaging compares distribution names (PEP 503).

    ``mgrlead_weights``, ``mgrlead.weights`` and ``MgrLead-Weights`` are one name.
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def _plugin_name(plugin: object) -> str:
    name = getattr(plugin, "__name__", None)
    return name if isinstance(name, str) else type(plugin).__name__


class _Loader:
    def __init__(self, *, strict: bool) -> None:
        self.strict = strict
        self.refused: dict[str, str] = {}  # each refused plugin's first reason
        self.versions: dict[str, str | None] = {}  # of plugins refused before loading

    def fail(self, plugin: str, hook: str | None, cause: str, fix: str) -> None:
        where = f"plugin {plugin!r}" + (f", hook {hook}" if hook else "")
        message = f"{where}: {cause}; {fix}"
        if self.strict:
            raise PluginError(message)
        self.refused.setdefault(plugin, (f"hook {hook}: " if hook else "") + f"{cause}; {fix}")
        warnings.warn(f"skipped {message}", PluginWarning, stacklevel=4)

    def from_entry_points(self, environ: Mapping[str, str]) -> list[_Loaded]:
        listed = _env_list(environ, "MGRLEAD_LOAD_PLUGINS")
        allowed = None if listed is None else {normalized(n) for n in listed}
        blocked = {normalized(n) for n in _env_list(environ, "MGRLEAD_DISABLE_PLUGINS") or []}
        loaded: list[_Loaded] = []
        seen: set[str] = set()
        for ep in sorted(metadata.entry_points(group=hookspecs.PROJECT), key=lambda e: e.name):
            dist = ep.dist
            name = dist.name if dist is not None else ep.name
            seen.add(normalized(name))
            if (allowed is not None and normalized(name) not in allowed) or (
                normalized(name) in blocked
            ):
                continue
            self.versions[name] = dist.version if dist is not None else None
            try:
                plugin = ep.load()
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - any import error skips the plugin
                self.fail(
                    name,
                    None,
                    f"cannot import entry point {ep.value!r}: {type(exc).__name__}: {exc}",
                    f"fix or reinstall it, or set MGRLEAD_DISABLE_PLUGINS={name}",
                )
                continue
            version = dist.version if dist is not None else None
            loaded.append(_Loaded(name=name, plugin=plugin, version=version, builtin=False))
        unknown = sorted((allowed or set()) - seen)
        if unknown:
            warnings.warn(
                f"MGRLEAD_LOAD_PLUGINS names {', '.join(map(repr, unknown))}, which no installed "
                f"plugin is; installed: {', '.join(sorted(seen)) or 'none'}",
                PluginWarning,
                stacklevel=4,
            )
        return loaded


def _check_hook_names(loader: _Loader, item: _Loaded) -> bool:
    """Refuse a plugin with a ``mgrlead_*`` function that is not a known hook."""
    for attr in dir(item.plugin):
        if not attr.startswith("mgrlead_") or attr in _HOOK_NAMES:
            continue
        value = getattr(item.plugin, attr, None)
        if not callable(value):
            continue
        close = closest(attr, _HOOK_NAMES)
        hint = f"did you mean {close!r}?" if close else f"the hooks are {', '.join(_HOOK_NAMES)}"
        loader.fail(item.name, attr, f"{attr!r} is not a mgrlead hook", hint)
        return False
    return True


def _is_wrapper(impl: Any) -> bool:  # noqa: ANN401 - a pluggy HookImpl
    return bool(getattr(impl, "hookwrapper", False) or getattr(impl, "wrapper", False))


def _stage_all(
    loader: _Loader, accepted: Sequence[_Loaded], manager: pluggy.PluginManager
) -> tuple[list[_Stage], dict[str, list[str]]]:
    """Call every hook through pluggy, one plugin at a time.

    Returns the plugins' stages and, for each kind, the plugins in the order
    pluggy called that kind's hook.

    Each hook's implementations are called in pluggy's order (``tryfirst``
    first, ``trylast`` last, otherwise the plugin registered last first), each
    through a subset of the hook caller that holds that plugin's implementation
    and every plugin's wrappers: wrappers run around each plugin's call, and a
    plugin that raises fails alone.  A plugin that fails in any hook is dropped
    whole.  The stages come in the order the plugins were registered, the
    built-ins first: of two plugins registering one name, the built-in or else
    the one registered first keeps it (the other is refused, unless it declared
    ``replaces=``).
    """
    stages = {item.name: _Stage(plugin=item.name) for item in accepted}
    by_kind: dict[str, list[str]] = {}
    failed: set[str] = set()
    for hook_name in _HOOK_NAMES:
        impls = getattr(manager.hook, hook_name).get_hookimpls()
        callers = list(dict.fromkeys(i.plugin_name for i in reversed(impls) if not _is_wrapper(i)))
        by_kind[next((k for h, k, _ in _REGISTER_HOOKS if h == hook_name), "feedback")] = callers
        for name in callers:
            if name in failed:
                continue
            others = [manager.get_plugin(n) for n in callers if n != name]
            caller = manager.subset_hook_caller(hook_name, remove_plugins=others)
            problems: list[str] = []
            callback = _make_callback(hook_name, stages[name], problems)
            try:
                caller(register=callback)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - SystemExit too: a plugin's bug skips it
                loader.fail(
                    name,
                    hook_name,
                    f"raised {type(exc).__name__}: {exc}",
                    f"fix the plugin, or set MGRLEAD_DISABLE_PLUGINS={name}",
                )
                failed.add(name)
                continue
            if problems:
                loader.fail(
                    name,
                    hook_name,
                    problems[0],
                    f"fix what it registers, or set MGRLEAD_DISABLE_PLUGINS={name}",
                )
                failed.add(name)
    ordered = sorted(accepted, key=lambda i: not i.builtin)  # the built-ins keep their names
    return [stages[i.name] for i in ordered if i.name not in failed], by_kind


def _make_callback(hook_name: str, stage: _Stage, problems: list[str]) -> Callable[..., None]:
    if hook_name == _FEEDBACK_HOOK:

        def feedback(  # noqa: PLR0913 - the hook's keywords
            *,
            dimension: str,
            target: str,
            field: str,
            text: str,
            mode: str = "append",
            translations: Mapping[str, str] | None = None,
        ) -> None:
            given: dict[Any, Any] = dict(translations or {})
            if not all(isinstance(v, str) for v in (dimension, target, field, text, mode)):
                problems.append("feedback arguments must all be strings")
            elif mode not in {"append", "replace"}:
                problems.append(f"feedback mode {mode!r} must be 'append' or 'replace'")
            elif not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                         for k, v in given.items()):  # fmt: skip
                problems.append(
                    "feedback translations must map a language tag to a text that is not blank"
                )
            else:
                stage.feedback.append(FeedbackEdit(
                    dimension, target, field, text, mode, stage.plugin, tuple(given.items())
                ))  # fmt: skip

        return feedback
    kind, expected = next((k, t) for h, k, t in _REGISTER_HOOKS if h == hook_name)

    def register(obj: object, /, *, replaces: str | None = None) -> None:
        if not isinstance(obj, expected):
            problems.append(
                f"registered {type(obj).__name__} {obj!r:.60}, but this hook takes a "
                f"{expected.__name__}"
            )
            return
        name = _registered_name(kind, obj)
        if kind == "strategy" and name in BUILTIN_STRATEGIES and stage.plugin != BUILTIN_PLUGIN:
            problems.append(f"the strategy name {name!r} belongs to a built-in strategy")
            return
        table = stage.entries.setdefault(kind, {})
        if name in table:
            problems.append(f"registered the {kind} {name!r} twice")
            return
        table[name] = _Entry(obj, Registration(kind, name, stage.plugin, replaces))

    return register


def _registered_name(kind: str, obj: Any) -> str:  # noqa: ANN401
    if kind == "strategy":
        return str(obj.name)
    return str(obj.id)


def _commit(
    loader: _Loader, stages: list[_Stage]
) -> tuple[dict[str, dict[str, _Entry]], list[_Stage]]:
    """Merge stages in order; a plugin whose names clash is rejected whole."""
    while True:
        committed: dict[str, dict[str, _Entry]] = {}
        rejected: _Stage | None = None
        for stage in stages:
            trial = {kind: dict(table) for kind, table in committed.items()}
            ok = True
            for kind, table in stage.entries.items():
                target = trial.setdefault(kind, {})
                for name, entry in table.items():
                    old = target.get(name)
                    if old is None:
                        target[name] = entry
                    elif old.registration.replaces == stage.plugin:
                        continue  # the earlier plugin declared it replaces this one
                    elif entry.registration.replaces == old.registration.plugin:
                        target[name] = entry
                    else:
                        loader.fail(
                            stage.plugin,
                            _hook_of(kind),
                            f"the {kind} {name!r} is already registered by plugin "
                            f"{old.registration.plugin!r}",
                            f"rename it, or register it with replaces={old.registration.plugin!r}",
                        )
                        ok = False
                        break
                if not ok:
                    break
            if not ok:
                rejected = stage
                break
            committed = trial
        if rejected is None:
            bad = _bad_feedback(loader, stages, committed)
            if bad is None:
                return committed, stages
            rejected = bad
        stages = [s for s in stages if s is not rejected]


def _hook_of(kind: str) -> str:
    return next(h for h, k, _ in _REGISTER_HOOKS if k == kind)


def _bad_feedback(
    loader: _Loader, stages: list[_Stage], committed: Mapping[str, Mapping[str, _Entry]]
) -> _Stage | None:
    dims: dict[str, Dimension] = {}
    for entry in committed.get("dimension", {}).values():
        dims.update({d.id: d for d in entry.obj.walk()})
    strategies = set(committed.get("strategy", {})) | set(BUILTIN_STRATEGIES)
    for entry in committed.get("rubric", {}).values():
        dims.update({d.id: d for d in entry.obj.walk()})
        if entry.obj.strategy not in strategies:
            stage = next(s for s in stages if s.plugin == entry.registration.plugin)
            loader.fail(
                stage.plugin,
                "mgrlead_register_rubrics",
                f"rubric {entry.obj.id!r} uses the unknown scoring strategy {entry.obj.strategy!r}",
                f"register that strategy too, or use one of {', '.join(sorted(strategies))}",
            )
            return stage
    for stage in stages:
        for edit in stage.feedback:
            problem = _feedback_problem(edit, dims, committed)
            if problem:
                loader.fail(
                    stage.plugin,
                    _FEEDBACK_HOOK,
                    problem,
                    "use a registered dimension id, 'low'/'high' or a band id, and a known field",
                )
                return stage
    return None


def _feedback_problem(
    edit: FeedbackEdit,
    dims: Mapping[str, Dimension],
    committed: Mapping[str, Mapping[str, _Entry]],
) -> str | None:
    dim = dims.get(edit.dimension)
    if dim is None:
        return f"feedback for unknown dimension {edit.dimension!r}"
    if edit.target in {"low", "high"}:
        if edit.field not in _POLE_FIELDS:
            return f"pole feedback field {edit.field!r} is not one of {', '.join(_POLE_FIELDS)}"
        return None
    bands = {b.id for b in dim.bands or ()}
    for entry in committed.get("rubric", {}).values():
        bands.update(b.id for b in entry.obj.bands)
    if edit.target not in bands:
        return f"feedback target {edit.target!r} is neither 'low', 'high' nor a band id"
    if edit.field != "feedback":
        return f"band feedback field must be 'feedback', not {edit.field!r}"
    return None


def _in_process(
    loader: _Loader, plugins: Iterable[object | tuple[str, object]], blocked: set[str]
) -> list[_Loaded]:
    """The plugins given in-process, each read once (a failure skips that one)."""
    items = []
    for given in plugins:
        try:  # a module whose __getattr__ raises must not take the host down
            name, plugin = given if isinstance(given, tuple) else (_plugin_name(given), given)
            version = getattr(plugin, "__version__", None)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - any failure skips the plugin
            label = given[0] if isinstance(given, tuple) else f"{type(given).__name__} object"
            loader.fail(str(label), None, f"cannot be read: {type(exc).__name__}: {exc}",
                        "fix the plugin object")  # fmt: skip
            continue
        if normalized(name) not in blocked:
            known = version if isinstance(version, str) else None
            items.append(_Loaded(name=name, plugin=plugin, version=known, builtin=False))
    return items


def get_plugin_host(
    *,
    entrypoints: bool = True,
    plugins: Iterable[object | tuple[str, object]] = (),
    builtins: bool = True,
    strict: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> PluginHost:
    """Build a plugin host.

    Args:
        entrypoints: Load installed plugins from the entry-point group ``mgrlead``.
        plugins: Plugins to register in-process (modules, objects, or
            ``(name, plugin)`` pairs), after the installed ones.
        builtins: Register mgrlead's built-ins (last).
        strict: Make a broken plugin an error; ``None`` reads
            ``MGRLEAD_STRICT_PLUGINS`` from the environment.
        environ: The environment to read (default: ``os.environ``).

    Raises:
        PluginError: in strict mode, for the first broken plugin.
    """
    env = os.environ if environ is None else environ
    if strict is None:
        strict = env.get("MGRLEAD_STRICT_PLUGINS", "").strip().lower() in {"1", "true", "yes"}
    loader = _Loader(strict=strict)
    blocked = {normalized(n) for n in _env_list(env, "MGRLEAD_DISABLE_PLUGINS") or []}
    items: list[_Loaded] = loader.from_entry_points(env) if entrypoints else []
    items += _in_process(loader, plugins, blocked)
    if builtins and normalized(BUILTIN_PLUGIN) not in blocked:
        from mgrlead.plugins import builtin  # noqa: PLC0415

        items.append(_Loaded(BUILTIN_PLUGIN, builtin, __version__, builtin=True))

    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    accepted: list[_Loaded] = []
    for item in items:
        if manager.has_plugin(item.name):
            loader.fail(item.name, None, "a plugin of this name is already loaded", "rename one")
            continue
        try:
            if not _check_hook_names(loader, item):
                continue
            manager.register(item.plugin, name=item.name)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - a plugin that cannot be read is skipped
            loader.fail(item.name, None, f"cannot be registered: {exc}", "fix its hook signatures")
            continue
        accepted.append(item)

    stages, called = _stage_all(loader, accepted, manager)
    committed, kept = _commit(loader, stages)
    for kind, table in committed.items():  # each kind's names in pluggy's call order
        rank = {name: i for i, name in enumerate(called.get(kind, ()))}
        ordered = sorted(table.items(), key=lambda kv: rank.get(kv[1].registration.plugin, 0))
        committed[kind] = dict(ordered)
    kept_names = {s.plugin for s in kept}
    for item in accepted:
        if item.name not in kept_names and manager.has_plugin(item.name):
            manager.unregister(name=item.name)

    infos = []
    for item in accepted:
        if item.name not in kept_names:
            continue
        registered = tuple(
            entry.registration
            for table in committed.values()
            for entry in table.values()
            if entry.registration.plugin == item.name
        ) + tuple(
            Registration("feedback", f"{e.dimension}/{e.target}/{e.field}", item.name)
            for s in kept
            if s.plugin == item.name
            for e in s.feedback
        )
        hooks = tuple(
            sorted(
                impl.function.__name__
                for name in _HOOK_NAMES
                for impl in getattr(manager.hook, name).get_hookimpls()
                if impl.plugin_name == item.name
            )
        )
        infos.append(PluginInfo(item.name, item.version, item.builtin, hooks, registered))
    feedback = tuple(e for s in kept for e in s.feedback)
    versions = loader.versions | {item.name: item.version for item in items}
    refused = tuple(
        Refusal(name, versions.get(name), reason) for name, reason in loader.refused.items()
    )
    return PluginHost(manager, tuple(infos), committed, feedback, refused)


_DEFAULT: PluginHost | None = None
_DEFAULT_LOCK = threading.Lock()
_GENERATION = [0]  # bumped whenever the process-wide host is replaced or forgotten


def host_generation() -> int:
    """A number that changes whenever the process-wide host is replaced (for caches)."""
    return _GENERATION[0]


def default_host() -> PluginHost:
    """The process-wide plugin host, built on first use from the environment."""
    global _DEFAULT  # noqa: PLW0603 - one lazily built host per process
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = get_plugin_host()
        return _DEFAULT


def reset_default_host() -> None:
    """Forget the process-wide host; the next use builds it again (for tests)."""
    global _DEFAULT  # noqa: PLW0603
    with _DEFAULT_LOCK:
        _DEFAULT = None
        _GENERATION[0] += 1


def set_default_host(host: PluginHost | None) -> PluginHost | None:
    """Make ``host`` the process-wide host (``None``: build it again on next use).

    Returns the host it replaces, so that a test can put it back.
    """
    global _DEFAULT
    with _DEFAULT_LOCK:
        previous, _DEFAULT = _DEFAULT, host
        _GENERATION[0] += 1
    return previous
