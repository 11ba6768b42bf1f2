"""The municipality's screens: its roster and the confirmation (S3), dispatch requests, matching,
the dispatch plan and consents (S4), the stop (S5), guidance (S6), found cases (S7) and
incidents (S8).

Every screen belongs to the dispatching office (its coordinators and manager): anyone else —
the dispatched supporter, a municipal officer, another municipality — gets 404 here, as for a
record that does not exist. Every read of personal data is logged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tsunagi.access import audit
from tsunagi.access.policy import (
    DISPATCHERS,
    Action,
    Kind,
    agencies_with,
    can,
    get_visible,
    require,
    scope,
)
from tsunagi.agencies.models import Agency
from tsunagi.agencies.services import EditConflict
from tsunagi.people import selectors as people_selectors
from tsunagi.people import services as people_services
from tsunagi.people.models import Person
from tsunagi.people.rules import Finding
from tsunagi.web.decorators import member_required
from tsunagi.web.pdf import pdf_page

from .. import rules, selectors, services
from ..forms import (
    CancelForm,
    ConsentsForm,
    DispatchRequestForm,
    EndForm,
    FoundDecisionForm,
    GuidanceForm,
    IncidentCloseForm,
    IncidentStepForm,
    NewPersonForm,
    PersonSearchForm,
    PlanForm,
    RosterConfirmForm,
    StopForm,
)
from ..models import (
    Dispatch,
    DispatchState,
    FoundCase,
    FoundCaseState,
    Incident,
    IncidentState,
    RosterEntry,
)

PAGE_SIZE = 25
T = "supporters/dispatch/"


# --- helpers --------------------------------------------------------------------------------


def _offices(request: HttpRequest) -> set[int]:
    """The offices whose dispatch programme the user runs; none → 404 on every screen here."""
    offices = agencies_with(request.user, *DISPATCHERS)
    if not offices:
        raise Http404
    return offices


def _office(request: HttpRequest) -> Agency:
    """The office the screen works for (`?office=` when the user runs several)."""
    offices = _offices(request)
    wanted = request.GET.get("office") or request.POST.get("office") or ""
    pk = int(wanted) if wanted.isdigit() and int(wanted) in offices else min(offices)
    return Agency.objects.select_related("municipality").get(pk=pk)


def _own(request: HttpRequest, obj: Any) -> None:
    """Rules S4-S8: these screens are the dispatching office's; a supporter who may see an
    active dispatch on their phone does not reach them (404)."""
    if obj.agency_id not in _offices(request):
        raise Http404


def _dispatch(request: HttpRequest, pk: int) -> Dispatch:
    d = get_visible(
        request.user,
        Kind.DISPATCH,
        Dispatch.objects.select_related(
            "person__municipality", "supporter", "agency", "case", "grant"
        ),
        pk=pk,
    )
    _own(request, d)
    return d


def _errors_into(form: Any, error: ValidationError) -> None:
    """A service's field errors beside the form's fields (the rest on top of the form)."""
    for field, messages in error.message_dict.items():
        for m in messages:
            form.add_error(field if field in form.fields else None, m)


def _data(form: Any, *names: str) -> dict[str, Any]:
    return {n: form.cleaned_data[n] for n in names if n in form.cleaned_data}


def _version(form: Any) -> int | None:
    v = form.cleaned_data.get("version")
    return int(v) if v else None


CONFLICT = gettext_lazy(
    "Someone else changed this record in the meantime. Reload the page and try again."
)


def _conflict(form: Any) -> None:
    form.add_error(None, str(CONFLICT))


# --- roster (rule S3) -----------------------------------------------------------------------


def _log_listed(request: HttpRequest, action: str, rows: list[Any], key: str) -> None:
    """One personal access-log record per page shown, naming every record listed (per office)."""
    by_office: dict[int, list[int]] = {}
    for row in rows:
        by_office.setdefault(row.agency_id, []).append(row.pk)
    for agency_id, ids in by_office.items():
        audit.record(
            action,
            actor=request.user,
            request=request,
            agency_id=agency_id,
            personal=True,
            detail={key: ids},
        )


@member_required
def roster(request: HttpRequest) -> HttpResponse:
    """Rule S3: the office's roster; only confirmed supporters can be matched."""
    require(request.user, Action.CHANGE, Kind.ROSTER)
    office = _office(request)
    entries = list(selectors.roster(request.user, office.pk).prefetch_related("supporter__areas"))
    for e in entries:
        e.slots = rules.slots_label(e.supporter.availability or [])  # type: ignore[attr-defined]
    audit.record(
        "roster.viewed",
        actor=request.user,
        request=request,
        agency_id=office.pk,
        personal=True,
        detail={"supporters": [e.supporter_id for e in entries]},
    )
    return render(
        request,
        T + "roster.html",
        {
            "office": office,
            "entries": entries,
            "waiting": [e for e in entries if e.confirmed_on is None and e.declined_on is None],
            "form": RosterConfirmForm(),
        },
    )


