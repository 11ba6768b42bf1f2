"""Template filters of the people screens: labels of stored choice lists, ages, answers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tsunagi.people.choices import Connection, ContactMethod, Problem, Urgency
from tsunagi.people.models import SPECIAL_CARE_FIELDS, Assessment
from tsunagi.people.rules import AREA_LABELS
from tsunagi.web.templatetags.wareki import wareki

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


def _answer(assessment: Any, name: str) -> str:
    """One answer of an assessment as staff read it; empty when not answered."""
    field = Assessment._meta.get_field(name)
    value = getattr(assessment, name)
    if name == "connections":
        if value is None:
            return ""  # not asked yet
        names = dict(Connection.choices)
        return "、".join(str(names.get(v, v)) for v in value) or pgettext("connections", "none")
    if getattr(field, "choices", None):
        return str(getattr(assessment, f"get_{name}_display")()) if value else ""
    if isinstance(value, bool):
        return pgettext("assessment answer", "Yes") if value else ""
    if name == "monthly_income" and value is not None:
        return _("%(yen)s yen") % {"yen": f"{value:,}"}
    if isinstance(value, datetime.date):
        return wareki(value)
    return "" if value is None else str(value)


@register.filter
def answered_sections(assessment: Any) -> list[tuple[Any, list[dict[str, Any]]]]:
    """The assessment in the sheet's sections, leaving out what was not answered."""
    from tsunagi.people.forms import AssessmentForm

    sections = []
    for title, names in AssessmentForm.SECTIONS:
        rows = []
        for name in names:
            if name in ("assessed_on", "isolation_asked"):
                continue  # the date heads the page; whether isolation was asked shows below
            value = _answer(assessment, name)
            if value:
                rows.append(
                    {
                        "label": getattr(Assessment._meta.get_field(name), "verbose_name", name),
                        "value": value,
                        "special_care": name in SPECIAL_CARE_FIELDS,
                        "long": name.endswith("notes") or name == "wishes",
                    }
                )
        if rows:
            sections.append((title, rows))
    return sections
