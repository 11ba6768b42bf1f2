"""The referral letter (紹介状) as an A4 PDF, for a receiving agency without an account.

Hello Work or a hospital does not work in tsunagi: it gets this letter, on paper, and sends
back the return slip (返信票) at its foot, whose boxes are the answers the referring agency then
records for it (received, accepted or declined with the reason, the first contact, whether the
person was accompanied). The letter is printed by the referring agency only (the receiver
never prints it), once the consent is confirmed, and never when the consent is withdrawn or
out of force (rules P1, P4).

The person's information on it is limited to the kinds the consent names, field by field, as
`tsunagi.access.kinds.shared_values` lets them through — exactly what the receiving agency would
see on its shared record through the consent grant; special-care information (health,
disability, DV, criminal record) appears only when the consent names it. The person's wishes in
their words (rule R1) and the consent itself (who consented, when, which kinds, for how long)
are always on it. Each print is logged as `referral.letter_printed` with the kinds printed.

Always in Japanese, dates in the Japanese era, laid out by
`templates/referrals/print/letter.html`, made a PDF by the people app's WeasyPrint helper.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access.kinds import InfoKind, kinds_label, normalise, shared_values
from tsunagi.access.policy import OWN_AGENCY, Action, Kind, referral_side, require
from tsunagi.agencies.models import Agency
from tsunagi.consent.models import Giver, Method
from tsunagi.consent.views.shared import rows
from tsunagi.people.models import Assessment, Contact, Flag, HouseholdMember
from tsunagi.people.printing import (
    Option,
    Printed,
    html_to_pdf,
    staff_name,
    wareki,
    yes_no,
)
from tsunagi.people.printing import _weasyprint as load_weasyprint

from . import rules
from .models import DeclineReason, Referral, State

# Contacts of the case listed under "plan and progress": the latest few are what a letter needs.
LETTER_CONTACTS = 10
NOT_PRINTABLE = frozenset({State.DRAFT, State.CANCELLED})


@dataclass(frozen=True)
class Section:
    """One part of the person's information: its title and (label, value) rows, or why it is
    left out (not named by the consent)."""

    title: str
    kind: str
    rows: list[tuple[str, str]]
    shared: bool

    @property
    def special(self) -> bool:
        return self.kind == InfoKind.SPECIAL_CARE


def letter_kinds(referral: Referral) -> list[str]:
    """The kinds the letter may carry: those of the grant the referral made when it was sent,
    else (consent confirmed, not yet sent) those of the consent (rule P1)."""
    if referral.grant is not None:
        return normalise(referral.grant.kinds)
    if referral.consent is not None:
        return normalise(referral.consent.kinds)
    return []


def printable_referral(user: Any, referral: Referral) -> Referral:
    """The referral if `user` may print its letter: the referring agency's staff who see the
    case (404 for anyone else, the receiver included: the same answer as for a referral that
    does not exist); once the consent is confirmed, and while it stands (rules P1, P4)."""
    require(user, Action.VIEW, Kind.REFERRAL, referral)
    if referral_side(user, referral) != rules.SENDER:
        raise Http404
    if referral.state in NOT_PRINTABLE:
        raise ValidationError(
            {
                "state": [
                    _(
                        "The referral letter can be printed once the person's consent is "
                        "confirmed (rule P1); this referral is “%(state)s”."
                    )
                    % {"state": State(referral.state).label}
                ]
            }
        )
    finding = rules.consent_finding(referral, referral.consent, timezone.localdate())
    if finding is not None:
        raise ValidationError({"consent": [f"{finding.label} ({finding.rule}): {finding.reason}"]})
    return referral


def said(values: dict[str, Any]) -> dict[str, Any]:
    """The values without the boxes left unticked (a "no" for every yes/no question of the
    assessment would fill the paper and tell the receiver nothing)."""
    return {k: v for k, v in values.items() if v is not False}


def person_sections(referral: Referral, kinds: list[str]) -> list[Section]:
    """The person's information as the receiving agency would see it through the consent: the
    referral's case only, each record through `shared_values` (fields of the named kinds)."""
    granted = set(kinds)
    person, case = referral.person, referral.case
    sections = []

    identity = rows("people.person", shared_values(person, granted))
    sections.append(
        Section(
            str(InfoKind.IDENTITY.label),
            InfoKind.IDENTITY,
            identity,
            InfoKind.IDENTITY in granted,
        )
    )

    situation: list[tuple[str, str]] = []
    if InfoKind.SITUATION in granted:
        situation = rows("people.case", said(shared_values(case, granted)))
        household = household_line(person)
        if household:
            situation.append((_("Household"), household))
    sections.append(
        Section(
            str(InfoKind.SITUATION.label),
            InfoKind.SITUATION,
            situation,
            InfoKind.SITUATION in granted,
        )
    )

    assessment: list[tuple[str, str]] = []
    if granted & {InfoKind.SITUATION, InfoKind.ASSESSMENT, InfoKind.SPECIAL_CARE}:
        latest = Assessment.objects.filter(case=case).order_by("-assessed_on", "-pk").first()
        if latest is not None:
            assessment = rows("people.assessment", said(shared_values(latest, granted)))
    sections.append(
        Section(
            str(InfoKind.ASSESSMENT.label),
            InfoKind.ASSESSMENT,
            assessment,
            bool(granted & {InfoKind.SITUATION, InfoKind.ASSESSMENT, InfoKind.SPECIAL_CARE}),
        )
    )

    progress: list[tuple[str, str]] = []
    if InfoKind.PLAN in granted:
        contacts = Contact.objects.filter(case=case).order_by("-occurred_at", "-pk")
        for c in contacts[:LETTER_CONTACTS]:
            values = shared_values(c, granted)
            values.pop("occurred_at", None)
            text = "　".join(value for _label, value in rows("people.contact", values))
            progress.append((wareki(timezone.localdate(c.occurred_at)), text))
    sections.append(
        Section(str(InfoKind.PLAN.label), InfoKind.PLAN, progress, InfoKind.PLAN in granted)
    )

    special: list[tuple[str, str]] = []
    if InfoKind.SPECIAL_CARE in granted:
        for f in Flag.objects.filter(case=case, resolved_at__isnull=True).order_by("pk"):
            special += rows("people.flag", shared_values(f, granted))
    sections.append(
        Section(
            str(InfoKind.SPECIAL_CARE.label),
            InfoKind.SPECIAL_CARE,
            special,
            InfoKind.SPECIAL_CARE in granted,
        )
    )
    return sections


