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

from tsunagi.access.policy import (
    Action,
    Denied,
    Kind,
    can,
    get_visible,
    referral_side,
    require,
)
from tsunagi.access.shared import shown_name
from tsunagi.agencies.models import Agency
from tsunagi.agencies.services import EditConflict
from tsunagi.consent.models import Consent
from tsunagi.consent.selectors import standing_consents
from tsunagi.people import services as people_services
from tsunagi.people.forms import ContactForm
from tsunagi.people.models import Case, Person
from tsunagi.people.selectors import find_duplicates
from tsunagi.people.views.common import _apply_errors, _caseworkers, _get_case
from tsunagi.web.decorators import member_required
from tsunagi.web.templatetags.wareki import wareki

from . import rules, selectors, services
from .forms import NEW_PERSON, AcceptForm, ConsentChoiceForm, ReasonForm, ReferralForm
from .models import Referral, State

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


def timeline(referral: Referral) -> list[dict[str, Any]]:
    """The steps taken so far, each with its date (the first contact is a day, the rest times)."""
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
    return [{"label": label, "at": at, "day_only": day} for label, at, day in steps if at]


# --- the list --------------------------------------------------------------------------------


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
    return render(
        request,
        "referrals/list.html",
        {
            "tab": tab,
            "state": state,
            "states": State.choices,
            "page": page,
            "rows": rows_for(request.user, list(page.object_list), request),
            "querystring_base": base + "&",
        },
    )


# --- drafting --------------------------------------------------------------------------------


def _receivers(case: Case) -> Any:
    return Agency.objects.exclude(pk=case.agency_id).order_by("kind", "name")


