"""The prefecture's screens: training courses, the supporters' records and consent (S1, S2), and
the roster given to municipalities (S3).

Every screen reads through the access module (`selectors`, `policy.scope`, `get_visible`: a
record the user may not see answers 404) and every change goes through `services`, whose field
errors are shown beside the fields without losing what was typed. Reads of supporters' records
are logged (`supporter.viewed`, `supporter.listed`), exports as `roster.exported`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access.policy import (
    Action,
    Denied,
    Kind,
    Role,
    agencies_with,
    can,
    get_visible,
    prefectures_with,
    require,
    roles,
    scope,
)
from tsunagi.agencies.services import EditConflict
from tsunagi.web.decorators import member_required
from tsunagi.web.export import FORMATS, export_response
from tsunagi.web.templatetags.wareki import wareki

from .. import printing, rules, selectors, services
from ..forms import (
    AccountForm,
    CompleteForm,
    ConsentForm,
    CourseFilterForm,
    CourseForm,
    RosterGiveForm,
    SessionForm,
    SessionFormSet,
    SupporterFilterForm,
    SupporterForm,
    TraineeForm,
    TraineeSearchForm,
    WithdrawForm,
)
from ..models import (
    Attendance,
    CourseKind,
    Dispatch,
    DispatchState,
    Enrolment,
    Language,
    PeerBackground,
    RosterEntry,
    RosterRelease,
    Slot,
    Supporter,
    SupporterSex,
    TrainingCourse,
    TrainingSession,
)
from ..selectors import SupporterStatus

PAGE_SIZE = 30
STATUS_LABELS = dict(SupporterFilterForm.STATUSES)
COURSE_FIELDS = services.COURSE_FIELDS


# --- helpers --------------------------------------------------------------------------------


def _apply_errors(form: BaseForm, exc: ValidationError, prefix: str = "") -> None:
    """Shows a service's field errors beside the fields (the rest above the form)."""
    for name, errors in exc.message_dict.items():
        if prefix and name.startswith(prefix):
            name = name[len(prefix) :]
        form.add_error(name if name in form.fields else None, errors)


def _conflict(form: BaseForm) -> None:
    form.add_error(
        None,
        _(
            "Someone else changed this record while you were editing. Reload the page to see "
            "the latest version, then make your change again."
        ),
    )


def _trainer_prefectures(user: Any) -> set[int]:
    return set(prefectures_with(user, Role.PREFECTURAL_OFFICER))


def _keeper(user: Any, supporter: Supporter) -> bool:
    """The prefecture that trained and registered the supporter keeps their record (S2)."""
    return supporter.prefecture_id in _trainer_prefectures(user)


def _only_keeper(user: Any, supporter: Supporter) -> None:
    if not _keeper(user, supporter):
        raise Denied("only the prefecture that keeps the supporter's record")


def _organiser(user: Any) -> Any:
    """The office the user runs courses for: their prefectural office, else a municipal one."""
    from tsunagi.agencies.models import Agency

    for role in (Role.PREFECTURAL_OFFICER, Role.MUNICIPAL_OFFICER):
        office = (
            Agency.objects.filter(
                pk__in=agencies_with(user, role), kind__in=services.ORGANISER_KINDS
            )
            .order_by("pk")
            .first()
        )
        if office is not None:
            return office
    raise Denied("no office that runs training")


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring(request: HttpRequest) -> str:
    params = [
        (k, v) for k in request.GET if k not in ("page", "format") for v in request.GET.getlist(k)
    ]
    return urlencode(params) + "&" if params else ""


def _course(request: HttpRequest, pk: int) -> TrainingCourse:
    return get_visible(
        request.user,
        Kind.TRAINING,
        TrainingCourse.objects.select_related("organiser", "prefecture"),
        pk=pk,
    )


def _supporter(request: HttpRequest, pk: int) -> Supporter:
    return get_visible(
        request.user,
        Kind.SUPPORTER,
        Supporter.objects.select_related("prefecture", "municipality", "user"),
        pk=pk,
    )


