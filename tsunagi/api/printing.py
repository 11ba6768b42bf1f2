"""PDF answers of the API: the OpenAPI description and one way to answer with a printed form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja.responses import Status


def pdf_spec(description: str) -> dict[str, Any]:
    """`openapi_extra` of an endpoint that answers with an A4 PDF."""
    return {
        "responses": {
            "200": {
                "description": description,
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def pdf_answer(make: Callable[[], bytes], filename: str) -> Any:
    """The PDF `make` prints, shown inline and never cached; 503 when this server cannot print."""
    from tsunagi.people.printing import PrintUnavailable

    try:
        pdf = make()
    except PrintUnavailable:
        message = _(
            "This server cannot make PDF files: the WeasyPrint library could not be "
            "loaded. Nothing was printed. Please tell the operator of tsunagi."
        )
        return Status(503, {"detail": message})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
