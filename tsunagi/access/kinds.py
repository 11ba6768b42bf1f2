"""Kinds of information (情報の種類) that a consent or a grant names (access.md, rules P1 and P5).

A record seen through a grant shows only the fields whose kind the grant permits; every other
field is left out before anything is rendered or serialised. A field that is in no kind below is
never shared at all (internal notes, who typed what, search keys).

Special-care personal information (要配慮個人情報: health, disability, DV, criminal record) is a
kind of its own, so a person can share their housing situation without their diagnosis.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagi.people.models import SPECIAL_CARE_FIELDS


class InfoKind(models.TextChoices):
    IDENTITY = "identity", _("Identity and contact details")
    SITUATION = "situation", _("Situation and wishes")
    ASSESSMENT = "assessment", _("Assessment")
    PLAN = "plan", _("Plan and progress")
    SPECIAL_CARE = (
        "special_care",
        _("Special-care information (health, disability, DV, criminal record)"),
    )


ALL_KINDS = frozenset(InfoKind)
# What a supporter sees of the household they visit (access.md grant 4, rules S4/S5).
DISPATCH_KINDS = frozenset({InfoKind.IDENTITY})

ID, S, A, P, SC = (
    InfoKind.IDENTITY,
    InfoKind.SITUATION,
    InfoKind.ASSESSMENT,
    InfoKind.PLAN,
    InfoKind.SPECIAL_CARE,
)
SA = frozenset({S, A})

# model label → field → the kinds any one of which lets the field be shown.
FIELD_KINDS: dict[str, dict[str, frozenset[InfoKind]]] = {
    "people.person": {
        **{
            f: frozenset({ID})
            for f in (
                "family_name",
                "given_name",
                "family_name_kana",
                "given_name_kana",
                "sex",
                "birth_date",
                "estimated_age",
                "postal_code",
                "municipality",
                "address",
                "phone",
                "mobile",
                "email",
                "preferred_contact",
                "avoided_contact",
                "contact_notes",
            )
        },
    },
    "people.case": {
        **{
            f: frozenset({S})
            for f in (
                "number",
                "opened_on",
                "problems",
                "main_problem",
                "problem_notes",
                "screening",
                "accompaniment",
                "closed_on",
            )
        },
    },
    "people.householdmember": {
        "relationship": frozenset({S}),
        "lives_together": frozenset({S}),
        "is_main_carer": frozenset({S}),
    },
    "people.contact": {
        **{f: frozenset({P}) for f in ("occurred_at", "channel", "initiator", "summary", "notes")},
        "urgent": frozenset({SC}),
    },
    "people.assessment": {
        "assessed_on": frozenset({S, A, SC}),
        "informant": SA,
        # the person's situation: work, money, home, how far they go out, and their wishes
        **{
            f: SA
            for f in (
                "employment",
                "employment_notes",
                "finance",
                "monthly_income",
                "income_sources",
                "arrears",
                "debt",
                "debt_notes",
                "housing",
                "housing_notes",
                "withdrawn_since",
                "going_out",
                "hikikomori_notes",
                "wishes",
                "no_food",
                "no_shelter",
            )
        },
        # the assessor's wider picture: isolation, family, care, children
        **{
            f: frozenset({A})
            for f in (
                "connections",
                "isolation_notes",
                "family_conflict",
                "family_notes",
                "household_member_needs_care",
                "cares_for_elderly",
                "cares_for_children",
                "care_notes",
                "children_concern",
                "children_notes",
            )
        },
        **{f: frozenset({SC}) for f in SPECIAL_CARE_FIELDS},
    },
    "people.flag": {f: frozenset({SC}) for f in ("kind", "rule", "reason", "raised_at")},
    # the support plan (rules R1, R4): the person's and family's wishes are "situation and
    # wishes"; the rest of the plan, its goals and items, and the evaluation are "plan"
    "plans.supportplan": {
        "person_wishes": frozenset({S, P}),
        "family_wishes": frozenset({S, P}),
        **{
            f: frozenset({P})
            for f in (
                "number",
                "state",
                "mode",
                "overall_aim",
                "starts_on",
                "ends_on",
                "review_on",
                "approved_on",
                "decided_on",
                "decided_by",
            )
        },
    },
    "plans.goal": {f: frozenset({P}) for f in ("term", "text", "order")},
    "plans.planitem": {
        f: frozenset({P})
        for f in ("goal", "what", "responsible_agency", "service", "frequency", "order")
    },
    "plans.goalresult": {f: frozenset({P}) for f in ("goal", "achievement", "notes")},
    "plans.evaluation": {
        **{
            f: frozenset({P})
            for f in (
                "evaluated_on",
                "person_view",
                "staff_view",
                "decision",
                "found_work",
                "income_rose",
                "step_daily_life",
                "step_social_life",
                "step_work",
            )
        },
    },
}

# Values of the intake checklist that are themselves special-care information.
SPECIAL_CARE_PROBLEMS = frozenset({"health", "dv_abuse"})


def normalise(kinds: Iterable[str]) -> list[str]:
    """The kinds in their canonical order, unknown codes dropped."""
    wanted = set(kinds)
    return [k.value for k in InfoKind if k.value in wanted]


def kinds_label(kinds: Iterable[str]) -> str:
    labels = {k.value: str(k.label) for k in InfoKind}
    return "、".join(labels[k] for k in normalise(kinds))


def shared_fields(label: str, kinds: Iterable[str]) -> list[str]:
    """The fields of the model `label` (app_label.model) that `kinds` let through."""
    granted = set(kinds)
    return [f for f, need in FIELD_KINDS.get(label, {}).items() if {str(k) for k in need} & granted]


def record_shareable(label: str, kinds: Iterable[str]) -> bool:
    """May at least one field of a record of this model be shown under `kinds`?"""
    return bool(shared_fields(label, kinds))


def shared_values(obj: Any, kinds: Iterable[str]) -> dict[str, Any]:
    """The permitted fields of `obj` with their values; nothing else leaves this function."""
    kinds = set(kinds)
    label = obj._meta.label_lower
    values: dict[str, Any] = {"id": obj.pk}
    for name in shared_fields(label, kinds):
        value = getattr(obj, name)
        if label == "people.case" and name in ("problems", "main_problem") and SC not in kinds:
            if name == "problems":
                value = [p for p in value if p not in SPECIAL_CARE_PROBLEMS]
            elif value in SPECIAL_CARE_PROBLEMS:
                value = ""
        if isinstance(value, models.Model):
            value = str(value)
        values[name] = value
    return values