def _log_list(request: HttpRequest, supporters: list[Supporter], **detail: Any) -> None:
    """One `supporter.listed` event naming every supporter shown."""
    if not supporters:
        return
    audit.record(
        "supporter.listed",
        actor=request.user,
        request=request,
        agency_id=services._office_in(request.user, supporters[0].prefecture_id),
        record_kind="supporter",
        personal=True,
        detail={"supporters": [s.pk for s in supporters], **detail},
    )


# --- training courses (rule S1) ---------------------------------------------------------------


@member_required
def courses(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, Kind.TRAINING)
    form = CourseFilterForm(request.GET or None)
    qs = selectors.courses(request.user).order_by("-starts_on", "-pk")
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("year"):
            qs = qs.filter(starts_on__year=form.cleaned_data["year"])
        if form.cleaned_data.get("kind"):
            qs = qs.filter(kind=form.cleaned_data["kind"])
    return render(
        request,
        "supporters/training/list.html",
        {
            "form": form,
            "page": _page(request, qs),
            "querystring_base": _querystring(request),
            "can_create": can(request.user, Action.CREATE, Kind.TRAINING),
        },
    )


def _session_data(formset: Any) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
        for f in formset.forms
        if f.has_changed() and f.cleaned_data
    ]


@member_required
def course_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CREATE, Kind.TRAINING)
    organiser = _organiser(request.user)
    kind = request.GET.get("kind")
    form = CourseForm(
        request.POST or None,
        initial={"kind": kind if kind in CourseKind.values else CourseKind.BASIC},
    )
    formset = SessionFormSet(request.POST or None, prefix="s")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in COURSE_FIELDS}
        try:
            course = services.create_course(
                request.user, organiser, data, sessions=_session_data(formset), request=request
            )
        except ValidationError as exc:
            filled = [f for f in formset.forms if f.has_changed()]
            for name, errors in exc.message_dict.items():
                if name.startswith("sessions."):
                    __, index, field = name.split(".", 2)
                    target = filled[int(index)] if int(index) < len(filled) else form
                    target.add_error(field if field in target.fields else None, errors)
                else:
                    form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("The course was created."))
            return redirect("supporters:course", course.pk)
    return render(
        request,
        "supporters/training/form.html",
        {"form": form, "formset": formset, "organiser": organiser, "course": None},
    )


@member_required
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    require(request.user, Action.CHANGE, Kind.TRAINING, course)
    initial = {name: getattr(course, name) for name in COURSE_FIELDS}
    initial["version"] = course.version
    form = CourseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in COURSE_FIELDS}
        for name in ("description", "place", "commissioned_to"):
            data[name] = data.get(name) or ""
        try:
            services.update_course(
                request.user,
                course,
                data,
                version=form.cleaned_data.get("version"),
                request=request,
            )
        except EditConflict:
            _conflict(form)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The course was saved."))
            return redirect("supporters:course", course.pk)
    return render(
        request,
        "supporters/training/form.html",
        {"form": form, "formset": None, "organiser": course.organiser, "course": course},
    )


@member_required
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    require(request.user, Action.CHANGE, Kind.TRAINING, course)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_session(request.user, course, form.cleaned_data, request=request)
        except ValidationError as exc:
            _apply_errors(form, exc, prefix="session.")
        else:
            messages.success(request, _("The session was added."))
            return redirect("supporters:course", course.pk)
    return render(
        request, "supporters/training/session_form.html", {"form": form, "course": course}
    )


def _visible_trainees(user: Any, course: TrainingCourse) -> set[int]:
    """The trainees of the course whose names the user may see (their supporter record)."""
    return set(
        scope(user, Kind.SUPPORTER, Supporter.objects.filter(enrolments__course=course))
        .values_list("pk", flat=True)
        .distinct()
    )


