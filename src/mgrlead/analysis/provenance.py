"""Provenance: a content hash of everything in a rubric that affects scores.

Two profiles are comparable when they come from rubrics with the same content
hash: the same items, keys, scales, response maps, weights, strategy,
missing-data policy and bands.  Texts (titles, item wording, feedback,
translations), metadata and provenance records do not affect the hash: fixing a
typo in an item's text keeps old and new profiles comparable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mgrlead.errors import IncomparableError
from mgrlead.plan import content_hash, scoring_content

if TYPE_CHECKING:
    from mgrlead.results import Profile

__all__ = ["check_comparable", "content_hash", "scoring_content"]


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
