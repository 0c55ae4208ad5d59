"""Result objects from the kernel's numbers, filled by field name.

Both the batch engine (:meth:`BatchScores.profile <mgrlead.engines.batch.BatchScores.profile>`)
and the generated one-respondent scorer build their :class:`~mgrlead.results.Profile`
through these functions (or, for speed, through :func:`construct`), so that a
result never depends on the order of a class's fields.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from mgrlead._version import __version__
from mgrlead.engines import kernel
from mgrlead.plan import NO_BAND
from mgrlead.results import CarelessIndicators, DimensionScore, OverallScore, Profile, ThetaResult

if TYPE_CHECKING:
    from mgrlead.model import Band
    from mgrlead.plan import DimensionPlan, ScoringPlan

__all__ = ["construct", "overall_score", "profile", "scored", "unscorable"]


def scored(
    dim: DimensionPlan, metrics: Mapping[str, Any], *, theta: str | None = None
) -> DimensionScore:
    """A scorable dimension's score from its metrics by name.

    ``band`` is the band index, or :data:`~mgrlead.plan.NO_BAND` for a score in
    a gap between bands: scored, with band and label ``None``.  ``theta``: the
    θ estimator, when the metrics hold θ's (the ``theta`` strategy).
    """
    band = _band(dim.bands, metrics["band"])
    estimate = None
    if theta is not None:
        flag = metrics["theta_borderline"]
        estimate = ThetaResult(
            method=theta, theta=float(metrics["theta"]), theta_se=float(metrics["theta_se"]),
            t_score=float(metrics["t_score"]),
            theta_percentile=float(metrics["theta_percentile"]),
            theta_borderline=None if flag is None else bool(flag),
        )  # fmt: skip
    return DimensionScore(
        dimension=dim.id, parent=dim.parent, scorable=True, reason=None, n_items=dim.n_items,
        sum=float(metrics["sum"]), mean=float(metrics["mean"]),
        percent=float(metrics["percent"]),
        position=float(metrics["position"]) if dim.bipolar else None,
        score=float(metrics["score"]), answered=int(metrics["answered"]),
        missing=int(metrics["missing"]), imputed=int(metrics["imputed"]),
        band=None if band is None else band.id, band_label=None if band is None else band.label,
        theta=estimate,
    )  # fmt: skip


def _band(bands: tuple[Band, ...], code: Any) -> Band | None:  # noqa: ANN401 - any integer
    """The band of a scorable result's band code (``None``: in a gap between bands)."""
    index = int(code)
    return None if index == NO_BAND else bands[index]


def unscorable(
    dim: DimensionPlan,
    answered: int,
    weight_zero: bool,
    imputed: int = 0,
    *,
    reason: str | None = None,
) -> DimensionScore:
    """A dimension that could not be scored: every number ``None``, and why.

    ``reason``: why, when the missing-data policy would score it but its
    strategy cannot (θ by ML with every answer at one end).
    """
    why = reason or kernel.reason(answered, dim.required, dim.n_items, weight_zero, imputed) or ""
    return DimensionScore(
        dimension=dim.id, parent=dim.parent, scorable=False, reason=why, n_items=dim.n_items,
        sum=None, mean=None, percent=None, position=None, score=None, answered=answered,
        missing=dim.n_items - answered, imputed=imputed, band=None, band_label=None,
    )  # fmt: skip


def overall_score(
    plan: ScoringPlan, scorable: Sequence[bool], metrics: Mapping[str, Any] | None
) -> OverallScore:
    """The overall result: from its metrics, or why not (``scorable``: per dimension)."""
    blocked = [plan.dimensions[d].id for d, _ in plan.top if not scorable[d]]
    if blocked or metrics is None or not plan.top:  # no top: the rubric declares no overall
        return OverallScore(
            scorable=False, reason=kernel.overall_reason(blocked), percent=None,
            position=None, band=None, band_label=None,
        )  # fmt: skip
    band = _band(plan.overall_bands, metrics["band"])
    return OverallScore(
        scorable=True, reason=None, percent=float(metrics["percent"]),
        position=float(metrics["position"]), band=None if band is None else band.id,
        band_label=None if band is None else band.label,
    )  # fmt: skip


