"""Screens of reminders in business days, hand-overs waiting too long (rule R5) and the agency's
reminder settings. Both sides of a referral see its reminders: the referring agency that it has
not been answered, the receiving agency that it should answer."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access.policy import (
    CASEWORKERS,
    Action,
    Denied,
    Kind,
    agencies_with,
    can,
    require,
)
from tsunagi.agencies.calendar import business_days_between
from tsunagi.agencies.models import Agency
from tsunagi.people.views.common import _apply_errors
from tsunagi.web.decorators import member_required

from . import rules, selectors, services
from .forms import ReminderSettingsForm
from .models import ReminderSettings

HOME_ROWS = 10


def waiting_rows(
    user: Any, request: HttpRequest | None, today: date | None = None, limit: int = 50
) -> dict[str, list[dict[str, Any]]]:
    """The reminders and the hand-overs waiting of the user's agencies, one row each: the
    person as the viewer may see them (reads logged), the other agency, what is awaited, since
    when and how many business days."""
    from .views import rows_for

    today = today or timezone.localdate()
    reminders = selectors.reminders(user, today, limit)
    handovers = selectors.handovers_waiting(user, today, limit)
    people = rows_for(user, [w.referral for w in reminders + handovers], request)
    result: dict[str, list[dict[str, Any]]] = {"reminders": [], "handovers": []}
    for w, shown in zip(reminders + handovers, people, strict=True):
        r = w.referral
        row = {
            "referral": r,
            "person": shown["person"],
            "side": w.side,
            "agency": r.to_agency if w.side == rules.SENDER else r.agency,
        }
        if w.reminder is not None:
            rem = w.reminder
            row.update(awaited=rem.label, since=rem.since, business_days=rem.waited)
            row.update(limit=rem.limit)
            result["reminders"].append(row)
        elif w.gap is not None and w.gap.ended_on is not None:
            ended = w.gap.ended_on
            row.update(
                awaited=_("First contact after the hand-over"),
                since=ended,
                business_days=business_days_between(ended, today),
                days=w.gap.waiting,
            )
            result["handovers"].append(row)
    return result


@member_required
def waiting(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, Kind.REFERRAL)
    return render(request, "referrals/waiting.html", waiting_rows(request.user, request))


# --- reminder settings -----------------------------------------------------------------------


def _agency(request: HttpRequest) -> tuple[Agency, list[Agency]]:
    """The agency whose settings are shown: one of the user's own (?agency=), the first else."""
    own = list(
        Agency.objects.filter(pk__in=agencies_with(request.user, *CASEWORKERS)).order_by("name")
    )
    if not own:
        raise Denied("reminder settings")
    chosen = request.POST.get("agency") or request.GET.get("agency") or ""
    if not chosen:
        return own[0], own
    for agency in own:
        if str(agency.pk) == chosen:
            return agency, own
    raise Http404


@member_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    """The agency's manager sets after how many business days reminders show and after how many
    days a hand-over waits too long (rule R5); its staff see the values."""
    require(request.user, Action.VIEW, Kind.REFERRAL)
    agency, own = _agency(request)
    may_change = can(request.user, Action.CHANGE, Kind.AGENCY, agency)
    limits = selectors.limits_of(agency.pk)
    form = ReminderSettingsForm(request.POST or None, initial=limits)
    if request.method == "POST":
        if not may_change:
            raise Denied("change reminder settings")
        if form.is_valid():
            try:
                services.save_reminder_settings(
                    request.user, agency, form.cleaned_data, request=request
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The reminder settings were saved."))
                return redirect(f"{request.path}?agency={agency.pk}")
    values = [(form.fields[key].label, limits[key], key) for key in ReminderSettings.DEFAULTS]
    return render(
        request,
        "referrals/settings.html",
        {
            "agency": agency,
            "agencies": own,
            "may_change": may_change,
            "form": form,
            "values": values,
        },
        status=400 if form.errors else 200,
    )
