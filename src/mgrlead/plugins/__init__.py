"""Plugins: hooks, the host that loads them, built-ins and name resolution.

The hooks are in :mod:`~mgrlead.plugins.hookspecs`, the host that loads them in
:mod:`~mgrlead.plugins.host`, mgrlead's own built-ins in
:mod:`~mgrlead.plugins.builtin`, and resolution through a host in
:mod:`~mgrlead.plugins.resolve`.

The host's names are imported on first use, so that ``import mgrlead`` (which
needs only the ``hookimpl`` marker) loads no plugin machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mgrlead.plugins.host import (
        BUILTIN_PLUGIN,
        FeedbackEdit,
        PluginHost,
        PluginInfo,
        Registration,
        default_host,
        get_plugin_host,
        host_generation,
        reset_default_host,
        set_default_host,
    )

__all__ = [
    "BUILTIN_PLUGIN",
    "FeedbackEdit",
    "PluginHost",
    "PluginInfo",
    "Registration",
    "default_host",
    "get_plugin_host",
    "host_generation",
    "reset_default_host",
    "set_default_host",
]


def __getattr__(name: str) -> Any:  # noqa: ANN401 - whatever the host's name is
    """Import the host's public names on first use."""
    if name not in __all__:
        raise AttributeError(f"module 'mgrlead.plugins' has no attribute {name!r}")
    from mgrlead.plugins import host  # noqa: PLC0415

    value = getattr(host, name)
    globals()[name] = value
    return value
