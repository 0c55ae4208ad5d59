"""Write ``src/mgrlead/plugins/prebuilt.py``: the packaged rubrics as Python constructor calls.

    python tools/build_prebuilt.py

The packaged rubric files stay the source; this writes each of them out as the
attrs constructor calls that build it, with the SHA-256 of the file it was made
from, so that the first ``score()`` of a process needs neither tomllib nor cattrs
to load the built-in rubric (issue 21, goal 2).  ``mgrlead.plugins.builtin``
uses a prebuilt rubric only while its recorded hash matches the file, and
``tests/test_prebuilt.py`` fails when this script was not run after a change.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from mgrlead.io.serialize import load_rubric_text
from mgrlead.plugins.builtin import packaged_rubrics

TARGET = Path(__file__).resolve().parent.parent / "src" / "mgrlead" / "plugins" / "prebuilt.py"


def source(value: Any, names: set[str]) -> str:  # noqa: ANN401
    """Python source that builds ``value`` (attrs instances by their fields' aliases)."""
    if attrs.has(type(value)):
        names.add(type(value).__name__)
        args = [
            f"{f.alias}={source(getattr(value, f.name), names)}"
            for f in attrs.fields(type(value))
            if f.init and f.name != "host" and getattr(value, f.name) != f.default
        ]
        return f"{type(value).__name__}({', '.join(args)})"
    if isinstance(value, tuple):
        inner = ", ".join(source(v, names) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(source(v, names) for v in value) + "]"
    if hasattr(value, "items"):
        return "{" + ", ".join(f"{k!r}: {source(v, names)}" for k, v in value.items()) + "}"
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    msg = f"cannot write {type(value).__name__} {value!r}"
    raise TypeError(msg)


def main() -> None:
    """Write the module and format it."""
    names: set[str] = set()
    entries = []
    for name in packaged_rubrics():
        text = (resources.files("mgrlead.plugins") / "rubrics" / f"{name}.toml").read_bytes()
        rubric = load_rubric_text(text.decode("utf-8"), fmt="toml", source=f"{name}.toml")
        digest = hashlib.sha256(text).hexdigest()
        entries.append(f"    {name!r}: ({digest!r}, lambda: {source(rubric, names)}),")
    module = (
        '"""The packaged rubrics, prebuilt (written by tools/build_prebuilt.py; do not edit).\n\n'
        "Each entry is the SHA-256 of the rubric file it was made from and a function that\n"
        "builds the same rubric with the model's own constructors (and validators).\n"
        '"""\n\n'
        "# ruff: noqa: E501 - the rubric's texts, as long as they are\n\n"
        "from __future__ import annotations\n\n"
        "from collections.abc import Callable\n\n"
        f"from mgrlead.model import {', '.join(sorted(names))}\n\n"
        '__all__ = ["PREBUILT"]\n\n'
        "#: File name (without ``.toml``) to (SHA-256 of the file, builder).\n"
        "PREBUILT: dict[str, tuple[str, Callable[[], Rubric]]] = {\n" + "\n".join(entries) + "\n}\n"
    )
    TARGET.write_text(module, "utf-8")
    subprocess.run([sys.executable, "-m", "ruff", "format", str(TARGET)], check=True)  # noqa: S603
    print(f"wrote {TARGET}")  # noqa: T201 - a script's one line of output


if __name__ == "__main__":
    main()
