"""The disclosure report (開示報告書) of a person as an A4 PDF (rule P3).

Only for users who see the person at the owning agency (404 for anyone else, the same answer as
for a person who does not exist). The print is itself logged as `disclosure.printed`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagi.consent.print_views import form_problems
from tsunagi.people.models import Person
from tsunagi.people.printing import PrintUnavailable
from tsunagi.web.decorators import member_required
from tsunagi.web.forms import JapaneseDateField, TsunagiForm

from . import audit, printing
from .policy import Kind, get_visible


class PeriodForm(TsunagiForm):
    date_from = JapaneseDateField(label=gettext_lazy("from"), required=False)
    date_to = JapaneseDateField(label=gettext_lazy("until"), required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


def _error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"title": _("The report cannot be printed"), "message": message},
        status=status,
    )


@member_required
def disclosure_pdf(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_visible(
        request.user, Kind.PERSON, Person.objects.select_related("agency"), pk=person_pk
    )
    form = PeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        problems = form_problems(form)
        return _error(request, problems, 400)
    period = form.cleaned_data if request.GET else {}
    try:
        printed, count = printing.print_disclosure(
            request.user, person, period.get("date_from"), period.get("date_to")
        )
    except PrintUnavailable:
        return _error(
            request,
            _(
                "This server cannot make PDF files: the WeasyPrint library could not be "
                "loaded. Nothing was printed. Please tell the operator of tsunagi."
            ),
            503,
        )
    audit.personal("disclosure.printed", request.user, person, request, lines=count)
    response = HttpResponse(printed.pdf, content_type="application/pdf")
    response["Content-Disposition"] = printed.content_disposition
    response["Cache-Control"] = "private, no-store"
    return response
