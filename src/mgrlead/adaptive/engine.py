"""The item bank of an adaptive test, compiled to arrays, and the selection step over many sessions.

Written once over numpy arrays of ``N`` sessions: a session is a batch of one,
and :func:`mgrlead.adaptive.simulate` runs thousands at once through the same
:func:`select`.  The log-probability rows of each response code are the θ
scorer's own tables (:func:`mgrlead.irt.scoring.log_probability_tables`); the
information comes from :func:`mgrlead.irt.item_information` and the category
probabilities from :func:`mgrlead.irt.category_log_probabilities`.

Fisher information and the category log-probabilities at θ̂ are read from
tables on a fine grid (step :data:`FINE_STEP` over the quadrature range), by
linear interpolation: the selection never calls the model per item and step.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, Any, Final

from attrs import frozen

from mgrlead.adaptive.options import STOP_RULES, CatOptions
from mgrlead.errors import AdaptiveError
from mgrlead.irt.models import category_log_probabilities, item_information
from mgrlead.irt.scoring import (
    eap,
    irt_dimensions,
    log_prior,
    log_probability_tables,
    plan_for,
)
from mgrlead.plan import content_hash

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mgrlead.irt.scoring import IrtPlan
    from mgrlead.model import Rubric

    Floats = npt.NDArray[np.float64]
    Ints = npt.NDArray[np.intp]
    Bools = npt.NDArray[np.bool_]

__all__ = ["FINE_STEP", "REASONS", "Bank", "Step", "compile_bank", "posterior", "select"]

#: The step of the grid that Fisher information and log-probabilities at θ̂ are read from.
FINE_STEP: Final = 0.01
#: Why an item was chosen, by code.
REASONS: Final = (
    "required item",
    "its dimension is below its minimum number of items",
    "its dimension is the least precise (SE / target)",
    "more items are needed for the overall minimum",
)


@frozen(eq=False)
class Bank:
    """A rubric's items for adaptive testing, with its options, as arrays (:func:`compile_bank`)."""

    rubric_id: str
    """The rubric id."""
    rubric_version: str
    """Its version."""
    content_hash: str
    """Its content hash (:func:`mgrlead.plan.content_hash`)."""
    options: CatOptions
    """The options it was compiled with."""
    plan: IrtPlan
    """The θ plan of the measured dimensions."""
    dims: tuple[str, ...]
    """The measured dimensions."""
    ids: tuple[str, ...]
    """The bank's items (dimension by dimension, in member order)."""
    index: dict[str, int]
    """Item id to bank position."""
    dim_of: Any
    """``(I,)``: each item's dimension (position in :attr:`dims`)."""
    low_keyed: Any
    """``(I,)``: whether each item is keyed toward the low pole (reverse-scored)."""
    code_min: Any
    """``(I,)``: each item's lowest code."""
    members: tuple[Any, ...]
    """Per dimension: its items' bank positions, in member order."""
    onehot: Any
    """``(I, D)``: item-in-dimension as 0/1 (counting)."""
    code_rows: Any
    """``(I, C, Q)``: the θ scorer's log-probability row of each response code (padded)."""
    nodes: Any
    """``(Q,)``: the quadrature nodes."""
    log_prior: Any
    """``(Q,)``: the prior's log density at the nodes."""
    info_nodes: Any
    """``(I, Q)``: Fisher information at the nodes."""
    info_fine: Any
    """``(I, G)``: Fisher information on the fine grid."""
    lp_fine: Any
    """``(I, K, G)``: keyed category log-probabilities on the fine grid (0 where padded)."""
    lp_nodes: Any
    """``(I, K, Q)``: keyed category log-probabilities at the nodes (0 where padded)."""
    cat_ok: Any
    """``(I, K)``: which categories exist."""
    required: Any
    """``(I,)``: the required items."""
    exposure: Any
    """``(I,)``: the Sympson-Hetter parameters (1: no control)."""
    se_target: Any
    """``(D,)``: the SE targets (NaN: no SE rule)."""
    min_d: Any
    """``(D,)``: the fewest items per dimension."""
    max_d: Any
    """``(D,)``: the most items per dimension."""

    @property
    def size(self) -> int:
        """How many items the bank holds."""
        return len(self.ids)


