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

from mgrlead import plugins
from mgrlead.plugins import PluginHost, get_plugin_host

__all__ = ["mgrlead_host", "register_mgrlead_plugin"]


@pytest.fixture
def mgrlead_host() -> PluginHost:
    """A fresh plugin host: the built-ins, nothing installed, nothing else."""
    return get_plugin_host(entrypoints=False, environ={})


@pytest.fixture
def register_mgrlead_plugin() -> Iterator[Callable[..., PluginHost]]:
    """Register plugins in-process for one test; the previous host is restored after."""
    saved = plugins._DEFAULT  # noqa: SLF001 - this fixture owns the swap

    def register(*given: object, strict: bool = True) -> PluginHost:
        host = get_plugin_host(entrypoints=False, plugins=given, strict=strict, environ={})
        with plugins._DEFAULT_LOCK:  # noqa: SLF001
            plugins._DEFAULT = host  # noqa: SLF001
        return host

    yield register
    with plugins._DEFAULT_LOCK:  # noqa: SLF001
        plugins._DEFAULT = saved  # noqa: SLF001
