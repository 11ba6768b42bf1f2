"""Screens of the closed-loop referral (つなぎ): the list (sent and received), drafting one, the
referral page with its timeline and the buttons of the viewer's side, and each step.

The receiving agency never sees the sender's records: the person reaches it only as the
permitted fields of the grant the referral made (`access.kinds.shared_values`, as
`access.shared.shared_record` builds them), and the full shared record is `consent:shared`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagi.access.kinds import InfoKind
from tsunagi.access.labels import action_label
from tsunagi.access.policy import (
    Action,
    Denied,
    Kind,
    agencies_with,
    can,
    get_visible,
    referral_side,
    require,
)
from tsunagi.access.shared import shown_name
from tsunagi.accounts.models import Role
from tsunagi.agencies.models import Agency
from tsunagi.agencies.services import EditConflict
from tsunagi.consent.models import Consent
from tsunagi.consent.selectors import standing_consents
from tsunagi.people import services as people_services
from tsunagi.people.forms import ContactForm
from tsunagi.people.models import Case, Person
from tsunagi.people.selectors import find_duplicates
from tsunagi.people.views.common import (
    _apply_errors,
    _caseworkers,
    _get_case,
    _keep_for_retry,
)
from tsunagi.web.decorators import member_required
from tsunagi.web.forms import TsunagiForm
from tsunagi.web.templatetags.wareki import wareki

from . import rules, selectors, services, suggestions
from .forms import (
    NEW_PERSON,
    AcceptForm,
    AccompanimentForm,
    AnswerForm,
    ConsentChoiceForm,
    DeclineForm,
    LetterFirstContactForm,
    ReasonForm,
    ReferralEditForm,
    ReferralForm,
)
from .models import AnswerChannel, Referral, State

PAGE_SIZE = 20
TABS = ("received", "sent")
# The steps taken with a single button, and the message after each.
STEP_DONE = {
    "confirm_consent": gettext_lazy("The consent was attached."),
    "send": gettext_lazy("The referral was sent."),
    "receive": gettext_lazy("The referral was received."),
    "accept": gettext_lazy("The referral was accepted and a case opened."),
    "decline": gettext_lazy("The referral was declined."),
    "first_contact": gettext_lazy("The first contact was recorded."),
    "close": gettext_lazy("The referral was closed."),
    "cancel": gettext_lazy("The referral was cancelled."),
}
RECORDED = gettext_lazy("The answer of the receiving agency was recorded.")


def _get_referral(request: HttpRequest, pk: int) -> Referral:
    return get_visible(
        request.user,
        Kind.REFERRAL,
        Referral.objects.select_related(
            "agency", "to_agency", "case", "consent", "grant", "received_case", "created_by"
        ),
        pk=pk,
    )


# --- what each side sees of the person ---------------------------------------------------------


def shared_person(user: Any, referral: Referral, request: HttpRequest | None) -> dict[str, Any]:
    """The person as the viewer may see them on a referral: the own agency's record for the
    sender; for the receiver only the identity fields its grant permits (rule P1), logged as a
    read on the grant's ground (rule P3). Nothing when the grant has ended (rule P4)."""
    person = referral.person
    name = shown_name(user, person, request)
    own = name is not None and referral_side(user, referral) == rules.SENDER
    return {"name": name or "", "shared": name is not None, "own": own, "pk": person.pk}


def rows_for(
    user: Any, referrals: list[Referral], request: HttpRequest | None
) -> list[dict[str, Any]]:
    """One row per referral with the person as the viewer may see them; own persons shown are
    logged in one statement, shared ones each on their grant."""
    rows = []
    own = []
    for r in referrals:
        if referral_side(user, r) == rules.SENDER:
            person = {"name": r.person.full_name, "shared": True, "own": True, "pk": r.person_id}
            own.append(r.person)
        else:
            person = shared_person(user, r, request)
        rows.append({"referral": r, "person": person})
    if own:
        people_services.log_reads(user, Kind.PERSON, own, request, shown_in="referrals")
    return rows


