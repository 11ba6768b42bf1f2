"""Rules P1, P2 and P4 as plain functions: data in, decision and reason out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from tsunagi.access.kinds import InfoKind
from tsunagi.people.rules import Finding

ADULT_AGE = 18  # 民法第4条


def age_on(birth_date: date | None, estimated_age: int | None, day: date) -> int | None:
    if birth_date is not None:
        years = day.year - birth_date.year
        return years - ((day.month, day.day) < (birth_date.month, birth_date.day))
    return estimated_age


def giver_problems(
    given_by: str,
    *,
    age: int | None,
    representative_name: str,
    representative_relationship: str,
) -> dict[str, str]:
    """Rule P1: the person themself consents; a family member who calls is not the subject and
    cannot consent for an adult. A legal representative (a guardian appointed by the court)
    may, and a parent may for a minor. Answers field → message."""
    errors: dict[str, str] = {}
    if given_by == "parent_of_minor" and (age is None or age >= ADULT_AGE):
        errors["given_by"] = _(
            "A parent can consent only for a minor. For an adult, the person themself (or a "
            "guardian appointed by the court) must consent (rule P1)."
        )
    if given_by in ("legal_representative", "parent_of_minor"):
        if not representative_name.strip():
            errors["representative_name"] = _("Enter the name of the person who consented.")
        if not representative_relationship.strip():
            errors["representative_relationship"] = _(
                "Enter the representative's standing (for example: 成年後見人, 母)."
            )
    return errors


def consent_problems(
    *,
    kinds: Iterable[str],
    given_on: date,
    valid_until: date | None,
    today: date,
    method: str,
    has_scan: bool,
    witness_id: int | None,
    recorded_by_id: int | None,
    witness_is_staff: bool,
    names_recipient: bool,
    purpose: str,
) -> dict[str, str]:
    """Rule P1: a consent names the receiving agency, the purpose and the kinds of information;
    it is given on paper with the scan attached, or verbally before a member of staff."""
    errors: dict[str, str] = {}
    known = {k.value for k in InfoKind}
    kinds = list(kinds)
    if not kinds:
        errors["kinds"] = _("Choose at least one kind of information.")
    elif not set(kinds) <= known:
        errors["kinds"] = _("Unknown kind of information.")
    if not names_recipient:
        errors["recipient_agency"] = _("Name the receiving agency, or a kind of agency.")
    if not purpose.strip():
        errors["purpose"] = _("Write the purpose for which the information is passed on.")
    if given_on > today:
        errors["given_on"] = _("The consent cannot be dated in the future.")
    if valid_until is None:
        errors["valid_until"] = _("Enter until when the consent is valid.")
    elif valid_until < given_on:
        errors["valid_until"] = _("The end of the period is before the day the consent was given.")
    if method == "signed_paper" and not has_scan:
        errors["scan"] = _("Attach the scan of the signed form.")
    if method == "verbal":
        if witness_id is None:
            errors["witness"] = _("A verbal consent needs a member of staff as witness.")
        elif witness_id == recorded_by_id:
            errors["witness"] = _("The witness must be someone other than the person recording.")
        elif not witness_is_staff:
            errors["witness"] = _("The witness must work at this agency.")
    return errors


def covers(consent: Any, agency: Any, kinds: Iterable[str], day: date) -> bool:
    """Does `consent` let `agency` receive `kinds` on `day`? (rules P1, P4)"""
    return (
        consent.stands_on(day) and consent.names_agency(agency) and set(kinds) <= set(consent.kinds)
    )


def explanation_finding(explanations: list[Any]) -> Finding | None:
    """Rule P2: the explanation at intake is recorded; where the person did not agree, the
    staff see how the information is to be handled instead."""
    if not explanations:
        return Finding(
            "explanation_missing",
            "P2",
            _("Explanation of information sharing not recorded"),
            _(
                "When the agency first takes a person's information it explains that the "
                "information may be given to related agencies for support, and records that "
                "the person understood."
            ),
        )
    latest = explanations[0]
    if not latest.understood:
        return Finding(
            "explanation_not_agreed",
            "P2",
            _("The person did not agree to sharing"),
            _("Handle the information as agreed with the person: %(handling)s")
            % {"handling": latest.agreed_handling or "—"},
        )
    return None
