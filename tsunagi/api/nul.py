"""No NUL character (\\x00) reaches the database through the API.

PostgreSQL cannot store it in text and answers with an error (a 500). Django's forms already
refuse it on the screens; this middleware refuses it in any query parameter or JSON body value
of the API, with the field it was found in (422, as every field error of the API)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/v1/"


def _nul_path(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string holding a NUL (in keys or values), or None."""
    if isinstance(value, str):
        return path or "body" if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return here
            found = _nul_path(item, here)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


def _refuse(field: str) -> JsonResponse:
    message = _("Remove the control character (NUL) from the text.")
    return JsonResponse(
        {"detail": _("The input has errors."), "errors": [{"field": field, "message": message}]},
        status=422,
        json_dumps_params={"ensure_ascii": False},
    )


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            if "\x00" in request.path:
                return _refuse("path")
            for key, values in request.GET.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return _refuse(key.replace("\x00", ""))
            if request.content_type == "application/json" and b"\\u0000" in request.body:
                try:
                    found = _nul_path(json.loads(request.body))
                except ValueError:
                    found = None  # not JSON: the API answers that itself
                if found:
                    return _refuse(found)
        return self.get_response(request)