def _fallback_timeline(referral: Referral) -> list[dict[str, Any]]:
    """For referrals older than their step rows: the steps from the timestamps (the first
    contact is a day, the rest times)."""
    r = referral
    steps: list[tuple[Any, Any, bool]] = [
        (State.DRAFT.label, r.created_at, False),
        (State.CONSENT_CONFIRMED.label, r.consent_confirmed_at, False),
        (State.SENT.label, r.sent_at, False),
        (State.RECEIVED.label, r.received_at, False),
    ]
    if r.decided_at is not None:
        label = State.DECLINED.label if r.decline_reason else State.ACCEPTED.label
        steps.append((label, r.decided_at, False))
    steps += [
        (State.FIRST_CONTACT.label, r.first_contact_on, True),
        (State.CLOSED.label, r.closed_at, False),
        (State.CANCELLED.label, r.cancelled_at, False),
    ]
    return [
        {"label": label, "at": at, "day_only": day, "by": "", "agency": "", "on_behalf": False}
        for label, at, day in steps
        if at
    ]


def timeline(referral: Referral) -> list[dict[str, Any]]:
    """Who took each step, for which agency, when; an answer of a receiver without an account
    says that the referring agency recorded it and how the answer came."""
    events = list(referral.events.select_related("actor", "agency"))
    if not events:
        return _fallback_timeline(referral)
    rows = []
    for e in events:
        row: dict[str, Any] = {
            "label": action_label(f"referral.{e.step}"),
            "at": e.at,
            "day_only": False,
            "by": e.actor.full_name or e.actor.get_username(),
            "agency": e.agency.name,
            "on_behalf": e.on_behalf,
            "channel": AnswerChannel(e.note).label if e.note in AnswerChannel.values else "",
        }
        if e.step == "first_contact":
            row["day"] = referral.first_contact_on
        rows.append(row)
    return rows


# --- the list --------------------------------------------------------------------------------


def with_reminders(rows: list[dict[str, Any]], user: Any, today: Any) -> list[dict[str, Any]]:
    """Each row's reminder, on the limits of the viewer's agency on that referral."""
    limits: dict[int, dict[str, int]] = {}
    for row in rows:
        r = row["referral"]
        agency_id = r.agency_id if referral_side(user, r) == rules.SENDER else r.to_agency_id
        if agency_id not in limits:
            limits[agency_id] = selectors.limits_of(agency_id)
        row["reminder"] = rules.reminder(r, today, limits[agency_id])
    return rows


