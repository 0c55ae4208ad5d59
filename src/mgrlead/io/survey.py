"""Other survey tools' instruments: SurveyJS and Qualtrics (QSF) forms, psych key lists.

A :class:`RubricFormat` is a rubric source that plugins register through the
``mgrlead_register_rubric_formats`` hook (mgrlead's own three are registered by
:mod:`mgrlead.plugins.builtin`):

* ``surveyjs`` writes a rubric as a SurveyJS survey (:func:`to_surveyjs`) and
  reads a SurveyJS survey into a rubric skeleton (:func:`from_surveyjs`);
* ``qsf`` reads a Qualtrics survey definition into a skeleton (:func:`from_qsf`);
* ``psych-keys`` reads a psych-style keys list (:func:`from_keys_csv`).

A foreign form says which questions there are, their texts and their scale,
never which dimension an item measures or which way it is keyed.  A
:class:`Skeleton` therefore puts every item in one placeholder dimension with
``keyed = "TODO"``, which ``mgrlead rubric validate`` refuses until someone
decides; :attr:`Skeleton.todo` lists each decision and :attr:`Skeleton.unmapped`
every question that could not be mapped (with its id).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from attrs import field, frozen
from attrs.validators import instance_of, matches_re

from mgrlead.errors import InputError, MgrleadError

if TYPE_CHECKING:
    from mgrlead.model import Rubric

__all__ = [
    "BUILTIN_FORMATS",
    "PLACEHOLDER_DIMENSION",
    "TODO",
    "RubricFormat",
    "Skeleton",
    "from_keys_csv",
    "from_qsf",
    "from_surveyjs",
    "read_keys",
    "to_surveyjs",
    "write_surveyjs",
]

#: The keying every imported item carries until someone decides it.
TODO: Final = "TODO"
#: The id of the dimension every imported item is put in.
PLACEHOLDER_DIMENSION: Final = "todo_dimension"

_ITEM_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
_TAG: Final = re.compile(r"<[^>]*>")


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@frozen(kw_only=True)
class Skeleton:
    """A rubric read from another tool's form, with what is left to decide.

    :attr:`data` is rubric-file data (what a rubric TOML holds); :meth:`toml`
    writes it with the decisions and unmapped questions as comments on top.
    """

    data: Mapping[str, Any]
    """The rubric file's data."""
    todo: tuple[str, ...] = field(default=(), converter=_strings)
    """Each decision left to the user, one line each."""
    unmapped: tuple[str, ...] = field(default=(), converter=_strings)
    """Each question or text that could not be mapped, naming its id."""

    def toml(self) -> str:
        """The rubric as TOML, the decisions and unmapped questions as comments on top."""
        from mgrlead.io.serialize import dump_text  # noqa: PLC0415

        lines = ["# Imported by mgrlead: a rubric skeleton."]
        if self.todo:
            lines += ["#", "# Decide before scoring (`mgrlead rubric validate` says what is left):"]
            lines += [f"#  - {line}" for line in self.todo]
        if self.unmapped:
            lines += ["#", "# Not mapped (left out of this file):"]
            lines += [f"#  - {line}" for line in self.unmapped]
        # a comment line stays one line, whatever the form's texts hold
        lines = [line.replace("\r", "\\r").replace("\n", "\\n") for line in lines]
        return "\n".join(lines) + "\n\n" + dump_text(dict(self.data), "toml")

    def report(self) -> list[str]:
        """The report lines: one per unmapped question, then one per decision."""
        return [f"not mapped: {u}" for u in self.unmapped] + [f"to decide: {t}" for t in self.todo]


