"""The supporter's own view, made for a phone: their active dispatches only (rules S4/S5), visit
reports and guidance (S6), incidents (S8), found cases (S7), their own preferences.

Only a supporter reaches these screens, and only for themselves: a coordinator, staff or
another supporter gets 404. The household is read through the dispatch grant (identity and
contact only, access.md grant 4) and every read is logged on that grant. From the moment a
dispatch stops the household is gone from the list and its addresses answer 404 (rule S5).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access.kinds import shared_values
from tsunagi.access.policy import Action, Kind, Role, has_role, require, scope, sight
from tsunagi.agencies.models import Agency
from tsunagi.agencies.services import EditConflict
from tsunagi.people.choices import ContactMethod
from tsunagi.people.services import log_shared_read
from tsunagi.web.decorators import member_required

from .. import selectors, services
from ..models import Dispatch, Incident, Language, RosterEntry, Slot, Supporter, VisitReport
from ..phone_forms import FoundCaseForm, IncidentForm, MeForm, VisitForm

VISITS_PER_PAGE = 10


# --- whose view this is ---------------------------------------------------------------------


def _only_supporters(request: HttpRequest) -> None:
    """These screens are the supporter's own: anyone else is told they do not exist."""
    if not has_role(request.user, Role.SUPPORTER):
        raise Http404


def _own_supporter(request: HttpRequest) -> Supporter:
    _only_supporters(request)
    supporter = Supporter.objects.filter(user_id=int(request.user.pk or 0)).first()
    if supporter is None:
        raise Http404
    require(request.user, Action.VIEW, Kind.SUPPORTER, supporter)
    return supporter


def _my_dispatch(request: HttpRequest, pk: int) -> Dispatch:
    """Rule S5: one of the supporter's active dispatches, or 404 (stopped, ended, another
    supporter's, or none at all answer the same)."""
    _only_supporters(request)
    dispatch = (
        selectors.my_dispatches(request.user)
        .select_related("agency", "supporter", "person__municipality")
        .filter(pk=pk)
        .first()
    )
    if dispatch is None:
        raise Http404
    require(request.user, Action.VIEW, Kind.DISPATCH, dispatch)
    return dispatch


def _household(request: HttpRequest, dispatch: Dispatch) -> dict[str, Any] | None:
    """What the dispatch grant shows of the person (name, address, contact), read and logged
    on the grant (rules S4/S5, P3).

    None when no dispatch grant is in force (the supporter's account was made after the start,
    or the grant's end date has passed while the dispatch still runs): the screens then say that
    the household's details are not shared, and the rest of the supporter's work stays open."""
    person = dispatch.person
    seen = sight(request.user, Kind.PERSON, person)
    if seen is None:
        return None
    log_shared_read(request.user, Kind.PERSON, person, seen, request)
    values = shared_values(person, seen.kinds)
    name = " ".join(p for p in (values.get("family_name"), values.get("given_name")) if p)
    kana = " ".join(p for p in (values.get("family_name_kana"), values.get("given_name_kana")) if p)
    return {
        **values,
        "name": name,
        "kana": kana,
        "preferred": _contact_labels(values.get("preferred_contact")),
        "avoided": _contact_labels(values.get("avoided_contact")),
    }


def _contact_labels(codes: Any) -> list[str]:
    labels = dict(ContactMethod.choices)
    return [str(labels.get(c, c)) for c in codes or []]


def _add_errors(form: Any, exc: ValidationError, renamed: dict[str, str] | None = None) -> None:
    """A service's refusal next to the fields it names; what was typed stays in the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        name = (renamed or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)


# --- my dispatches (rules S4, S5) -----------------------------------------------------------


@member_required
def mine(request: HttpRequest) -> HttpResponse:
    """The supporter's active dispatches: the household, the next step, unread advice."""
    _only_supporters(request)
    user = request.user
    dispatches = list(selectors.my_dispatches(user).select_related("agency"))
    rows = []
    for dispatch in dispatches:
        services.log_dispatch_work("dispatch.listed", user, dispatch, dispatch, request)
        rows.append(
            {
                "dispatch": dispatch,
                "household": _household(request, dispatch),
                "unread": dispatch.guidance.filter(seen_at__isnull=True).count(),
            }
        )
    return render(
        request,
        "supporters/phone/mine.html",
        {
            "rows": rows,
            "may_report_found": _confirmed_offices(user).exists(),
            "has_record": Supporter.objects.filter(user_id=int(user.pk or 0)).exists(),
        },
    )


def _visits(user: Any, dispatch: Dispatch) -> QuerySet[VisitReport]:
    return scope(user, Kind.VISIT_REPORT, VisitReport.objects.filter(dispatch=dispatch)).order_by(
        "-visited_on", "-pk"
    )


@member_required
def mine_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    """One household: who and where, the plan, the coordinator's advice (marked read once
    shown, rule S6), the visits reported so far and the incidents reported."""
    dispatch = _my_dispatch(request, pk)
    user = request.user
    household = _household(request, dispatch)
    services.log_dispatch_work("dispatch.viewed", user, dispatch, dispatch, request)
    guidance = list(dispatch.guidance.order_by("-created_at", "-pk"))
    unread = {g.pk for g in guidance if g.seen_at is None}
    for g in guidance:
        if g.pk in unread:
            services.mark_guidance_seen(user, g, request=request)
    page = Paginator(_visits(user, dispatch), VISITS_PER_PAGE).get_page(request.GET.get("page"))
    for visit in page:
        services.log_dispatch_work("visit.viewed", user, visit, dispatch, request)
    incidents = list(
        scope(user, Kind.INCIDENT, Incident.objects.filter(dispatch=dispatch)).order_by(
            "-occurred_at", "-pk"
        )
    )
    for incident in incidents:
        services.log_dispatch_work("incident.viewed", user, incident, dispatch, request)
    return render(
        request,
        "supporters/phone/dispatch.html",
        {
            "dispatch": dispatch,
            "household": household,
            "guidance": guidance,
            "unread": unread,
            "page": page,
            "visits": page.object_list,
            "incidents": incidents,
        },
    )