@member_required
def referral_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, Kind.REFERRAL)
    tab = request.GET.get("tab", "received")
    if tab not in TABS:
        tab = "received"
    state = request.GET.get("state", "")
    if state not in State.values:
        state = ""
    qs = (selectors.received_by if tab == "received" else selectors.sent_by)(request.user, state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    base = urlencode({"tab": tab, **({"state": state} if state else {})})
    rows = rows_for(request.user, list(page.object_list), request)
    return render(
        request,
        "referrals/list.html",
        {
            "tab": tab,
            "state": state,
            "states": State.choices,
            "page": page,
            "rows": with_reminders(rows, request.user, timezone.localdate()),
            "querystring_base": base + "&",
            "is_manager": bool(agencies_with(request.user, Role.MANAGER)),
        },
    )


# --- drafting and changing before sending ------------------------------------------------------


def _receivers(case: Case) -> Any:
    return Agency.objects.exclude(pk=case.agency_id).order_by("kind", "name")


def _suggested(request: HttpRequest, case: Case, code: str, to: str) -> dict[str, Any] | None:
    """The suggestion the composer was opened from (`?rule=&to=`): its rule, its reason for this
    case and why the agency is the one, or the rule's general description."""
    if not code:
        return None
    panel = selectors.suggestions_for(request.user, case)
    for item in panel.active + panel.dismissed:
        if code in (item.code, item.rule):
            why = next((r.reason for r in item.agencies if str(r.agency.pk) == to), "")
            s = item.suggestion
            return {"rule": s.rule, "title": s.title, "reason": s.reason, "agency_reason": why}
    rule = suggestions.rule_for(code) or next((r for r in suggestions.RULES if r.id == code), None)
    if rule is None:
        return None
    return {"rule": rule.id, "title": rule.title, "reason": rule.when, "agency_reason": ""}


@member_required
def referral_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _get_case(request, case_pk)
    require(
        request.user, Action.CREATE, Kind.REFERRAL, Referral(agency_id=case.agency_id, case=case)
    )
    code = request.GET.get("rule", "")[:60]
    to = request.GET.get("to", "")
    rule = suggestions.rule_for(code) or next((r for r in suggestions.RULES if r.id == code), None)
    initial = {"to_agency": to if to.isdigit() else None, "rule": rule.id if rule else ""}
    agencies = _receivers(case)
    letter_ids = selectors.without_accounts(agencies)
    form = ReferralForm(
        request.POST or None, agencies=agencies, initial=initial, by_letter=letter_ids
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.draft_referral(
                request.user,
                case,
                to_agency=data["to_agency"],
                purpose=data["purpose"],
                wishes=data["wishes"],
                wishes_heard_on=data["wishes_heard_on"],
                support_ends_on=data["support_ends_on"],
                rule=data.get("rule") or "",
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The referral was drafted."))
            return redirect("referrals:detail", pk=referral.pk)
    chosen = form["to_agency"].value()
    suggested = _suggested(request, case, code, to)
    people_services.log_read(request.user, Kind.CASE, case, request)
    return render(
        request,
        "referrals/form.html",
        {
            "form": form,
            "case": case,
            "suggested": suggested,
            "by_letter": str(chosen).isdigit() and int(chosen) in letter_ids,
        },
        status=400 if form.errors else 200,
    )


EDITABLE_STATES = (State.DRAFT, State.CONSENT_CONFIRMED)


@member_required
def referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change what is asked, the person's wishes (rule R1) and the end of support (rule R5)
    until the referral is sent; a change saved meanwhile by someone else is shown beside what
    the user typed, which is kept."""
    referral = _get_referral(request, pk)
    require(request.user, Action.CHANGE, Kind.REFERRAL, referral)
    if referral_side(request.user, referral) != rules.SENDER:
        raise Denied("change referral")
    if referral.state not in EDITABLE_STATES:
        messages.error(request, _("A referral can be changed only before it is sent."))
        return redirect("referrals:detail", pk=referral.pk)
    initial = {
        "purpose": referral.purpose,
        "wishes": referral.wishes,
        "wishes_heard_on": referral.wishes_heard_on,
        "support_ends_on": referral.support_ends_on,
        "version": referral.version,
    }
    form = ReferralEditForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_referral(
                request.user,
                referral,
                form.referral_data(),
                version=form.cleaned_data.get("version"),
                request=request,
            )
        except EditConflict as exc:
            conflict = exc.current
            _keep_for_retry(
                form,
                conflict,
                _(
                    "Someone else saved this referral while you were editing. Your changes are "
                    "kept below; check the current values and save again."
                ),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The referral was saved."))
            return redirect("referrals:detail", pk=referral.pk)
    people_services.log_read(request.user, Kind.CASE, referral.case, request)
    return render(
        request,
        "referrals/edit.html",
        {"form": form, "referral": referral, "case": referral.case, "conflict": conflict},
        status=400 if form.errors else 200,
    )


# --- the referral page -----------------------------------------------------------------------


def _consent_choices(user: Any, referral: Referral) -> Any:
    standing = standing_consents(user, referral.person, referral.to_agency, timezone.localdate())
    return Consent.objects.filter(pk__in=[c.pk for c in standing]).order_by("-given_on", "-id")


def _candidates(user: Any, referral: Referral, request: HttpRequest) -> tuple[list, bool]:
    """The receiver's OWN persons who may be the one referred (matched inside the receiving
    agency, access.md), and whether a new person can be registered from what was shared."""
    if referral.grant is None or not referral.grant.is_active():
        return [], False
    data = services.received_identity(referral)
    if not data:
        return [], False
    municipality = data.pop("municipality", None)
    probe = Person(agency_id=referral.to_agency_id, municipality_id=municipality, **data)
    found = find_duplicates(user, probe)
    people_services.log_reads(
        user, Kind.PERSON, [c.person for c in found], request, shown_in="referral_match"
    )
    choices = [
        (
            str(c.person.pk),
            f"{c.person.full_name}（{wareki(c.person.birth_date) or '-'}）: "
            + "、".join(c.reasons),
        )
        for c in found
    ]
    return choices, True


def _behalf(request: HttpRequest, referral: Referral, step: str) -> bool:
    """Is the user recording this step for a receiver without an account?"""
    return referral.by_letter and rules.on_behalf(step, referral_side(request.user, referral))


def _new_form(request: HttpRequest, referral: Referral, step: str, data: Any = None) -> Any:
    """The form of a step that takes input (None for a one-button step), bound to `data`."""
    user = request.user
    behalf = _behalf(request, referral, step)
    if step == "confirm_consent":
        initial = {"version": referral.version}
        return ConsentChoiceForm(data, consents=_consent_choices(user, referral), initial=initial)
    if step == "cancel":
        return ReasonForm(data, prefix=step)
    if step == "decline":
        return DeclineForm(data, prefix=step, on_behalf=behalf)
    if step == "first_contact" and behalf:
        return LetterFirstContactForm(data, prefix=step)
    if step in ("receive", "accept") and behalf:
        return AnswerForm(data, prefix=step)
    if step == "accept":
        candidates, may_register = _candidates(user, referral, request)
        return AcceptForm(data, prefix=step, candidates=candidates, may_register=may_register)
    return None


def _step_forms(
    request: HttpRequest, referral: Referral, steps: list[str], bound: dict[str, Any]
) -> dict[str, Any]:
    forms: dict[str, Any] = {}
    for step in steps:
        form = bound.get(step) or _new_form(request, referral, step)
        if form is not None:
            forms[step] = form
    # a one-button step refused by its service carries the reason above its button
    forms.update({k: v for k, v in bound.items() if k not in forms})
    return forms


def _shows_wishes(user: Any, referral: Referral, side: str | None) -> bool:
    """The person's wishes are "situation and wishes" information: the receiver sees them only
    while its grant covers that kind (rules P1, P4)."""
    if side == rules.SENDER:
        return True
    g = referral.grant
    return g is not None and g.is_active() and InfoKind.SITUATION in set(g.kinds)


def _continuity(referral: Referral, today: Any, limits: dict[str, int]) -> dict[str, Any] | None:
    """Rule R5 for the page: the gap, or how long the hand-over has waited since support ended."""
    g = rules.gap(referral, today)
    if g.ended_on is None:
        return None
    return {
        "gap": g,
        "too_long": rules.waits_too_long(g, limits["handover_days"]),
        "limit": limits["handover_days"],
    }


def _detail(
    request: HttpRequest, referral: Referral, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    side = referral_side(user, referral)
    today = timezone.localdate()
    steps = rules.next_steps(referral.state, side, referral.by_letter)
    if side == rules.SENDER:
        people_services.log_read(user, Kind.CASE, referral.case, request)
    finding = rules.referral_finding(referral, today)
    wishes_finding = rules.wishes_finding(referral)
    if finding is not None or wishes_finding is not None:
        # rules R1 and P1: no send button while either is missing
        steps = [s for s in steps if s != "send"]
    consent = referral.consent
    if consent is not None and not can(user, Action.VIEW, Kind.CONSENT, consent):
        consent = None
    limits = selectors.limits_of(
        referral.agency_id if side == rules.SENDER else referral.to_agency_id
    )
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "side": side,
            "person": shared_person(user, referral, request),
            "steps": steps,
            "on_behalf": side == rules.SENDER and referral.by_letter,
            "forms": _step_forms(request, referral, steps, bound or {}),
            "finding": finding,
            "wishes_finding": wishes_finding,
            "shows_wishes": _shows_wishes(user, referral, side),
            "may_edit": side == rules.SENDER and referral.state in EDITABLE_STATES,
            "shows_letter": side == rules.SENDER
            and (referral.by_letter or referral.sent_at is not None),
            "consent": consent,
            "timeline": timeline(referral),
            "reminder": rules.reminder(referral, today, limits),
            "continuity": _continuity(referral, today, limits),
            "received_case_visible": referral.received_case is not None
            and can(user, Action.VIEW, Kind.CASE, referral.received_case),
        },
        status=status,
    )


@member_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get_referral(request, pk))


# --- the steps -------------------------------------------------------------------------------

# Errors of the services under the names of the forms' fields.
RENAMED = {
    "decline_reason": "reason",
    "decline_category": "category",
    "cancel_reason": "reason",
    "state": None,
}


def _side_check(request: HttpRequest, referral: Referral, step: str) -> str | None:
    """The step table (rules.STEPS) says which side takes a step: the other side is refused.
    The referring agency takes the steps of a receiver without an account (by_letter)."""
    if step not in rules.STEPS:
        raise Http404
    side = referral_side(request.user, referral)
    if not rules.takes(side, rules.STEPS[step][2], referral.by_letter):
        raise Denied(rules.check_step(referral.state, step, side, referral.by_letter))
    return side


def _run(request: HttpRequest, referral: Referral, step: str) -> tuple[Any, str | None]:
    """Parse the step's form and call its service. Returns (the bound form, None) when its
    input was refused, else (None, a message)."""
    user, post = request.user, request.POST
    version = post.get("version")
    version_no = int(version) if version and version.isdigit() else None
    form = _new_form(request, referral, step, post)
    if form is not None and not form.is_valid():
        return form, None
    data = form.cleaned_data if form is not None else {}
    channel = data.get("answered_via", "")
    if step == "confirm_consent":
        services.confirm_consent(
            user, referral, data["consent"], version=version_no, request=request
        )
    elif step == "send":
        services.send_referral(user, referral, version=version_no, request=request)
    elif step == "receive":
        services.receive_referral(user, referral, answered_via=channel, request=request)
    elif step == "decline":
        services.decline_referral(
            user,
            referral,
            reason=data["reason"],
            category=data["category"],
            answered_via=channel,
            request=request,
        )
    elif step == "cancel":
        services.cancel_referral(user, referral, reason=data["reason"], request=request)
    elif step == "accept":
        person = None
        chosen = data.get("person", NEW_PERSON)
        if chosen != NEW_PERSON:
            person = get_visible(user, Kind.PERSON, Person.objects.all(), pk=int(chosen))
        services.accept_referral(
            user, referral, person=person, answered_via=channel, request=request
        )
    elif step == "first_contact":  # recorded for a receiver without an account
        services.record_first_contact(
            user,
            referral,
            {"occurred_on": data["occurred_on"], "answered_via": channel},
            accompanied=data["accompanied"],
            accompaniment_notes=data["accompaniment_notes"],
            request=request,
        )
    elif step == "close":
        services.close_referral(user, referral, request=request)
    done = STEP_DONE[step]
    if _behalf(request, referral, step):
        done = RECORDED
    return None, str(done)


@member_required
def referral_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    referral = _get_referral(request, pk)
    side = _side_check(request, referral, step)
    if step == "first_contact" and side == rules.RECEIVER:
        return _first_contact(request, referral)
    if request.method != "POST":
        if step == "first_contact":  # its form is on the referral page
            return redirect("referrals:detail", pk=referral.pk)
        return HttpResponseNotAllowed(["POST"])
    problem = rules.check_step(referral.state, step, side, referral.by_letter)
    if problem is not None:
        messages.error(request, problem)
        return redirect("referrals:detail", pk=referral.pk)
    form = None
    try:
        form, done = _run(request, referral, step)
    except ValidationError as exc:
        # a one-button step: its errors go above its button
        form = _new_form(request, referral, step, request.POST) or StepErrors({})
        _apply_step_errors(form, exc)
        return _detail(request, referral, {step: form}, status=400)
    except EditConflict:
        messages.error(
            request, _("Someone else changed the referral meanwhile; check it and try again.")
        )
        return redirect("referrals:detail", pk=referral.pk)
    if form is not None:
        return _detail(request, referral, {step: form}, status=400)
    messages.success(request, done or "")
    return redirect("referrals:detail", pk=referral.pk)


class StepErrors(TsunagiForm):
    """Carries a one-button step's refusal to the page (the step has no input of its own)."""


def _apply_step_errors(form: Any, exc: ValidationError) -> None:
    if form.is_bound:
        form.is_valid()
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        name = RENAMED.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def _first_contact(request: HttpRequest, referral: Referral) -> HttpResponse:
    """The receiving agency's first contact with the person, recorded on the case it opened,
    with whether the referring agency's staff came along (同行)."""
    problem = rules.check_step(referral.state, "first_contact", rules.RECEIVER)
    if problem is not None:
        messages.error(request, problem)
        return redirect("referrals:detail", pk=referral.pk)
    case = referral.received_case
    assert case is not None  # accepted referrals have the receiver's case
    require(request.user, Action.VIEW, Kind.CASE, case)
    post = request.POST or None
    form = ContactForm(
        post,
        callers=Person.objects.none(),
        staff=_caseworkers(case.agency_id),
        initial={**ContactForm.initial_for(staff=request.user), "initiator": "staff"},
    )
    accompaniment = AccompanimentForm(post)
    if request.method == "POST" and form.is_valid() and accompaniment.is_valid():
        try:
            services.record_first_contact(
                request.user,
                referral,
                form.contact_data(),
                accompanied=accompaniment.cleaned_data["accompanied"],
                accompaniment_notes=accompaniment.cleaned_data["accompaniment_notes"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc, {"occurred_at": "occurred_on"})
        else:
            messages.success(request, str(STEP_DONE["first_contact"]))
            return redirect("referrals:detail", pk=referral.pk)
    people_services.log_read(request.user, Kind.CASE, case, request)
    return render(
        request,
        "referrals/first_contact.html",
        {"referral": referral, "form": form, "accompaniment": accompaniment, "case": case},
        status=400 if form.errors or accompaniment.errors else 200,
    )