@frozen(kw_only=True)
class RubricFormat:
    """A rubric source: another tool's file format that rubrics are read from or written to.

    Register one from a plugin::

        @hookimpl
        def mgrlead_register_rubric_formats(register):
            register(RubricFormat(id="myforms", description="...", suffixes=(".myf",),
                                  read=read_myforms))
    """

    id: str = field(validator=matches_re(r"[a-z][a-z0-9_\-]*"))
    """The name given to ``--format``."""
    description: str = field(default="", validator=instance_of(str))
    """One line for ``mgrlead plugins`` and the docs."""
    suffixes: tuple[str, ...] = field(default=(), converter=_strings)
    """File extensions (``.qsf``) that name this format on import."""
    read: Callable[[bytes, str], Skeleton] | None = None
    """``read(raw, source)``: the file's bytes and its name, to a :class:`Skeleton`."""
    write: Callable[[Rubric], str] | None = None
    """``write(rubric)``: the rubric as the file's text."""

    def __attrs_post_init__(self) -> None:
        """A format reads, writes, or both."""
        if self.read is None and self.write is None:
            raise MgrleadError(f"rubric format {self.id!r} neither reads nor writes")


# ----------------------------------------------------------------- SurveyJS export
def to_surveyjs(rubric: Rubric) -> dict[str, Any]:
    """The rubric as a SurveyJS survey: a page per dimension, a rating question per item.

    Question names are the item ids, so SurveyJS's results (``{name: value}``)
    are answers that :func:`mgrlead.score` reads as they are.  Texts in other
    languages (:attr:`Rubric.translations`) become SurveyJS localized strings.
    """
    langs = [lang for lang in rubric.translations if lang != rubric.language]

    def loc(key: str, text: str) -> str | dict[str, str]:
        there = {lang: rubric.translations[lang][key] for lang in langs
                 if key in rubric.translations[lang]}  # fmt: skip
        return {"default": text, **there} if there else text

    survey: dict[str, Any] = {"title": loc("title", rubric.title)}
    if rubric.description:
        survey["description"] = loc("description", rubric.description)
    pages: list[dict[str, Any]] = []
    for dim in rubric.walk():
        if not dim.items:
            continue
        elements: list[dict[str, Any]] = []
        if not pages and rubric.instructions:
            text = loc("instructions", rubric.instructions)
            shown = {k: html.escape(v) for k, v in text.items()} if isinstance(text, dict) else (
                html.escape(text))  # fmt: skip
            elements.append({"type": "html", "name": "instructions", "html": shown})
        for item in dim.items:
            scale = rubric.item_scale(item)
            own = item.scale is not None
            values = [
                {"value": point,
                 "text": label if own else loc(f"scale.labels.{point}", label)}
                for point, label in zip(scale, scale.labels, strict=True)
            ]  # fmt: skip
            elements.append({
                "type": "rating",
                "name": item.id,
                "title": loc(f"item.{item.id}.text", item.text),
                "rateValues": values,
            })  # fmt: skip
        pages.append({
            "name": dim.id,
            "title": loc(f"dimension.{dim.id}.name", dim.name),
            "elements": elements,
        })  # fmt: skip
    survey["pages"] = pages
    return survey


def write_surveyjs(rubric: Rubric) -> str:
    """:func:`to_surveyjs` as JSON text."""
    return json.dumps(to_surveyjs(rubric), indent=2, ensure_ascii=False) + "\n"


# ----------------------------------------------------------------- shared reading
class _Texts:
    """Collects the inline texts and the translations of one import."""

    def __init__(self) -> None:
        self.translations: dict[str, dict[str, str]] = {}

    def text(self, value: object, key: str) -> str:
        """A plain or localized (``{"default": ..., "de": ...}``) text."""
        if isinstance(value, dict):
            inline = value.get("default", "")
            for lang, there in value.items():
                if lang != "default" and isinstance(there, str) and there.strip():
                    self.translations.setdefault(lang, {})[key] = there
            return str(inline) if isinstance(inline, str) else ""
        return value if isinstance(value, str) else ""