def _trainees(course: TrainingCourse, visible: set[int]) -> list[dict[str, Any]]:
    """Each enrolled trainee the user may see, with the sessions attended and the S1 finding on
    completion (the others are only counted)."""
    sessions = list(course.sessions.all())
    present: dict[int, set[int]] = {}
    for sid, sup in Attendance.objects.filter(
        session__course=course, supporter_id__in=visible
    ).values_list("session_id", "supporter_id"):
        present.setdefault(sup, set()).add(sid)
    rows = []
    for e in (
        course.enrolments.filter(supporter_id__in=visible)
        .select_related("supporter")
        .order_by("supporter__name_kana", "supporter__name")
    ):
        attended = present.get(e.supporter_id, set())
        rows.append(
            {
                "enrolment": e,
                "supporter": e.supporter,
                "marks": [s.pk in attended for s in sessions],
                "attended": len(attended),
                # rule S1: the finding when sessions were missed
                "findings": rules.completion_findings(len(sessions), len(attended)),
            }
        )
    return rows


@member_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    rows = _trainees(course, _visible_trainees(request.user, course))
    _log_list(request, [r["supporter"] for r in rows], course=course.pk)
    enrolled = course.enrolments.count()
    return render(
        request,
        "supporters/training/detail.html",
        {
            "course": course,
            "sessions": list(course.sessions.all()),
            "rows": rows,
            "can_change": can(request.user, Action.CHANGE, Kind.TRAINING, course),
            "enrolled": enrolled,
            "hidden": enrolled - len(rows),
            "completed": course.enrolments.filter(completed_on__isnull=False).count(),
            "follow_up": course.kind == CourseKind.FOLLOW_UP,
        },
    )