@member_required
def referral_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _get_case(request, case_pk)
    require(
        request.user, Action.CREATE, Kind.REFERRAL, Referral(agency_id=case.agency_id, case=case)
    )
    initial = {"to_agency": request.GET.get("to"), "rule": request.GET.get("rule", "")}
    form = ReferralForm(request.POST or None, agencies=_receivers(case), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.draft_referral(
                request.user,
                case,
                to_agency=form.cleaned_data["to_agency"],
                purpose=form.cleaned_data["purpose"],
                wishes=form.cleaned_data["wishes"],
                rule=form.cleaned_data.get("rule") or "",
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The referral was drafted."))
            return redirect("referrals:detail", pk=referral.pk)
    people_services.log_read(request.user, Kind.CASE, case, request)
    return render(request, "referrals/form.html", {"form": form, "case": case})


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


def _step_forms(
    request: HttpRequest, referral: Referral, steps: list[str], bound: dict[str, Any]
) -> dict[str, Any]:
    user = request.user
    forms: dict[str, Any] = {}
    if "confirm_consent" in steps:
        forms["confirm_consent"] = bound.get("confirm_consent") or ConsentChoiceForm(
            consents=_consent_choices(user, referral), initial={"version": referral.version}
        )
    for step in ("decline", "cancel"):
        if step in steps:
            forms[step] = bound.get(step) or ReasonForm(prefix=step)
    if "accept" in steps:
        if "accept" in bound:
            forms["accept"] = bound["accept"]
        else:
            candidates, may_register = _candidates(user, referral, request)
            forms["accept"] = AcceptForm(
                prefix="accept", candidates=candidates, may_register=may_register
            )
    # a one-button step refused by its service carries the reason above its button
    forms.update({k: v for k, v in bound.items() if k not in forms})
    return forms


def _detail(
    request: HttpRequest, referral: Referral, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    side = referral_side(user, referral)
    steps = rules.next_steps(referral.state, side)
    if side == rules.SENDER:
        people_services.log_read(user, Kind.CASE, referral.case, request)
    finding = rules.referral_finding(referral, timezone.localdate())
    consent = referral.consent
    if consent is not None and not can(user, Action.VIEW, Kind.CONSENT, consent):
        consent = None
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "side": side,
            "person": shared_person(user, referral, request),
            "steps": steps,
            "forms": _step_forms(request, referral, steps, bound or {}),
            "finding": finding,
            "consent": consent,
            "timeline": timeline(referral),
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
RENAMED = {"decline_reason": "reason", "cancel_reason": "reason", "state": None}


def _side_check(request: HttpRequest, referral: Referral, step: str) -> None:
    """The step table (rules.STEPS) says which side takes a step: the other side is refused."""
    if step not in rules.STEPS:
        raise Http404
    if rules.STEPS[step][2] != referral_side(request.user, referral):
        raise Denied(rules.check_step(referral.state, step, referral_side(request.user, referral)))


def _run(request: HttpRequest, referral: Referral, step: str) -> tuple[Any, str | None]:
    """Parse the step's form and call its service. Returns (the bound form, None) when its
    input was refused, else (None, a message)."""
    user, post = request.user, request.POST
    version = post.get("version")
    version_no = int(version) if version and version.isdigit() else None
    if step == "confirm_consent":
        form: Any = ConsentChoiceForm(post, consents=_consent_choices(user, referral))
        if not form.is_valid():
            return form, None
        services.confirm_consent(
            user, referral, form.cleaned_data["consent"], version=version_no, request=request
        )
    elif step == "send":
        services.send_referral(user, referral, version=version_no, request=request)
    elif step == "receive":
        services.receive_referral(user, referral, request=request)
    elif step in ("decline", "cancel"):
        form = ReasonForm(post, prefix=step)
        if not form.is_valid():
            return form, None
        act = services.decline_referral if step == "decline" else services.cancel_referral
        act(user, referral, reason=form.cleaned_data["reason"], request=request)
    elif step == "accept":
        candidates, may_register = _candidates(user, referral, request)
        form = AcceptForm(post, prefix="accept", candidates=candidates, may_register=may_register)
        if not form.is_valid():
            return form, None
        chosen = form.cleaned_data["person"]
        person = None
        if chosen != NEW_PERSON:
            person = get_visible(user, Kind.PERSON, Person.objects.all(), pk=int(chosen))
        services.accept_referral(user, referral, person=person, request=request)
    elif step == "close":
        services.close_referral(user, referral, request=request)
    return None, str(STEP_DONE[step])


@member_required
def referral_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    referral = _get_referral(request, pk)
    _side_check(request, referral, step)
    if step == "first_contact":
        return _first_contact(request, referral)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    problem = rules.check_step(referral.state, step, referral_side(request.user, referral))
    if problem is not None:
        messages.error(request, problem)
        return redirect("referrals:detail", pk=referral.pk)
    form = None
    try:
        form, done = _run(request, referral, step)
    except ValidationError as exc:
        form = form or _error_form(request, referral, step)
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


def _error_form(request: HttpRequest, referral: Referral, step: str) -> Any:
    """The bound form of the step, to carry a service's errors (with what was typed)."""
    post = request.POST
    if step == "confirm_consent":
        return ConsentChoiceForm(post, consents=_consent_choices(request.user, referral))
    if step in ("decline", "cancel"):
        return ReasonForm(post, prefix=step)
    if step == "accept":
        candidates, may_register = _candidates(request.user, referral, request)
        return AcceptForm(post, prefix="accept", candidates=candidates, may_register=may_register)
    return ReasonForm(prefix="none")  # a one-button step: the errors go above the buttons


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
    """The receiving agency's first contact with the person, recorded on the case it opened."""
    problem = rules.check_step(referral.state, "first_contact", rules.RECEIVER)
    if problem is not None:
        messages.error(request, problem)
        return redirect("referrals:detail", pk=referral.pk)
    case = referral.received_case
    assert case is not None  # accepted referrals have the receiver's case
    require(request.user, Action.VIEW, Kind.CASE, case)
    form = ContactForm(
        request.POST or None,
        callers=Person.objects.none(),
        staff=_caseworkers(case.agency_id),
        initial={**ContactForm.initial_for(staff=request.user), "initiator": "staff"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_first_contact(
                request.user, referral, form.contact_data(), request=request
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
        {"referral": referral, "form": form, "case": case},
        status=400 if form.errors else 200,
    )


def referral_edit(request: HttpRequest, pk: int) -> HttpResponse:  # being written
    raise Http404
