"""The prebuilt packaged rubrics are the rubric files, built without tomllib or cattrs."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from importlib import resources

import pytest

from mgrlead.io.serialize import load_rubric_text
from mgrlead.plan import content_hash
from mgrlead.plugins import builtin
from mgrlead.plugins.builtin import packaged_rubrics
from mgrlead.plugins.prebuilt import PREBUILT


@pytest.mark.parametrize("name", packaged_rubrics())
def test_each_packaged_rubric_is_prebuilt_from_the_file_as_it_is(name: str) -> None:
    raw = (resources.files("mgrlead.plugins") / "rubrics" / f"{name}.toml").read_bytes()
    digest, build = PREBUILT[name]
    assert digest == hashlib.sha256(raw).hexdigest(), (
        f"{name}.toml changed: run python tools/build_prebuilt.py"
    )
    parsed = load_rubric_text(raw.decode("utf-8"), fmt="toml", source=f"{name}.toml")
    built = build()
    assert built == parsed
    assert content_hash(built) == content_hash(parsed)


def test_a_changed_file_is_parsed_not_taken_from_the_prebuilt_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = packaged_rubrics()[0]
    stale = {name: ("0" * 64, PREBUILT[name][1])}  # a hash no file has
    monkeypatch.setattr("mgrlead.plugins.prebuilt.PREBUILT", stale)
    builtin.packaged_rubric.cache_clear()
    try:
        calls: list[str] = []
        real = load_rubric_text

        def spy(*args: object, **kwargs: object) -> object:
            calls.append("parsed")
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr("mgrlead.io.serialize.load_rubric_text", spy)
        rubric = builtin.packaged_rubric(name)
        assert calls == ["parsed"]
        assert rubric == PREBUILT[name][1]()
    finally:
        builtin.packaged_rubric.cache_clear()


def test_the_first_score_needs_neither_tomllib_nor_cattrs() -> None:
    code = (
        "import sys, mgrlead\n"
        "r = mgrlead.load_rubric('manager-leader')\n"
        "mgrlead.score(r, dict.fromkeys(r.item_ids, 4))\n"
        "print(sorted(m for m in ('cattrs', 'tomllib', 'tomli') if m in sys.modules))\n"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"MGRLEAD_LOAD_PLUGINS": "", "PATH": ""},
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
