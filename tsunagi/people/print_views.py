"""Printable A4 forms of a case (PDF): 相談受付・申込票 and インテーク・アセスメントシート.

Parse, check access, call `printing`, answer the PDF. A print is a read of the whole record: it
is logged as `case.printed` in the access log (access.md "Every ... export and print").
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access.policy import Action, Kind, get_visible, grant, require
from tsunagi.web.decorators import member_required

from . import printing, selectors
from .models import Assessment, Case


def _case(request: HttpRequest, pk: int) -> Case:
    """The case and its person, or 404 for anyone who may not see both."""
    case = get_visible(
        request.user,
        Kind.CASE,
        Case.objects.select_related("person__municipality__prefecture", "agency", "created_by"),
        pk=pk,
    )
    require(request.user, Action.VIEW, Kind.PERSON, case.person)
    return case


def _unavailable(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "title": _("The form cannot be printed"),
            "message": _(
                "This server cannot make PDF files: the WeasyPrint library could not be "
                "loaded. Nothing was printed. Please tell the operator of tsunagi."
            ),
        },
        status=503,
    )


def _answer(
    request: HttpRequest, case: Case, printed: printing.Printed, **detail: object
) -> HttpResponse:
    audit.record(
        "case.printed",
        actor=request.user,
        request=request,
        agency_id=case.agency_id,
        obj=case,
        personal=True,
        grant=grant(request.user, Kind.CASE, case),
        detail=detail,
    )
    response = HttpResponse(printed.pdf, content_type="application/pdf")
    response["Content-Disposition"] = printed.content_disposition
    response["Cache-Control"] = "private, no-store"
    return response


@member_required
def intake_form(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    try:
        printed = printing.print_intake(request.user, case)
    except printing.PrintUnavailable:
        return _unavailable(request)
    return _answer(request, case, printed, form=printing.INTAKE)


@member_required
def assessment_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The latest assessment, or `?assessment=<id>` of the case's history; blank if none."""
    case = _case(request, pk)
    assessments = selectors.assessments_of(request.user, case)
    wanted = request.GET.get("assessment", "").strip()
    assessment: Assessment | None
    if wanted:
        if not wanted.isdigit():
            raise Http404
        assessment = get_visible(request.user, Kind.ASSESSMENT, assessments, pk=int(wanted))
    else:
        assessment = assessments.order_by("-assessed_on", "-pk").first()
    try:
        printed = printing.print_assessment(request.user, case, assessment)
    except printing.PrintUnavailable:
        return _unavailable(request)
    return _answer(
        request,
        case,
        printed,
        form=printing.ASSESSMENT,
        assessment=assessment.pk if assessment else None,
    )
