"""mgrlead's built-ins, registered through the same hooks as any plugin.

Registered last (``trylast``) under the name ``mgrlead.builtin``: the four
dimensions of the article, the ``manager-leader`` rubric, the rubric formats, the built-in scoring
strategies and the ``equal`` weighting scheme.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from attrs import frozen

from mgrlead.model import Rubric, Weighting
from mgrlead.plugins.hookspecs import Registrar, hookimpl
from mgrlead.strategies import BUILTIN_STRATEGIES, DimensionStats, ScoringStrategy

__all__ = [
    "LazyTheta",
    "mgrlead_register_dimensions",
    "mgrlead_register_rubric_formats",
    "mgrlead_register_rubrics",
    "mgrlead_register_strategies",
    "mgrlead_register_weightings",
    "packaged_rubric",
    "packaged_rubrics",
]


def packaged_rubrics() -> tuple[str, ...]:
    """The names of the rubric files shipped inside the package."""
    folder = resources.files("mgrlead.plugins") / "rubrics"
    return tuple(
        sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))
    )


@cache
def packaged_rubric(name: str) -> Rubric:
    """Load one rubric file shipped inside the package (once).

    The file is the source.  While it is the file that
    :mod:`mgrlead.plugins.prebuilt` was written from (same SHA-256), the
    prebuilt constructor calls build the rubric, without tomllib or cattrs:
    the first ``score()`` of a process is faster.  Any other file is parsed.
    """
    import hashlib  # noqa: PLC0415

    from mgrlead.plugins.prebuilt import PREBUILT  # noqa: PLC0415

    raw = (resources.files("mgrlead.plugins") / "rubrics" / f"{name}.toml").read_bytes()
    prebuilt = PREBUILT.get(name)
    if prebuilt is not None and prebuilt[0] == hashlib.sha256(raw).hexdigest():
        return prebuilt[1]()
    from mgrlead.io.serialize import load_rubric_text  # noqa: PLC0415

    return load_rubric_text(raw.decode("utf-8"), fmt="toml", source=f"{name}.toml")


@hookimpl(trylast=True)
def mgrlead_register_dimensions(register: Registrar) -> None:
    """The four bipolar dimensions of the article."""
    for dim in packaged_rubric("manager-leader").dimensions:
        register(dim)


@hookimpl(trylast=True)
def mgrlead_register_rubrics(register: Registrar) -> None:
    """The rubrics shipped in the package (``manager-leader``)."""
    for name in packaged_rubrics():
        register(packaged_rubric(name))


@hookimpl(trylast=True)
def mgrlead_register_rubric_formats(register: Registrar) -> None:
    """The rubric sources ``surveyjs``, ``qsf`` and ``psych-keys`` (:mod:`mgrlead.io.survey`)."""
    from mgrlead.io.survey import BUILTIN_FORMATS  # noqa: PLC0415

    for fmt in BUILTIN_FORMATS:
        register(fmt)


@hookimpl(trylast=True)
def mgrlead_register_strategies(register: Registrar) -> None:
    """mean, weighted_mean, sum, prorated_sum, percent, and theta (:mod:`mgrlead.irt`)."""
    for strategy in (*BUILTIN_STRATEGIES.values(), LazyTheta()):
        register(strategy)


@frozen(kw_only=True)
class LazyTheta(ScoringStrategy):
    """The ``theta`` strategy as registered: :mod:`mgrlead.irt` is imported only when used.

    Loading the built-ins must stay cheap (every process's first score loads
    them), and the θ machinery is not: compiling a rubric with this strategy
    (:meth:`prepare`) returns the real :class:`mgrlead.irt.ThetaStrategy`.
    """

    name: str = "theta"
    description: str = "θ, the latent trait, from the items' IRT parameters (EAP, MAP or ML)."

    def prepare(self, rubric: Any) -> ScoringStrategy:  # noqa: ANN401 - a Rubric
        """The real θ strategy, prepared for ``rubric`` (see :class:`mgrlead.irt.ThetaStrategy`)."""
        from mgrlead.irt.scoring import ThetaStrategy  # noqa: PLC0415 - only when θ is used

        return ThetaStrategy().prepare(rubric)

    def score(self, stats: DimensionStats) -> Any:  # noqa: ANN401
        """Never called: :meth:`prepare` replaces this strategy before any score."""
        msg = "the theta strategy scores only once prepared for a rubric"
        raise NotImplementedError(msg)

    def bounds(self, stats: DimensionStats) -> tuple[float, float]:
        """Never called: :meth:`prepare` replaces this strategy before any score."""
        msg = "the theta strategy scores only once prepared for a rubric"
        raise NotImplementedError(msg)


@hookimpl(trylast=True)
def mgrlead_register_weightings(register: Registrar) -> None:
    """The ``equal`` scheme: every dimension counts the same."""
    register(Weighting(id="equal", description="Every dimension counts the same."))
