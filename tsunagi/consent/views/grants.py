"""Screens of grants: co-support under a consent (P1), emergency sharing (P5), the lists of
grants given and received, a grant with its end and the manager's acknowledgement (P5)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagi.access import audit
from tsunagi.access import selectors as access_selectors
from tsunagi.access import services as access_services
from tsunagi.access.models import Grant
from tsunagi.access.policy import (
    Kind,
    get_visible,
    may_acknowledge,
    standing,
)
from tsunagi.access.shared import shown_name
from tsunagi.people.services import log_reads
from tsunagi.web.decorators import member_required

from ..forms import EmergencyForm, EndGrantForm, GrantFilterForm, ShareForm
from ..models import Consent
from .common import _apply_errors, case_of, own_person

PAGE_SIZE = 50


def _get_grant(request: HttpRequest, pk: int) -> Grant:
    return get_visible(
        request.user,
        Kind.GRANT,
        Grant.objects.select_related(
            "person", "agency", "receiving_agency", "receiving_user", "consent", "made_by"
        ),
        pk=pk,
    )


def _is_owner(user: Any, grant: Grant) -> bool:
    side = standing(user, Kind.GRANT, grant)
    return side is not None and side.owner


def name_or_number(request: HttpRequest, grant: Grant) -> str:
    """The person's name as the viewer may see it (a shared read is logged on its grant),
    otherwise the record's number only."""
    name = shown_name(request.user, grant.person, request)
    return name or _("Person no. %(id)s") % {"id": grant.person_id}


@member_required
def share(request: HttpRequest, pk: int) -> HttpResponse:
    """Rule P1: co-support with an agency the consent names, for the kinds it names."""
    consent = get_visible(
        request.user, Kind.CONSENT, Consent.objects.select_related("person"), pk=pk
    )
    person = own_person(request, consent.person_id)
    form = ShareForm(
        request.POST or None,
        consent=consent,
        initial={
            "kinds": consent.kinds,
            "purpose": consent.purpose[:200],
            "receiving_agency": consent.recipient_agency_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            grant = access_services.share_under_consent(
                request.user,
                consent,
                receiving_agency=form.cleaned_data["receiving_agency"],
                kinds=form.cleaned_data["kinds"],
                case=case_of(request, person),
                purpose=form.cleaned_data["purpose"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The information is now shared under the consent."))
            return redirect("consent:grant", pk=grant.pk)
    return render(
        request, "consent/share.html", {"consent": consent, "person": person, "form": form}
    )


@member_required
def emergency(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Rule P5: sharing without consent on a legal ground, with a reason, for hours; the
    owning agency's manager is told."""
    person = own_person(request, person_pk)
    case = case_of(request, person)
    form = EmergencyForm(request.POST or None, agency_id=person.agency_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = access_services.share_in_emergency(
                request.user,
                person,
                receiving_agency=data["receiving_agency"],
                legal_ground=data["legal_ground"],
                reason=data["reason"],
                hours=data["hours"],
                kinds=data["kinds"],
                case=case,
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The information is shared in an emergency. Your agency's manager is told."),
            )
            return redirect("consent:grant", pk=grant.pk)
    return render(
        request,
        "consent/emergency.html",
        {
            "person": person,
            "case": case,
            "form": form,
            "case_query": f"?case={case.pk}" if case else "",
        },
    )


@member_required
def grant_list(request: HttpRequest) -> HttpResponse:
    """Grants given on the agency's records and received from other agencies."""
    form = GrantFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    direction = filters.get("direction") or ""
    given = access_selectors.grants_given(request.user)
    received = access_selectors.grants_received(request.user)
    if filters.get("kind"):
        given = given.filter(kind=filters["kind"])
        received = received.filter(kind=filters["kind"])
    if filters.get("active"):
        now = timezone.now()
        live = Grant.objects.active(now).values("pk")
        given = given.filter(pk__in=live)
        received = received.filter(pk__in=live)
    given_page = Paginator(given, PAGE_SIZE).get_page(request.GET.get("page"))
    # rule P3: the own persons named on the page are read, in one statement
    log_reads(request.user, Kind.PERSON, [g.person for g in given_page], request, shown_in="grants")
    received_rows = [
        {"grant": g, "name": name_or_number(request, g), "active": g.is_active()}
        for g in received[:PAGE_SIZE]
    ]
    query = urlencode([(k, str(v)) for k, v in request.GET.items() if k != "page" and v])
    return render(
        request,
        "consent/grants.html",
        {
            "form": form,
            "show_given": direction in ("", "given"),
            "show_received": direction in ("", "received"),
            "page": given_page,
            "received": received_rows,
            "querystring_base": query + "&" if query else "",
        },
    )


@member_required
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _get_grant(request, pk)
    side = standing(request.user, Kind.GRANT, grant)
    if side is None:
        raise Http404
    owner = side.owner
    audit.personal(
        "grant.viewed",
        request.user,
        grant,
        request,
        ground=side.ground,
        actor_agency_id=side.agency_id,
    )
    return render(
        request,
        "consent/grant.html",
        {
            "grant": grant,
            "owner": owner,
            "name": name_or_number(request, grant),
            "active": grant.is_active(),
            "can_end": owner and grant.ended_at is None and grant.is_active(),
            "can_acknowledge": may_acknowledge(request.user, grant) and grant.awaits_manager,
            "end_form": EndGrantForm(),
        },
    )


@member_required
def grant_end(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _get_grant(request, pk)
    if not _is_owner(request.user, grant):
        raise Http404
    form = EndGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access_services.end_grant(
                request.user, grant, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The sharing has ended."))
            return redirect("consent:grant", pk=grant.pk)
    return render(
        request,
        "consent/grant.html",
        {
            "grant": grant,
            "owner": True,
            "name": name_or_number(request, grant),
            "active": grant.is_active(),
            "can_end": grant.ended_at is None,
            "can_acknowledge": False,
            "end_form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@member_required
@require_POST
def grant_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """Rule P5: the owning agency's manager marks the notice of sharing without consent seen."""
    grant = _get_grant(request, pk)
    access_services.acknowledge(request.user, grant, request=request)
    messages.success(request, _("Marked as seen."))
    nxt = request.POST.get("next")
    if nxt == "home":
        return redirect("web:home")
    return redirect("consent:grant", pk=grant.pk)
