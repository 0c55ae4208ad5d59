"""The hooks a mgrlead plugin can implement.

A plugin is a module (or any object) with functions named after these hooks and
marked with :data:`mgrlead.hookimpl`.  Install it as a distribution with an entry
point in the group ``mgrlead``, or pass it in-process to
:func:`mgrlead.plugins.host.get_plugin_host`::

    # mgrlead_change_agent/__init__.py
    from mgrlead import Dimension, hookimpl

    @hookimpl
    def mgrlead_register_dimensions(register):
        register(Dimension(id="change", ...))

Every hook receives a ``register`` callback.  mgrlead validates each object as
it is registered and records which plugin registered it.  A plugin's
registrations take effect all together or not at all: if any of its hooks raises,
or registers something invalid, none of them is kept, and a warning names the
plugin, the hook, the cause and the fix.

Hooks are called once, when the plugin host is built (lazily, on first use),
organisation plugins first and mgrlead's built-ins last.

Each ``register`` callback also takes ``replaces="<plugin name>"``: a plugin that
means to replace what another plugin registers under the same name says so, and
the replacement is recorded.  Without it, two plugins registering the same name
is an error that names both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import pluggy

__all__ = [
    "PROJECT",
    "FeedbackRegistrar",
    "Registrar",
    "hookimpl",
    "mgrlead_contribute_feedback",
    "mgrlead_register_dimensions",
    "mgrlead_register_rubric_formats",
    "mgrlead_register_rubrics",
    "mgrlead_register_strategies",
    "mgrlead_register_weightings",
]

#: The pluggy project name (and the entry-point group).
PROJECT = "mgrlead"

_hookspec = pluggy.HookspecMarker(PROJECT)

#: Marks a plugin's hook implementations: ``from mgrlead import hookimpl``.
hookimpl = pluggy.HookimplMarker(PROJECT)


class Registrar(Protocol):
    """The ``register`` callback of the ``mgrlead_register_*`` hooks."""

    def __call__(self, obj: object, /, *, replaces: str | None = None) -> None:
        """Register ``obj``; ``replaces`` names the plugin whose entry it replaces."""


class FeedbackRegistrar(Protocol):
    """The ``register`` callback of :func:`mgrlead_contribute_feedback`."""

    def __call__(  # noqa: PLR0913 - the keywords of one contribution
        self,
        *,
        dimension: str,
        target: str,
        field: str,
        text: str,
        mode: str = "append",
        translations: Mapping[str, str] | None = None,
    ) -> None:
        """Contribute feedback text.

        Args:
            dimension: The dimension id.
            target: ``"low"`` or ``"high"`` for a pole, or a band id.
            field: For a pole ``description``, ``strengths``, ``risks`` or
                ``development``; for a band ``feedback``.
            text: The text (in the rubric's own language).
            mode: ``"append"`` (after the existing text) or ``"replace"``.
            translations: The text in other languages (``{"de": "..."}``), for
                rubrics translated into them (the built-in rubric is, into
                German, French and Spanish).  In a translated language without
                one, an appended text is appended as written, and a replaced
                text's translation is dropped, so the replacement shows.
        """


@_hookspec
def mgrlead_register_dimensions(register: Registrar) -> None:
    """Register bipolar dimensions that organisations can add to a rubric.

    Called once when the plugin host is built.  Call ``register(dimension)``
    with a :class:`~mgrlead.Dimension` for each dimension; its id must be unique
    among all plugins.  A registered dimension is added to a rubric with
    ``mgrlead.build_rubric(..., extra_dimensions=["id"])`` or
    ``--with-dimension id`` on the command line.
    """


@_hookspec
def mgrlead_register_rubrics(register: Registrar) -> None:
    """Register whole instruments, by id and version.

    Called once when the plugin host is built.  Call ``register(rubric)`` with a
    :class:`~mgrlead.Rubric`; ``mgrlead.load_rubric(rubric.id)`` then returns it.
    """


@_hookspec
def mgrlead_register_rubric_formats(register: Registrar) -> None:
    """Register rubric sources: other tools' file formats that rubrics come from or go to.

    Called once when the plugin host is built.  Call ``register(fmt)`` with a
    :class:`mgrlead.io.survey.RubricFormat`: ``read`` turns a file into a
    rubric skeleton (``mgrlead rubric import FILE --format id``), ``write`` a
    rubric into the file (``mgrlead rubric export NAME --format id``).
    mgrlead's own are ``surveyjs``, ``qsf`` and ``psych-keys``.
    """


@_hookspec
def mgrlead_register_weightings(register: Registrar) -> None:
    """Register weighting schemes: how dimensions (and items) count overall.

    Called once when the plugin host is built.  Call ``register(weighting)`` with
    a :class:`~mgrlead.Weighting`; weights must be finite and not negative.  A
    scheme is chosen at scoring time with ``build_rubric(..., weighting="id")``
    or ``--weighting id``; it may name dimensions that a rubric does not have
    only if they are added with it.
    """


@_hookspec
def mgrlead_register_strategies(register: Registrar) -> None:
    """Register scoring strategies: how a dimension's statistics become its score.

    Called once when the plugin host is built.  Call ``register(strategy)`` with
    an instance of a :class:`~mgrlead.strategies.ScoringStrategy` subclass.  Its
    ``score`` method receives floats for one respondent and numpy arrays for a
    batch: use arithmetic that works on both.
    """


@_hookspec
def mgrlead_contribute_feedback(register: FeedbackRegistrar) -> None:
    """Contribute extra or replacement feedback text for a dimension's poles or bands.

    Called once when the plugin host is built, after every dimension and rubric
    is registered.  Call ``register(dimension=..., target=..., field=...,
    text=..., mode="append" | "replace")``.  The text is applied to every rubric
    the host returns that has that dimension.
    """