@member_required
@require_POST
def roster_confirm(request: HttpRequest, entry_pk: int) -> HttpResponse:
    offices = _offices(request)
    entry = (
        scope(request.user, Kind.ROSTER, RosterEntry.objects.current().filter(agency__in=offices))
        .select_related("supporter")
        .filter(pk=entry_pk)
        .first()
    )
    if entry is None:
        raise Http404
    form = RosterConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.confirm_entry(
                request.user,
                entry,
                wishes_to_act=form.cleaned_data["wishes_to_act"] == "yes",
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
                request=request,
            )
            return redirect(reverse("supporters:roster") + f"?office={entry.agency_id}")
        except ValidationError as error:
            _errors_into(form, error)
    return render(request, T + "roster_confirm.html", {"entry": entry, "form": form}, status=400)


# --- dispatches (rule S4) -------------------------------------------------------------------


@member_required
def dispatch_list(request: HttpRequest) -> HttpResponse:
    offices = _offices(request)
    qs = selectors.dispatches(request.user).filter(agency__in=offices)
    state = request.GET.get("state", "")
    if state not in DispatchState.values:
        state = ""
    if state:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("-requested_on", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    if rows:
        audit.record(
            "dispatch.listed",
            actor=request.user,
            request=request,
            agency_id=rows[0].agency_id,
            personal=True,
            detail={"dispatches": [d.pk for d in rows]},
        )
    return render(
        request,
        T + "list.html",
        {
            "page": page,
            "rows": rows,
            "state": state,
            "states": DispatchState.choices,
            "querystring_base": (urlencode({"state": state}) + "&") if state else "",
        },
    )


def _office_persons(request: HttpRequest, office: Agency, q: str) -> QuerySet[Person]:
    """Persons of the office's own registry matching a name or kana (the people app's search)."""
    if not q:
        return Person.objects.none()
    return people_selectors.persons(request.user, q).filter(agency=office)[:20]


def _register_person(
    request: HttpRequest, office: Agency, form: NewPersonForm
) -> tuple[Person | None, list[Any]]:
    """Register the household's person in the office (the coordinator is a caseworker of their
    own office); the possible duplicates come back instead when the office may know them."""
    data = _data(
        form,
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "postal_code",
        "address",
        "phone",
    )
    if office.municipality_id:
        data["municipality"] = office.municipality
    try:
        person = people_services.create_person(
            request.user,
            office,
            data,
            request=request,
            allow_duplicate=form.cleaned_data["register_anyway"],
        )
    except people_services.PossibleDuplicates as dup:
        form.add_error(
            None,
            _(
                "This office may already know this person. Choose them below, or tick "
                "“register anyway” if this is a different person."
            ),
        )
        return None, dup.candidates
    except ValidationError as error:
        _errors_into(form, error)
        return None, []
    return person, []


def _chosen_person(request: HttpRequest, office: Agency, raw: str | None) -> Person | None:
    if not raw or not str(raw).isdigit():
        return None
    person = get_visible(request.user, Kind.PERSON, Person.objects.all(), pk=int(raw))
    if person.agency_id != office.pk:
        raise Http404
    return person


@member_required
def dispatch_new(request: HttpRequest) -> HttpResponse:
    """Rule S4: a request from the person or the family, for a person of the office."""
    require(request.user, Action.CREATE, Kind.DISPATCH)
    office = _office(request)
    search = PersonSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    person = _chosen_person(
        request, office, request.POST.get("person") or request.GET.get("person")
    )
    new_person = NewPersonForm(prefix="p")
    form = DispatchRequestForm(initial={"requested_on": _today()})
    duplicates: list[Any] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "request")
        if action == "register":
            new_person = NewPersonForm(request.POST, prefix="p")
            if new_person.is_valid():
                person, duplicates = _register_person(request, office, new_person)
                if person is not None:
                    return redirect(
                        reverse("supporters:dispatch_new")
                        + f"?office={office.pk}&person={person.pk}"
                    )
            status = 400
        else:
            form = DispatchRequestForm(request.POST)
            if person is None:
                form.add_error(None, _("Choose or register the person first."))
            if form.is_valid() and person is not None:
                try:
                    d = services.request_dispatch(
                        request.user,
                        person,
                        _data(form, *services.REQUEST_FIELDS),
                        request=request,
                    )
                    return redirect("supporters:dispatch", pk=d.pk)
                except ValidationError as error:
                    _errors_into(form, error)
            status = 400
    return render(
        request,
        T + "new.html",
        {
            "office": office,
            "search": search,
            "q": q,
            "found": _office_persons(request, office, q),
            "person": person,
            "new_person": new_person,
            "duplicates": duplicates,
            "form": form,
        },
        status=status,
    )


