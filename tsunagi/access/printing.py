"""The disclosure report (開示報告書) of a person as an A4 PDF, for answering a disclosure request.

Rule P3: a person can learn every agency and user that has seen or changed their record, when,
and on what ground. The rows come from `selectors.disclosure` (the access log); this module
only turns them into lines in Japanese, and the template `templates/access/print/disclosure.html`
lays them out. The PDF is made by the people app's WeasyPrint helper (Noto CJK, nothing
fetched).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tsunagi.people.models import Person
from tsunagi.people.printing import Printed, html_to_pdf, staff_name, wareki
from tsunagi.people.printing import _weasyprint as load_weasyprint

from . import selectors
from .labels import action_label, ground_label
from .models import AuditEvent
from .policy import OWN_AGENCY


@dataclass(frozen=True)
class Line:
    at: str
    agency: str
    user: str
    action: str
    ground: str
    reason: str
    own: bool  # by the owning agency on its own ground


def lines(events: Iterable[AuditEvent]) -> list[Line]:
    result = []
    for e in events:
        agency = e.actor_agency or e.agency
        local = timezone.localtime(e.at)
        actor = e.actor
        user = actor.full_name if actor is not None and actor.full_name else e.actor_username
        result.append(
            Line(
                at=f"{wareki(local.date())} {local:%H:%M}",
                agency=agency.name if agency is not None else "",
                user=user,
                action=action_label(e.action),
                ground=ground_label(e.grant),
                reason=e.reason,
                own=e.grant in ("", OWN_AGENCY),
            )
        )
    return result


def events_in(
    viewer: Any,
    person: Person,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    events = selectors.disclosure(viewer, person).select_related("actor")
    if date_from is not None:
        events = events.filter(at__gte=selectors._start_of(date_from))
    if date_to is not None:
        events = events.filter(at__lt=selectors._start_of(date_to + datetime.timedelta(days=1)))
    return events


def disclosure_context(
    viewer: Any,
    person: Person,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> dict[str, Any]:
    rows = lines(events_in(viewer, person, date_from, date_to))
    agencies = sorted({r.agency for r in rows if r.agency})
    outside = sorted({r.agency for r in rows if r.agency and not r.own})
    first = date_from or timezone.localdate(person.created_at)
    return {
        "person": person,
        "agency": person.agency,
        "birth_date": wareki(person.birth_date),
        "period_from": wareki(first),
        "period_to": wareki(date_to or timezone.localdate()),
        "lines": rows,
        "agencies": agencies,
        "outside": outside,
        "printed": _("Printed %(date)s %(time)s by %(name)s")
        % {
            "date": wareki(timezone.localdate()),
            "time": timezone.localtime().strftime("%H:%M"),
            "name": staff_name(viewer),
        },
    }


def print_disclosure(
    viewer: Any,
    person: Person,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> tuple[Printed, int]:
    """開示報告書 of the person as a PDF, and how many lines it lists."""
    load_weasyprint()
    with translation.override("ja"):
        context = disclosure_context(viewer, person, date_from, date_to)
        html = render_to_string("access/print/disclosure.html", context)
        name = _("Disclosure report")
    day = f"{timezone.localdate():%Y%m%d}"
    printed = Printed(
        html_to_pdf(html),
        f"{name}_{person.pk}_{day}.pdf",
        f"disclosure-{person.pk}-{day}.pdf",
    )
    return printed, len(context["lines"])
