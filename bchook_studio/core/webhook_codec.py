"""A webhook as plain JSON data, and back, for the database and definition files.

The conversion walks the dataclass fields and their type hints, so fields added
to `Webhook` or to its nested settings are written and read without changes
here. Reading ignores unknown keys (logged) and gives missing keys their
defaults, so files written by other versions still load.

Secret fields, named `password` or ending in `_password` at any depth (such as
`tls.client_cert_password`), are never written. `secret_field_values` returns
them by dotted path for callers that keep them elsewhere, and
`webhook_from_dict` reads them when a caller puts them in the data on purpose.
"""

import dataclasses
import logging
import types
import typing
from enum import Enum
from typing import Any, TypeVar

from bchook_studio.core.webhook import Webhook

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


class WebhookCodecError(ValueError):
    """Webhook data whose value at some field has the wrong type or an unknown value."""


def is_secret_field(name: str) -> bool:
    """True for a dataclass field that `webhook_to_dict` leaves out."""
    return name == "password" or name.endswith("_password")


def secret_field_values(webhook: Webhook) -> dict[str, str]:
    """Return the non-empty secret fields of `webhook` by dotted path."""
    values: dict[str, str] = {}
    _collect_secrets(webhook, "", values)
    return values


def with_secret_field_values(webhook: Webhook, values: dict[str, str]) -> Webhook:
    """Return `webhook` with secret fields set from dotted paths, as returned by
    `secret_field_values`. Paths that name no field are ignored."""
    for path, value in values.items():
        try:
            webhook = _replace_path(webhook, path.split("."), value)
        except (AttributeError, TypeError):
            logger.info("ignoring the secret for unknown field %s", path)
    return webhook


def _collect_secrets(value: object, prefix: str, values: dict[str, str]) -> None:
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return
    for item in dataclasses.fields(value):
        current = getattr(value, item.name)
        path = prefix + item.name
        if is_secret_field(item.name):
            if isinstance(current, str) and current:
                values[path] = current
        else:
            _collect_secrets(current, path + ".", values)


def _replace_path(value: Any, names: list[str], new_value: str) -> Any:
    current = getattr(value, names[0])
    if len(names) > 1:
        new_value = _replace_path(current, names[1:], new_value)
    elif not is_secret_field(names[0]):
        raise AttributeError(names[0])
    return dataclasses.replace(value, **{names[0]: new_value})


def webhook_to_dict(webhook: Webhook) -> dict[str, Any]:
    """Return `webhook` as JSON-compatible data, without its secret fields."""
    return dataclass_to_dict(webhook)


def webhook_from_dict(data: object) -> Webhook:
    """Build a Webhook from data written by `webhook_to_dict`, or raise.

    Raises WebhookCodecError naming the field path, such as
    `headers[1].enabled`, when a value has the wrong type.
    """
    return dataclass_from_dict(Webhook, data, "webhook")


def dataclass_to_dict(value: object) -> dict[str, Any]:
    """Return any frozen dataclass of plain fields as JSON-compatible data.

    Secret fields are left out, as for webhooks.
    """
    data = _encode(value)
    if not isinstance(data, dict):
        raise TypeError(f"{type(value).__name__} is not a dataclass")
    return data


def dataclass_from_dict(cls: type[_T], data: object, path: str) -> _T:
    """Build a `cls` from data written by `dataclass_to_dict`, or raise.

    `path` names the value in WebhookCodecError messages.
    """
    value = _decode(cls, data, path)
    assert isinstance(value, cls)
    return value


def _encode(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            item.name: _encode(getattr(value, item.name))
            for item in dataclasses.fields(value)
            if not is_secret_field(item.name)
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, frozenset | set):
        return sorted(_encode(item) for item in value)  # type: ignore[type-var]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot write a value of type {type(value).__name__}")


def _decode(hint: Any, value: object, path: str) -> object:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decode_dataclass(hint, value, path)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _decode_enum(hint, value, path)

    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if origin is tuple:
        return _decode_tuple(arguments, value, path)
    if origin in (frozenset, set):
        items = _expect_list(value, path)
        return frozenset(
            _decode(arguments[0], item, f"{path}[{index}]")
            for index, item in enumerate(items)
        )
    if origin in (typing.Union, types.UnionType):
        return _decode_union(arguments, value, path)
    if hint is Any or hint is object:
        return value
    return _decode_scalar(hint, value, path)


def _decode_dataclass(cls: type, value: object, path: str) -> object:
    if not isinstance(value, dict):
        raise WebhookCodecError(
            f"invalid value for {path}: expected an object, got {_describe(value)}"
        )

    hints = typing.get_type_hints(cls)
    known = {item.name for item in dataclasses.fields(cls)}
    for key in value:
        if key not in known:
            logger.info("ignoring the unknown webhook field %s.%s", path, key)

    arguments = {}
    for item in dataclasses.fields(cls):
        if not item.init or item.name not in value:
            continue
        arguments[item.name] = _decode(
            hints[item.name], value[item.name], f"{path}.{item.name}"
        )
    try:
        return cls(**arguments)
    except (TypeError, ValueError) as exc:
        raise WebhookCodecError(f"invalid value for {path}: {exc}") from exc


def _decode_enum(cls: type[Enum], value: object, path: str) -> Enum:
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(repr(member.value) for member in cls)
        raise WebhookCodecError(
            f"invalid value for {path}: {value!r} is not one of {choices}"
        ) from None


def _decode_tuple(arguments: tuple[Any, ...], value: object, path: str) -> tuple:
    items = _expect_list(value, path)
    if len(arguments) == 2 and arguments[1] is Ellipsis:
        return tuple(
            _decode(arguments[0], item, f"{path}[{index}]")
            for index, item in enumerate(items)
        )
    if len(items) != len(arguments):
        raise WebhookCodecError(
            f"invalid value for {path}: expected {len(arguments)} items, "
            f"got {len(items)}"
        )
    return tuple(
        _decode(hint, item, f"{path}[{index}]")
        for index, (hint, item) in enumerate(zip(arguments, items, strict=True))
    )


def _decode_union(arguments: tuple[Any, ...], value: object, path: str) -> object:
    if value is None and type(None) in arguments:
        return None
    problems = []
    for hint in arguments:
        if hint is type(None):
            continue
        try:
            return _decode(hint, value, path)
        except WebhookCodecError as exc:
            problems.append(str(exc))
    raise WebhookCodecError(problems[0] if problems else f"invalid value for {path}")


def _decode_scalar(hint: Any, value: object, path: str) -> object:
    if hint is bool:
        if isinstance(value, bool):
            return value
        expected = "true or false"
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        expected = "a whole number"
    elif hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        expected = "a number"
    elif hint is str:
        if isinstance(value, str):
            return value
        expected = "a string"
    else:
        raise TypeError(f"cannot read a value of type {hint!r} at {path}")
    raise WebhookCodecError(
        f"invalid value for {path}: expected {expected}, got {_describe(value)}"
    )


def _expect_list(value: object, path: str) -> list:
    if not isinstance(value, list | tuple):
        raise WebhookCodecError(
            f"invalid value for {path}: expected a list, got {_describe(value)}"
        )
    return list(value)


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)
