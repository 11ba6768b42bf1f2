"""Printed forms on the screens: the PDF inline, or a page in the user's language saying why
it cannot be printed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def pdf_page(request: HttpRequest, make: Callable[[], Any], title: str) -> HttpResponse:
    """Print with `make` (it returns a `people.printing.Printed`) and show the PDF, never cached.
    A record not in a state to print (ValidationError) answers 409 with the reasons; a server
    without WeasyPrint 503; `title` heads either page."""
    from tsunagi.people.printing import PrintUnavailable

    try:
        printed = make()
    except ValidationError as error:
        problems = "　".join(str(m) for messages in error.message_dict.values() for m in messages)
        return render(request, "web/error.html", {"title": title, "message": problems}, status=409)
    except PrintUnavailable:
        message = _(
            "This server cannot make PDF files: the WeasyPrint library could not be "
            "loaded. Nothing was printed. Please tell the operator of tsunagi."
        )
        return render(request, "web/error.html", {"title": title, "message": message}, status=503)
    response = HttpResponse(printed.pdf, content_type="application/pdf")
    response["Content-Disposition"] = printed.content_disposition
    response["Cache-Control"] = "private, no-store"
    return response
