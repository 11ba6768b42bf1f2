"""The referral letter (紹介状) as a PDF, shown inline in the browser to be printed.

Only the referring agency's staff who see the case print it; anyone else, the receiving agency
included, gets 404 (the same answer as for a referral that does not exist). A draft, a cancelled
referral, or one whose consent is withdrawn or out of force has no letter (rules P1, P4): the
page says why. Each print is logged as `referral.letter_printed`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tsunagi.access.policy import Kind, get_visible
from tsunagi.people.printing import PrintUnavailable
from tsunagi.web.decorators import member_required

from . import printing
from .models import Referral


def _refused(request: HttpRequest, error: ValidationError) -> HttpResponse:
    problems = "　".join(str(m) for messages in error.message_dict.values() for m in messages)
    return render(
        request,
        "web/error.html",
        {"title": _("The referral letter cannot be printed"), "message": problems},
        status=409,
    )


def _unavailable(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "title": _("The referral letter cannot be printed"),
            "message": _(
                "This server cannot make PDF files: the WeasyPrint library could not be "
                "loaded. Nothing was printed. Please tell the operator of tsunagi."
            ),
        },
        status=503,
    )


@member_required
def referral_letter(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_visible(
        request.user,
        Kind.REFERRAL,
        Referral.objects.select_related(
            "agency__municipality",
            "to_agency__municipality",
            "person",
            "case",
            "consent",
            "grant",
            "created_by",
        ),
        pk=pk,
    )
    try:
        printed = printing.print_letter(request.user, referral, request)
    except ValidationError as error:
        return _refused(request, error)
    except PrintUnavailable:
        return _unavailable(request)
    response = HttpResponse(printed.pdf, content_type="application/pdf")
    response["Content-Disposition"] = printed.content_disposition
    response["Cache-Control"] = "private, no-store"
    return response
