"""The interface in other languages: gettext catalogues and locale-aware numbers.

Every fixed text that a respondent or a reader of results sees (the terminal
assessment, the score tables, the reports, the web pages, the reasons a result
gives, the warnings shown to respondents, the researchers' tables of
``analyze``, ``norms``, ``irt`` and ``cat``) is written in English in the code,
marked for translation, and looked up at run time in the catalogue of the
*current language*: ``src/mgrlead/locale/<lang>/LC_MESSAGES/mgrlead.po``,
compiled to ``.mo`` next to it.  Babel extracts the marked texts
(``python tools/i18n.py extract``) and formats numbers the way the language
writes them (``52,3`` in German).

The current language is a context variable: set it for a block with
:func:`use_language` (``mgrlead --lang de``, a report's ``lang``, a web
session's language do), read it with :func:`current_language`.  English needs
no catalogue, and Babel is imported only for another language.

Marking texts
-------------
``_("...")`` translates now; ``N_("...")`` only marks a module-level constant
for extraction (translate it with ``_`` where it is used); ``ngettext`` picks
the singular or plural form.  Placeholders are named, ``_("{n} of {total}
items answered").format(...)``, so a translation may reorder them.

Error messages of :class:`~mgrlead.MgrleadError` are for whoever wrote the
rubric or the data, and stay English, as do ``--help`` texts and the warning
lines on standard error.
"""

from __future__ import annotations

import contextvars
import gettext as _gettext
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Final

from mgrlead.errors import LanguageError

__all__ = [
    "LANGUAGES",
    "N_",
    "LanguageError",
    "current_language",
    "format_decimal",
    "format_integer",
    "gettext",
    "language_name",
    "match_language",
    "ngettext",
    "resolve_language",
    "use_language",
]

#: The languages the interface ships in (English is the source language).
LANGUAGES: Final = ("en", "de", "fr", "es")

#: The gettext domain of mgrlead's catalogues.
DOMAIN: Final = "mgrlead"

#: Where the catalogues are: ``<lang>/LC_MESSAGES/mgrlead.po`` (and ``.mo``).
LOCALE_DIR: Final = Path(__file__).parent / "locale"

_LANGUAGE: contextvars.ContextVar[str] = contextvars.ContextVar("mgrlead_language", default="en")


def resolve_language(tag: str) -> str:
    """The shipped language for a language tag: itself, or its base (``de-CH`` is ``de``).

    Raises:
        LanguageError: neither the tag nor its base language is shipped; the
            message lists the languages that are.
    """
    norm = tag.strip().replace("_", "-")
    base = norm.split("-", 1)[0].lower()
    if base in LANGUAGES:
        return base
    shipped = ", ".join(LANGUAGES)
    msg = f"the interface is not available in {tag!r}; choose one of: {shipped}"
    raise LanguageError(msg)


def match_language(tag: str, available: Iterable[str]) -> str | None:
    """The language of ``available`` that ``tag`` names, as ``available`` spells it.

    The tag itself or its base language, in any case and with ``-`` or ``_``
    (``de-CH``, ``DE`` and ``de_DE`` name ``de``; ``pt-br`` names ``pt-BR``);
    ``None`` when it names none of them.
    """
    spelled = {code.lower(): code for code in available}
    norm = tag.strip().replace("_", "-").lower()
    return spelled.get(norm) or spelled.get(norm.split("-", 1)[0])


def current_language() -> str:
    """The language texts are translated into now (``en`` unless :func:`use_language` set it)."""
    return _LANGUAGE.get()


@contextmanager
def use_language(tag: str | None) -> Iterator[str]:
    """Translate into ``tag`` (a shipped language, see :func:`resolve_language`) within the block.

    ``None`` keeps the current language.  Yields the language used.  Context
    variables make this safe across threads and asyncio tasks: each web
    request can have its own language.

    Raises:
        LanguageError: the language is not shipped.
    """
    if tag is None:
        yield current_language()
        return
    lang = resolve_language(tag)
    token = _LANGUAGE.set(lang)
    try:
        yield lang
    finally:
        _LANGUAGE.reset(token)


@cache
def catalogue(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (a null one for English).

    Raises:
        LanguageError: a shipped language's catalogue is missing from the
            installation (a broken install: reinstall mgrlead).
    """
    if lang == "en":
        return _gettext.NullTranslations()
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    except OSError as exc:
        msg = f"the {lang!r} catalogue {path} cannot be read ({exc.strerror}); reinstall mgrlead"
        raise LanguageError(msg) from exc


def gettext(message: str) -> str:
    """``message`` in the current language (itself in English, or when untranslated)."""
    lang = _LANGUAGE.get()
    if lang == "en":
        return message
    return catalogue(lang).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, by the current language's plural rule."""
    lang = _LANGUAGE.get()
    if lang == "en":
        return singular if n == 1 else plural
    return catalogue(lang).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for extraction only; translate it with :func:`gettext` where it is shown."""
    return message


def format_decimal(value: float, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals, as the current language writes numbers.

    English gives what ``f"{value:.{digits}f}"`` gives (``52.3``, ``-0.5``);
    German, French and Spanish write a decimal comma (``52,3``) and the
    language's minus sign; thousands are not grouped, as in English (see
    :func:`format_integer` for counts).  Not-a-number is ``nan``.
    """
    lang = _LANGUAGE.get()
    if lang == "en" or not math.isfinite(value):
        return f"{value:.{digits}f}"
    from decimal import Decimal  # noqa: PLC0415

    from babel.numbers import format_decimal as babel_decimal  # noqa: PLC0415

    # rounded by Python as in English, so every language shows the same digits
    exact = Decimal(f"{value:.{digits}f}")
    pattern = "0." + "0" * digits if digits > 0 else "0"
    return str(babel_decimal(exact, format=pattern, locale=lang))


def format_integer(value: int) -> str:
    """A whole number as the current language writes it (``12,345``, ``12.345``, ``12 345``)."""
    lang = _LANGUAGE.get()
    if lang == "en":
        return f"{value:,}"
    from babel.numbers import format_decimal as babel_decimal  # noqa: PLC0415

    return str(babel_decimal(value, locale=lang))  # the locale's grouping (Babel's CLDR data)


def language_name(lang: str) -> str:
    """A shipped language's own name for itself (``Deutsch``, ``français``, ...)."""
    lang = resolve_language(lang)
    if lang == "en":
        return "English"
    from babel import Locale  # noqa: PLC0415

    return str(Locale.parse(lang).get_display_name(lang))
