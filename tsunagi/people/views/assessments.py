"""Screens of assessments: a new one prefilled from the latest, the history, one assessment."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tsunagi.access.policy import (
    Action,
    Kind,
    get_visible,
    require,
)
from tsunagi.web.decorators import member_required

from .. import rules, selectors, services
from ..choices import Connection
from ..forms import (
    AssessmentForm,
)
from ..models import Assessment
from .common import _apply_errors, _case_context, _get_case


@member_required
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    require(
        request.user,
        Action.CREATE,
        Kind.ASSESSMENT,
        Assessment(agency_id=case.agency_id, case=case),
    )
    latest = selectors.assessments_of(request.user, case).first()
    form = AssessmentForm(request.POST or None, initial=AssessmentForm.initial_from(latest))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_assessment(request.user, case, form.assessment_data(), request=request)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The assessment was recorded."))
            return redirect("people:case", pk=case.pk)
    return render(
        request,
        "people/assessment_form.html",
        {**_case_context(request, case), "form": form, "latest": latest},
    )


@member_required
def assessment_list(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    history = list(selectors.assessments_of(request.user, case))
    return render(
        request,
        "people/assessment_list.html",
        {
            **_case_context(request, case),
            "history": [
                {
                    "assessment": a,
                    "areas": rules.problem_areas(a),
                    "isolation": rules.isolation_level(a),
                }
                for a in history
            ],
            "area_labels": rules.AREA_LABELS,
        },
    )


@member_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_visible(
        request.user,
        Kind.ASSESSMENT,
        Assessment.objects.select_related("case", "case__person", "case__agency", "assessed_by"),
        pk=pk,
    )
    services.log_read(request.user, Kind.ASSESSMENT, assessment, request)
    isolation = rules.isolation_level(assessment)
    return render(
        request,
        "people/assessment_detail.html",
        {
            **_case_context(request, assessment.case),
            "assessment": assessment,
            "areas": rules.problem_areas(assessment),
            "economic_need": rules.economic_need_reasons(assessment),
            "isolation": isolation,
            "isolation_label": rules.isolation_label(isolation),
            "connections_total": len(Connection.values),
        },
    )


# --- flags ----------------------------------------------------------------------------------
