"""Screens of a case: the case page with its timeline, screening and closing, restriction."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagi.access.policy import (
    Action,
    Denied,
    Kind,
    can,
    may_restrict,
    require,
)
from tsunagi.agencies.services import EditConflict
from tsunagi.web.decorators import member_required

from .. import rules, selectors, services
from ..choices import Connection
from ..forms import (
    CaseForm,
    RestrictionForm,
)
from ..models import Case
from .common import (
    TIMELINE_PAGE_SIZE,
    _apply_errors,
    _case_context,
    _caseworkers,
    _get_case,
    _keep_for_retry,
)


@member_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    timeline = Paginator(selectors.timeline(request.user, case), TIMELINE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    household = selectors.household_of(request.user, case.person)
    view = selectors.household_view(request.user, household) if household else None
    indicators = (
        view.indicators
        if view is not None
        else selectors.person_indicators(request.user, case.person)
    )
    history = list(selectors.assessments_of(request.user, case))
    latest = history[0] if history else None
    isolation = rules.isolation_level(latest) if latest is not None else None
    return render(
        request,
        "people/case_detail.html",
        {
            **_case_context(request, case),
            "timeline": timeline,
            "page": timeline,
            "querystring_base": "",
            "household_view": view,
            "indicators": indicators,
            "latest": latest,
            "isolation": isolation,
            "isolation_label": rules.isolation_label(isolation) if latest is not None else "",
            "connections_total": len(Connection.values),
            "history": history,
            "assigned": list(case.assigned_staff.all()),
            "can_change": can(request.user, Action.CHANGE, Kind.CASE, case),
            "can_restrict": may_restrict(request.user, case),
        },
    )


@member_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    require(request.user, Action.CHANGE, Kind.CASE, case)
    form = CaseForm(request.POST or None, instance=Case.objects.get(pk=pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_case(
                request.user,
                case,
                form.case_data(),
                version=form.cleaned_data.get("version"),
                request=request,
            )
        except EditConflict as exc:
            conflict = exc.current
            _keep_for_retry(
                form,
                conflict,
                _(
                    "Someone else saved this case while you were editing. Your changes are "
                    "kept below; check the current values and save again."
                ),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The case was saved."))
            return redirect("people:case", pk=case.pk)
    return render(
        request,
        "people/case_form.html",
        {**_case_context(request, case), "form": form, "conflict": conflict},
    )


@member_required
@require_POST
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    services.update_case(
        request.user, case, {"closed_on": None, "close_reason": ""}, request=request
    )
    messages.success(request, _("The case was reopened."))
    return redirect("people:case", pk=case.pk)


@member_required
def case_restriction(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager's setting: limit a sensitive case to its assigned staff."""
    case = _get_case(request, pk)
    if not may_restrict(request.user, case):
        raise Denied("restrict case")
    staff = _caseworkers(case.agency_id)
    form = RestrictionForm(
        request.POST or None,
        staff=staff,
        initial={
            "is_restricted": case.is_restricted,
            "assigned_staff": list(case.assigned_staff.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_restriction(
                request.user,
                case,
                form.cleaned_data["is_restricted"],
                form.cleaned_data["assigned_staff"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The access settings of the case were saved."))
            return redirect("people:case", pk=case.pk)
    return render(
        request, "people/restriction_form.html", {**_case_context(request, case), "form": form}
    )


# --- contacts -------------------------------------------------------------------------------
