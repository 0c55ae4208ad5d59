"""The interface catalogues and the current language (issue 20, part 4).

The template (``mgrlead.pot``) must list exactly the texts the code marks, every
shipped language must translate every one of them (no empty, fuzzy or missing
entry, the same placeholders and markup), and the compiled ``.mo`` files the
package loads must be those of the ``.po`` files.  Each of these fails when a
text is marked without running ``python tools/i18n.py all`` and translating it.
"""

from __future__ import annotations

import asyncio
import gettext
import importlib.util
import io
import re
import threading
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from mgrlead import MgrleadError
from mgrlead.i18n import (
    LANGUAGES,
    LOCALE_DIR,
    LanguageError,
    current_language,
    format_decimal,
    format_integer,
    language_name,
    ngettext,
    resolve_language,
    use_language,
)
from mgrlead.i18n import gettext as translate

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")
#: ``{name}`` (str.format), ``%(name)s`` (Jinja2's newstyle gettext) and HTML tags.
PLACEHOLDER = re.compile(
    r"\{[A-Za-z_][A-Za-z0-9_]*(?:[:!][^}]*)?\}|%\([A-Za-z_]+\)[sd]|</?[a-z]+[^>]*>"
)


def _tools() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mgrlead_i18n_tools", ROOT / "tools" / "i18n.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def _ids(catalog: Catalog) -> set[Any]:
    return {m.id for m in catalog if m.id}


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _pieces(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


# ---------------------------------------------------------------- the catalogues
def test_the_template_lists_exactly_the_texts_the_code_marks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = _tools()
    out = tmp_path / "now.pot"
    args = [str(out) if a == str(tools.POT) else a for a in tools.EXTRACT]
    monkeypatch.chdir(ROOT / "src")
    tools.run(args)
    now, committed = _ids(_read(out)), _ids(_read(tools.POT))
    assert now, "nothing is marked for translation"
    assert now == committed, (
        f"the template is behind the code: new {sorted(map(str, now - committed))[:5]}, gone "
        f"{sorted(map(str, committed - now))[:5]}; run python tools/i18n.py all and translate"
    )


def test_the_shipped_languages_are_the_catalogues_on_disk() -> None:
    on_disk = {p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/mgrlead.po")}
    assert on_disk == set(TRANSLATED)
    assert LANGUAGES[0] == "en"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_shipped_language_translates_every_text(lang: str) -> None:
    template = _read(LOCALE_DIR / "mgrlead.pot")
    po = _read(LOCALE_DIR / lang / "LC_MESSAGES" / "mgrlead.po", lang)
    missing = _ids(template) - _ids(po)
    assert not missing, f"{lang}: no entry for {sorted(map(str, missing))[:5]}"
    assert not _ids(po) - _ids(template), f"{lang}: entries for texts the code no longer has"
    problems = []
    for message in template:
        if not message.id:
            continue
        entry = po[message.id]
        assert entry is not None
        sources, targets = _texts(message.id), _texts(entry.string)
        if entry.fuzzy:
            problems.append(f"fuzzy: {sources[0]!r}")
        forms = po.num_plurals if len(sources) > 1 else 1
        if len(targets) != forms or not all(t.strip() for t in targets):
            problems.append(f"untranslated: {sources[0]!r}")
            continue
        problems += [
            f"placeholders or markup differ: {sources[0]!r} -> {target!r}"
            for target in targets
            if _pieces(target) not in (_pieces(sources[0]), _pieces(sources[-1]))
        ]
    assert not problems, f"{lang}: " + "; ".join(problems[:8])


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalogue_is_that_of_the_po_file(lang: str) -> None:
    po = _read(LOCALE_DIR / lang / "LC_MESSAGES" / "mgrlead.po", lang)
    fresh = io.BytesIO()
    write_mo(fresh, po)
    fresh.seek(0)
    want = gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "mgrlead.mo").open("rb") as fh:
        have = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    assert have == want, f"{lang}: the .mo is stale; run python tools/i18n.py compile"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_translated_text_comes_back_in_its_language(lang: str) -> None:
    template = _read(LOCALE_DIR / "mgrlead.pot")
    po = _read(LOCALE_DIR / lang / "LC_MESSAGES" / "mgrlead.po", lang)
    singular = next(m for m in template if m.id and isinstance(m.id, str))
    with use_language(lang):
        assert translate(singular.id) == po[singular.id].string != singular.id
    assert translate(singular.id) == singular.id  # English: the text itself
    plural = next((m for m in template if isinstance(m.id, tuple)), None)
    if plural is not None:
        one, many = plural.id
        forms = po[plural.id].string
        with use_language(lang):
            assert ngettext(one, many, 1) == forms[0]
            assert ngettext(one, many, 5) == forms[-1]
        assert (ngettext(one, many, 1), ngettext(one, many, 5)) == (one, many)


# ---------------------------------------------------------------- the language
def test_a_language_tag_resolves_to_its_shipped_base_language() -> None:
    assert resolve_language("de") == "de"
    assert resolve_language("de-CH") == "de"
    assert resolve_language("fr_CA") == "fr"
    assert resolve_language(" ES ") == "es"
    with pytest.raises(LanguageError, match=r"not available in 'pt-BR'; choose one of: en, de"):
        resolve_language("pt-BR")
    assert issubclass(LanguageError, MgrleadError)


def test_a_tag_names_a_language_of_a_list_as_the_list_spells_it() -> None:
    from mgrlead.i18n import match_language  # noqa: PLC0415

    assert match_language("de-CH", ["en", "de", "fr"]) == "de"
    assert match_language(" DE ", ["en", "de"]) == "de"
    assert match_language("de_DE", ["en", "de"]) == "de"
    assert match_language("pt-br", ["en", "pt-BR"]) == "pt-BR"
    assert match_language("pt-BR", ["en", "pt"]) == "pt"
    assert match_language("it", ["en", "de"]) is None


def test_use_language_sets_the_language_for_its_block_only() -> None:
    assert current_language() == "en"
    with use_language("fr-BE") as lang:
        assert lang == current_language() == "fr"
        with use_language(None):
            assert current_language() == "fr"
        with use_language("de"):
            assert current_language() == "de"
        assert current_language() == "fr"
    assert current_language() == "en"
    with pytest.raises(LanguageError), use_language("xx"):
        pass
    assert current_language() == "en"


def test_threads_and_tasks_each_keep_their_own_language() -> None:
    seen: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def work(lang: str) -> None:
        with use_language(lang):
            barrier.wait()  # both inside their block at once
            seen[lang] = current_language()

    threads = [threading.Thread(target=work, args=(lang,)) for lang in ("de", "es")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"de": "de", "es": "es"}

    async def task(lang: str, gate: asyncio.Event, other: asyncio.Event) -> str:
        with use_language(lang):
            gate.set()
            await other.wait()  # the other task has set its language meanwhile
            return current_language()

    async def both() -> list[str]:
        a, b = asyncio.Event(), asyncio.Event()
        return list(await asyncio.gather(task("fr", a, b), task("de", b, a)))

    assert asyncio.run(both()) == ["fr", "de"]
    assert current_language() == "en"


def test_each_language_is_named_in_itself() -> None:
    assert [language_name(lang) for lang in LANGUAGES] == [
        "English", "Deutsch", "français", "español",
    ]  # fmt: skip


# ---------------------------------------------------------------- numbers
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
       st.integers(0, 4))  # fmt: skip
def test_numbers_keep_their_digits_and_take_the_decimal_comma(value: float, digits: int) -> None:
    english = f"{value:.{digits}f}"
    assert format_decimal(value, digits) == english
    for lang in TRANSLATED:
        with use_language(lang):
            assert format_decimal(value, digits) == english.replace(".", ",")


def test_counts_are_grouped_as_each_language_groups_them() -> None:
    assert format_integer(1234567) == "1,234,567"
    with use_language("de"):
        assert format_integer(1234567) == "1.234.567"
    with use_language("fr"):  # a narrow no-break space
        assert format_integer(1234567) == "1\u202f234\u202f567"
    with use_language("es"):
        assert (format_integer(1234567), format_integer(999)) == ("1.234.567", "999")
    with use_language("de"):
        assert (format_decimal(float("nan")), format_decimal(float("-inf"))) == ("nan", "-inf")
