"""The shared record: a person's record as the receiving agency sees it through a grant.

It is rendered only from `tsunagi.access.shared.shared_record` (plain dictionaries holding the
permitted fields), never from the model objects, so nothing else reaches the browser. A grant
withdrawn (rule P4) or past its end gives 404 on the next request."""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import pgettext

from tsunagi.access.policy import Kind, require_sight
from tsunagi.access.shared import shared_record
from tsunagi.people.choices import Connection, ContactMethod, Problem, Urgency
from tsunagi.people.models import Person
from tsunagi.web.decorators import member_required
from tsunagi.web.templatetags.wareki import wareki, wareki_datetime

# Stored lists of choices (JSON fields) and the labels of their values.
_LIST_LABELS: dict[str, dict[str, Any]] = {
    "preferred_contact": dict(ContactMethod.choices),
    "avoided_contact": dict(ContactMethod.choices),
    "problems": dict(Problem.choices),
    "urgent": dict(Urgency.choices),
    "connections": dict(Connection.choices),
}


def _display(model: Any, name: str, value: Any) -> str:
    if value in (None, "", []):
        return ""
    if isinstance(value, bool):
        return pgettext("on a form", "Yes") if value else pgettext("on a form", "No")
    if isinstance(value, datetime.datetime):
        return wareki_datetime(value)
    if isinstance(value, datetime.date):
        return wareki(value)
    if isinstance(value, list):
        labels = _LIST_LABELS.get(name, {})
        return "、".join(str(labels.get(v, v)) for v in value)
    try:
        field = model._meta.get_field(name)
    except Exception:  # a computed key, not a field
        return str(value)
    choices = dict(field.choices or [])
    return str(choices.get(value, value))


def rows(label: str, values: dict[str, Any]) -> list[tuple[str, str]]:
    """(field label, value as shown) for every permitted, non-empty field of one record."""
    model = apps.get_model(label)
    shown = []
    for name, value in values.items():
        if name == "id":
            continue
        text = _display(model, name, value)
        if text:
            shown.append((str(model._meta.get_field(name).verbose_name), text))
    return shown


def _sections(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "person": rows("people.person", record["person"]),
        "cases": [rows("people.case", c) for c in record["cases"]],
        "household": record["household"],
        "assessments": [rows("people.assessment", a) for a in record["assessments"]],
        "contacts": [rows("people.contact", c) for c in record["contacts"]],
        "flags": [rows("people.flag", f) for f in record["flags"]],
    }


@member_required
def shared(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = Person.objects.filter(pk=person_pk).first()
    if person is None:
        raise Http404
    seen = require_sight(request.user, Kind.PERSON, person)
    if seen.is_own:
        return redirect("people:detail", pk=person.pk)
    record = shared_record(request.user, person, seen, request)
    return render(
        request,
        "consent/shared.html",
        {
            "grants": seen.grants,
            "kinds": record["kinds"],
            "sections": _sections(record),
            "record_id": person.pk,
        },
    )