@member_required
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol trainees: search the prefecture's supporters by name or kana, or register a new
    trainee on the spot."""
    course = _course(request, pk)
    require(request.user, Action.CHANGE, Kind.TRAINING, course)
    search = TraineeSearchForm(request.GET or None)
    new_form = TraineeForm(request.POST if request.POST.get("action") == "new" else None)
    results: list[Supporter] = []
    if request.method == "POST":
        if request.POST.get("action") == "new":
            if new_form.is_valid():
                data = {k: v or "" for k, v in new_form.cleaned_data.items()}
                try:
                    trainee = services.register_trainee(
                        request.user, course.prefecture_id, data, request=request
                    )
                    services.enrol(request.user, course, trainee, request=request)
                except ValidationError as exc:
                    _apply_errors(new_form, exc)
                else:
                    messages.success(
                        request, _("%(name)s was registered and enrolled.") % {"name": trainee}
                    )
                    return redirect("supporters:enrol", course.pk)
        else:
            try:
                supporter = get_visible(
                    request.user,
                    Kind.SUPPORTER,
                    Supporter.objects.all(),
                    pk=int(request.POST.get("supporter", "0") or 0),
                )
            except ValueError as exc:
                raise Http404 from exc
            try:
                services.enrol(request.user, course, supporter, request=request)
            except ValidationError as exc:
                for errors in exc.message_dict.values():
                    for error in errors:
                        messages.error(request, error)
            else:
                messages.success(request, _("%(name)s was enrolled.") % {"name": supporter})
            return redirect(f"{request.path}?{urlencode({'q': request.POST.get('q', '')})}")
    if search.is_bound and search.is_valid() and search.cleaned_data["q"]:
        q = search.cleaned_data["q"]
        results = list(
            selectors.supporters(request.user)
            .filter(prefecture_id=course.prefecture_id, withdrawn_on__isnull=True)
            .filter(Q(name__icontains=q) | Q(name_kana__icontains=q))
            .exclude(enrolments__course=course)[:30]
        )
        _log_list(request, results, search=True)
    enrolled = list(course.enrolments.select_related("supporter"))
    return render(
        request,
        "supporters/training/enrol.html",
        {
            "course": course,
            "search": search,
            "results": results,
            "searched": bool(search.is_bound and request.GET.get("q")),
            "new_form": new_form,
            "enrolled": enrolled,
        },
    )


@member_required
def attendance(request: HttpRequest, session_pk: int) -> HttpResponse:
    """The roll of one session: a checkbox per enrolled trainee (S1)."""
    session = TrainingSession.objects.filter(pk=session_pk).first()
    if session is None:
        raise Http404
    course = _course(request, session.course_id)
    require(request.user, Action.CHANGE, Kind.TRAINING, course)
    visible = _visible_trainees(request.user, course)
    enrolled = [
        e.supporter
        for e in course.enrolments.filter(supporter_id__in=visible)
        .select_related("supporter")
        .order_by("supporter__name_kana", "supporter__name")
    ]
    hidden = course.enrolments.count() - len(enrolled)
    present = set(session.attendances.values_list("supporter_id", flat=True))
    # the roll of trainees the user may not see stays as it is
    kept = present - visible
    present &= visible
    error = ""
    if request.method == "POST":
        try:
            chosen = {int(v) for v in request.POST.getlist("present")}
        except ValueError:
            chosen = set()
            error = _("Choose the trainees from the list.")
        if not error:
            by_id = {s.pk: s for s in enrolled}
            if chosen - set(by_id):
                error = _("Only trainees enrolled on the course can attend.")
            else:
                kept_supporters = list(Supporter.objects.filter(pk__in=kept))
                count = services.record_attendance(
                    request.user,
                    session,
                    [by_id[i] for i in chosen] + kept_supporters,
                    request=request,
                )
                messages.success(request, _("Attendance recorded: %(n)d present.") % {"n": count})
                return redirect("supporters:course", course.pk)
        present = chosen
    _log_list(request, enrolled, course=course.pk, session=session.pk)
    return render(
        request,
        "supporters/training/attendance.html",
        {
            "course": course,
            "session": session,
            "trainees": [(s, s.pk in present) for s in enrolled],
            "hidden": hidden,
            "error": error,
        },
        status=400 if error else 200,
    )


@member_required
def complete(request: HttpRequest, enrolment_pk: int) -> HttpResponse:
    """Rule S1: completion, with the finding when sessions were missed and an excuse note."""
    enrolment = Enrolment.objects.select_related("supporter").filter(pk=enrolment_pk).first()
    if enrolment is None:
        raise Http404
    course = _course(request, enrolment.course_id)
    require(request.user, Action.CHANGE, Kind.TRAINING, course)
    if not can(request.user, Action.VIEW, Kind.SUPPORTER, enrolment.supporter):
        raise Http404
    sessions = course.sessions.count()
    attended = Attendance.objects.filter(
        session__course=course, supporter=enrolment.supporter
    ).count()
    findings = rules.completion_findings(sessions, attended)
    form = CompleteForm(
        request.POST or None, initial={"completed_on": course.ends_on, "excuse": enrolment.note}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.complete(
                request.user,
                enrolment,
                completed_on=form.cleaned_data.get("completed_on"),
                excuse=form.cleaned_data.get("excuse") or "",
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s completed the course.") % {"name": enrolment.supporter}
            )
            return redirect("supporters:course", course.pk)
    services.log_supporter(
        "supporter.viewed", request.user, enrolment.supporter, request, course=course.pk
    )
    return render(
        request,
        "supporters/training/complete.html",
        {
            "course": course,
            "enrolment": enrolment,
            "supporter": enrolment.supporter,
            "sessions": sessions,
            "attended": attended,
            "findings": findings,
            "form": form,
        },
    )


# --- supporters (rules S2, S3) ----------------------------------------------------------------


def _filtered(request: HttpRequest, form: SupporterFilterForm) -> QuerySet[Supporter]:
    qs = selectors.supporters(request.user).select_related("municipality")
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            qs = qs.filter(Q(name__icontains=data["q"]) | Q(name_kana__icontains=data["q"]))
        if data.get("status"):
            qs = qs.filter(selectors.status_q(data["status"]))
        if data.get("peer") == "any":
            qs = qs.exclude(peer="")
        elif data.get("peer"):
            qs = qs.filter(peer=data["peer"])
        if data.get("area"):
            qs = qs.filter(areas=data["area"])
    return qs.order_by("name_kana", "name", "pk").distinct()


def _status(s: Supporter) -> str:
    """The status from the list's annotation (`has_completed`)."""
    if s.withdrawn_on is not None:
        return SupporterStatus.WITHDRAWN
    if not getattr(s, "has_completed", False):
        return SupporterStatus.TRAINING
    if s.consent_signed_on and s.consent_explained:
        return SupporterStatus.REGISTERED
    return SupporterStatus.COMPLETED


