"""Opt-in pytest fixtures for plugin authors.

Enable in a ``conftest.py``::

    pytest_plugins = ["mgrlead.testing.pytest_plugin"]

Fixtures:

``mgrlead_host``
    A fresh plugin host with mgrlead's built-ins only (no installed plugins).
``register_mgrlead_plugin``
    A function: ``register_mgrlead_plugin(my_plugin)`` makes a host with the
    built-ins and ``my_plugin`` the process-wide host for this test, so that
    ``mgrlead.load_rubric``, ``mgrlead.build_rubric`` and the CLI see it; it is
    removed afterwards.  It returns the host.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from mgrlead.plugins import PluginHost, get_plugin_host, set_default_host

__all__ = ["mgrlead_host", "register_mgrlead_plugin"]


@pytest.fixture
def mgrlead_host() -> PluginHost:
    """A fresh plugin host: the built-ins, nothing installed, nothing else."""
    return get_plugin_host(entrypoints=False, environ={})


@pytest.fixture
def register_mgrlead_plugin() -> Iterator[Callable[..., PluginHost]]:
    """Register plugins in-process for one test; the previous host is restored after."""
    saved: list[PluginHost | None] = []

    def register(*given: object, strict: bool = True) -> PluginHost:
        host = get_plugin_host(entrypoints=False, plugins=given, strict=strict, environ={})
        previous = set_default_host(host)
        if not saved:
            saved.append(previous)
        return host

    yield register
    if saved:
        set_default_host(saved[0])