def _today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


def _findings(d: Dispatch) -> list[Finding]:
    """Rule S4 (and S3): what is missing before the first visit, until resolved."""
    if d.state not in rules.EDITABLE_STATES:
        return []
    return rules.start_findings(services.facts(d))


def _detail(request: HttpRequest, d: Dispatch, status: int = 200, **forms: Any) -> HttpResponse:
    visits = list(d.visits.all())
    findings = _findings(d)
    context = {
        "d": d,
        "findings": findings,
        "may_start": d.state == DispatchState.MATCHED and not findings,
        "needs_sharing": services.needs_sharing(d),
        "may_stop": rules.step_allowed("stop", d.state),
        "may_end": rules.step_allowed("end", d.state),
        "may_cancel": rules.step_allowed("cancel", d.state),
        "editable": d.state in rules.EDITABLE_STATES,
        "visits": visits,
        "guidance": list(d.guidance.select_related("report")),
        "incidents": list(d.incidents.all()),
        "stop_form": forms.get("stop_form") or StopForm(),
        "end_form": forms.get("end_form") or EndForm(initial={"version": d.version}),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "guidance_form": forms.get("guidance_form") or GuidanceForm(reports=visits),
        "start_errors": forms.get("start_errors") or [],
        "may_refer": d.case_id is not None and can(request.user, Action.VIEW, Kind.CASE, d.case),
        "supporter_sees": d.is_active and d.supporter_id is not None,
    }
    return render(request, T + "detail.html", context, status=status)


@member_required
def dispatch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = _dispatch(request, pk)
    services.log_dispatch_work("dispatch.viewed", request.user, d, d, request)
    return _detail(request, d)


