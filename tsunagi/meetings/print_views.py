"""The minutes (議事録) of a support meeting as a PDF, shown inline in the browser to be printed.

The convening agency's and the member agencies' caseworkers print them, each with the agenda
cases they may see (`printing` says how); anyone else gets 404, as for a meeting that does not
exist. Each print is logged as `meeting.printed`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from tsunagi.access.policy import Kind, get_visible
from tsunagi.web.decorators import member_required
from tsunagi.web.pdf import pdf_page

from . import printing
from .models import Meeting


@member_required
def minutes_print(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_visible(
        request.user, Kind.MEETING, Meeting.objects.select_related("agency"), pk=pk
    )
    return pdf_page(
        request,
        lambda: printing.print_minutes(request.user, meeting, request),
        _("The minutes cannot be printed"),
    )
