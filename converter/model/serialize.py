"""The JSON form of the model: ``to_dict``/``from_dict`` driven by the dataclasses' type hints.

Optional fields at their defaults are left out; loading dispatches blocks and inlines on their
``type`` tag. Validate a document against the schema before loading it (converter.model.schema).
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any, Literal, TypeVar, Union

from .nodes import BLOCK_TYPES, INLINE_TYPES, Block, Inline, Node

_T = TypeVar("_T")


@functools.cache
def plan(cls: type) -> tuple[tuple[str, Any, Any], ...]:
    """(name, type hint, default) of each serialized field, cached per class."""
    hints = typing.get_type_hints(cls)
    plan = []
    for f in dataclasses.fields(cls):
        if f.name == "resources":
            continue
        if f.default is not dataclasses.MISSING:
            default: Any = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = dataclasses.MISSING
        plan.append((f.name, hints[f.name], default))
    return tuple(plan)


def dump(value: Any) -> Any:
    if isinstance(value, list):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {k: dump(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        if isinstance(value, Node):
            out["type"] = value.type
        for name, _hint, default in plan(type(value)):
            v = getattr(value, name)
            if default is not dataclasses.MISSING and v == default and name != "schema_version":
                continue
            out[name] = dump(v)
        return out
    return value


def load(hint: Any, data: Any) -> Any:
    origin = typing.get_origin(hint)
    if hint is Any or hint in (str, int, bool):
        return data
    if hint is float:
        return float(data)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if data is None else load(args[0], data)
    if origin is Literal:
        return data
    if origin is list:
        (item,) = typing.get_args(hint)
        return [load(item, v) for v in data]
    if origin is dict:
        _, val = typing.get_args(hint)
        return {k: load(val, v) for k, v in data.items()}
    if hint is Block:
        return load(BLOCK_TYPES[data["type"]], data)
    if hint is Inline:
        return load(INLINE_TYPES[data["type"]], data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        kwargs = {name: load(h, data[name]) for name, h, _ in plan(hint) if name in data}
        return hint(**kwargs)
    raise TypeError(f"cannot load {hint!r}")
