"""Screens of consents (同意, rule P1), their withdrawal (P4) and the explanation at intake (P2)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access.models import Grant
from tsunagi.access.policy import (
    Action,
    Kind,
    can,
    get_visible,
    require,
    scope,
    standing,
)
from tsunagi.people.services import log_read
from tsunagi.web.decorators import member_required

from .. import selectors, services
from ..forms import ConsentForm, ExplanationForm, WithdrawForm, coordination_meetings
from ..models import Consent
from .common import _apply_errors, _caseworkers, case_of, own_person


def _get_consent(request: HttpRequest, pk: int) -> Consent:
    return get_visible(
        request.user,
        Kind.CONSENT,
        Consent.objects.select_related("person", "agency", "recipient_agency", "witness"),
        pk=pk,
    )


def _is_owner(user: Any, consent: Consent) -> bool:
    side = standing(user, Kind.CONSENT, consent)
    return side is not None and side.owner


def _meeting_agenda_url(consent: Consent) -> str:
    query = {"consent": consent.pk} | ({"case": consent.case_id} if consent.case_id else {})
    url = reverse("meetings:detail", args=[consent.recipient_meeting_id])
    return f"{url}?{urlencode(query)}#agenda-add"


def _case_query(case: Any) -> str:
    return f"?case={case.pk}" if case is not None else ""


@member_required
def consent_list(request: HttpRequest, person_pk: int) -> HttpResponse:
    """The person's consents, explanations (P2) and the grants made on their record."""
    person = own_person(request, person_pk)
    log_read(request.user, Kind.PERSON, person, request, shown_in="consents")
    grants = scope(request.user, Kind.GRANT, Grant.objects.filter(person=person)).select_related(
        "receiving_agency", "receiving_user", "consent", "made_by"
    )
    return render(
        request,
        "consent/list.html",
        {
            "person": person,
            "case": case_of(request, person),
            "consents": selectors.consents_of(request.user, person),
            "explanations": selectors.explanations_of(request.user, person),
            "finding": selectors.explanation_finding(request.user, person),
            "grants": grants.order_by("-starts_at", "-id"),
        },
    )


@member_required
def consent_record(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Record a consent the person gave (rule P1); errors beside the fields, values kept."""
    person = own_person(request, person_pk)
    require(
        request.user,
        Action.CREATE,
        Kind.CONSENT,
        Consent(agency_id=person.agency_id, person=person),
    )
    case = case_of(request, person)
    staff = _caseworkers(person.agency_id).exclude(pk=request.user.pk)
    today = timezone.localdate()
    initial: dict[str, Any] = {"given_on": today, "given_by": "subject"}
    meeting = request.GET.get("meeting", "")
    chosen = (
        coordination_meetings(person.agency_id).filter(pk=int(meeting)).first()
        if meeting.isdigit()
        else None
    )
    if chosen is not None:
        # from a support coordination meeting's page: the consent names that meeting (rule P1)
        initial |= {"recipient_meeting": chosen.pk, "purpose": chosen.purpose}
    form = ConsentForm(
        request.POST or None,
        request.FILES or None,
        agency_id=person.agency_id,
        staff=staff,
        initial=initial,
    )
    if request.GET.get("part") == "representative":
        # htmx: the representative's fields appear only when someone else consents.
        form = ConsentForm(request.GET, agency_id=person.agency_id, staff=staff)
        return render(request, "consent/_representative.html", {"form": form})
    if request.method == "POST" and form.is_valid():
        try:
            consent = services.record_consent(
                request.user,
                person,
                form.consent_data(),
                case=case,
                scan=form.cleaned_data.get("scan"),
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The consent was recorded."))
            if consent.recipient_meeting_id is not None:
                # back to the meeting, to put the case on its agenda under this consent
                return redirect(_meeting_agenda_url(consent))
            return redirect("consent:detail", pk=consent.pk)
    log_read(request.user, Kind.PERSON, person, request, shown_in="consent form")
    return render(
        request,
        "consent/form.html",
        {"person": person, "case": case, "form": form, "case_query": _case_query(case)},
    )


@member_required
def consent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Both sides see the consent and its withdrawal with the date (rule P4); the receiving
    agency sees what its grants rest on, not the person's record."""
    consent = _get_consent(request, pk)
    side = standing(request.user, Kind.CONSENT, consent)
    if side is None:
        raise Http404
    owner = side.owner
    audit.personal(
        "consent.viewed",
        request.user,
        consent,
        request,
        ground=side.ground,
        actor_agency_id=side.agency_id,
    )
    return render(
        request,
        "consent/detail.html",
        {
            "consent": consent,
            "owner": owner,
            "person": consent.person if owner else None,
            "grants": consent.grants.select_related("receiving_agency").order_by("-starts_at")
            if owner
            else [],
            "held": side.grant,
            "can_withdraw": owner
            and not consent.is_withdrawn
            and can(request.user, Action.CHANGE, Kind.CONSENT, consent),
        },
    )


@member_required
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Rule P4: withdrawal at any moment, with a confirmation step saying what it will do."""
    consent = _get_consent(request, pk)
    if not _is_owner(request.user, consent):
        raise Http404
    require(request.user, Action.CHANGE, Kind.CONSENT, consent)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_consent(
                request.user, consent, note=form.cleaned_data["note"], request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("The withdrawal was recorded. Sharing under this consent has ended.")
            )
            return redirect("consent:detail", pk=consent.pk)
    ending = list(consent.grants.active().select_related("receiving_agency"))
    copies = list(consent.referrals.filter(received_case__isnull=False).select_related("to_agency"))
    return render(
        request,
        "consent/withdraw.html",
        {
            "consent": consent,
            "person": consent.person,
            "form": form,
            "ending": ending,
            "copies": copies,
        },
    )


@member_required
def consent_scan(request: HttpRequest, pk: int) -> FileResponse:
    """The scan of the signed form: the owning agency only, and logged (rule P3)."""
    consent = _get_consent(request, pk)
    if not _is_owner(request.user, consent) or not consent.scan:
        raise Http404
    audit.personal("consent.scan_viewed", request.user, consent, request)
    name = f"consent-{consent.pk}.{consent.scan.name.rsplit('.', 1)[-1]}"
    return FileResponse(consent.scan.open("rb"), as_attachment=True, filename=name)


@member_required
def explain(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Rule P2: record the explanation at intake and whether the person agreed."""
    person = own_person(request, person_pk)
    case = case_of(request, person)
    form = ExplanationForm(
        request.POST or None, initial={"explained_on": timezone.localdate(), "understood": True}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_explanation(
                request.user, person, form.cleaned_data, case=case, request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The explanation was recorded."))
            if case is not None:
                return redirect("people:case", pk=case.pk)
            return redirect("consent:list", person_pk=person.pk)
    return render(
        request,
        "consent/explain.html",
        {
            "person": person,
            "case": case,
            "form": form,
            "case_query": _case_query(case),
            "finding": selectors.explanation_finding(request.user, person),
        },
    )
