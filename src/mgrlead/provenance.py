"""Provenance: a content hash of everything in a rubric that affects scores.

Two profiles are comparable when they come from rubrics with the same content
hash: the same items, keys, scales, response maps, weights, strategy,
missing-data policy and bands.  Texts (titles, item wording, feedback,
translations), metadata and provenance records do not affect the hash: fixing a
typo in an item's text keeps old and new profiles comparable.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from mgrlead.errors import MgrleadError

if TYPE_CHECKING:
    from mgrlead.model import Band, Dimension, MissingPolicy, Rubric, Scale
    from mgrlead.results import Profile

__all__ = ["IncomparableError", "check_comparable", "content_hash", "scoring_content"]


class IncomparableError(MgrleadError):
    """Two profiles come from rubrics whose scoring differs."""


def _scale(scale: Scale) -> dict[str, Any]:
    return {"min": scale.min, "max": scale.max, "missing": sorted(scale.missing_codes)}


def _bands(bands: tuple[Band, ...] | None) -> list[Any] | None:
    if bands is None:
        return None
    return [[b.id, b.lower, b.upper, b.include_lower, b.include_upper] for b in bands]


def _missing(policy: MissingPolicy) -> list[Any]:
    return [policy.min_answered, policy.min_share, policy.impute]


def scoring_content(rubric: Rubric) -> dict[str, Any]:
    """The part of a rubric that affects scores, as plain data (what is hashed)."""

    def dimension(dim: Dimension) -> dict[str, Any]:
        return {
            "id": dim.id,
            "polarity": dim.polarity,
            "members": [[item_id, rev] for item_id, rev in rubric.members(dim)],
            "bands": _bands(dim.bands),
            "band_on": dim.band_on,
            "missing": None if dim.missing is None else _missing(dim.missing),
            "dimensions": [dimension(sub) for sub in dim.dimensions],
        }

    items = {}
    for item in rubric.items:
        items[item.id] = {
            "weight": rubric.weighting.item_weight(item),
            "scale": _scale(rubric.item_scale(item)),
            "responses": [[r.code, r.score] for r in item.responses],
        }
    return {
        "format": 1,
        "strategy": rubric.strategy,
        "weighting": {d.id: rubric.weighting.weight(d.id) for d in rubric.dimensions},
        "missing": _missing(rubric.missing),
        "bands": _bands(rubric.bands),
        "items": items,
        "dimensions": [dimension(d) for d in rubric.dimensions],
    }


def content_hash(rubric: Rubric) -> str:
    """``sha256:<hex>`` of :func:`scoring_content`, canonical JSON."""
    text = json.dumps(scoring_content(rubric), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_comparable(first: Profile, second: Profile) -> None:
    """Raise :class:`IncomparableError` unless both profiles were scored the same way.

    Raises:
        IncomparableError: naming the rubrics, versions and what differs.
    """
    if first.content_hash and first.content_hash == second.content_hash:
        return
    a = f"{first.rubric} {first.rubric_version}"
    b = f"{second.rubric} {second.rubric_version}"
    if not first.content_hash or not second.content_hash:
        why = "one of them has no content hash (it was made by an older mgrlead)"
    elif a == b:
        why = "the rubric has the same name and version but scores differently"
    else:
        why = "they come from different rubrics or versions"
    raise IncomparableError(
        f"profiles from {a} ({first.content_hash[:19]}) and {b} "
        f"({second.content_hash[:19]}) are not comparable: {why}; score both with the same "
        "rubric"
    )
