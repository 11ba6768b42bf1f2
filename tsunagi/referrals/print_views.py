"""The referral letter (紹介状) as a PDF, shown inline in the browser to be printed.

Only the referring agency's staff who see the case print it; anyone else, the receiving agency
included, gets 404 (the same answer as for a referral that does not exist). A draft, a cancelled
referral, or one whose consent is withdrawn or out of force has no letter (rules P1, P4): the
page says why. Each print is logged as `referral.letter_printed`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from tsunagi.access.policy import Kind, get_visible
from tsunagi.web.decorators import member_required
from tsunagi.web.pdf import pdf_page

from . import printing
from .models import Referral


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
    return pdf_page(
        request,
        lambda: printing.print_letter(request.user, referral, request),
        _("The referral letter cannot be printed"),
    )