def _skeleton(  # noqa: PLR0913 - the parts of a rubric skeleton
    *,
    source: str,
    title: str,
    description: str,
    instructions: str,
    items: list[_Row],
    unmapped: list[str],
    texts: _Texts,
    kind: str,
    label_translations: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
    notes: list[str] | None = None,
) -> Skeleton:
    """Build the skeleton: ``items`` are ``(id, text, labels, min)``.

    ``label_translations`` are each item's translated scale labels: kept for
    the rubric's scale (the first item's), reported for the others (mgrlead
    translates the rubric's scale labels only).
    """
    if not items:
        listed = "; ".join(unmapped) or "it has no questions"
        raise InputError(f"{source}: no question of this {kind} can be mapped to an item: {listed}")
    stem = re.sub(
        r"[^a-z0-9_\-]+", "-", source.rsplit("/", 1)[-1].split(".", maxsplit=1)[0].lower()
    )
    rubric_id = stem.strip("-_") or "imported"
    if not rubric_id[0].isalpha():
        rubric_id = f"r-{rubric_id}"
    todo = [
        f"the rubric id {rubric_id!r} was made from the file name: keep or change it",
        (
            f"every item is in the placeholder dimension {PLACEHOLDER_DIMENSION!r}: "
            "split the items into dimensions, each with an id and a name"
        ),
        (
            f"every item has keyed = {TODO!r}: key each item '+' (agreeing scores high) or "
            "'-' (reverse keyed), or name a pole of its dimension"
        ),
    ]
    todo += notes or []
    _, _, labels, low = items[0]
    scale = {"min": low, "max": low + len(labels) - 1, "labels": labels}
    rows: list[dict[str, Any]] = []
    for item_id, text, own_labels, own_min in items:
        row: dict[str, Any] = {"id": item_id, "text": text, "keyed": TODO}
        translated = (label_translations or {}).get(item_id, {})
        for lang, there in translated.items():
            if (own_labels, own_min) != (labels, low):
                todo.append(
                    f"item {item_id!r} has a scale of its own: its labels in {lang!r} "
                    "were not kept (only the rubric's scale labels are translated)"
                )
                continue
            kept = texts.translations.setdefault(lang, {})
            for key, label in there.items():
                if kept.setdefault(key, label) != label:
                    todo.append(
                        f"item {item_id!r}: its {key} in {lang!r} ({label!r}) differs "
                        f"from an earlier item's ({kept[key]!r}); the earlier one is kept"
                    )
        if (own_labels, own_min) != (labels, low):
            row["scale"] = {"min": own_min, "max": own_min + len(own_labels) - 1,
                            "labels": own_labels}  # fmt: skip
        rows.append(row)
    data: dict[str, Any] = {
        "id": rubric_id,
        "version": "0.1",
        "title": title or rubric_id,
        "scale": scale,
        "dimensions": [{
            "id": PLACEHOLDER_DIMENSION,
            "name": "TODO: name this dimension",
            "polarity": "unipolar",
            "items": rows,
        }],
    }  # fmt: skip
    if description:
        data["description"] = description
    if instructions:
        data["instructions"] = instructions
    if texts.translations:
        data["translations"] = texts.translations
    return Skeleton(data=data, todo=todo, unmapped=unmapped)


#: An imported item: id, text, the scale's labels, the scale's lowest point.
_Row = tuple[str, str, list[str], int]


def _id_from(source: str) -> str:
    """A rubric id from a file name (the caller reports that it was made up)."""
    stem = source.replace("\\", "/").rsplit("/", 1)[-1].split(".", maxsplit=1)[0].lower()
    rubric_id = re.sub(r"[^a-z0-9_\-]+", "-", stem).strip("-_") or "imported"
    return rubric_id if rubric_id[0].isalpha() else f"r-{rubric_id}"


def _consecutive(values: list[object]) -> int | None:
    """The first value when ``values`` are whole numbers counting up by one, else ``None``."""
    ints: list[int] = []
    for v in values:
        if isinstance(v, bool):
            return None
        if isinstance(v, str) and re.fullmatch(r"-?\d+", v.strip()):
            v = int(v)  # noqa: PLW2901 - QSF writes recode values as strings
        if not isinstance(v, int):
            return None
        ints.append(v)
    if len(ints) < 2 or ints != list(range(ints[0], ints[0] + len(ints))):
        return None
    return ints[0]