def _export(request: HttpRequest, qs: QuerySet[Supporter], fmt: str) -> HttpResponse:
    peers = dict(PeerBackground.choices)
    slots = dict(Slot.choices)
    langs = dict(Language.choices)
    sexes = dict(SupporterSex.choices)
    rows = []
    shown = list(qs.prefetch_related("areas"))
    for s in shown:
        rows.append(
            [
                s.name,
                s.name_kana,
                str(STATUS_LABELS.get(_status(s), "")),
                str(sexes.get(s.sex, "")) if s.sex else "",
                s.birth_year,
                str(peers.get(s.peer, "")) if s.peer else "",
                s.municipality.name if s.municipality else "",
                "、".join(a.name for a in s.areas.all()),
                "、".join(str(slots.get(v, v)) for v in s.availability or []),
                "、".join(str(langs.get(v, v)) for v in s.languages or []),
                s.phone,
                s.email,
                wareki(s.consent_signed_on),
                wareki(s.withdrawn_on),
            ]
        )
    headers = [
        _("name"),
        _("name (kana)"),
        _("status"),
        _("sex"),
        _("year of birth"),
        _("peer supporter"),
        _("lives in"),
        _("areas they can cover"),
        _("available"),
        _("languages"),
        _("phone"),
        _("e-mail"),
        _("consent to act signed on"),
        _("withdrew on"),
    ]
    _log_list(request, shown, export=fmt)
    return export_response(
        request,
        fmt=fmt,
        filename=_("Supporters"),
        headers=headers,
        rows=rows,
        audit_action="roster.exported",
    )


@member_required
def supporter_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, Kind.SUPPORTER)
    if roles(request.user) == {Role.SUPPORTER}:
        return redirect("supporters:me")  # the list is the prefecture's and municipalities'
    trainers = _trainer_prefectures(request.user)
    form = SupporterFilterForm(request.GET, prefecture_ids=trainers)
    qs = _filtered(request, form)
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        return _export(request, qs, fmt)
    page = _page(request, qs)
    shown = list(page.object_list)
    _log_list(request, shown)
    return render(
        request,
        "supporters/supporter/list.html",
        {
            "form": form,
            "page": page,
            "rows": [(s, _status(s), STATUS_LABELS.get(_status(s), "")) for s in shown],
            "querystring_base": _querystring(request),
            "export_query": _querystring(request),
            "can_create": bool(trainers),
        },
    )


def _dispatch_counts(supporter: Supporter) -> dict[str, int]:
    counts = Dispatch.objects.filter(supporter=supporter).aggregate(
        active=Count("pk", filter=Q(state=DispatchState.ACTIVE)),
        done=Count("pk", filter=Q(state__in=(DispatchState.STOPPED, DispatchState.ENDED))),
        total=Count("pk"),
    )
    return {k: int(v or 0) for k, v in counts.items()}


@member_required
def supporter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = _supporter(request, pk)
    user = request.user
    keeper = _keeper(user, supporter)
    services.log_supporter("supporter.viewed", user, supporter, request)
    entries = list(
        scope(user, Kind.ROSTER, RosterEntry.objects.filter(supporter=supporter))
        .select_related("agency", "release")
        .order_by("agency__name")
    )
    status = selectors.status_of(supporter)
    findings = rules.registration_findings(
        completed_basic=services.completed_basic(supporter),
        consent_signed_on=supporter.consent_signed_on,
        explained=supporter.consent_explained,
    )
    return render(
        request,
        "supporters/supporter/detail.html",
        {
            "supporter": supporter,
            "status": status,
            "status_label": STATUS_LABELS.get(status, ""),
            "findings": findings if supporter.withdrawn_on is None else [],
            "history": list(selectors.training_history(supporter)),
            "entries": entries,
            "counts": _dispatch_counts(supporter) if keeper else None,
            "areas": list(supporter.areas.order_by("code")),
            "slots": [Slot(v).label for v in supporter.availability or [] if v in Slot.values],
            "languages": [
                Language(v).label for v in supporter.languages or [] if v in Language.values
            ],
            "keeper": keeper,
            "is_self": supporter.user_id == user.pk,
            "can_change": can(user, Action.CHANGE, Kind.SUPPORTER, supporter),
            "statement": printing.CONSENT_STATEMENT,
        },
    )


