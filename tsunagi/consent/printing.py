"""The consent form (同意書) as an A4 PDF, to be signed on paper.

Printed from a recorded consent (its filled-in copy), or before the consent is recorded from
what the staff member has chosen so far (the form the person signs; its scan is then attached
when the consent is recorded, rule P1). Always in Japanese, dates in the Japanese era, laid out
by `templates/consent/print/consent.html` and made into a PDF by the people app's WeasyPrint
helper (Noto CJK, no resource fetched).

The form names the receiving agency, the purpose and the kinds of information (rule P1), lists
special-care personal information (要配慮個人情報) separately so the person can leave it out,
explains that the information is used only for the support (rule P3) and that the consent can
be withdrawn at any time and how (rule P4).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tsunagi.access.kinds import InfoKind
from tsunagi.agencies.models import Agency, AgencyKind
from tsunagi.people.models import Person
from tsunagi.people.printing import Option, Printed, html_to_pdf, staff_name, wareki
from tsunagi.people.printing import _weasyprint as load_weasyprint

from .models import Consent, Giver, Method

RECORDED = "recorded"
BLANK = "blank"


@dataclass(frozen=True)
class ConsentDraft:
    """What a consent form shows: a recorded consent, or the choices made before recording."""

    agency: Agency
    person: Person
    given_by: str = ""
    representative_name: str = ""
    representative_relationship: str = ""
    recipient_agency: Agency | None = None
    recipient_kind: str = ""
    purpose: str = ""
    kinds: tuple[str, ...] = ()
    given_on: datetime.date | None = None
    valid_until: datetime.date | None = None
    method: str = ""
    witness: Any = None
    recorded_by: Any = None
    withdrawn_at: datetime.datetime | None = None
    number: int | None = None

    @classmethod
    def of(cls, consent: Consent) -> ConsentDraft:
        return cls(
            agency=consent.agency,
            person=consent.person,
            given_by=consent.given_by,
            representative_name=consent.representative_name,
            representative_relationship=consent.representative_relationship,
            recipient_agency=consent.recipient_agency,
            recipient_kind=consent.recipient_kind,
            purpose=consent.purpose,
            kinds=tuple(consent.kinds),
            given_on=consent.given_on,
            valid_until=consent.valid_until,
            method=consent.method,
            witness=consent.witness,
            recorded_by=consent.recorded_by,
            withdrawn_at=consent.withdrawn_at,
            number=consent.pk,
        )

    @property
    def recipient_label(self) -> str:
        if self.recipient_agency is not None:
            return self.recipient_agency.name
        if self.recipient_kind:
            kind = str(dict(AgencyKind.choices).get(self.recipient_kind, self.recipient_kind))
            return _("any %(kind)s") % {"kind": kind}
        return ""


def special_care_items() -> list[str]:
    """What 要配慮個人情報 covers, spelled out on the form so the person knows what it means."""
    return [
        pgettext("special care", "Health (illness, treatment, mental health)"),
        pgettext("special care", "Disability"),
        pgettext("special care", "DV and abuse"),
        pgettext("special care", "Criminal record"),
    ]


def kind_boxes(kinds: Iterable[str], *, blank: bool) -> tuple[list[Option], Option]:
    """The ordinary kinds as boxes, and the special-care box apart (rule P1, access.md)."""
    chosen = set(kinds)
    ordinary = [
        Option(str(k.label), not blank and k.value in chosen)
        for k in InfoKind
        if k != InfoKind.SPECIAL_CARE
    ]
    special = Option(
        _("Special-care personal information (要配慮個人情報)"),
        not blank and InfoKind.SPECIAL_CARE.value in chosen,
    )
    return ordinary, special


def giver_boxes(given_by: str) -> list[Option]:
    return [Option(str(label), key == given_by) for key, label in Giver.choices]


def consent_context(user: Any, draft: ConsentDraft, *, form: str) -> dict[str, Any]:
    person = draft.person
    blank_kinds = form == BLANK and not draft.kinds
    ordinary, special = kind_boxes(draft.kinds, blank=blank_kinds)
    represented = draft.given_by in (Giver.LEGAL_REPRESENTATIVE, Giver.PARENT_OF_MINOR)
    return {
        "form": form,
        "draft": draft,
        "agency": draft.agency,
        "person": person,
        "birth_date": wareki(person.birth_date),
        "givers": giver_boxes(draft.given_by),
        "represented": represented,
        "recipient": draft.recipient_label,
        "kinds": ordinary,
        "special": special,
        "special_items": special_care_items(),
        "given_on": wareki(draft.given_on) if form == RECORDED else "",
        "valid_from": wareki(draft.given_on),
        "valid_until": wareki(draft.valid_until),
        "method": str(dict(Method.choices).get(draft.method, "")),
        "witness": staff_name(draft.witness),
        "recorded_by": staff_name(draft.recorded_by),
        "withdrawn_on": (
            wareki(timezone.localdate(draft.withdrawn_at)) if draft.withdrawn_at else ""
        ),
        "printed": printed_line(user),
    }


def printed_line(user: Any) -> str:
    now = timezone.localtime()
    return _("Printed %(date)s %(time)s by %(name)s") % {
        "date": wareki(now.date()),
        "time": now.strftime("%H:%M"),
        "name": staff_name(user),
    }


def print_consent(user: Any, draft: ConsentDraft, *, form: str) -> Printed:
    """同意書 as a PDF: the recorded consent, or the form to be signed (`form=BLANK`)."""
    load_weasyprint()  # fail early, before anything is read
    with translation.override("ja"):
        html = render_to_string(
            "consent/print/consent.html", consent_context(user, draft, form=form)
        )
        name = _("Consent form")
    if draft.number is not None:
        suffix = f"{draft.number}"
    else:
        suffix = f"{draft.person.pk}_{timezone.localdate():%Y%m%d}"
    return Printed(html_to_pdf(html), f"{name}_{suffix}.pdf", f"consent-{suffix}.pdf")