def careless_indicators(values: Mapping[str, Any]) -> CarelessIndicators:
    """The indicators from their values by name (missing as ``None`` or NaN)."""
    out: dict[str, Any] = {}
    for f in attrs.fields(CarelessIndicators):
        value = values[f.name]
        if f.type in {"int", int}:
            out[f.name] = int(value)
        else:
            number = None if value is None else float(value)
            out[f.name] = None if number is None or number != number else number  # noqa: PLR0124
    return CarelessIndicators(**out)


def profile(
    plan: ScoringPlan,
    dimensions: Sequence[DimensionScore],
    overall: OverallScore,
    careless: CarelessIndicators | None,
) -> Profile:
    """A respondent's profile, stamped with the plan's provenance."""
    return Profile(
        rubric=plan.rubric, rubric_version=plan.version, content_hash=plan.content_hash,
        mgrlead_version=__version__, strategy=plan.strategy.name, weighting=plan.weighting,
        sources=dict(plan.sources), dimensions=dimensions, overall=overall, careless=careless,
    )  # fmt: skip


# ------------------------------------------------------------- fast building
def construct(cls: type, var: str, values: Mapping[str, str], ns: dict[str, Any]) -> list[str]:
    """Lines that build the frozen attrs ``cls`` into ``var``, fields given by name.

    ``values`` maps every field name to a Python expression (a field with a
    default may be left out).  A frozen class refuses ``obj.field = value``, so
    attrs' ``__init__`` sets each slot through ``object.__setattr__``, at about
    70 ns a field.  These lines fill a plain twin class with the very same slots
    instead and then make the object what it is meant to be by assigning
    ``__class__`` (Python allows that between classes of the same layout), about
    three times faster.  Converters are applied.  Classes with validators or
    ``__attrs_post_init__`` are refused (their ``__init__`` does more), and so are
    classes whose layout no twin can share (a ``__weakref__`` slot: the result
    classes have none).  The names the lines need go into ``ns``.
    """
    fields = attrs.fields(cls)
    if hasattr(cls, "__attrs_post_init__") or any(f.validator for f in fields):
        msg = f"{cls.__name__} validates in __init__; build it with its __init__"
        raise TypeError(msg)
    unknown = set(values) - {f.name for f in fields}
    if unknown:
        msg = f"{cls.__name__} has no field(s) {', '.join(sorted(unknown))}"
        raise TypeError(msg)
    name = cls.__name__
    ns[f"_{name}"] = cls
    ns[f"_{name}_twin"] = _twin(cls)
    lines = [f"{var} = _{name}_twin()"]
    for f in fields:
        if f.name in values:
            value = values[f.name]
        elif f.default is not attrs.NOTHING and not isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
            ns[f"_{name}_default_{f.name}"] = f.default
            value = f"_{name}_default_{f.name}"
        else:
            msg = f"{cls.__name__}: no value for field {f.name!r}"
            raise TypeError(msg)
        if f.converter is not None:
            ns[f"_{name}_{f.name}"] = f.converter
            value = f"_{name}_{f.name}({value})"
        lines.append(f"{var}.{f.name} = {value}")
    lines.append(f"{var}.__class__ = _{name}")
    return lines


@functools.cache
def _twin(cls: type) -> type:
    """A plain class with the slots of ``cls``, that an instance can leave for ``cls``."""
    twin = type(
        f"{cls.__name__}Twin", (), {"__slots__": vars(cls)["__slots__"], "__module__": __name__}
    )
    try:
        twin().__class__ = cls
    except TypeError as error:
        msg = f"{cls.__name__} cannot be built from a twin: {error}"
        raise TypeError(msg) from error
    return twin
