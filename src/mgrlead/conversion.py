"""A strict cattrs converter: plain data (from JSON, TOML, YAML) to attrs objects and back.

The base that every loader builds on (:mod:`mgrlead.io.serialize` adds the
rubric's hooks; :meth:`mgrlead.results.Profile.from_dict` uses it as it is).
It is strict: unknown keys are errors, strings are never turned into numbers,
booleans are never numbers, and every problem is reported at once with its
path, e.g. ``expected an integer, got str '3' @ $.scale.max``.

This module converts data only; it reads and writes no files.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from mgrlead.errors import MgrleadError, RubricError, ValueTypeError, closest

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "NOT_IN_FILES",
    "describe",
    "field_docs",
    "file_fields",
    "problems",
    "strict_converter",
    "structure_errors",
]

#: Field metadata key: ``field(metadata={NOT_IN_FILES: True})`` keeps a field out
#: of files (neither written nor accepted) and out of the file schema.
NOT_IN_FILES: Final = "mgrlead.not_in_files"


def describe(value: object) -> str:
    """``"<type> <repr>"`` of a value, for messages."""
    return f"{type(value).__name__} {value!r}"


def file_fields(cls: type) -> list[Any]:
    """The attrs fields of ``cls`` that files carry: init fields not marked :data:`NOT_IN_FILES`."""
    import attrs  # noqa: PLC0415 - attrs is always there; kept beside its use

    return [f for f in attrs.fields(cls) if f.init and not f.metadata.get(NOT_IN_FILES)]


def _strict_int(value: object, _type: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueTypeError(f"expected an integer, got {describe(value)}")
    return value


def _strict_float(value: object, _type: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueTypeError(f"expected a number, got {describe(value)}")
    return float(value)


def _strict_str(value: object, _type: object) -> str:
    if not isinstance(value, str):
        raise ValueTypeError(f"expected a string, got {describe(value)}")
    return value


def _strict_bool(value: object, _type: object) -> bool:
    if not isinstance(value, bool):
        raise ValueTypeError(f"expected true or false, got {describe(value)}")
    return value


def _origin(t: Any) -> Any:  # noqa: ANN401
    return getattr(t, "__origin__", None)


def strict_converter() -> cattrs.Converter:
    """A new strict converter (see the module doc); callers add their own hooks.

    Dumping leaves out every value equal to its default, so files stay short
    and TOML (which has no null) can hold every rubric.  Fields marked
    :data:`NOT_IN_FILES` are left out both ways.
    """
    import cattrs  # noqa: PLC0415 - cattrs only when something is loaded
    from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override  # noqa: PLC0415

    converter = cattrs.Converter(
        forbid_extra_keys=True, detailed_validation=True, omit_if_default=True
    )
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(float, _strict_float)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(bool, _strict_bool)

    def structure_tuple(value: object, type_: Any) -> tuple[Any, ...]:  # noqa: ANN401
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
            raise ValueTypeError(f"expected a list, got {describe(value)}")
        return base_tuple(value, type_)  # type: ignore[no-any-return]

    base_tuple = converter.get_structure_hook(tuple[int, ...])  # the generic tuple handler
    converter.register_structure_hook_func(lambda t: _origin(t) is tuple, structure_tuple)

    def structure_mapping(value: object, type_: Any) -> dict[str, Any]:  # noqa: ANN401
        if not isinstance(value, Mapping):
            raise ValueTypeError(f"expected a table, got {describe(value)}")
        value_type = type_.__args__[1]
        bad = [f"key {key!r} is not a string" for key in value if not isinstance(key, str)]
        out = {}
        for key, val in value.items():
            try:
                out[str(key)] = converter.structure(val, value_type)
            except ValueTypeError as exc:  # noqa: PERF203 - every bad value is reported
                bad.append(f"{key!r}: {exc}")
        if bad:
            raise ValueTypeError("; ".join(bad))
        return out

    def is_mapping(t: Any) -> bool:  # noqa: ANN401
        return _origin(t) in {Mapping, dict}

    converter.register_structure_hook_func(is_mapping, structure_mapping)
    converter.register_unstructure_hook_func(
        is_mapping, lambda m: {k: converter.unstructure(v) for k, v in m.items()}
    )

    def has_hidden_fields(t: Any) -> bool:  # noqa: ANN401
        import attrs  # noqa: PLC0415

        return attrs.has(t) and any(f.metadata.get(NOT_IN_FILES) for f in attrs.fields(t))

    def is_attrs(t: Any) -> bool:  # noqa: ANN401
        import attrs  # noqa: PLC0415

        return attrs.has(t)

    def structure_fn(cls: Any) -> Any:  # noqa: ANN401
        hidden: dict[str, Any] = {f.name: override(omit=True) for f in _hidden(cls)}
        build = make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=True, **hidden)

        def structure(value: object, type_: Any) -> Any:  # noqa: ANN401
            # a list or a text where a table belongs: said so (cattrs would fail on .keys())
            if not isinstance(value, Mapping):
                raise ValueTypeError(f"expected a table, got {describe(value)}")
            return build(value, type_)

        return structure

    def unstructure_fn(cls: Any) -> Any:  # noqa: ANN401
        hidden: dict[str, Any] = {f.name: override(omit=True) for f in _hidden(cls)}
        return make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True, **hidden)

    converter.register_structure_hook_factory(is_attrs, structure_fn)
    converter.register_unstructure_hook_factory(has_hidden_fields, unstructure_fn)
    return converter


def _hidden(cls: type) -> list[Any]:
    import attrs  # noqa: PLC0415

    return [f for f in attrs.fields(cls) if f.metadata.get(NOT_IN_FILES)]


def _format_exception(exc: BaseException, type_: type | None) -> str:
    import cattrs  # noqa: PLC0415
    from cattrs.errors import ForbiddenExtraKeysError  # noqa: PLC0415

    if isinstance(exc, (ValueTypeError, MgrleadError)):
        return str(exc)
    if isinstance(exc, ForbiddenExtraKeysError):
        known = [a.alias or a.name for a in file_fields(exc.cl)]
        parts = []
        for key in sorted(exc.extra_fields):
            close = closest(key, known)
            parts.append(f"{key!r} (did you mean {close!r}?)" if close else repr(key))
        return f"unknown key {', '.join(parts)}; the keys here are {', '.join(known)}"
    if isinstance(exc, KeyError):
        return "required key is missing"
    return cattrs.v.format_exception(exc, type_)


def problems(exc: Exception, path: str = "$") -> list[str]:
    """Every problem a failed structuring found, each as ``"message @ $.path"``."""
    import cattrs  # noqa: PLC0415
    from cattrs.errors import ClassValidationError, IterableValidationError  # noqa: PLC0415

    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        return list(cattrs.transform_error(exc, path=path, format_exception=_format_exception))
    return [f"{exc} @ {path}"]


def structure_errors() -> tuple[type[Exception], ...]:
    """The exceptions a failed structuring raises (for ``except``)."""
    from cattrs.errors import ClassValidationError, IterableValidationError  # noqa: PLC0415

    return (ClassValidationError, IterableValidationError, RubricError, ValueTypeError)


@functools.cache
def field_docs(cls: type) -> dict[str, str]:
    """The docstrings written under each field of a class, read from its source.

    Empty when the source cannot be read (a class made at run time).
    """
    import ast  # noqa: PLC0415 - only when a description is first read
    import inspect  # noqa: PLC0415
    import textwrap  # noqa: PLC0415

    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):  # pragma: no cover - no source available
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for node, following in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[node.target.id] = " ".join(following.value.value.split())
    return docs
