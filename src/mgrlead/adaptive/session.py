"""One adaptive session: choose the next item, take answers, stop, report; saved as JSON.

A session holds only what happened: the rubric, the options, a seed and the
items presented (with their answers).  Everything else (θ̂, SE, the next item)
is computed from that, so a session saved with :meth:`AdaptiveSession.to_json`
and loaded with :meth:`AdaptiveSession.from_json` continues exactly where it
was, and a web handler can load → answer → choose → store on every request.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from attrs import define, evolve, field, frozen

from mgrlead.adaptive.engine import REASONS, Bank, Step, compile_bank, posterior, select
from mgrlead.adaptive.options import STOP_RULES, CatOptions, check_whole
from mgrlead.api import score
from mgrlead.engines.checks import check_answer
from mgrlead.errors import AdaptiveError, AnswerError, SessionStateError
from mgrlead.i18n import gettext as _
from mgrlead.irt.scoring import ThetaProfile, ThetaScore
from mgrlead.model import Rubric

if TYPE_CHECKING:
    from mgrlead.results import Profile

__all__ = ["FORMAT", "STATE_VERSION", "AdaptiveResult", "AdaptiveSession", "AskedItem"]

#: The ``format`` of a saved session.
FORMAT: Final = "mgrlead.adaptive-session"
#: The version of the saved-session layout.
STATE_VERSION: Final = 1


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@frozen(kw_only=True)
class AskedItem:
    """One presented item: the answer, and why it was chosen."""

    item: str
    """The item id."""
    dimension: str
    """Its dimension."""
    code: int | None
    """The answer (``None``: skipped)."""
    reason: str
    """Why it was chosen (``"chosen by the caller"`` when the caller picked another item)."""
    criterion: float | None = None
    """The selection criterion's value for it (``None`` when the caller chose it)."""
    keying_balanced: bool = False
    """Whether keying balance restricted the choice to its keying."""
    theta: float | None = None
    """θ̂ of its dimension before the answer."""
    se: float | None = None
    """The SE of its dimension before the answer."""
    passed: tuple[str, ...] = field(default=(), converter=_str_tuple)
    """Items passed over by the Sympson-Hetter lottery before it was chosen."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "item": self.item,
            "dimension": self.dimension,
            "code": self.code,
            "reason": self.reason,
            "criterion": self.criterion,
            "keying_balanced": self.keying_balanced,
            "theta": self.theta,
            "se": self.se,
            "passed": list(self.passed),
        }


@frozen(kw_only=True)
class AdaptiveResult:
    """The outcome of an adaptive session so far (see :meth:`AdaptiveSession.result`)."""

    profile: Profile
    """The profile of the answered items, with θ (:meth:`AdaptiveSession.profile`)."""
    theta: ThetaProfile
    """θ (EAP) and its SE per measured dimension, from the answered items."""
    asked: tuple[AskedItem, ...]
    """The presented items, in order."""
    done: bool
    """Whether the test has stopped."""
    stopped_by: tuple[str, ...]
    """The rules that stopped it (:data:`~mgrlead.adaptive.options.STOP_RULES`); empty while it
    runs."""
    dimension_stops: dict[str, str]
    """Per dimension: the rule that closed it (dimensions still open are absent)."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the profile, θ per dimension, the items asked and the stop."""
        return {
            "profile": json.loads(self.profile.to_json()),
            "theta": {
                s.dimension: {
                    "theta": s.theta,
                    "se": s.se,
                    "t_score": s.t_score,
                    "percentile": s.percentile,
                    "answered": s.answered,
                    "scorable": s.scorable,
                    "reason": s.reason,
                }
                for s in self.theta.scores
            },
            "asked": [a.to_dict() for a in self.asked],
            "done": self.done,
            "stopped_by": list(self.stopped_by),
            "dimension_stops": dict(self.dimension_stops),
        }


