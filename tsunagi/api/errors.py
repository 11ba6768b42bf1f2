"""Field-level error messages for the API, in the user's language."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("string_too_long",):
        return _("Too long: at most %(n)s characters.") % {"n": ctx.get("max_length", "?")}
    if kind in ("string_too_short",):
        return _("Too short: at least %(n)s characters.") % {"n": ctx.get("min_length", "?")}
    if kind.startswith("int_") or kind.startswith("float_"):
        return _("Enter a number.")
    if kind.startswith("bool"):
        return _("Enter true or false.")
    if kind in ("enum", "literal_error"):
        return _("Choose one of: %(choices)s") % {"choices": ctx.get("expected", "")}
    if kind.startswith("greater_than") or kind.startswith("less_than"):
        return _("The value is out of range.")
    if kind.startswith("time") or kind.startswith("date"):
        return _("Enter a valid date or time.")
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    return _("The value is not valid.")


def field_errors_from_pydantic(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for error in errors:
        loc = [
            str(p)
            for p in error.get("loc", [])
            if p not in ("body", "payload", "query", "path", "form", "file")
        ]
        out.append({"field": ".".join(loc) or "__all__", "message": _message(error)})
    return out


def field_errors_from_django(exc: ValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": "__all__" if field == "__all__" else field, "message": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": "__all__", "message": str(m)} for m in exc.messages]
