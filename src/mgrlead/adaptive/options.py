"""The options of an adaptive session: item selection, exposure control, balancing, stopping.

:class:`CatOptions` is a frozen value, checked when it is built (each message
names the field); the checks that need the rubric (dimension and item ids)
run when a session or a simulation compiles the item bank.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from attrs import field, frozen

from mgrlead.errors import AdaptiveError
from mgrlead.irt.information import DEFAULT_TARGET_SE
from mgrlead.irt.scoring import Prior, Quadrature

__all__ = ["SELECTIONS", "STOP_RULES", "CatOptions", "check_whole"]

#: The item selection criteria: maximum Fisher information at θ̂, posterior-weighted
#: information, posterior-weighted Kullback-Leibler information.
SELECTIONS: Final = ("mfi", "pwi", "kl")
#: The stopping rules, in the order they are reported (see :attr:`CatOptions.se`).
STOP_RULES: Final = ("se", "min_information", "max_per_dimension", "exhausted", "max_items")


def _check_one(where: str, v: object, kind: type, *, positive: bool, optional: bool) -> None:
    if v is None and optional:
        return
    if kind is int:
        ok = isinstance(v, int) and not isinstance(v, bool) and (v >= 1 if positive else v >= 0)
        if not ok:
            need = "a positive whole number" if positive else "a whole number >= 0"
            raise AdaptiveError(f"options.{where}: must be {need}, got {v!r}")
    elif not (
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0
    ):
        raise AdaptiveError(f"options.{where}: must be a positive number, got {v!r}")


def _per_dimension(
    value: object, kind: type, name: str, *, positive: bool, optional: bool
) -> object:
    """``value | {dimension: value}``, checked; a mapping becomes sorted pairs."""
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise AdaptiveError(f"options.{name}: dimension ids are strings, got {k!r}")
            _check_one(f"{name}[{k!r}]", v, kind, positive=positive, optional=optional)
            out[k] = v
        return tuple(sorted(out.items()))
    _check_one(name, value, kind, positive=positive, optional=optional)
    return value


def _se(value: object) -> object:
    return _per_dimension(value, float, "se", positive=True, optional=True)


def _min_per_dimension(value: object) -> object:
    return _per_dimension(value, int, "min_per_dimension", positive=False, optional=False)


def _max_per_dimension(value: object) -> object:
    return _per_dimension(value, int, "max_per_dimension", positive=True, optional=True)


def _dimensions(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise AdaptiveError(f"options.dimensions: a list of dimension ids, got {value!r}")
    return tuple(str(v) for v in value)


def _exposure_or_none(value: object) -> tuple[tuple[str, float], ...] | None:
    return None if value is None else _exposure(value)


def check_whole(where: str, value: object, lowest: int) -> None:
    """Raise :class:`AdaptiveError` naming ``where`` unless ``value`` is an int >= ``lowest``.

    Example:
        >>> check_whole("options.max_items", 10, 1)
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
        raise AdaptiveError(f"{where}: must be a whole number >= {lowest}, got {value!r}")