def _load_json(raw: bytes, source: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{source}: not a {what} (not valid JSON: {exc})") from exc
    if not isinstance(data, dict):
        raise InputError(f"{source}: not a {what}: the file holds a {type(data).__name__}, "
                         "not a JSON object")  # fmt: skip
    return data


# ----------------------------------------------------------------- SurveyJS import
def _surveyjs_elements(container: Mapping[str, Any]) -> list[Any]:
    out: list[Any] = []
    for key in ("pages", "elements", "questions"):
        for el in container.get(key) or []:
            if isinstance(el, dict) and (key == "pages" or el.get("type") == "panel"):
                out += _surveyjs_elements(el)
            else:
                out.append(el)
    return out


def _point_scale(points: list[Any], texts: _Texts, what: str) -> tuple[list[str], int] | str:
    """The labels and lowest value of a scale's points (SurveyJS ``{value, text}`` or values).

    Returns why not when the values are not whole numbers counting up by one.
    """
    values = [p.get("value") if isinstance(p, dict) else p for p in points]
    low = _consecutive(values)
    if low is None:
        return f"its {what} {values!r} are not whole numbers counting up by one"
    labels = []
    for n, p in enumerate(points):
        shown = texts.text(p.get("text"), f"scale.labels.{low + n}") if isinstance(p, dict) else ""
        labels.append(shown or str(low + n))
    return labels, low


def _rating_scale(q: Mapping[str, Any], texts: _Texts) -> tuple[list[str], int] | str:
    """A rating question's labels and lowest value, or why it cannot be mapped."""
    rate_values = q.get("rateValues")
    if rate_values:
        return _point_scale(rate_values, texts, "rateValues")
    low, high, step = q.get("rateMin", 1), q.get("rateMax", 5), q.get("rateStep", 1)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high, step)) or (
        step != 1 or high <= low
    ):
        return (
            f"its scale rateMin={low!r} rateMax={high!r} rateStep={step!r} is not whole "
            "numbers counting up by one"
        )
    return [str(p) for p in range(low, high + 1)], low


def _matrix_rows(
    el: Mapping[str, Any], texts: _Texts, own: _Texts
) -> tuple[list[tuple[str, str]], tuple[list[str], int]] | str:
    """A single-choice matrix's rows (value, text) and scale, or why it cannot be mapped.

    Its ``columns`` are the scale (values counting up by one, their texts the
    labels); each row is a statement.
    """
    scale = _point_scale(el.get("columns") or [], own, "columns")
    if isinstance(scale, str):
        return scale
    rows: list[tuple[str, str]] = []
    for row in el.get("rows") or []:
        value = row.get("value") if isinstance(row, dict) else row
        if not isinstance(value, str) or not _ITEM_ID.fullmatch(value):
            return f"its row {value!r} is not a valid item id (letters, digits, _ . -)"
        text = texts.text(row.get("text"), f"item.{value}.text") if isinstance(row, dict) else ""
        rows.append((value, text))
    if not rows:
        return "it has no rows"
    return rows, scale


def _add_matrix(
    el: Mapping[str, Any],
    label: str,
    texts: _Texts,
    *,
    found: tuple[list[_Row], set[str], list[str], list[str], dict[str, dict[str, dict[str, str]]]],
) -> None:
    """Add a matrix's rows as items to ``found`` (items, ids seen, unmapped, notes, labels)."""
    items, seen, unmapped, notes, label_translations = found
    own = _Texts()
    mapped = _matrix_rows(el, texts, own)
    if isinstance(mapped, str):
        unmapped.append(f"{label}: {mapped}")
        return
    rows, scale = mapped
    for row_id, text in rows:
        if row_id in seen:
            unmapped.append(f"{label}, row {row_id!r}: a second item of this id")
            continue
        seen.add(row_id)
        shown = text
        if not text.strip():  # SurveyJS shows the row's value
            shown = row_id
            notes.append(
                f"{label} row {row_id!r} has no text (in the default language): its item's "
                "text is its value; write the statement"
            )
        items.append((row_id, shown, *scale))
        if own.translations:
            label_translations[row_id] = own.translations