@define(kw_only=True)
class AdaptiveSession:
    """An adaptive test in progress (mutable state: the items presented so far).

    Start one with :meth:`start`; then ``next_item()``, ``answer(item, code)``
    (or ``skip(item)``) until ``done``; ``result()`` (or ``profile()``).

    Example:
        >>> import mgrlead
        >>> from mgrlead.adaptive import AdaptiveSession, CatOptions
        >>> rubric = mgrlead.load_rubric("examples/ipip-bfi50-irt.toml")
        >>> session = AdaptiveSession.start(rubric, CatOptions(se=0.5), seed=1)
        >>> while not session.done:
        ...     session.answer(session.next_item(), 4)
        >>> len(session.asked) < len(rubric.items)
        True
        >>> session.result().stopped_by
        ('se',)
    """

    rubric: Rubric
    """The rubric (its content hash is saved with the state)."""
    options: CatOptions
    """The options."""
    seed: int
    """The seed of the random choices (randomesque, Sympson-Hetter)."""
    asked: list[AskedItem] = field(factory=list)
    """The presented items, in order."""
    _cache: dict[object, Any] = field(factory=dict, init=False, repr=False, eq=False)

    # ------------------------------------------------------------ building
    @classmethod
    def start(
        cls, rubric: Rubric, options: CatOptions | None = None, *, seed: int | None = None
    ) -> AdaptiveSession:
        """A new session (``seed`` ``None``: a random one, saved with the state).

        Raises:
            AdaptiveError: options that do not fit the rubric (naming the option).
            RubricError: a measured dimension has items without IRT parameters.
        """
        if not isinstance(rubric, Rubric):
            raise AdaptiveError(
                f"an adaptive session needs a Rubric, got {type(rubric).__name__}; "
                "load one with mgrlead.load_rubric"
            )
        opts = options if options is not None else CatOptions()
        if not isinstance(opts, CatOptions):
            raise AdaptiveError(f"options must be CatOptions, got {type(opts).__name__}")
        if seed is None:
            seed = secrets.randbits(63)
        else:
            check_whole("seed", seed, 0)
        session = cls(rubric=rubric, options=opts, seed=seed)
        session.bank  # noqa: B018 - compile now: option errors surface at the start
        return session

    @property
    def bank(self) -> Bank:
        """The compiled item bank."""
        bank = self._cache.get(-1)
        if bank is None or bank.options is not self.options:
            bank = compile_bank(self.rubric, self.options)
            self._cache[-1] = bank
        return bank

    # ------------------------------------------------------------ the state
    def _state(self) -> dict[str, Any]:
        """θ̂, SE, weights and the step for the items presented so far (cached per record)."""
        import numpy as np  # noqa: PLC0415

        key = tuple((rec.item, rec.code, rec.passed) for rec in self.asked)
        if key in self._cache:
            return self._cache[key]  # type: ignore[no-any-return]
        bank = self.bank
        self._cache.clear()
        self._cache[-1] = bank
        size = bank.size
        asked = np.zeros((1, size), dtype=bool)
        excluded = np.zeros((1, size), dtype=bool)
        codes = {}
        for rec in self.asked:
            i = bank.index[rec.item]
            asked[0, i] = True
            for p in rec.passed:
                excluded[0, bank.index[p]] = True
            if rec.code is not None:
                codes[i] = rec.code
        # each dimension's log posterior: the prior, then its answered items in member
        # order, as mgrlead.irt.score_theta adds them (the same bits)
        log_post = np.empty((1, len(bank.dims), len(bank.nodes)))
        answered = np.zeros(len(bank.dims), dtype=np.int64)
        for d, cols in enumerate(bank.members):
            row = np.broadcast_to(bank.log_prior, (1, len(bank.nodes))).copy()
            for i in cols:
                if int(i) in codes:
                    row += bank.code_rows[i, codes[int(i)] - bank.code_min[i]]
                    answered[d] += 1
            log_post[:, d] = row
        theta, se, weights = posterior(bank, log_post)
        rng = np.random.default_rng([self.seed, len(self.asked)])
        uniform = rng.random((1, size + 1))
        step = select(bank, asked, excluded, theta, se, weights, uniform)
        state = {"theta": theta[0], "se": se[0], "answered": answered, "step": step}
        self._cache[key] = state
        return state

    @property
    def _step(self) -> Step:
        return self._state()["step"]  # type: ignore[no-any-return]

    @property
    def done(self) -> bool:
        """Whether the test has stopped (:attr:`stopped_by` says why)."""
        return bool(self._step.item[0] < 0)

    def next_item(self) -> str | None:
        """The item to present next (``None`` when the test has stopped)."""
        i = int(self._step.item[0])
        return None if i < 0 else self.bank.ids[i]

    @property
    def stopped_by(self) -> tuple[str, ...]:
        """The rules that stopped the test (empty while it runs)."""
        flags = self._step.stop[0]
        return tuple(name for name, f in zip(STOP_RULES, flags, strict=True) if f)

    def estimates(self) -> dict[str, tuple[float, float]]:
        """θ̂ (EAP) and SE of each measured dimension now: ``{dimension: (θ, se)}``."""
        st = self._state()
        return {
            d: (float(st["theta"][k]), float(st["se"][k])) for k, d in enumerate(self.bank.dims)
        }

    # ------------------------------------------------------------ answering
    def answer(self, item_id: str, code: object) -> None:
        """Record the answer to ``item_id`` (``None``: skipped; it is not asked again).

        Usually ``item_id`` is :meth:`next_item`; another item of the bank not
        yet presented is accepted too (recorded as chosen by the caller).

        Raises:
            AdaptiveError: the test has stopped, the item is not in the bank, or it
                was presented already.
            AnswerError: the code is not on the item's scale.
        """
        bank = self.bank
        if item_id not in bank.index:
            raise AdaptiveError(
                f"item {item_id!r} is not in the adaptive test (its items: "
                f"{', '.join(bank.ids[:8])}{', ...' if bank.size > 8 else ''})"
            )
        if any(rec.item == item_id for rec in self.asked):
            raise AdaptiveError(
                f"item {item_id!r} was presented already; call undo() to change the last answer"
            )
        step = self._step
        if step.item[0] < 0:
            raise AdaptiveError(
                f"the test has stopped ({', '.join(self.stopped_by)}); "
                "read result(), or undo() to go back"
            )
        i = bank.index[item_id]
        it = bank.plan.items[bank.plan.index[item_id]]
        value = check_answer(item_id, code, it.code_min, it.code_max, it.missing_codes)
        st = self._state()
        d = int(bank.dim_of[i])
        if int(step.item[0]) == i:
            reason = REASONS[int(step.reason[0])]
            crit = float(step.value[0])
            keying = bool(step.keying[0])
            passed: tuple[str, ...] = tuple(
                bank.ids[j] for j in range(bank.size) if step.passed[0, j]
            )
        else:
            reason, crit, keying, passed = "chosen by the caller", None, False, ()
        self.asked.append(
            AskedItem(
                item=item_id,
                dimension=bank.dims[d],
                code=value,
                reason=reason,
                criterion=crit,
                keying_balanced=keying,
                theta=float(st["theta"][d]),
                se=float(st["se"][d]),
                passed=passed,
            )
        )

    def skip(self, item_id: str) -> None:
        """Skip ``item_id``: presented, not answered, not asked again."""
        self.answer(item_id, None)

    def undo(self) -> str | None:
        """Take back the last presented item and its answer; return its id (``None``: none)."""
        if not self.asked:
            return None
        return self.asked.pop().item

    # ------------------------------------------------------------ results
    def theta(self) -> ThetaProfile:
        """θ (EAP) and SE per measured dimension from the answers so far."""
        st = self._state()
        prior = self.options.prior
        scores = []
        for k, d in enumerate(self.bank.dims):
            n = int(st["answered"][k])
            t, s = float(st["theta"][k]), float(st["se"][k])
            ok = n > 0
            scores.append(
                ThetaScore(
                    dimension=d,
                    method="eap",
                    theta=t if ok else None,
                    se=s if ok else None,
                    t_score=50.0 + 10.0 * t if ok else None,
                    percentile=float(prior.percentile(st["theta"][k : k + 1])[0]) if ok else None,
                    answered=n,
                    scorable=ok,
                    reason="" if ok else _("no item of the dimension has been answered yet"),
                )
            )
        return ThetaProfile(method="eap", prior=prior, scores=tuple(scores))

    def answers(self) -> dict[str, int | None]:
        """The answers so far ``{item id: code or None}``, in the order presented."""
        return {rec.item: rec.code for rec in self.asked}

    def profile(self) -> Profile:
        """The profile of the answered items, θ and its SE in each dimension score.

        ``mgrlead.score`` with ``strategy="theta"`` (EAP, with the session's prior
        and quadrature) and ``missing="available"``: items not presented are not
        missing answers, each dimension is scored from the items it was asked, and
        its ``theta`` equals :meth:`theta`'s.  A rubric the θ strategy cannot score
        (a dimension without parameters, bands on the score that do not cover
        the quadrature range) gets the ordinary profile; θ is then in
        :meth:`theta` and :meth:`result` only.
        """
        from mgrlead.errors import RubricError  # noqa: PLC0415

        try:
            return score(self._theta_rubric(self.rubric), self.answers(), strategy="theta",
                         missing="available", careless=False)  # fmt: skip
        except RubricError:
            return score(self.rubric, self.answers(), missing="available", careless=False)

    def scoring_rubric(self, rubric: Rubric | None = None) -> Rubric:
        """The rubric :meth:`profile`'s θ profile was scored with (its content hash).

        ``rubric`` (default: the session's; a translation of it, for a report in
        its language) with the ``theta`` strategy, ``missing="available"`` and the
        session's prior and quadrature as its θ options: what a report of the
        profile needs.
        """
        from mgrlead.model import MissingPolicy  # noqa: PLC0415

        base = self._theta_rubric(self.rubric if rubric is None else rubric)
        return evolve(base, strategy="theta", missing=MissingPolicy.named("available"))

    def _theta_rubric(self, base: Rubric) -> Rubric:
        from mgrlead.model import ThetaOptions  # noqa: PLC0415

        prior, quad = self.options.prior, self.options.quadrature
        declared = base.theta or ThetaOptions()  # its confidence (borderline) is kept
        wanted = evolve(declared, method="eap", prior_mean=prior.mean, prior_sd=prior.sd,
                        points=quad.points, lower=quad.lower, upper=quad.upper)  # fmt: skip
        if wanted != declared:  # the session's prior or grid: the profile says so (its hash)
            return evolve(base, theta=wanted)
        return base

    def result(self) -> AdaptiveResult:
        """The profile, θ per dimension, the items asked and why the test stopped."""
        step = self._step
        stops = {
            d: STOP_RULES[int(c) - 1]
            for d, c in zip(self.bank.dims, step.closed[0], strict=True)
            if c > 0
        }
        return AdaptiveResult(
            profile=self.profile(),
            theta=self.theta(),
            asked=tuple(self.asked),
            done=self.done,
            stopped_by=self.stopped_by,
            dimension_stops=stops,
        )

    # ------------------------------------------------------------ saving
    def to_dict(self) -> dict[str, Any]:
        """The whole state as a JSON-ready dict (see :meth:`from_dict`)."""
        return {
            "format": FORMAT,
            "version": STATE_VERSION,
            "rubric": {
                "id": self.rubric.id,
                "version": self.rubric.version,
                "content_hash": self.bank.content_hash,
            },
            "seed": self.seed,
            "options": self.options.to_dict(),
            "asked": [rec.to_dict() for rec in self.asked],
        }

    def to_json(self) -> str:
        """The whole state as JSON text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, rubric: Rubric, text: str | bytes) -> AdaptiveSession:
        """Resume a session saved with :meth:`to_json`, against the same rubric content.

        Raises:
            SessionStateError: not a saved session, a newer layout, another rubric
                content (its content hash differs), or a record that does not fit.
        """
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SessionStateError(f"saved session: not valid JSON: {exc}") from exc
        return cls.from_dict(rubric, data)

    @classmethod
    def from_dict(cls, rubric: Rubric, data: object) -> AdaptiveSession:
        """Resume a session from :meth:`to_dict`'s dict (see :meth:`from_json`)."""
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise SessionStateError(
                f"saved session: not an adaptive session (expected format {FORMAT!r})"
            )
        version = data.get("version")
        if version != STATE_VERSION:
            raise SessionStateError(
                f"saved session: layout version {version!r}; this mgrlead reads version "
                f"{STATE_VERSION}"
            )
        missing = [k for k in ("rubric", "seed", "options", "asked") if k not in data]
        if missing:
            raise SessionStateError(f"saved session: missing key(s) {', '.join(missing)}")
        try:
            options = CatOptions.from_dict(data["options"])
        except (AdaptiveError, TypeError) as exc:
            raise SessionStateError(f"saved session: {exc}") from exc
        saved = data["rubric"]
        if not isinstance(saved, Mapping):
            raise SessionStateError("saved session: rubric must be an object")
        session = cls.start(rubric, options, seed=_seed(data["seed"]))
        bank = session.bank
        if saved.get("content_hash") != bank.content_hash:
            raise SessionStateError(
                f"saved session was started with rubric {saved.get('id')!r} "
                f"{saved.get('version')!r} ({str(saved.get('content_hash'))[:19]}), whose "
                f"content differs from {rubric.id!r} {rubric.version!r} "
                f"({bank.content_hash[:19]}); resume it with the rubric version that started it"
            )
        records = data["asked"]
        if not isinstance(records, list):
            raise SessionStateError("saved session: asked must be a list")
        seen: set[str] = set()
        for n, rec in enumerate(records):
            where = f"saved session: asked[{n}]"
            if not isinstance(rec, Mapping):
                raise SessionStateError(f"{where}: must be an object")
            item = rec.get("item")
            if item not in bank.index or item in seen:
                why = "is presented twice" if item in seen else "is not in the bank"
                raise SessionStateError(f"{where}: item {item!r} {why}")
            seen.add(item)
            it = bank.plan.items[bank.plan.index[item]]
            try:
                code = check_answer(item, rec.get("code"), it.code_min, it.code_max,
                                    it.missing_codes)  # fmt: skip
            except AnswerError as exc:
                raise SessionStateError(f"{where}.code: {exc}") from exc
            passed = rec.get("passed", [])
            if not isinstance(passed, list) or any(p not in bank.index for p in passed):
                raise SessionStateError(f"{where}.passed: must list items of the bank")
            try:
                session.asked.append(
                    AskedItem(
                        item=item,
                        dimension=bank.dims[int(bank.dim_of[bank.index[item]])],
                        code=code,
                        reason=str(rec.get("reason", "")),
                        criterion=_number(rec.get("criterion"), f"{where}.criterion"),
                        keying_balanced=bool(rec.get("keying_balanced", False)),
                        theta=_number(rec.get("theta"), f"{where}.theta"),
                        se=_number(rec.get("se"), f"{where}.se"),
                        passed=tuple(passed),
                    )
                )
            except (TypeError, ValueError) as exc:
                raise SessionStateError(f"{where}: {exc}") from exc
        return session


def _seed(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SessionStateError(f"saved session: seed must be a whole number >= 0, got {value!r}")
    return value


def _number(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SessionStateError(f"{where}: must be a number or null, got {value!r}")
    return float(value)