def compile_bank(rubric: Rubric, options: CatOptions) -> Bank:
    """The bank of ``rubric`` under ``options`` (cached by value).

    Raises:
        RubricError: a measured dimension has items without parameters.
        AdaptiveError: an option names an unknown dimension or item, an item
            counts toward two measured dimensions, or the limits contradict each other.
    """
    key = (id(rubric), options)
    hit = _FRONT.get(key)
    if hit is not None and hit[0] is rubric:
        return hit[1]
    bank = _compile(rubric, options)
    with _FRONT_LOCK:  # web workers may share the process between threads
        while len(_FRONT) >= _FRONT_SIZE:
            del _FRONT[next(iter(_FRONT))]
        _FRONT[key] = (rubric, bank)
    return bank


#: The identity front of :func:`compile_bank`: the same rubric object again costs one
#: lookup (hashing a rubric by value walks every item), as in :mod:`mgrlead.api`.
_FRONT: dict[tuple[int, CatOptions], tuple[Rubric, Bank]] = {}
_FRONT_SIZE: Final = 32
_FRONT_LOCK: Final = threading.Lock()


@functools.lru_cache(maxsize=32)
def _compile(rubric: Rubric, options: CatOptions) -> Bank:  # noqa: PLR0915 - one pass
    import numpy as np  # noqa: PLC0415

    chosen = options.dimensions if options.dimensions is not None else irt_dimensions(rubric)
    plan = plan_for(rubric, tuple(chosen))
    dims = tuple(d.id for d in plan.dimensions)
    unknown = sorted(options.named_dimensions() - set(dims))
    if unknown:
        raise AdaptiveError(
            f"options name dimension(s) {', '.join(map(repr, unknown))}, which the adaptive "
            f"test does not measure; it measures {', '.join(dims)}"
        )
    owner: dict[int, str] = {}
    for dim in plan.dimensions:
        for m in dim.members:
            if m.column in owner:
                raise AdaptiveError(
                    f"item {plan.items[m.column].id!r} counts toward dimensions "
                    f"{owner[m.column]!r} and {dim.id!r}; an adaptive test needs each item in "
                    "one measured dimension: choose options.dimensions (e.g. the facets only)"
                )
            owner[m.column] = dim.id
    quad = options.quadrature
    nodes = quad.nodes()
    tables = log_probability_tables(plan, quad)
    ids: list[str] = []
    dim_of, low, cmin, ncodes, rows, params = [], [], [], [], [], []
    members = []
    for d, (dim, (flat, offsets)) in enumerate(zip(plan.dimensions, tables, strict=True)):
        start = len(ids)
        for m, off in zip(dim.members, offsets, strict=True):
            it = plan.items[m.column]
            ids.append(it.id)
            dim_of.append(d)
            low.append(m.reverse)
            cmin.append(it.code_min)
            n = len(it.codes)
            ncodes.append(n)
            rows.append(flat[off : off + n])
            params.append(m.params)
        members.append(np.arange(start, len(ids), dtype=np.intp))
    size = len(ids)
    index = {item: i for i, item in enumerate(ids)}
    cmax = max(ncodes)
    code_rows = np.zeros((size, cmax, len(nodes)))
    for i, r in enumerate(rows):
        code_rows[i, : len(r)] = r
    kmax = max(p.categories for p in params)
    steps = round((quad.upper - quad.lower) / FINE_STEP)
    fine = np.linspace(quad.lower, quad.upper, steps + 1)
    info_fine = np.stack([item_information(p, fine) for p in params])
    info_nodes = np.stack([item_information(p, nodes) for p in params])
    lp_fine = np.zeros((size, kmax, len(fine)))
    lp_nodes = np.zeros((size, kmax, len(nodes)))
    cat_ok = np.zeros((size, kmax), dtype=bool)
    for i, p in enumerate(params):
        k = p.categories
        lp_fine[i, :k] = category_log_probabilities(p, fine)
        lp_nodes[i, :k] = category_log_probabilities(p, nodes)
        cat_ok[i, :k] = True
    required = np.zeros(size, dtype=bool)
    for item in options.required:
        if item not in index:
            raise AdaptiveError(
                f"options.required: item {item!r} is not in the adaptive test's bank "
                f"(dimensions {', '.join(dims)})"
            )
        required[index[item]] = True
    exposure = np.ones(size)
    for item, k in options.exposure or ():
        if item not in index:
            raise AdaptiveError(f"options.exposure: item {item!r} is not in the bank")
        exposure[index[item]] = k
    se_target = np.array(
        [np.nan if (v := options.per_dimension("se", d)) is None else float(v) for d in dims]
    )
    min_d = np.array([options.per_dimension("min_per_dimension", d) for d in dims], dtype=np.int64)
    max_d = np.array(
        [
            size + 1 if (v := options.per_dimension("max_per_dimension", d)) is None else v
            for d in dims
        ],
        dtype=np.int64,
    )
    for d, dim_id in enumerate(dims):
        if min_d[d] > max_d[d]:
            raise AdaptiveError(
                f"options: dimension {dim_id!r} has min_per_dimension {min_d[d]} above "
                f"max_per_dimension {max_d[d]}"
            )
    if options.max_items is not None and options.max_items < len(options.required):
        raise AdaptiveError(
            f"options.max_items ({options.max_items}) is less than the "
            f"{len(options.required)} required items; raise max_items"
        )
    onehot = np.zeros((size, len(dims)))
    onehot[np.arange(size), dim_of] = 1.0
    return Bank(
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        content_hash=content_hash(rubric),
        options=options,
        plan=plan,
        dims=dims,
        ids=tuple(ids),
        index=index,
        dim_of=np.asarray(dim_of, dtype=np.intp),
        low_keyed=np.asarray(low, dtype=bool),
        code_min=np.asarray(cmin, dtype=np.int64),
        members=tuple(members),
        onehot=onehot,
        code_rows=code_rows,
        nodes=nodes,
        log_prior=log_prior(options.prior, nodes),
        info_nodes=info_nodes,
        info_fine=info_fine,
        lp_fine=lp_fine,
        lp_nodes=lp_nodes,
        cat_ok=cat_ok,
        required=required,
        exposure=exposure,
        se_target=se_target,
        min_d=min_d,
        max_d=max_d,
    )


