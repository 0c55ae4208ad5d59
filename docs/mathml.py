"""LaTeX formulas of the docs as MathML, made when the pages are built (used by conf.py).

Browsers draw MathML themselves: the pages need no script and nothing from the
network, and read the same offline.
"""

from __future__ import annotations

import re


def _plain_text(latex: str) -> str:
    r"""``\_`` inside ``\text{...}`` is an underscore (the converter would keep the backslash)."""
    return re.sub(
        r"\\text\{([^{}]*)\}", lambda m: r"\text{" + m.group(1).replace(r"\_", "_") + "}", latex
    )


def mathml(latex: str, display: str = "inline") -> str:
    """``latex`` as a ``<math>`` element (``display``: ``inline`` or ``block``)."""
    from latex2mathml.converter import convert  # noqa: PLC0415

    return str(convert(_plain_text(latex.strip()), display=display))