def _dispatch_form(
    request: HttpRequest,
    pk: int,
    form_class: type[Any],
    initial: Callable[[Dispatch], dict[str, Any]],
    save: Callable[[Dispatch, Any], Any],
    template: str,
) -> HttpResponse:
    """One editing screen of a dispatch that is still being prepared: the form filled from the
    dispatch, `save(d, form)` on a valid POST (a conflict or the service's field errors shown on
    the form, what was typed kept), the read logged when the page is shown."""
    d = _dispatch(request, pk)
    require(request.user, Action.CHANGE, Kind.DISPATCH, d)
    if d.state not in rules.EDITABLE_STATES:
        return redirect("supporters:dispatch", pk=d.pk)
    form = form_class(request.POST or None, initial=initial(d))
    if request.method == "POST" and form.is_valid():
        try:
            save(d, form)
            return redirect("supporters:dispatch", pk=d.pk)
        except EditConflict:
            _conflict(form)
        except ValidationError as error:
            _errors_into(form, error)
    if request.method != "POST":
        services.log_dispatch_work("dispatch.viewed", request.user, d, d, request)
    return render(
        request,
        T + template,
        {"d": d, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@member_required
def dispatch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def save(d: Dispatch, form: DispatchRequestForm) -> None:
        version = request.POST.get("version", "")
        services.update_request(
            request.user,
            d,
            _data(form, *services.REQUEST_FIELDS),
            version=int(version) if version.isdigit() else None,
            request=request,
        )

    return _dispatch_form(
        request,
        pk,
        DispatchRequestForm,
        lambda d: {n: getattr(d, n) for n in services.REQUEST_FIELDS},
        save,
        "edit.html",
    )


@member_required
def dispatch_match(request: HttpRequest, pk: int) -> HttpResponse:
    """Rule S4: the ranking of the confirmed supporters (S3), each place with its reasons."""
    d = _dispatch(request, pk)
    require(request.user, Action.CHANGE, Kind.DISPATCH, d)
    ranked = selectors.ranked_supporters(d) if rules.step_allowed("match", d.state) else []
    error = ""
    status = 200
    if request.method == "POST":
        raw = request.POST.get("supporter", "")
        version = request.POST.get("version", "")
        chosen = next((r.supporter for r in ranked if str(r.supporter.pk) == raw), None)
        if chosen is None:
            error = "S3: " + _(
                "Only a supporter on this municipality's roster, with a signed consent and "
                "confirmed again by the municipality, can be matched."
            )
        else:
            try:
                services.match(
                    request.user,
                    d,
                    chosen,
                    version=int(version) if version.isdigit() else None,
                    request=request,
                )
                return redirect("supporters:dispatch", pk=d.pk)
            except EditConflict:
                error = str(CONFLICT)
            except ValidationError as exc:
                error = "　".join(m for ms in exc.message_dict.values() for m in ms)
        status = 400
    services.log_dispatch_work(
        "dispatch.candidates",
        request.user,
        d,
        d,
        request,
        supporters=[r.supporter.pk for r in ranked],
    )
    return render(
        request,
        T + "match.html",
        {
            "d": d,
            "ranked": ranked,
            "error": error,
            "open": bool(ranked) or d.state in rules.EDITABLE_STATES,
        },
        status=status,
    )


@member_required
def dispatch_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Rule S4: the purpose, the activity plan and the activities."""

    def save(d: Dispatch, form: PlanForm) -> None:
        services.write_plan(
            request.user,
            d,
            _data(form, *services.PLAN_FIELDS),
            version=_version(form),
            request=request,
        )

    return _dispatch_form(
        request,
        pk,
        PlanForm,
        lambda d: {n: getattr(d, n) for n in services.PLAN_FIELDS} | {"version": d.version},
        save,
        "plan.html",
    )


def _consents_initial(d: Dispatch) -> dict[str, Any]:
    return {
        "person_consent_on": d.person_consent_on,
        "person_consent_by": d.person_consent_by or d.requested_by,
        "person_consent_method": d.person_consent_method or "signed",
        "supporter_consent_on": d.supporter_consent_on,
        "version": d.version,
    }


@member_required
def dispatch_consents(request: HttpRequest, pk: int) -> HttpResponse:
    """Rule S4: the person's (or family's) and the supporter's consent, each with its date."""

    def save(d: Dispatch, form: ConsentsForm) -> None:
        c = form.cleaned_data
        services.record_consents(
            request.user,
            d,
            person_consent_on=c["person_consent_on"],
            person_consent_method=c["person_consent_method"],
            person_consent_by=c["person_consent_by"],
            supporter_consent_on=c["supporter_consent_on"],
            version=_version(form),
            request=request,
        )

    return _dispatch_form(request, pk, ConsentsForm, _consents_initial, save, "consents.html")


@member_required
@require_POST
def dispatch_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    d = _dispatch(request, pk)
    require(request.user, Action.CHANGE, Kind.DISPATCH, d)
    version = request.POST.get("version", "")
    v = int(version) if version.isdigit() else None
    try:
        if step == "start":
            services.start(request.user, d, version=v, request=request)
        elif step == "share":
            services.share_household(request.user, d, request=request)
        elif step == "end":
            end_form = EndForm(request.POST)
            if not end_form.is_valid():
                return _detail(request, d, 400, end_form=end_form)
            try:
                services.end(
                    request.user,
                    d,
                    summary=end_form.cleaned_data["summary"],
                    version=v,
                    request=request,
                )
            except ValidationError as error:
                _errors_into(end_form, error)
                return _detail(request, d, 400, end_form=end_form)
        elif step == "cancel":
            cancel_form = CancelForm(request.POST)
            if not cancel_form.is_valid():
                return _detail(request, d, 400, cancel_form=cancel_form)
            try:
                services.cancel(
                    request.user, d, reason=cancel_form.cleaned_data["reason"], request=request
                )
            except ValidationError as error:
                _errors_into(cancel_form, error)
                return _detail(request, d, 400, cancel_form=cancel_form)
        else:
            raise Http404
    except EditConflict:
        return _detail(
            request,
            d,
            409,
            start_errors=[str(CONFLICT)],
        )
    except ValidationError as error:
        return _detail(
            request, d, 400, start_errors=[m for ms in error.message_dict.values() for m in ms]
        )
    return redirect("supporters:dispatch", pk=d.pk)


@member_required
@require_POST
def dispatch_stop(request: HttpRequest, pk: int) -> HttpResponse:
    """Rule S5: stopped at once on a request to stop; the reason is kept."""
    d = _dispatch(request, pk)
    require(request.user, Action.CHANGE, Kind.DISPATCH, d)
    form = StopForm(request.POST)
    if form.is_valid():
        try:
            services.stop(
                request.user,
                d,
                requested_by=form.cleaned_data["requested_by"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
            return redirect(reverse("supporters:dispatch", args=[d.pk]) + "#stopped")
        except ValidationError as error:
            _errors_into(form, error)
    return _detail(request, d, 400, stop_form=form)


@member_required
def dispatch_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The dispatch plan (派遣計画書) as an A4 PDF; logged as `dispatch.printed`."""
    from tsunagi.people.printing import Printed

    from .. import printing

    d = _dispatch(request, pk)

    def make() -> Printed:
        pdf = printing.dispatch_plan_pdf(d)
        services.log_dispatch_work("dispatch.printed", request.user, d, d, request)
        return Printed(pdf, f"派遣計画書_{d.number or d.pk}.pdf", f"dispatch-plan-{d.pk}.pdf")

    return pdf_page(request, make, _("The dispatch plan cannot be printed"))


@member_required
@require_POST
def guidance_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Rule S6: the coordinator's advice, shown to the supporter."""
    d = _dispatch(request, pk)
    require(request.user, Action.CHANGE, Kind.DISPATCH, d)
    visits = list(d.visits.all())
    form = GuidanceForm(request.POST, reports=visits)
    if form.is_valid():
        report = next((v for v in visits if v.pk == form.cleaned_data["report"]), None)
        try:
            services.give_guidance(
                request.user,
                d,
                text=form.cleaned_data["text"],
                report=report,
                follow_up_training=form.cleaned_data["follow_up_training"],
                request=request,
            )
            return redirect(reverse("supporters:dispatch", args=[d.pk]) + "#guidance")
        except ValidationError as error:
            _errors_into(form, error)
    return _detail(request, d, 400, guidance_form=form)


# --- incidents (rule S8) --------------------------------------------------------------------


def _incident(request: HttpRequest, pk: int) -> Incident:
    inc = get_visible(
        request.user,
        Kind.INCIDENT,
        Incident.objects.select_related("dispatch__person", "dispatch__supporter", "visit"),
        pk=pk,
    )
    _own(request, inc)
    return inc


@member_required
def incident_list(request: HttpRequest) -> HttpResponse:
    offices = _offices(request)
    qs = scope(
        request.user, Kind.INCIDENT, Incident.objects.filter(agency__in=offices)
    ).select_related("dispatch__person", "dispatch__supporter")
    state = request.GET.get("state", "")
    if state not in IncidentState.values:
        state = ""
    if state:
        qs = qs.filter(state=state)
    qs = qs.order_by(selectors.F_unseen_first(), "-occurred_at", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    _log_listed(request, "incident.listed", rows, "incidents")
    return render(
        request,
        T + "incidents.html",
        {
            "page": page,
            "rows": rows,
            "state": state,
            "states": IncidentState.choices,
            "querystring_base": (urlencode({"state": state}) + "&") if state else "",
        },
    )


def _incident_page(
    request: HttpRequest, inc: Incident, status: int = 200, **forms: Any
) -> HttpResponse:
    closing = rules.closure_findings(inc.steps.count(), "x")
    return render(
        request,
        T + "incident.html",
        {
            "inc": inc,
            "steps": list(inc.steps.select_related("taken_by")),
            "step_form": forms.get("step_form") or IncidentStepForm(),
            "close_form": forms.get("close_form")
            or IncidentCloseForm(initial={"version": inc.version}),
            "closing_findings": closing,
            "closed": inc.state == IncidentState.CLOSED,
        },
        status=status,
    )


@member_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inc = _incident(request, pk)
    if request.method == "POST" and request.POST.get("action") == "acknowledge":
        services.acknowledge_incident(request.user, inc, request)
        return redirect("supporters:incident", pk=inc.pk)
    services.log_dispatch_work("incident.viewed", request.user, inc, inc.dispatch, request)
    return _incident_page(request, inc)


def _incident_form(
    request: HttpRequest,
    pk: int,
    form_class: type[Any],
    form_name: str,
    save: Callable[[Incident, Any], Any],
) -> HttpResponse:
    """A form posted on the incident's page: `save(inc, form)` when valid, back to the page; a
    conflict or the service's field errors shown on the page again (400), what was typed kept."""
    inc = _incident(request, pk)
    require(request.user, Action.CHANGE, Kind.INCIDENT, inc)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(inc, form)
            return redirect("supporters:incident", pk=inc.pk)
        except EditConflict:
            _conflict(form)
        except ValidationError as error:
            _errors_into(form, error)
    return _incident_page(request, inc, 400, **{form_name: form})


@member_required
@require_POST
def incident_step(request: HttpRequest, pk: int) -> HttpResponse:
    return _incident_form(
        request,
        pk,
        IncidentStepForm,
        "step_form",
        lambda inc, form: services.add_incident_step(
            request.user,
            inc,
            what=form.cleaned_data["what"],
            taken_on=form.cleaned_data["taken_on"],
            request=request,
        ),
    )


@member_required
@require_POST
def incident_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Rule S8: closed after a follow-up step, with how it was resolved."""
    return _incident_form(
        request,
        pk,
        IncidentCloseForm,
        "close_form",
        lambda inc, form: services.close_incident(
            request.user,
            inc,
            summary=form.cleaned_data["summary"],
            version=_version(form),
            request=request,
        ),
    )


# --- found cases (rule S7) ------------------------------------------------------------------


@member_required
def found_list(request: HttpRequest) -> HttpResponse:
    offices = _offices(request)
    qs = scope(
        request.user, Kind.FOUND_CASE, FoundCase.objects.filter(agency__in=offices)
    ).select_related("supporter")
    state = request.GET.get("state", "")
    if state not in FoundCaseState.values:
        state = ""
    if state:
        qs = qs.filter(state=state)
    new_first = Case(When(state=FoundCaseState.NEW, then=Value(0)), default=Value(1))
    qs = qs.order_by(new_first, "-urgent", "-reported_at", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    _log_listed(request, "found_case.listed", rows, "found_cases")
    return render(
        request,
        T + "found_cases.html",
        {
            "page": page,
            "rows": rows,
            "state": state,
            "states": FoundCaseState.choices,
            "querystring_base": (urlencode({"state": state}) + "&") if state else "",
        },
    )


@member_required
def found_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Rule S7: the municipality decides: an intake for the person, or no action with why."""
    fc = get_visible(
        request.user,
        Kind.FOUND_CASE,
        FoundCase.objects.select_related("supporter", "agency__municipality", "case"),
        pk=pk,
    )
    _own(request, fc)
    office = fc.agency
    search = PersonSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    raw_person = request.POST.get("person") or request.GET.get("person")
    person = _chosen_person(request, office, raw_person)
    form = FoundDecisionForm(initial={"person": person.pk if person else None})
    new_person = NewPersonForm(prefix="p")
    duplicates: list[Any] = []
    status = 200
    if request.method == "POST":
        require(request.user, Action.CHANGE, Kind.FOUND_CASE, fc)
        status = 400
        if request.POST.get("action") == "register":
            new_person = NewPersonForm(request.POST, prefix="p")
            if new_person.is_valid():
                created, duplicates = _register_person(request, office, new_person)
                if created is not None:
                    return redirect(
                        reverse("supporters:found_case", args=[fc.pk]) + f"?person={created.pk}"
                    )
        else:
            form = FoundDecisionForm(request.POST)
            if form.is_valid():
                try:
                    services.decide_found_case(
                        request.user,
                        fc,
                        open_intake=form.cleaned_data["decision"] == "intake",
                        note=form.cleaned_data["note"],
                        person=person if form.cleaned_data["decision"] == "intake" else None,
                        request=request,
                    )
                    return redirect("supporters:found_case", pk=fc.pk)
                except ValidationError as error:
                    _errors_into(form, error)
    else:
        audit.record(
            "found_case.viewed",
            actor=request.user,
            request=request,
            agency_id=fc.agency_id,
            obj=fc,
            personal=True,
        )
    return render(
        request,
        T + "found_case.html",
        {
            "fc": fc,
            "search": search,
            "q": q,
            "found": _office_persons(request, office, q),
            "person": person,
            "form": form,
            "new_person": new_person,
            "duplicates": duplicates,
            "decided": fc.state != FoundCaseState.NEW,
        },
        status=status,
    )