def posterior(bank: Bank, log_post: Floats) -> tuple[Floats, Floats, Floats]:
    """θ̂ (EAP), SE and the normalised posterior weights from log posteriors ``(N, D, Q)``."""
    import numpy as np  # noqa: PLC0415

    n, d, q = log_post.shape
    flat = log_post.reshape(n * d, q)
    theta, se = eap(flat, bank.nodes)
    w = np.exp(flat - flat.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    return theta.reshape(n, d), se.reshape(n, d), w.reshape(n, d, q)


def _at(bank: Bank, table: Floats, theta: Floats) -> Floats:
    """``table`` (I, G) on the fine grid, read at each session's θ̂ of each item's dimension."""
    import numpy as np  # noqa: PLC0415

    quad = bank.options.quadrature
    g = table.shape[-1]
    x = np.clip((theta - quad.lower) / FINE_STEP, 0.0, g - 1.0)
    j = np.minimum(np.floor(x).astype(np.intp), g - 2)
    f = x - j
    rows = np.arange(table.shape[0])[None, :]
    return table[rows, j] * (1.0 - f) + table[rows, j + 1] * f  # type: ignore[no-any-return]


def criterion(bank: Bank, theta: Floats, weights: Floats) -> Floats:
    """Each item's selection criterion for each session ``(N, I)`` (see docs/adaptive.md)."""
    import numpy as np  # noqa: PLC0415

    at = theta[:, bank.dim_of]  # (N, I): θ̂ of each item's dimension
    kind = bank.options.selection
    if kind == "mfi":
        return _at(bank, bank.info_fine, at)
    n = theta.shape[0]
    out = np.empty((n, bank.size))
    if kind == "pwi":
        for d, cols in enumerate(bank.members):
            out[:, cols] = weights[:, d, :] @ bank.info_nodes[cols].T
        return out
    # kl: Σ_q w_q Σ_k P_k(θ̂) [log P_k(θ̂) - log P_k(θ_q)]
    kmax = bank.lp_fine.shape[1]
    lp_hat = np.stack([_at(bank, bank.lp_fine[:, k, :], at) for k in range(kmax)], axis=-1)
    p_hat = np.where(bank.cat_ok[None], np.exp(lp_hat), 0.0)
    first = (p_hat * np.where(bank.cat_ok[None], lp_hat, 0.0)).sum(axis=-1)
    for d, cols in enumerate(bank.members):
        lq = bank.lp_nodes[cols].reshape(len(cols) * kmax, -1)  # (I_d K, Q)
        c = (weights[:, d, :] @ lq.T).reshape(n, len(cols), kmax)
        out[:, cols] = first[:, cols] - (p_hat[:, cols] * c).sum(axis=-1)
    return out


@frozen(eq=False)
class Step:
    """The decision of one selection step for ``N`` sessions (arrays, one row per session)."""

    item: Any
    """``(N,)``: the chosen item's bank position, -1 where the test stops."""
    stop: Any
    """``(N, R)``: which rules of :data:`~mgrlead.adaptive.options.STOP_RULES` stopped the test."""
    closed: Any
    """``(N, D)``: 0 for an open dimension, else 1 + the index of the rule that closed it."""
    reason: Any
    """``(N,)``: why the item was chosen (index into :data:`REASONS`), -1 when stopping."""
    keying: Any
    """``(N,)``: whether keying balance restricted the choice."""
    value: Any
    """``(N,)``: the criterion value of the chosen item (NaN when stopping)."""
    passed: Any
    """``(N, I)``: items passed over by the Sympson-Hetter lottery."""
    considered: Any
    """``(N, I)``: items whose lottery was drawn (passed over or chosen)."""


def select(  # noqa: PLR0913, PLR0917, PLR0915 - the whole state of the sessions
    bank: Bank,
    asked: Bools,
    excluded: Bools,
    theta: Floats,
    se: Floats,
    weights: Floats,
    uniform: Floats,
) -> Step:
    """One selection step for ``N`` sessions.

    Args:
        bank: The compiled bank.
        asked: ``(N, I)``: items presented (answered or skipped).
        excluded: ``(N, I)``: items passed over by the Sympson-Hetter lottery.
        theta: ``(N, D)``: θ̂ of each dimension.
        se: ``(N, D)``: its SE.
        weights: ``(N, D, Q)``: the normalised posterior weights.
        uniform: ``(N, I + 1)``: uniform random numbers in [0, 1) (the lottery, then the
            randomesque pick).
    """
    import numpy as np  # noqa: PLC0415

    opts = bank.options
    n, size = asked.shape
    n_dims = len(bank.dims)
    avail = ~asked
    counts = (asked @ bank.onehot).astype(np.int64)  # (N, D)
    left = (avail @ bank.onehot).astype(np.int64)
    total = asked.sum(axis=1)
    crit = criterion(bank, theta, weights)
    info = crit if opts.selection == "mfi" else None
    at_min = counts >= bank.min_d[None, :]
    closed = np.zeros((n, n_dims), dtype=np.int64)
    rule = {name: i + 1 for i, name in enumerate(STOP_RULES)}
    # the highest priority written last
    closed[left == 0] = rule["exhausted"]
    closed[counts >= bank.max_d[None, :]] = rule["max_per_dimension"]
    if opts.min_information is not None:
        if info is None:
            info = _at(bank, bank.info_fine, theta[:, bank.dim_of])
        best = np.full((n, n_dims), -np.inf)
        for d, cols in enumerate(bank.members):
            best[:, d] = np.where(avail[:, cols], info[:, cols], -np.inf).max(axis=1)
        closed[at_min & (best < opts.min_information) & (left > 0)] = rule["min_information"]
    closed[at_min & (se <= bank.se_target[None, :])] = rule["se"]
    can_more = (counts < bank.max_d[None, :]) & (left > 0)
    pending = avail & bank.required[None, :]
    has_req = pending.any(axis=1)
    all_closed = (closed > 0).all(axis=1)
    stop_max = (total >= opts.max_items) if opts.max_items is not None else np.zeros(n, bool)
    stop_closed = all_closed & ((total >= opts.min_items) | ~can_more.any(axis=1))
    stopping = stop_max | (stop_closed & ~has_req)
    stop = np.zeros((n, len(STOP_RULES)), dtype=bool)
    stop[:, rule["max_items"] - 1] = stopping & stop_max
    for name in STOP_RULES[:-1]:
        fired = (closed == rule[name]).any(axis=1)
        stop[:, rule[name] - 1] = stopping & ~stop_max & fired
    # the dimension to measure next
    open_ = (closed == 0) & can_more
    reason = np.where(has_req, 0, 2)
    none_open = ~open_.any(axis=1)
    open_ = np.where(none_open[:, None], can_more, open_)
    reason = np.where(~has_req & none_open, 3, reason)
    below = counts < bank.min_d[None, :]
    target = np.where(np.isnan(bank.se_target), 1.0, bank.se_target)
    priority = np.where(open_, below * 1e6 + se / target[None, :], -np.inf)
    dim = np.argmax(priority, axis=1)
    reason = np.where(~has_req & (reason == 2) & below[np.arange(n), dim], 1, reason)
    cand = np.where(has_req[:, None], pending, avail & (bank.dim_of[None, :] == dim[:, None]))
    keying = np.zeros(n, dtype=bool)
    if opts.balance_keying:
        in_dim = bank.dim_of[None, :] == dim[:, None]
        low = bank.low_keyed[None, :]
        asked_low = (asked & in_dim & low).sum(axis=1)
        asked_high = (asked & in_dim & ~low).sum(axis=1)
        left_low = (cand & low).any(axis=1)
        left_high = (cand & ~low).any(axis=1)
        tol = opts.keying_tolerance
        want_low = ~has_req & (asked_high - asked_low >= tol) & left_low
        want_high = ~has_req & (asked_low - asked_high >= tol) & left_high
        cand = np.where(want_low[:, None], cand & low, cand)
        cand = np.where(want_high[:, None], cand & ~low, cand)
        keying = want_low | want_high
    fresh = cand & ~excluded
    cand = np.where(fresh.any(axis=1)[:, None], fresh, cand)
    score = np.where(cand, crit, -np.inf)
    order = np.argsort(-score, axis=1, kind="stable")
    ncand = cand.sum(axis=1)
    rows = np.arange(n)
    if opts.exposure is None:
        k = np.minimum(opts.randomesque, np.maximum(ncand, 1))
        pos = np.minimum((uniform[:, -1] * k).astype(np.intp), k - 1)
        passed_pos = np.zeros((n, size), dtype=bool)
    else:
        valid = np.arange(size)[None, :] < ncand[:, None]
        accept = (uniform[:, :size] < bank.exposure[order]) & valid
        pos = np.where(accept.any(axis=1), np.argmax(accept, axis=1), np.maximum(ncand - 1, 0))
        passed_pos = np.arange(size)[None, :] < pos[:, None]
    chosen = order[rows, pos]
    go = ~stopping & (ncand > 0)
    item = np.where(go, chosen, -1)
    passed = np.zeros((n, size), dtype=bool)
    np.put_along_axis(passed, order, passed_pos & go[:, None], axis=1)
    considered = passed.copy()
    considered[rows[go], chosen[go]] = True
    value = np.where(go, score[rows, chosen], np.nan)
    # nothing left to ask at all: stop as exhausted
    stuck = ~stopping & ~go
    stop[stuck, rule["exhausted"] - 1] = True
    return Step(
        item=item,
        stop=stop,
        closed=closed,
        reason=np.where(go, reason, -1),
        keying=keying & go,
        value=value,
        passed=passed,
        considered=considered,
    )