# --- a visit (rules S5, S6) -----------------------------------------------------------------


@member_required
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Rule S6: report a visit; rule S5: never on a stopped dispatch (that answers 404)."""
    dispatch = _my_dispatch(request, pk)
    user = request.user
    require(
        user,
        Action.CREATE,
        Kind.VISIT_REPORT,
        VisitReport(agency_id=dispatch.agency_id, dispatch=dispatch),
    )
    household = _household(request, dispatch)
    if request.method == "POST":
        form = VisitForm(request.POST)
        if form.is_valid():
            try:
                services.record_visit(user, dispatch, form.cleaned_data, request=request)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The visit was reported."))
                return redirect("supporters:mine_dispatch", pk=dispatch.pk)
        status = 400
    else:
        form = VisitForm(initial={"visited_on": timezone.localdate()})
        status = 200
    return render(
        request,
        "supporters/phone/visit_form.html",
        {"dispatch": dispatch, "household": household, "form": form},
        status=status,
    )


# --- an incident (rule S8) ------------------------------------------------------------------


@member_required
def incident_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Rule S8: the report reaches the coordinator at once (their home screen and list)."""
    dispatch = _my_dispatch(request, pk)
    user = request.user
    require(
        user,
        Action.CREATE,
        Kind.INCIDENT,
        Incident(agency_id=dispatch.agency_id, dispatch=dispatch),
    )
    household = _household(request, dispatch)
    visits = list(_visits(user, dispatch)[:20])
    if request.method == "POST":
        form = IncidentForm(request.POST, visits=visits)
        if form.is_valid():
            data = dict(form.cleaned_data)
            day, time = data.pop("occurred_on"), data.pop("occurred_time")
            data["occurred_at"] = timezone.make_aware(datetime.datetime.combine(day, time))
            visit_pk = data.pop("visit")
            data["visit"] = next((v for v in visits if v.pk == visit_pk), None)
            try:
                services.report_incident(user, dispatch, data, request=request)
            except ValidationError as exc:
                _add_errors(form, exc, {"occurred_at": "occurred_time"})
            else:
                messages.success(
                    request, _("The incident was reported. The coordinator has been told.")
                )
                return redirect("supporters:mine_dispatch", pk=dispatch.pk)
        status = 400
    else:
        now = timezone.localtime()
        form = IncidentForm(
            initial={"occurred_on": now.date(), "occurred_time": now.strftime("%H:%M")},
            visits=visits,
        )
        status = 200
    return render(
        request,
        "supporters/phone/incident_form.html",
        {"dispatch": dispatch, "household": household, "form": form},
        status=status,
    )


# --- a found case (rule S7) -----------------------------------------------------------------


def _confirmed_offices(user: Any) -> QuerySet[Agency]:
    """Rule S3/S7: the municipal offices that confirmed the supporter again."""
    entries = RosterEntry.objects.matchable().filter(supporter__user=user)
    return Agency.objects.filter(pk__in=entries.values("agency_id")).order_by("name")


@member_required
def found_new(request: HttpRequest) -> HttpResponse:
    """Rule S7: a hidden case the supporter noticed, told to a municipality that confirmed
    them; the municipality decides on support."""
    _own_supporter(request)
    user = request.user
    offices = list(_confirmed_offices(user))
    if request.method == "POST" and offices:
        form = FoundCaseForm(request.POST, offices=offices)
        if form.is_valid():
            data = dict(form.cleaned_data)
            office = next((a for a in offices if a.pk == data.pop("agency")), None)
            if office is None:
                raise Http404
            try:
                services.report_found_case(user, office, data, request=request)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Thank you. %(office)s has been told and will decide on support.")
                    % {"office": office.name},
                )
                return redirect("supporters:mine")
        status = 400
    else:
        form = FoundCaseForm(offices=offices)
        status = 200
    return render(
        request,
        "supporters/phone/found_form.html",
        {"form": form, "offices": offices},
        status=status,
    )


# --- me (rule S2: their own preferences) ----------------------------------------------------


@member_required
def me(request: HttpRequest) -> HttpResponse:
    """The supporter's own availability, languages, preferences and contact; the rest of their
    record is the prefecture's to change."""
    supporter = _own_supporter(request)
    user = request.user
    if request.method == "POST":
        form = MeForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.update_supporter(user, supporter, data, version=version, request=request)
            except EditConflict:
                form.add_error(
                    None,
                    _(
                        "Your record was changed elsewhere in the meantime. "
                        "Reload the page and enter your changes again."
                    ),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Your details were saved."))
                return redirect("supporters:me")
        status = 400
    else:
        services.log_supporter("supporter.viewed", user, supporter, request)
        form = MeForm(
            initial={
                "phone": supporter.phone,
                "email": supporter.email,
                "availability": supporter.availability,
                "languages": supporter.languages,
                "preferences": supporter.preferences,
                "version": supporter.version,
            }
        )
        status = 200
    slots, languages = dict(Slot.choices), dict(Language.choices)
    return render(
        request,
        "supporters/phone/me.html",
        {
            "supporter": supporter,
            "form": form,
            "areas": supporter.areas.order_by("code"),
            "slots": [slots.get(s, s) for s in supporter.availability or []],
            "languages": [languages.get(c, c) for c in supporter.languages or []],
        },
        status=status,
    )
