"""Schemas of the suggestions of the referral rules (R2–R8, J4, J5), dismissals and introductions
(紹介, rule R3a), and the builders of their answers.

Every suggestion carries its rule ID and its reason in the user's language (Japanese by
default); the agencies it points at are resolved from the registry with why each is the one.
"""

import datetime
from typing import Any

from ninja import Field, Schema

from tsunagi.agencies.models import AgencyKind
from tsunagi.referrals import selectors
from tsunagi.referrals.models import Dismissal, GivenTo, Introduction, IntroductionTarget
from tsunagi.referrals.suggestions import ACTION_LABELS, Rule

from .people_schemas import JapaneseDate, Line
from .referral_schemas import AgencyRef, agency_ref

# --- input ----------------------------------------------------------------------------------


class DismissalIn(Schema):
    case: int = Field(..., description="The person's case the suggestion was shown for.")
    code: str = Field(
        ..., max_length=60, description="The suggestion's code, e.g. `R2` or `R7:hello_work`."
    )
    reason: str = Field(
        "", max_length=2000, description="Why the suggestion is set aside (counted per rule)."
    )


class IntroductionIn(Schema):
    case: int = Field(..., description="The case of your agency whose person was introduced.")
    target_kind: IntroductionTarget = Field(..., description="What the person was introduced to.")
    to_agency: int | None = Field(None, description="The agency introduced, when registered.")
    to_name: Line = Field(
        "", max_length=200, description="The group or place, when it is not a registered agency."
    )
    given_to: GivenTo = Field(GivenTo.PERSON, description="Who received the information.")
    what_given: str = Field(
        ..., max_length=4000, description="What was given: leaflet, phone number, opening hours."
    )
    given_on: JapaneseDate | None = Field(
        None, description="Default: today. 西暦 (2025-04-01) or 和暦 (令和7年4月1日, R7.4.1)."
    )
    rule: str = Field("", max_length=10, description="The rule that proposed it, e.g. R3a.")


# --- output ---------------------------------------------------------------------------------


class ResolvedAgencyOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    reason: str = Field(..., description="Why this agency is the one (J2, J3, J4, its area).")


class PlaceOut(Schema):
    """Rule R6: a place of the directory that fits the person, with its reasons."""

    id: int = Field(..., description="The directory entry (`/api/v1/directory/{id}`).")
    name: str
    kind: str
    kind_label: str
    phone: str
    rule: str
    reasons: list[str]


class DismissalOut(Schema):
    id: int
    case: int
    rule: str
    code: str
    reason: str
    by: str = Field(..., description="Who set the suggestion aside.")
    at: datetime.datetime
    restored_at: datetime.datetime | None
    restored_by: str | None


class SuggestionOut(Schema):
    rule: str = Field(..., description="The rule of rules.md, e.g. R2.")
    code: str = Field(..., description="The suggestion's code (what a dismissal names).")
    action: str = Field(..., description="refer, introduce, invite or handover.")
    action_label: str
    title: str
    reason: str = Field(..., description="Why the rule applies to this case, in Japanese.")
    for_names: list[str] = Field(..., description="Household members it is for (R7).")
    due: datetime.date | None = Field(None, description="By when (J5: the 18th birthday).")
    agencies: list[ResolvedAgencyOut]
    places: list[PlaceOut] = Field(..., description="R6: places of the directory that fit.")
    unresolved: list[str] = Field(..., description="Why no agency was found for a target.")
    taken: list[str] = Field(..., description="Referrals and introductions already made.")
    dismissal: DismissalOut | None = None


class CaseRef(Schema):
    id: int
    number: str


class SuggestionPanelOut(Schema):
    person: int
    case: CaseRef
    active: list[SuggestionOut]
    dismissed: list[SuggestionOut] = Field(..., description="Set aside, each with its dismissal.")


class TargetOut(Schema):
    code: str
    label: str


class RuleOut(Schema):
    id: str = Field(..., description="The rule of rules.md.")
    code: str
    action: str
    action_label: str
    title: str
    when: str
    targets: list[TargetOut]


class IntroductionOut(Schema):
    id: int
    agency: AgencyRef
    case: int
    case_number: str
    person: int
    person_name: str
    given_on: datetime.date
    target_kind: str
    target_kind_label: str
    to_agency: AgencyRef | None
    to_name: str
    target: str = Field(..., description="The agency's name, or the group or place.")
    given_to: str
    given_to_label: str
    what_given: str
    rule: str
    recorded_by: str
    recorded_at: datetime.datetime


class IntroductionPage(Schema):
    items: list[IntroductionOut]
    count: int


# --- builders -------------------------------------------------------------------------------


def _name(user: Any) -> str | None:
    return user.get_full_name() if user is not None else None


def dismissal_out(dismissal: Dismissal) -> dict[str, Any]:
    return {
        "id": dismissal.pk,
        "case": dismissal.case_id,
        "rule": dismissal.rule,
        "code": dismissal.code,
        "reason": dismissal.reason,
        "by": _name(dismissal.dismissed_by),
        "at": dismissal.dismissed_at,
        "restored_at": dismissal.restored_at,
        "restored_by": _name(dismissal.restored_by),
    }


def suggestion_out(item: selectors.CaseSuggestion) -> dict[str, Any]:
    s = item.suggestion
    return {
        "rule": s.rule,
        "code": s.code,
        "action": s.action,
        "action_label": s.action_label,
        "title": s.title,
        "reason": s.reason,
        "for_names": list(s.for_names),
        "due": s.due,
        "agencies": [
            {
                "id": r.agency.pk,
                "name": r.agency.name,
                "kind": r.agency.kind,
                "kind_label": str(AgencyKind(r.agency.kind).label),
                "reason": str(r.reason),
            }
            for r in item.agencies
        ],
        "places": [
            {
                "id": m.entry.pk,
                "name": m.entry.name,
                "kind": m.entry.kind,
                "kind_label": m.entry.get_kind_display(),
                "phone": m.entry.phone,
                "rule": m.rule,
                "reasons": [str(r) for r in m.reasons],
            }
            for m in item.places
        ],
        "unresolved": [str(u) for u in item.unresolved],
        "taken": [str(t) for t in item.taken],
        "dismissal": dismissal_out(item.dismissal) if item.dismissal is not None else None,
    }


def rule_out(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "code": rule.code,
        "action": rule.action,
        "action_label": str(ACTION_LABELS[rule.action]),
        "title": str(rule.title),
        "when": str(rule.when),
        "targets": [{"code": t, "label": selectors.target_label(t)} for t in rule.targets],
    }


def introduction_out(intro: Introduction) -> dict[str, Any]:
    return {
        "id": intro.pk,
        "agency": agency_ref(intro.agency),
        "case": intro.case_id,
        "case_number": intro.case.number,
        "person": intro.person_id,
        "person_name": intro.person.full_name,
        "given_on": intro.given_on,
        "target_kind": intro.target_kind,
        "target_kind_label": intro.get_target_kind_display(),
        "to_agency": agency_ref(intro.to_agency) if intro.to_agency is not None else None,
        "to_name": intro.to_name,
        "target": intro.target_label,
        "given_to": intro.given_to,
        "given_to_label": intro.get_given_to_display(),
        "what_given": intro.what_given,
        "rule": intro.rule,
        "recorded_by": _name(intro.created_by),
        "recorded_at": intro.created_at,
    }
