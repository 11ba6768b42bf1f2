"""Template filters of the people screens: labels of stored choice lists, ages, rule areas."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.translation import gettext as _

from tsunagi.people.choices import Connection, ContactMethod, Problem, Urgency
from tsunagi.people.rules import AREA_LABELS

register = template.Library()

_LISTS = {
    "contact": dict(ContactMethod.choices),
    "urgency": dict(Urgency.choices),
    "connection": dict(Connection.choices),
    "problem": dict(Problem.choices),
    "area": AREA_LABELS,
}


@register.filter
def labels(values: Iterable[str] | None, kind: str) -> list[str]:
    """{{ person.avoided_contact|labels:"contact" }} → the labels, in the user's language."""
    names = _LISTS[kind]
    ordered = list(names)
    items = sorted(values or [], key=lambda v: ordered.index(v) if v in ordered else len(ordered))
    return [str(names.get(v, v)) for v in items]


@register.filter
def age(person: Any) -> str:
    """52歳, 推定50歳 when only estimated, 不明 when unknown."""
    years = person.age()
    if years is None:
        return _("age unknown")
    if person.age_is_estimated:
        return _("about %(age)d") % {"age": years}
    return _("%(age)d years") % {"age": years}


@register.filter
def special_care(field: Any) -> bool:
    """Whether a bound field holds special-care personal information (要配慮個人情報)."""
    return bool(getattr(getattr(field, "field", None), "special_care", False))
