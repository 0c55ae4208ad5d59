"""``import mgrlead`` loads no module of its own but the version; names load on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import mgrlead


def _run(code: str) -> list[str]:
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_import_mgrlead_loads_nothing_heavy() -> None:
    code = (
        "import sys, mgrlead\n"
        "heavy = ('attr', 'attrs', 'cattrs', 'pluggy', 'numpy', 'mgrlead.model', 'mgrlead.api')\n"
        "print(*[m for m in heavy if m in sys.modules] or ['none'])"
    )
    assert _run(code) == ["none"]


def test_a_name_loads_its_module_only_when_asked() -> None:
    code = (
        "import sys, mgrlead\n"
        "print('mgrlead.errors' in sys.modules)\n"
        "error = mgrlead.InputError\n"
        "print('mgrlead.errors' in sys.modules, 'mgrlead.model' in sys.modules)"
    )
    assert _run(code) == ["False", "True", "False"]


def test_every_public_name_resolves_to_its_module_object() -> None:
    from mgrlead import api, errors, model  # noqa: PLC0415

    assert mgrlead.score is api.score
    assert mgrlead.Rubric is model.Rubric
    assert mgrlead.MgrleadError is errors.MgrleadError
    for name in mgrlead.__all__:
        assert getattr(mgrlead, name) is not None
    assert set(mgrlead.__all__) <= set(dir(mgrlead))


def test_subpackages_are_reachable_as_attributes_and_unknown_names_are_not() -> None:
    assert mgrlead.engines.kernel.__name__ == "mgrlead.engines.kernel"
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = mgrlead.no_such_name
    with pytest.raises(AttributeError, match="no attribute '_private'"):
        _ = mgrlead._private


def test_irt_loads_only_when_asked_and_without_numpy() -> None:
    """``mgrlead.irt`` (issue 17) stays out of ``import mgrlead``; numpy waits for a score."""
    code = (
        "import sys, mgrlead\n"
        "print('mgrlead.irt' in sys.modules)\n"
        "import mgrlead.irt\n"
        "print('mgrlead.irt' in sys.modules, 'numpy' in sys.modules)"
    )
    assert _run(code) == ["False", "True", "False"]