def from_surveyjs(raw: bytes, source: str) -> Skeleton:
    """A rubric skeleton from a SurveyJS survey JSON.

    Rating questions become items (name → id, title → text, ``rateValues`` or
    ``rateMin``/``rateMax`` → scale); a single-choice ``matrix`` gives an item
    per row (the row's value → id, its text → text, the columns → scale), as
    its results hold each row's answer under the row's value; an ``html``
    element named ``instructions`` becomes the instructions; every other
    element is listed in :attr:`Skeleton.unmapped`.

    Raises:
        InputError: not a SurveyJS survey, or no rating question in it.
    """
    data = _load_json(raw, source, "SurveyJS survey")
    texts = _Texts()
    items: list[_Row] = []
    unmapped: list[str] = []
    instructions = ""
    seen: set[str] = set()
    label_translations: dict[str, dict[str, dict[str, str]]] = {}
    notes: list[str] = []
    for el in _surveyjs_elements(data):
        if not isinstance(el, dict):
            unmapped.append(f"element {el!r:.40}: not a question object")
            continue
        name, kind = el.get("name"), el.get("type")
        if kind == "html" and name == "instructions":
            instructions = html.unescape(texts.text(el.get("html"), "instructions"))
            for lang in texts.translations.values():
                if "instructions" in lang:
                    lang["instructions"] = html.unescape(lang["instructions"])
            continue
        label = f"question {name!r} (type {kind!r})"
        if kind == "matrix":
            _add_matrix(el, label, texts, found=(items, seen, unmapped, notes, label_translations))
            continue
        if kind != "rating":
            unmapped.append(f"{label}: only rating and single-choice matrix questions become items")
            continue
        if not isinstance(name, str) or not _ITEM_ID.fullmatch(name):
            unmapped.append(f"{label}: its name is not a valid item id (letters, digits, _ . -)")
            continue
        if name in seen:
            unmapped.append(f"{label}: a second question of this name")
            continue
        own = _Texts()  # its labels' translations: kept if its scale is the rubric's
        scale = _rating_scale(el, own)
        if isinstance(scale, str):
            unmapped.append(f"{label}: {scale}")
            continue
        seen.add(name)
        text = texts.text(el.get("title"), f"item.{name}.text")
        if not text.strip():  # SurveyJS shows the name of a question without a title
            text = name
            notes.append(f"question {name!r} has no title (in the default language): its "
                         "item's text is its name; write the statement")  # fmt: skip
        items.append((name, text, *scale))
        if own.translations:
            label_translations[name] = own.translations
    return _skeleton(
        source=source,
        title=texts.text(data.get("title"), "title"),
        description=texts.text(data.get("description"), "description"),
        instructions=instructions,
        items=items,
        unmapped=unmapped,
        texts=texts,
        kind="SurveyJS survey",
        label_translations=label_translations,
        notes=notes,
    )


# ----------------------------------------------------------------- Qualtrics QSF
def _plain(text: object) -> str:
    """QSF texts are HTML: the text without its tags."""
    return html.unescape(_TAG.sub("", text)).strip() if isinstance(text, str) else ""


def _choices(
    options: Mapping[str, Any], order: list[Any], recode: Mapping[str, Any] | None
) -> tuple[list[str], int] | str:
    keys = [str(k) for k in (order or options)]
    values: list[object] = [(recode or {}).get(k, k) for k in keys]
    low = _consecutive(values)
    if low is None:
        return f"its answer values {values!r} are not whole numbers counting up by one"
    labels = [_plain(options.get(k, {}).get("Display")) or str(low + n)
              for n, k in enumerate(keys)]  # fmt: skip
    return labels, low


