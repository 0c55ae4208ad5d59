"""Shared test settings and helpers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from mgrlead.plugins.host import reset_default_host

# Hermetic by default: installed plugins do not load unless a test asks for them
# (tests of entry-point loading pass their own environment).
os.environ["MGRLEAD_LOAD_PLUGINS"] = ""
os.environ.pop("MGRLEAD_DISABLE_PLUGINS", None)
os.environ.pop("MGRLEAD_STRICT_PLUGINS", None)
reset_default_host()

# Shared, noisy machines: no deadlines; CI runs more examples.
settings.register_profile("default", deadline=None)
settings.register_profile(
    "ci", deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    """A test client of the module's ``app`` fixture, its lifespan run (the web tests)."""
    from starlette.testclient import TestClient  # noqa: PLC0415

    with TestClient(app) as c:
        yield c
