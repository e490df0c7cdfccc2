"""Large read answers built from rows and serialised once, byte for byte as FastAPI would.

A route that returns a response model has FastAPI validate it (every nested model built
again) and then serialise it. For answers of thousands of nested items made from rows that
were validated when they were written (a 1,000-objective plan's tree or progress), building
the models cost most of the request. ``shape(Model, data)`` instead walks ``Model``'s fields
once and hands over plain values in the field order, with each field's default where the
data has none, enums as their values and floats as floats: what ``Model.model_validate(data)
.model_dump(mode="json")`` gives for such data, without building a model. ``json_answer``
serialises it with pydantic's own encoder and answers as FastAPI does (same bytes, same
headers). The routes keep ``response_model`` for the OpenAPI document; tests compare each
shaped answer with the one the models build (``tests/core/test_answers.py``,
``tests/plans/test_fast_answers.py``).

Only read models whose fields are plain (no field or model validators, no aliases, no
serialisers) can be shaped: ``shaper`` refuses any other when it is built.
"""

from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pydantic_core
from fastapi import Response
from pydantic import BaseModel

Convert = Callable[[Any], Any]
_SHAPERS: dict[type[BaseModel], Callable[[Any], dict[str, Any]]] = {}
_PLAIN = (int, str, bool, date, datetime, NoneType)
_CHECKS_ONLY: set[type[BaseModel]] = set()


def checks_only(model: type[BaseModel]) -> type[BaseModel]:
    """Declare that ``model``'s validators only refuse bad input (they change no value), so
    values read back from the database may be shaped as it without them."""
    _CHECKS_ONLY.add(model)
    return model


def _same(value: Any) -> Any:
    return value


def _float(value: Any) -> Any:
    return float(value) if value is not None else None


def _enum(kind: type[Enum]) -> Convert:
    values = {member.value: member.value for member in kind}
    values.update({member: member.value for member in kind})  # (a StrEnum's are the same)

    def convert(value: Any) -> Any:
        return values[value] if value is not None else None

    return convert


def _list(item: Convert) -> Convert:
    if item is _same:
        return lambda value: list(value) if value is not None else None
    return lambda value: [item(v) for v in value] if value is not None else None


def _converter(annotation: Any) -> Convert:
    """How a value of ``annotation`` is handed over (None always passes as None)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _converter(get_args(annotation)[0])
    if origin in (Union, UnionType):
        arms = [a for a in get_args(annotation) if a is not NoneType]
        if len(arms) == 1:
            return _converter(arms[0])
        if all(a in _PLAIN for a in arms):
            return _same
        raise TypeError(f"cannot shape a union of {arms}")
    if origin is list:
        return _list(_converter(get_args(annotation)[0]))
    if origin is dict or annotation is dict:
        return _same
    if origin is Literal or annotation is Any:
        return _same
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            inner = shaper(annotation)
            return lambda value: inner(value) if value is not None else None
        if issubclass(annotation, Enum):
            return _enum(annotation)
        if annotation is float:
            return _float
        if issubclass(annotation, _PLAIN):
            return _same
    raise TypeError(f"cannot shape a field of type {annotation!r}")


def shaper(model: type[BaseModel]) -> Callable[[Any], dict[str, Any]]:
    """The function that shapes a dict (or an object with the fields as attributes, e.g. a
    built instance of ``model``) as ``model``'s JSON-ready dict; built once per model."""
    if model in _SHAPERS:
        return _SHAPERS[model]
    decorators = model.__pydantic_decorators__
    if (
        decorators.model_validators
        or (decorators.field_validators and model not in _CHECKS_ONLY)
        or decorators.field_serializers
        or decorators.model_serializers
        or decorators.computed_fields
    ):
        raise TypeError(f"{model.__name__} has validators or serialisers: validate it instead")
    # The function is written out per model (a loop over the fields cost twice as much on
    # 5,000 nested items): ``out = {"id": get("id"), "status": c3(get("status")), ...}``.
    namespace: dict[str, Any] = {"missing": _missing(model)}
    _SHAPERS[model] = lambda data: namespace["shape"](data)  # a model may nest itself
    items = []
    for i, (name, info) in enumerate(model.model_fields.items()):
        if info.alias not in (None, name):
            raise TypeError(f"{model.__name__}.{name} has an alias")
        convert = _converter(info.annotation)
        if info.is_required():
            read = f"values[{name!r}] if {name!r} in values else missing({name!r})"
        elif info.default_factory is not None:
            namespace[f"f{i}"] = info.default_factory
            read = f"values[{name!r}] if {name!r} in values else f{i}()"
        else:
            default = info.get_default(call_default_factory=False)
            if isinstance(default, (list, dict, BaseModel)):
                raise TypeError(f"{model.__name__}.{name}: a mutable default (use a factory)")
            namespace[f"d{i}"] = default.value if isinstance(default, Enum) else default
            read = f"values.get({name!r}, d{i})"
        if convert is _same:
            items.append(f"{name!r}: {read}")
        else:
            namespace[f"c{i}"] = convert
            items.append(f"{name!r}: c{i}({read})")
    # A dict that already holds exactly the fields, in order, of a model whose values pass
    # as they are (e.g. counts) is its own shape.
    namespace["names"] = list(model.model_fields)
    same = all(
        f"{name!r}: c" not in item for name, item in zip(namespace["names"], items, strict=True)
    )
    source = (
        "def shape(data):\n"
        + ("    if type(data) is dict and list(data) == names:\n        return data\n" * same)
        + "    values = data if isinstance(data, dict) else data.__dict__\n"
        "    return {" + ", ".join(items) + "}\n"
    )
    exec(compile(source, f"<shape {model.__name__}>", "exec"), namespace)  # noqa: S102
    _SHAPERS[model] = namespace["shape"]
    return _SHAPERS[model]


def _missing(model: type[BaseModel]) -> Callable[[str], Any]:
    def missing(name: str) -> Any:
        raise KeyError(f"{model.__name__}.{name} is missing")

    return missing


def shape(model: type[BaseModel], data: Any) -> dict[str, Any]:
    """``data`` (a mapping, or a built instance) as ``model``'s JSON-ready dict."""
    return shaper(model)(data)


def json_answer(body: Any, response: Response) -> Response:
    """``body`` serialised once, answered as FastAPI answers a response model: the same
    bytes and media type, then the headers set on the route's ``response``."""
    answer = Response(content=pydantic_core.to_json(body), media_type="application/json")
    answer.headers.raw.extend(response.headers.raw)
    return answer