def _qsf_question(p: Mapping[str, Any]) -> list[_Row] | str:  # noqa: PLR0911 - per kind
    """The items of one QSF question, or why it cannot be mapped."""
    kind, selector, sub = p.get("QuestionType"), p.get("Selector"), p.get("SubSelector")
    tag = str(p.get("DataExportTag") or p.get("QuestionID"))
    text = _plain(p.get("QuestionText"))
    if kind == "MC" and selector in {"SAVR", "SAHR", "SACOL", "DL"}:
        scale = _choices(p.get("Choices") or {}, p.get("ChoiceOrder") or [], p.get("RecodeValues"))
        if isinstance(scale, str):
            return scale
        return [(tag, text or tag, *scale)]
    if kind == "Matrix" and selector == "Likert" and sub == "SingleAnswer":
        scale = _choices(p.get("Answers") or {}, p.get("AnswerOrder") or [], p.get("RecodeValues"))
        if isinstance(scale, str):
            return scale
        rows = p.get("Choices") or {}
        tags = p.get("ChoiceDataExportTags") or {}
        out = []
        for key in [str(k) for k in (p.get("ChoiceOrder") or rows)]:
            row_tag = tags.get(key) if isinstance(tags, dict) else None
            statement = _plain(rows.get(key, {}).get("Display"))
            out.append((str(row_tag or f"{tag}_{key}"), statement or f"{tag}_{key}", *scale))
        return out
    if kind == "MC":
        return f"multiple choice with selector {selector!r} (only single-answer choices map)"
    if kind == "Matrix":
        return (f"matrix {selector!r}/{sub!r} (only a Likert single-answer matrix, one scale "
                "for all rows, maps)")  # fmt: skip
    names = {"TE": "text entry", "Slider": "slider", "RO": "rank order", "CS": "constant sum",
             "SBS": "side by side", "Meta": "meta info", "Timing": "timing"}  # fmt: skip
    return f"{names.get(str(kind), 'question type')} {kind!r} is not a rating question"


def from_qsf(raw: bytes, source: str) -> Skeleton:
    """A rubric skeleton from a Qualtrics survey definition (``.qsf``).

    Single-answer multiple-choice questions whose answers are whole numbers
    counting up by one (their recode values, else their choice ids) become items
    named by their data export tag (the column name of Qualtrics's data
    exports); a Likert single-answer matrix gives an item per statement.  Every
    other question (text entry, sliders, multiple-answer, other matrices) is
    listed in :attr:`Skeleton.unmapped` with its question id.

    Raises:
        InputError: not a QSF file, or none of its questions can be mapped.
    """
    data = _load_json(raw, source, "Qualtrics survey file (QSF)")
    elements = data.get("SurveyElements")
    if not isinstance(elements, list):
        raise InputError(f"{source}: not a Qualtrics survey file (QSF): no SurveyElements list")
    entry: dict[str, Any] = data["SurveyEntry"] if isinstance(data.get("SurveyEntry"), dict) else {}
    items: list[_Row] = []
    unmapped: list[str] = []
    seen: set[str] = set()
    for el in elements:
        if not isinstance(el, dict) or el.get("Element") != "SQ":
            continue
        p: dict[str, Any] = el["Payload"] if isinstance(el.get("Payload"), dict) else {}
        qid = str(p.get("QuestionID") or el.get("PrimaryAttribute"))
        if p.get("QuestionType") == "DB":
            unmapped.append(f"{qid}: descriptive text, not a question")
            continue
        got = _qsf_question(p)
        if isinstance(got, str):
            unmapped.append(f"{qid}: {got}")
            continue
        for item_id, text, labels, low in got:
            if not _ITEM_ID.fullmatch(item_id):
                unmapped.append(f"{qid}: its export tag {item_id!r} is not a valid item id")
            elif item_id in seen:
                unmapped.append(f"{qid}: a second question with the export tag {item_id!r}")
            else:
                seen.add(item_id)
                items.append((item_id, text, labels, low))
    return _skeleton(
        source=source,
        title=str(entry.get("SurveyName") or ""),
        description=_plain(entry.get("SurveyDescription")),
        instructions="",
        items=items,
        unmapped=unmapped,
        texts=_Texts(),
        kind="QSF",
    )


