"""What the screens of the people app share: lookups through the access module, the header of
every screen of a case (with its open flags, rule R8), form error helpers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from tsunagi.access.policy import (
    CASEWORKERS,
    Kind,
    agencies_with,
    get_visible,
    scope,
)
from tsunagi.agencies.models import Agency

from .. import selectors, services
from ..models import Case, Flag, Person

PAGE_SIZE = 20
TIMELINE_PAGE_SIZE = 20


# --- helpers --------------------------------------------------------------------------------


def _apply_errors(form: Any, exc: ValidationError, renamed: dict[str, str] | None = None) -> None:
    """Put a service's validation errors next to the fields they concern."""
    renamed = renamed or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        field = renamed.get(field, field)
        form.add_error(field if field in form.fields else None, errors)


def _workplaces(user: Any) -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=agencies_with(user, *CASEWORKERS)).order_by("name")


def _caseworkers(agency_id: int) -> QuerySet[Any]:
    """The agency's staff and managers: who can take a contact or be assigned to a case."""
    return (
        get_user_model()
        .objects.filter(
            memberships__agency_id=agency_id,
            memberships__is_active=True,
            memberships__role__in=CASEWORKERS,
            is_active=True,
        )
        .distinct()
        .order_by("full_name", "username")
    )


def _get_person(request: HttpRequest, pk: int) -> Person:
    return get_visible(
        request.user, Kind.PERSON, Person.objects.select_related("municipality", "agency"), pk=pk
    )


def _get_case(request: HttpRequest, pk: int) -> Case:
    return get_visible(
        request.user,
        Kind.CASE,
        Case.objects.select_related("person", "person__municipality", "agency"),
        pk=pk,
    )


def _safe_next(request: HttpRequest, url: str | None, default: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _open_flags_of_persons(user: Any, person_ids: list[int]) -> QuerySet[Flag]:
    return (
        scope(user, Kind.FLAG, Flag.objects.filter(case__person_id__in=person_ids))
        .filter(resolved_at__isnull=True)
        .select_related("case", "case__person")
        .order_by("raised_at", "pk")
    )


def _log_shown(request: HttpRequest, persons: Any, shown_in: str) -> None:
    """Persons listed on a screen (search results, duplicate candidates) are read too."""
    services.log_reads(request.user, Kind.PERSON, persons, request, shown_in=shown_in)


def _case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """What every screen of a case shows above its own content: header and open flags (R8).

    Showing it is a read of the case, so it goes in the access log here, once per screen."""
    services.log_read(request.user, Kind.CASE, case, request)
    return {
        "case": case,
        "person": case.person,
        "flags": list(selectors.open_flags(case).select_related("case")),
        "flags_show_case": False,
        "next_url": request.get_full_path(),
    }


# --- persons --------------------------------------------------------------------------------


def _list_rows(user: Any, persons: list[Person]) -> list[dict[str, Any]]:
    """One row per person on the page: their open case and count of open flags (2 queries)."""
    ids = [p.pk for p in persons]
    open_cases: dict[int, Case] = {}
    for case in scope(
        user, Kind.CASE, Case.objects.filter(person_id__in=ids, closed_on__isnull=True)
    ).order_by("opened_on", "pk"):
        open_cases[case.person_id] = case  # the newest wins
    flag_counts = dict(
        scope(user, Kind.FLAG, Flag.objects.filter(case__person_id__in=ids))
        .filter(resolved_at__isnull=True)
        .values_list("case__person_id")
        .annotate(n=Count("pk"))
        .values_list("case__person_id", "n")
    )
    return [
        {"person": p, "open_case": open_cases.get(p.pk), "open_flags": flag_counts.get(p.pk, 0)}
        for p in persons
    ]


def _keep_for_retry(form: Any, current: Any, message: str) -> None:
    """After an edit conflict: say so, keep what was typed, and let the next save go over the
    version now in the database (the user has seen it)."""
    form.add_error(None, message)
    data = form.data.copy()
    data["version"] = str(current.version)
    form.data = data