@frozen(kw_only=True)
class CatOptions:
    """How an adaptive session chooses items and when it stops.

    Per-dimension settings (``se``, ``min_per_dimension``, ``max_per_dimension``)
    take one value for every dimension or a mapping ``{dimension id: value}``
    (dimensions not named get the default); a mapping is stored as sorted pairs.

    Example:
        >>> from mgrlead.adaptive import CatOptions
        >>> CatOptions(se=0.3, max_items=20).selection
        'mfi'
        >>> CatOptions(se=-1)
        Traceback (most recent call last):
        ...
        mgrlead.errors.AdaptiveError: options.se: must be a positive number, got -1
    """

    dimensions: tuple[str, ...] | None = field(default=None, converter=_dimensions)
    """The dimensions to measure (``None``: every dimension whose items all carry parameters)."""
    selection: str = field(default="mfi")
    """``mfi`` (maximum Fisher information at θ̂), ``pwi`` (posterior-weighted
    information) or ``kl`` (posterior-weighted Kullback-Leibler information)."""
    se: Any = field(default=DEFAULT_TARGET_SE, converter=_se)
    """Stop a dimension when its standard error (posterior SD) is at most this (``None``: no
    SE rule); a number or ``{dimension: number}``."""
    min_items: int = field(default=0)
    """The fewest items overall before the test may stop (unless none are left)."""
    max_items: int | None = field(default=None)
    """Stop after this many items overall (``None``: no limit)."""
    min_per_dimension: Any = field(default=1, converter=_min_per_dimension)
    """Each dimension gets at least this many items before its SE or information rule may
    close it; a number or ``{dimension: number}``."""
    max_per_dimension: Any = field(default=None, converter=_max_per_dimension)
    """A dimension closes after this many items (``None``: no limit); a number or a mapping."""
    min_information: float | None = field(default=None)
    """Close a dimension when no remaining item of it has at least this Fisher information
    at θ̂ (catR's ``minInfo``); ``None``: no such rule."""
    randomesque: int = field(default=1)
    """Exposure control: choose at random among the ``k`` best items (1: always the best)."""
    exposure: Any = field(default=None, converter=_exposure_or_none)
    """Sympson-Hetter exposure parameters ``{item id: K}`` (0 < K <= 1), as
    :func:`mgrlead.adaptive.sympson_hetter` computes them; items not named have K = 1."""
    balance_keying: bool = field(default=True)
    """Keep high- and low-keyed items of a dimension balanced (see :attr:`keying_tolerance`)."""
    keying_tolerance: int = field(default=1)
    """How far the counts of high- and low-keyed items asked in a dimension may drift apart
    before only the fewer kind is eligible (while items of that kind are left)."""
    required: tuple[str, ...] = field(default=(), converter=tuple)
    """Items always asked (first, in order of the selection criterion)."""
    prior: Prior = field(factory=Prior)
    """The normal prior of θ (every dimension)."""
    quadrature: Quadrature = field(factory=Quadrature)
    """The EAP grid."""

    def __attrs_post_init__(self) -> None:
        """Check every field, naming it."""
        if self.selection not in SELECTIONS:
            raise AdaptiveError(
                f"options.selection: unknown criterion {self.selection!r}; use one of "
                f"{', '.join(SELECTIONS)}"
            )
        _whole("min_items", self.min_items, 0)
        if self.max_items is not None:
            _whole("max_items", self.max_items, 1)
            if self.max_items < self.min_items:
                raise AdaptiveError(
                    f"options.max_items ({self.max_items}) is less than options.min_items "
                    f"({self.min_items}); raise max_items or lower min_items"
                )
        _whole("randomesque", self.randomesque, 1)
        _whole("keying_tolerance", self.keying_tolerance, 1)
        if not isinstance(self.balance_keying, bool):
            raise AdaptiveError(
                f"options.balance_keying: must be true or false, got {self.balance_keying!r}"
            )
        if self.min_information is not None:
            v: object = self.min_information
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
                raise AdaptiveError(
                    f"options.min_information: must be a positive number, got {v!r}"
                )
        if self.exposure is not None and self.randomesque > 1:
            raise AdaptiveError(
                "options.exposure and options.randomesque: choose one exposure control "
                "(Sympson-Hetter parameters or randomesque k > 1), not both"
            )
        if not isinstance(self.prior, Prior):
            raise AdaptiveError(f"options.prior: must be a Prior, got {self.prior!r}")
        if not isinstance(self.quadrature, Quadrature):
            raise AdaptiveError(
                f"options.quadrature: must be a Quadrature, got {self.quadrature!r}"
            )
        for item in self.required:
            if not isinstance(item, str):
                raise AdaptiveError(f"options.required: item ids are strings, got {item!r}")
        if len(set(self.required)) != len(self.required):
            raise AdaptiveError("options.required: an item is named twice")

    def per_dimension(self, name: str, dimension: str) -> Any:  # noqa: ANN401
        """The value of a per-dimension setting for one dimension."""
        value = getattr(self, name)
        if isinstance(value, tuple):
            defaults = {"se": DEFAULT_TARGET_SE, "min_per_dimension": 1, "max_per_dimension": None}
            return dict(value).get(dimension, defaults[name])
        return value

    def named_dimensions(self) -> set[str]:
        """Every dimension id a per-dimension mapping names."""
        out: set[str] = set()
        for name in ("se", "min_per_dimension", "max_per_dimension"):
            value = getattr(self, name)
            if isinstance(value, tuple):
                out.update(k for k, _ in value)
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (:meth:`from_dict` reads it back)."""

        def plain(v: object) -> object:
            return dict(v) if isinstance(v, tuple) else v

        return {
            "dimensions": None if self.dimensions is None else list(self.dimensions),
            "selection": self.selection,
            "se": plain(self.se),
            "min_items": self.min_items,
            "max_items": self.max_items,
            "min_per_dimension": plain(self.min_per_dimension),
            "max_per_dimension": plain(self.max_per_dimension),
            "min_information": self.min_information,
            "randomesque": self.randomesque,
            "exposure": None if self.exposure is None else dict(self.exposure),
            "balance_keying": self.balance_keying,
            "keying_tolerance": self.keying_tolerance,
            "required": list(self.required),
            "prior": {"mean": self.prior.mean, "sd": self.prior.sd},
            "quadrature": {
                "points": self.quadrature.points,
                "lower": self.quadrature.lower,
                "upper": self.quadrature.upper,
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CatOptions:
        """Options from :meth:`to_dict`'s dict.

        Raises:
            AdaptiveError: an unknown key or a bad value (naming it).
        """
        known = set(_FIELDS)
        extra = sorted(set(data) - known)
        if extra:
            raise AdaptiveError(f"options: unknown key(s) {', '.join(map(repr, extra))}")
        values = dict(data)
        try:
            if "prior" in values:
                values["prior"] = Prior(**values["prior"])
            if "quadrature" in values:
                values["quadrature"] = Quadrature(**values["quadrature"])
        except (TypeError, ValueError) as exc:
            raise AdaptiveError(f"options.prior / options.quadrature: {exc}") from exc
        return cls(**values)


_FIELDS: Final = (
    "dimensions", "selection", "se", "min_items", "max_items", "min_per_dimension",
    "max_per_dimension", "min_information", "randomesque", "exposure", "balance_keying",
    "keying_tolerance", "required", "prior", "quadrature",
)  # fmt: skip


def _whole(name: str, value: object, lowest: int) -> None:
    check_whole(f"options.{name}", value, lowest)


def _exposure(value: object) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, Mapping):
        raise AdaptiveError(
            f"options.exposure: must be a mapping {{item id: K}}, got {type(value).__name__}"
        )
    out = []
    for k, v in value.items():
        if (
            isinstance(v, bool)
            or not isinstance(v, (int, float))
            or not (math.isfinite(v) and 0 < v <= 1)
        ):
            raise AdaptiveError(
                f"options.exposure[{k!r}]: a Sympson-Hetter parameter is in (0, 1], got {v!r}"
            )
        out.append((str(k), float(v)))
    return tuple(sorted(out))
