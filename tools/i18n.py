"""Keep the interface catalogues in step with the code (Babel does the work).

    python tools/i18n.py extract   # the marked texts in src/ -> src/mgrlead/locale/mgrlead.pot
    python tools/i18n.py update    # merge the .pot into every language's .po
    python tools/i18n.py compile   # every .po -> .mo (shipped in the package)
    python tools/i18n.py all       # the three, in order

tests/test_i18n.py fails when the .pot, a .po or a .mo is behind the code, or
when a shipped language lacks a translation.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "mgrlead" / "locale"
POT = LOCALE / "mgrlead.pot"
LANGUAGES = ("de", "fr", "es")
#: The header's project fields; the date is left out so extraction is reproducible.
EXTRACT = [
    "pybabel", "extract", "--mapping-file", str(ROOT / "babel.cfg"),
    "--keywords", "_ N_ gettext ngettext:1,2", "--add-comments", "TRANSLATORS:",
    "--sort-by-file", "--no-wrap", "--omit-header", "--project", "mgrlead",
    "--copyright-holder", "the mgrlead authors", "--output-file", str(POT), ".",
]  # fmt: skip


def run(args: list[str]) -> None:
    """Run one pybabel command line."""
    CommandLineInterface().run(args)


def extract() -> None:
    """Write the template of every marked text (its places relative to ``src/``)."""
    os.chdir(ROOT / "src")
    run(EXTRACT)


def update() -> None:
    """Merge the template into each language's catalogue (new texts untranslated)."""
    for lang in LANGUAGES:
        po = LOCALE / lang / "LC_MESSAGES" / "mgrlead.po"
        if not po.exists():
            run(["pybabel", "init", "--no-wrap", "-D", "mgrlead", "-i", str(POT), "-d",
                 str(LOCALE), "-l", lang])  # fmt: skip
        run(["pybabel", "update", "--no-wrap", "--no-fuzzy-matching",
             "--ignore-obsolete", "-D", "mgrlead", "-i", str(POT), "-d", str(LOCALE),
             "-l", lang])  # fmt: skip
        # pybabel writes the project without a version as "mgrlead " after a space
        text = po.read_text("utf-8")
        po.write_text(text.replace("Project-Id-Version:  mgrlead", "Project-Id-Version: mgrlead"))


def compile_all() -> None:
    """Compile every catalogue to the ``.mo`` the package loads.

    Written with Babel's ``write_mo`` rather than ``pybabel compile``, whose
    %-format check takes ``{share}% of`` or ``95% interval`` for printf
    placeholders (the code formats with ``str.format`` only) and then calls
    ``50 % de`` in a translation an error; tests/test_i18n.py checks the
    placeholders that are real.
    """
    for lang in LANGUAGES:
        folder = LOCALE / lang / "LC_MESSAGES"
        with (folder / "mgrlead.po").open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        with (folder / "mgrlead.mo").open("wb") as fh:
            write_mo(fh, catalog)
        done = sum(1 for m in catalog if m.id and m.string and not m.fuzzy)
        print(f"{lang}: {done} of {len(catalog)} texts translated")  # noqa: T201


if __name__ == "__main__":
    steps = {"extract": [extract], "update": [update], "compile": [compile_all],
             "all": [extract, update, compile_all]}  # fmt: skip
    if len(sys.argv) != 2 or sys.argv[1] not in steps:
        sys.exit(__doc__)
    for step in steps[sys.argv[1]]:
        step()