# ----------------------------------------------------------------- psych keys
def read_keys(raw: bytes, source: str) -> dict[str, list[str]]:
    """A psych-style keys list from CSV: each row a dimension id, then its items.

    A leading ``-`` reverse-keys an item (as in ``psych::make.keys``); blank
    cells are ignored, and lines starting with ``#`` are comments.

    Raises:
        InputError: naming the file and line: a dimension listed twice or
            without items, an item listed twice in one dimension.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text: {exc}") from exc
    keys: dict[str, list[str]] = {}
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        dim, entries = cells[0], [c for c in cells[1:] if c]
        where = f"{source}, line {line}"
        if not dim:
            raise InputError(f"{where}: the first cell must be the dimension id")
        if dim in keys:
            raise InputError(f"{where}: dimension {dim!r} is listed twice; list it on one line")
        if not entries:
            raise InputError(f"{where}: dimension {dim!r} lists no items")
        names = [e.lstrip("+-") for e in entries]
        for name in names:
            if names.count(name) > 1:
                raise InputError(f"{where}: item {name!r} is listed twice in {dim!r}")
        keys[dim] = entries
    if not keys:
        raise InputError(f"{source}: no keys: each line is a dimension id, then its items")
    return keys


def from_keys_csv(
    raw: bytes,
    source: str,
    *,
    min: int = 1,  # noqa: A002 - psych's name
    max: int = 5,  # noqa: A002
    labels: list[str] | None = None,
) -> Skeleton:
    """A rubric (complete: keys give keying and dimensions) from a psych-style keys CSV.

    Raises:
        InputError: the keys list or the scale is refused (naming the file).
    """
    from mgrlead.io.serialize import unstructure_rubric  # noqa: PLC0415
    from mgrlead.model import Rubric  # noqa: PLC0415

    keys = read_keys(raw, source)
    stem = re.sub(
        r"[^a-z0-9_\-]+", "-", source.rsplit("/", 1)[-1].split(".", maxsplit=1)[0].lower()
    )
    rubric_id = stem.strip("-_") or "keys"
    if not rubric_id[0].isalpha():
        rubric_id = f"k-{rubric_id}"
    try:
        rubric = Rubric.from_keys(keys, min=min, max=max, labels=labels, id=rubric_id)
    except MgrleadError as exc:
        raise InputError(f"{source}: {exc}") from exc
    todo = [f"item texts are the item names: write each item's statement ({source})"]
    return Skeleton(data=unstructure_rubric(rubric), todo=todo)


def _read_keys(raw: bytes, source: str) -> Skeleton:
    return from_keys_csv(raw, source)


#: mgrlead's own rubric formats, registered by :mod:`mgrlead.plugins.builtin`.
BUILTIN_FORMATS: Final = (
    RubricFormat(
        id="surveyjs",
        description="SurveyJS survey JSON: export a rubric as a form, import a form's skeleton.",
        suffixes=(".json",),
        read=from_surveyjs,
        write=write_surveyjs,
    ),
    RubricFormat(
        id="qsf",
        description="Qualtrics survey file: import a skeleton of its rating questions.",
        suffixes=(".qsf",),
        read=from_qsf,
    ),
    RubricFormat(
        id="psych-keys",
        description="psych-style keys list (CSV): a dimension per line, '-' reverse-keys.",
        suffixes=(".csv",),
        read=_read_keys,
    ),
)