def household_line(person: Any) -> str:
    """How the other members relate to the person (situation kind), never their own data: the
    same as the shared record shows."""
    member = HouseholdMember.objects.filter(person=person).select_related("household").first()
    if member is None:
        return ""
    parts = []
    for m in member.household.members.exclude(person=person).order_by("pk"):
        text = m.get_relationship_display()
        if m.lives_together:
            text += "（" + _("lives together") + "）"
        if m.is_main_carer:
            text += "（" + _("main carer") + "）"
        parts.append(text)
    return "、".join(parts)


def place_of(agency: Agency) -> str:
    where = agency.municipality.full_name if agency.municipality else ""
    return f"{where}{agency.address}".strip()


def consent_summary(referral: Referral) -> dict[str, str]:
    """Who consented, when, to which kinds, for how long (rule P1), for the letter."""
    consent = referral.consent
    assert consent is not None
    giver = str(dict(Giver.choices).get(consent.given_by, consent.given_by))
    if consent.representative_name:
        giver += f"（{consent.representative_name}・{consent.representative_relationship}）"
    return {
        "number": str(consent.pk),
        "given_by": giver,
        "given_on": wareki(consent.given_on),
        "kinds": kinds_label(consent.kinds),
        "period": _("%(start)s to %(end)s")
        % {"start": wareki(consent.given_on), "end": wareki(consent.valid_until)},
        "method": str(dict(Method.choices).get(consent.method, consent.method)),
        "purpose": consent.purpose,
        "special_care": (
            _("Included") if InfoKind.SPECIAL_CARE in consent.kinds else _("Not included")
        ),
    }


def slip_boxes() -> dict[str, list[Option]]:
    """The return slip's boxes, left empty: the receiver ticks them; the sender then records
    what was ticked (receive, accept or decline with the kind of reason, first contact)."""
    return {
        "decision": [Option(_("We accept the referral")), Option(_("We cannot accept it"))],
        "reasons": [Option(str(label)) for _key, label in DeclineReason.choices],
        "accompanied": yes_no(None),
    }


def letter_date(referral: Referral) -> datetime.date:
    """The letter is dated the day it was sent, or today before sending."""
    if referral.sent_at is not None:
        return timezone.localdate(referral.sent_at)
    return timezone.localdate()


def letter_context(user: Any, referral: Referral) -> dict[str, Any]:
    """What the letter shows. The caller has checked `printable_referral`."""
    kinds = letter_kinds(referral)
    sender, receiver = referral.agency, referral.to_agency
    now = timezone.localtime()
    return {
        "referral": referral,
        "kinds": kinds,
        "kinds_label": kinds_label(kinds),
        "dated": wareki(letter_date(referral)),
        "to": receiver,
        "to_place": place_of(receiver),
        "sender": sender,
        "sender_place": place_of(sender),
        "staff": staff_name(referral.created_by),
        "sections": person_sections(referral, kinds),
        "wishes_heard_on": wareki(referral.wishes_heard_on),
        "support_ends_on": wareki(referral.support_ends_on),
        "consent": consent_summary(referral),
        "slip": slip_boxes(),
        "printed": _("Printed %(date)s %(time)s by %(name)s")
        % {"date": wareki(now.date()), "time": now.strftime("%H:%M"), "name": staff_name(user)},
    }


def letter_html(user: Any, referral: Referral) -> str:
    """The letter as HTML (in Japanese), after the access and consent checks."""
    printable_referral(user, referral)
    with translation.override("ja"):
        return render_to_string("referrals/print/letter.html", letter_context(user, referral))


def print_letter(user: Any, referral: Referral, request: HttpRequest | None = None) -> Printed:
    """紹介状 as a PDF, logged as `referral.letter_printed` with the kinds printed."""
    printable_referral(user, referral)
    load_weasyprint()  # fail early (PrintUnavailable), before anything is read
    with translation.override("ja"):
        html = render_to_string("referrals/print/letter.html", letter_context(user, referral))
        name = _("Referral letter")
    pdf = html_to_pdf(html)
    audit.personal(
        "referral.letter_printed",
        user,
        referral,
        request,
        ground=OWN_AGENCY,
        actor_agency_id=referral.agency_id,
        kinds=letter_kinds(referral),
        to_agency=referral.to_agency_id,
        by_letter=referral.by_letter,
    )
    return Printed(pdf, f"{name}_{referral.pk}.pdf", f"referral-letter-{referral.pk}.pdf")


def letter_pdf(user: Any, referral: Referral, request: HttpRequest | None = None) -> bytes:
    """The letter's PDF bytes (the API's `GET /referrals/{id}/letter`)."""
    return print_letter(user, referral, request).pdf