def _supporter_data(form: SupporterForm) -> tuple[dict[str, Any], list[Any] | None]:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    areas = data.pop("areas", None)
    for name, value in list(data.items()):
        if value is None and name not in ("birth_year", "municipality"):
            data[name] = ""
    return data, (list(areas) if areas is not None else None)


@member_required
def supporter_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CREATE, Kind.SUPPORTER)
    prefecture_id = min(_trainer_prefectures(request.user))
    form = SupporterForm(request.POST or None, prefecture_id=prefecture_id)
    if request.method == "POST" and form.is_valid():
        data, areas = _supporter_data(form)
        try:
            supporter = services.register_trainee(
                request.user, prefecture_id, data, areas=areas or [], request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The supporter's record was created."))
            return redirect("supporters:detail", supporter.pk)
    return render(request, "supporters/supporter/form.html", {"form": form, "supporter": None})


def _keeper_form(
    request: HttpRequest,
    supporter: Supporter,
    form: BaseForm,
    act: Callable[[dict[str, Any]], Any],
    done: str,
    template: str,
    extra: Callable[[], dict[str, Any]] | None = None,
) -> HttpResponse:
    """A form on a supporter's record: `act(cleaned_data)` on a valid POST (a conflict or the
    service's field errors shown on the form, what was typed kept), then the message `done` and
    back to the record; the read logged when the page is shown."""
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data)
        except EditConflict:
            _conflict(form)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("supporters:detail", supporter.pk)
    else:
        services.log_supporter("supporter.viewed", request.user, supporter, request)
    context = {"supporter": supporter, "form": form} | (extra() if extra else {})
    return render(request, template, context)


@member_required
def supporter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = _supporter(request, pk)
    require(request.user, Action.CHANGE, Kind.SUPPORTER, supporter)
    own = not _keeper(request.user, supporter)
    initial: dict[str, Any] = {name: getattr(supporter, name) for name in services.SUPPORTER_FIELDS}
    initial["areas"] = list(supporter.areas.values_list("pk", flat=True))
    initial["version"] = supporter.version
    form = SupporterForm(
        request.POST or None, initial=initial, prefecture_id=supporter.prefecture_id, own=own
    )

    def save(c: dict[str, Any]) -> None:
        data, areas = _supporter_data(form)
        services.update_supporter(
            request.user,
            supporter,
            data,
            areas=areas,
            version=c.get("version"),
            request=request,
        )

    return _keeper_form(
        request,
        supporter,
        form,
        save,
        _("The supporter's record was saved."),
        "supporters/supporter/form.html",
        lambda: {"own": own, "keeper": not own},
    )


@member_required
def supporter_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Rule S2: the signed consent, after the explanation that the supporter's details go to
    the municipalities that dispatch supporters (the sentence is shown)."""
    supporter = _supporter(request, pk)
    _only_keeper(request.user, supporter)
    form = ConsentForm(
        request.POST or None,
        initial={
            "signed_on": supporter.consent_signed_on,
            "explained": supporter.consent_explained,
        },
    )
    return _keeper_form(
        request,
        supporter,
        form,
        lambda c: services.record_consent(
            request.user,
            supporter,
            signed_on=c["signed_on"],
            explained=bool(c.get("explained")),
            request=request,
        ),
        _("The signed consent was recorded."),
        "supporters/supporter/consent.html",
        lambda: {
            "statement": printing.CONSENT_STATEMENT,
            "trained": services.completed_basic(supporter),
        },
    )


@member_required
def consent_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The consent form (同意書) as an A4 PDF, logged as `supporter.printed`."""
    from tsunagi.web.pdf import pdf_page

    supporter = _supporter(request, pk)
    _only_keeper(request.user, supporter)
    return pdf_page(
        request,
        lambda: printing.print_consent_form(request.user, supporter, request),
        _("Consent to act as a hikikomori supporter"),
    )


