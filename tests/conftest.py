"""Shared test settings and helpers."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Shared, noisy machines: no deadlines; CI runs more examples.
settings.register_profile("default", deadline=None)
settings.register_profile(
    "ci", deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")
