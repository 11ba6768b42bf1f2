"""Screens of oversight: the prefecture's progress (M5) with its tile grid, history and export;
the national counts; the centers' compliance (J6); a municipality's own page where its officers
record the lead department (M4), surveys (M2) and platform (M3)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access.policy import Action, Denied, Kind, can, is_operator
from tsunagi.agencies.selectors import default_prefecture_code
from tsunagi.agencies.services import EditConflict
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.web.decorators import member_required
from tsunagi.web.export import FORMATS, export_response
from tsunagi.web.forms import TsunagiForm

from . import rules, selectors, services
from .forms import LeadDepartmentForm, PlatformForm, SurveyForm

KIND = Kind.MUNICIPAL_STRUCTURE


def _labels() -> dict[str, str]:
    return {
        "window": _("Window (M1)"),
        "survey": _("Needs survey (M2)"),
        "platform": _("Platform (M3)"),
        "lead": _("Lead department (M4)"),
    }


def _bad_code(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A prefecture code that is not a code (a NUL byte, letters): 400 with the reason."""
    message = " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return render(
        request,
        "web/error.html",
        {"title": _("The address is not valid"), "message": message},
        status=400,
    )


def _prefecture(request: HttpRequest, code: str) -> Prefecture | HttpResponse:
    try:
        return selectors.prefecture_for(request.user, code)
    except ValidationError as exc:
        return _bad_code(request, exc)


def _own_town(user: Any) -> Municipality | None:
    """The one municipality a municipal officer records for, when there is exactly one."""
    from tsunagi.access.policy import positions

    towns = {p.municipality_id for p in positions(user) if p.municipality_id is not None}
    visible = [
        m
        for m in Municipality.objects.filter(pk__in=towns)
        if can(user, Action.CHANGE, KIND, selectors.probe(m))
    ]
    return visible[0] if len(visible) == 1 else None


@member_required
def progress(request: HttpRequest) -> HttpResponse:
    """rule M5: counts, tile grid, table with who has not, history; CSV/Excel of the table."""
    code = request.GET.get("prefecture") or default_prefecture_code(request.user)
    if not code:
        # the operator sees the national counts only (never a municipality's records)
        followers = can(request.user, Action.VIEW, KIND) or is_operator(request.user)
        if followers and _own_town(request.user) is None:
            return redirect("oversight:national")
        raise Http404
    try:
        prefecture = _prefecture(request, code)
    except Denied:
        town = _own_town(request.user)
        if town is None:
            raise
        return redirect("oversight:municipality", code=town.code)
    if isinstance(prefecture, HttpResponse):
        return prefecture
    result = selectors.prefecture_progress(request.user, prefecture)
    labels = _labels()
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        return export_response(
            request,
            fmt=fmt,
            filename=prefecture.name + "_" + _("municipal progress"),
            headers=[_("municipality code"), _("name"), *labels.values()],
            rows=(
                (
                    st.municipality.code,
                    st.municipality.name,
                    *("✓" if st.done[s] else "—" for s in rules.STEPS),
                )
                for st in result.statuses
            ),
            audit_action="municipal_structure.exported",
        )
    counts = [
        {"step": s, "label": labels[s], "done": result.progress.done[s], "rule": rules.RULE_OF[s]}
        for s in rules.STEPS
    ]
    total = result.progress.total or 1
    history = [
        {
            **point,
            "widths": {
                s: round(100 * point[s] / total) if point[s] is not None else None
                for s in rules.STEPS
            },
        }
        for point in result.history
    ]
    return render(
        request,
        "oversight/progress.html",
        {
            "prefecture": prefecture,
            "result": result,
            "total": result.progress.total,
            "counts": counts,
            "steps": [(s, labels[s]) for s in rules.STEPS],
            "missing": [
                (labels[s], rules.missing_reason(s), result.progress.missing[s])
                for s in rules.STEPS
            ],
            "tiles": [
                {
                    "m": st.municipality,
                    "done": [(s, labels[s], st.done[s]) for s in rules.STEPS],
                    "score": sum(st.done.values()),
                }
                for st in result.statuses
            ],
            "history": history,
            "prefectures": [p for p in Prefecture.objects.order_by("code")],
        },
    )


@member_required
def national(request: HttpRequest) -> HttpResponse:
    """rule M5 across prefectures: counts only, one row per prefecture (the operator: every
    prefecture, without links to a prefecture's municipalities)."""
    rows = selectors.national_progress(request.user)
    labels = _labels()
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        return export_response(
            request,
            fmt=fmt,
            filename=_("municipal progress by prefecture"),
            headers=[_("prefecture code"), _("prefecture"), _("municipalities"), *labels.values()],
            rows=(
                (p.code, p.name, prog.total, *(prog.done[s] for s in rules.STEPS))
                for p, prog in rows
            ),
            audit_action="municipal_structure.exported",
        )
    return render(
        request,
        "oversight/national.html",
        {
            "rows": [
                (
                    p,
                    prog,
                    [prog.done[s] for s in rules.STEPS],
                    selectors.may_follow(request.user, p),
                )
                for p, prog in rows
            ],
            "labels": list(labels.values()),
        },
    )