@member_required
def supporter_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Rule S3: the supporter leaves every roster at once; their active dispatches stop (S5)."""
    supporter = _supporter(request, pk)
    _only_keeper(request.user, supporter)
    return _keeper_form(
        request,
        supporter,
        WithdrawForm(request.POST or None),
        lambda c: services.withdraw(
            request.user, supporter, on=c.get("withdrawn_on"), reason=c["reason"], request=request
        ),
        _("The withdrawal was recorded: the supporter left every roster."),
        "supporters/supporter/withdraw.html",
        lambda: {
            "rosters": RosterEntry.objects.current().filter(supporter=supporter).count(),
            "active": Dispatch.objects.filter(
                supporter=supporter, state__in=(DispatchState.ACTIVE, DispatchState.MATCHED)
            ).count(),
        },
    )


@member_required
def supporter_account(request: HttpRequest, pk: int) -> HttpResponse:
    """The supporter's own login for the phone view of their dispatches."""
    supporter = _supporter(request, pk)
    _only_keeper(request.user, supporter)
    return _keeper_form(
        request,
        supporter,
        AccountForm(request.POST or None),
        lambda c: services.give_account(
            request.user,
            supporter,
            username=c["username"],
            password=c["password"],
            request=request,
        ),
        _("The account was created."),
        "supporters/supporter/account.html",
    )


# --- the roster (rule S3) -------------------------------------------------------------------


def _roster_keeper(request: HttpRequest, what: str) -> set[int]:
    """The prefectures whose roster the user hands over (rule S3); none: refused."""
    require(request.user, Action.CREATE, Kind.ROSTER)
    trainers = _trainer_prefectures(request.user)
    if not trainers:
        raise Denied(what)
    return trainers


@member_required
def roster_give(request: HttpRequest) -> HttpResponse:
    trainers = _roster_keeper(request, "give roster")
    form = RosterGiveForm(request.POST or None, prefecture_ids=trainers)
    registered = (
        selectors.supporters(request.user)
        .filter(prefecture_id__in=trainers)
        .filter(selectors.status_q(SupporterStatus.REGISTERED))
        .count()
    )
    if request.method == "POST" and form.is_valid():
        try:
            release = services.give_roster(
                request.user,
                form.cleaned_data["agency"],
                dispatch_status=form.cleaned_data["dispatch_status"],
                given_on=form.cleaned_data.get("given_on"),
                note=form.cleaned_data.get("note") or "",
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The roster was given to %(office)s: %(n)d supporters.")
                % {"office": release.agency.name, "n": release.entries.count()},
            )
            return redirect("supporters:releases")
    return render(
        request, "supporters/supporter/roster_give.html", {"form": form, "registered": registered}
    )


@member_required
def releases(request: HttpRequest) -> HttpResponse:
    """The history of the roster's hand-overs, with how many each municipality confirmed."""
    trainers = _roster_keeper(request, "roster history")
    qs = (
        RosterRelease.objects.filter(agency__prefecture_id__in=trainers)
        .select_related("agency", "given_by")
        .annotate(given=Count("entries", distinct=True))
        .order_by("-given_on", "-pk")
    )
    offices = (
        RosterEntry.objects.current()
        .filter(agency__prefecture_id__in=trainers)
        .values("agency_id", "agency__name")
        .annotate(
            on_roster=Count("pk"),
            confirmed=Count("pk", filter=Q(confirmed_on__isnull=False)),
        )
        .order_by("agency__name")
    )
    return render(
        request,
        "supporters/supporter/releases.html",
        {
            "page": _page(request, qs),
            "offices": list(offices),
            "querystring_base": "",
        },
    )
