"""``mgrlead irt``: item response theory on the command line (issue 17).

Each command lives in its own module (``show`` in :mod:`mgrlead.cli.irt_show`);
this group only gathers them.
"""

from __future__ import annotations

import click

from mgrlead.cli.common import MgrleadGroup
from mgrlead.cli.irt_show import show

__all__ = ["irt"]


@click.group(cls=MgrleadGroup)
def irt() -> None:
    """Item response theory: look at a rubric's item parameters."""


irt.add_command(show)
