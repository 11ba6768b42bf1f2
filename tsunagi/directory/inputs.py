"""Checks of what comes into the directory from outside before it reaches the database.

PostgreSQL cannot hold a NUL character (\\x00) in text: a query or a save with one fails (a
500). Every input of the directory (the public pages' paths and search, the API's filters and
fields, the HSDS export's and import's parameters, the imported services) goes through
`nul_path` / `refuse_nul` first and is refused with a Japanese message (4xx)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NUL = "\x00"


def nul_message() -> str:
    return _("Remove the control character (NUL) from the text.")


def nul_path(value: Any, path: str = "") -> str | None:
    """The dotted path of the first text in `value` (a string, or mappings and lists of them,
    keys included) that holds a NUL character; None when there is none. Iterative, so deeply
    nested data cannot exhaust the stack."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return where
        elif isinstance(item, Mapping):
            for key, inner in item.items():
                label = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and NUL in key:
                    return where or "__all__"
                stack.append((label, inner))
        elif isinstance(item, list | tuple):
            stack.extend((f"{where}.{i}" if where else str(i), v) for i, v in enumerate(item))
    return None


def has_nul(value: Any) -> bool:
    return nul_path(value) is not None


def refuse_nul(values: Mapping[str, Any]) -> None:
    """Raise ValidationError({field: [message]}) naming each field of `values` whose text
    holds a NUL character (422 in the API, next to the field on a screen)."""
    errors = {}
    for name, value in values.items():
        if has_nul(name) or has_nul(value):
            errors[str(name).replace(NUL, "")] = [nul_message()]
    if errors:
        raise ValidationError(errors)
