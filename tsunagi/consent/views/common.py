"""What the consent and sharing screens share: lookups through the access module."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tsunagi.access.policy import Kind, get_visible
from tsunagi.people.models import Case, Person
from tsunagi.people.views.common import _apply_errors, _caseworkers, _get_person

__all__ = ["_apply_errors", "_caseworkers", "case_of", "own_person"]


def own_person(request: HttpRequest, pk: int) -> Person:
    """A person of the user's own agency (consents, explanations and grants are made there);
    404 for anyone else, as for a person that does not exist."""
    return _get_person(request, pk)


def case_of(request: HttpRequest, person: Any) -> Case | None:
    """The case named by ?case= (or the form's case), when it is this person's and visible."""
    raw = request.POST.get("case") or request.GET.get("case")
    if not raw or not str(raw).isdigit():
        return None
    case = Case.objects.filter(pk=int(raw), person=person).first()
    if case is None:
        return None
    return get_visible(request.user, Kind.CASE, Case.objects.all(), pk=case.pk)