@member_required
def compliance(request: HttpRequest) -> HttpResponse:
    """rule J6 for every center of the prefecture, with the reasons."""
    code = request.GET.get("prefecture") or default_prefecture_code(request.user)
    prefecture = _prefecture(request, code or "")
    if isinstance(prefecture, HttpResponse):
        return prefecture
    centers = selectors.centers_compliance(request.user, prefecture)
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        return export_response(
            request,
            fmt=fmt,
            filename=prefecture.name + "_" + _("center compliance"),
            headers=[
                _("center"),
                _("compliant (J6)"),
                _("coordinators"),
                _("professionals"),
                _("days open"),
                _("days open 8 hours"),
                _("hours a week"),
                _("reasons"),
            ],
            rows=(
                (
                    a.name,
                    c.compliant,
                    c.coordinators,
                    c.professionals,
                    c.open_days,
                    c.full_days,
                    c.weekly_hours,
                    " ".join(c.reasons),
                )
                for a, c in centers
            ),
            audit_action="municipal_structure.exported",
        )
    return render(
        request, "oversight/compliance.html", {"prefecture": prefecture, "centers": centers}
    )


def _apply(form: TsunagiForm, call: Any) -> bool:
    """Run a service; its field errors go next to the fields, what was typed stays."""
    try:
        call()
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            key = {"member_agency_ids": "member_agencies"}.get(field, field)
            form.add_error(key if key in form.fields else None, errors)
        return False
    return True


@member_required
def municipality(request: HttpRequest, code: str) -> HttpResponse:
    """A municipality's structures (M1-M4) and, for its officers, the forms to record them. The
    prefecture's officers see the page read-only, except a platform set up jointly with the
    prefecture (M3), which they may record or change."""
    town = selectors.municipality_for(request.user, code)
    user = request.user
    can_change = selectors.may_record_own(user, town)
    lead = selectors.current_lead(user, town)
    platform = selectors.current_platform(user, town)
    can_change_platform = selectors.may_change_platform(user, town, platform)
    which = request.POST.get("form") if request.method == "POST" else None
    allowed = {"lead": can_change, "survey": can_change, "platform": can_change_platform}
    if which and not allowed.get(which, can_change or can_change_platform):
        raise Denied("change municipal structure")
    lead_form = LeadDepartmentForm(
        request.POST if which == "lead" else None,
        initial={"name": lead.name, "contact": lead.contact} if lead else None,
        prefix="lead",
    )
    survey_form = SurveyForm(request.POST if which == "survey" else None, prefix="survey")
    platform_initial = None
    if platform is not None:
        platform_initial = {
            "version": platform.version,
            "name": platform.name,
            "secretariat": platform.secretariat,
            "member_agencies": list(platform.member_agencies.all()),
            "other_members": "\n".join(platform.other_members),
            "existing_body": platform.existing_body,
            "joint_with_prefecture": platform.joint_with_prefecture,
            "holds_meetings": platform.holds_meetings,
            "set_up_on": platform.set_up_on,
        }
    platform_form = PlatformForm(
        request.POST if which == "platform" else None,
        initial=platform_initial,
        prefix="platform",
        municipality=town,
        joint_only=not can_change,
    )
    saved = False
    if which == "lead" and lead_form.is_valid():
        saved = _apply(
            lead_form,
            lambda: services.set_lead_department(
                user, town, **lead_form.cleaned_data, request=request
            ),
        )
    elif which == "survey" and survey_form.is_valid():
        saved = _apply(
            survey_form,
            lambda: services.record_survey(user, town, **survey_form.cleaned_data, request=request),
        )
    elif which == "platform" and platform_form.is_valid():
        data = platform_form.service_data()
        version = data.pop("version")
        try:
            if platform is None:
                saved = _apply(
                    platform_form,
                    lambda: services.set_up_platform(user, town, **data, request=request),
                )
            else:
                saved = _apply(
                    platform_form,
                    lambda: services.change_platform(
                        user, town, version=version, **data, request=request
                    ),
                )
        except EditConflict:
            platform_form.add_error(
                None,
                _("Someone else changed this record since you read it. Nothing was saved."),
            )
    if saved:
        messages.success(request, _("Saved."))
        return redirect("oversight:municipality", code=town.code)
    windows = selectors.windows(town.prefecture_id) or set()
    status = rules.status_of(
        town,
        windows=windows,
        surveys=list(selectors.surveys(user, town)),
        platforms=list(selectors.platform_versions(user, town)),
        leads=list(selectors.lead_departments(user, town)),
        as_of=timezone.localdate(),
    )
    labels = _labels()
    return render(
        request,
        "oversight/municipality.html",
        {
            "town": town,
            "status": [(labels[s], status.done[s]) for s in rules.STEPS],
            "missing": status.missing,
            "leads": selectors.lead_departments(user, town),
            "surveys": selectors.surveys(user, town),
            "platforms": selectors.platform_versions(user, town),
            "platform": platform,
            "can_change": can_change,
            "can_change_platform": can_change_platform,
            "may_follow": selectors.may_follow(user, town.prefecture),
            "lead_form": lead_form,
            "survey_form": survey_form,
            "platform_form": platform_form,
            "open_form": which,
        },
    )
