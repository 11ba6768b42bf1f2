"""The indicators computed from assessments: pure functions, data in, findings with reasons out.

- rule R2: economic need (生活に困窮) and compound problems (複合的な課題), both counted for the
  whole household, not only the person.
- rule R8: urgent need (no food or shelter today) and the suicide-risk combination of the crisis
  pathways (自殺の危機経路, seed 003: unemployment → hardship → debt → depression → suicide).
- the 8050 and double-care households, and the level of social isolation (seed 003's six kinds
  of isolation), which the case page shows beside them.

Nothing here reads or writes the database: an assessment is anything with the attributes of
`people.models.Assessment`, so a test builds one with `SimpleNamespace`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import (
    UNEMPLOYED,
    Connection,
    Disability,
    Finance,
    FlagKind,
    Housing,
    Level,
    Problem,
    Relationship,
    Urgency,
)

# Problem areas (課題の分野) that count towards compound problems.
AREA_LABELS = {
    "employment": gettext_lazy("employment"),
    "health": gettext_lazy("physical health"),
    "mental": gettext_lazy("mental health"),
    "disability": gettext_lazy("possible disability"),
    "finance": gettext_lazy("household finance"),
    "debt": gettext_lazy("debt"),
    "housing": gettext_lazy("housing"),
    "family": gettext_lazy("family relations"),
    "care": gettext_lazy("care of a family member"),
    "children": gettext_lazy("children"),
    "hikikomori": gettext_lazy("hikikomori state"),
    "isolation": gettext_lazy("isolation"),
    "dv": gettext_lazy("DV or abuse"),
    "urgent": gettext_lazy("no food or shelter"),
    "other": gettext_lazy("other"),
}

# The intake checklist (相談受付・申込票) mapped to the same areas.
PROBLEM_AREAS = {
    Problem.HEALTH: "health",
    Problem.HOUSING: "housing",
    Problem.INCOME: "finance",
    Problem.RENT_ARREARS: "finance",
    Problem.TAX_ARREARS: "finance",
    Problem.DEBT: "debt",
    Problem.JOB_SEARCH: "employment",
    Problem.WORK_TROUBLE: "employment",
    Problem.COMMUNITY: "isolation",
    Problem.FAMILY: "family",
    Problem.CHILD_REARING: "children",
    Problem.CARE: "care",
    Problem.HIKIKOMORI: "hikikomori",
    Problem.DV_ABUSE: "dv",
    Problem.NO_FOOD: "urgent",
    Problem.OTHER: "other",
}
# Checklist items that by themselves show economic need.
ECONOMIC_PROBLEMS = {Problem.INCOME, Problem.RENT_ARREARS, Problem.TAX_ARREARS, Problem.NO_FOOD}

# An 8050 household: a parent of this age or more with a withdrawn or jobless child of this age
# or more (the "80s parent, 50s child" of the handbook, caught from the 7040 stage on).
ELDERLY_PARENT_AGE = 70
MIDDLE_AGED_CHILD_AGE = 40
# The crisis pathways end in depression; this many other factors beside it raise the flag.
SUICIDE_RISK_FACTORS_WITH_DEPRESSION = 2


@dataclass(frozen=True)
class Finding:
    """One computed indicator: its rule, a short label and the reason staff read (Japanese)."""

    code: str
    rule: str
    label: str
    reason: str


@dataclass
class MemberView:
    """A household member as the indicators see them."""

    name: str
    age: int | None = None
    relationship: str = Relationship.SELF
    assessment: Any = None  # the latest assessment, or None
    problems: Sequence[str] = ()  # the intake checklist of their open cases

    @property
    def is_withdrawn(self) -> bool:
        return bool(self.assessment is not None and self.assessment.going_out) or (
            Problem.HIKIKOMORI in self.problems
        )

    @property
    def is_jobless(self) -> bool:
        return self.assessment is not None and self.assessment.employment in UNEMPLOYED


@dataclass
class Indicators:
    """Everything the case page shows about a household, computed together."""

    areas: dict[str, set[str]] = field(default_factory=dict)  # member name → areas
    findings: list[Finding] = field(default_factory=list)

    def has(self, code: str) -> bool:
        return any(f.code == code for f in self.findings)

    def get(self, code: str) -> Finding | None:
        return next((f for f in self.findings if f.code == code), None)

    @property
    def household_areas(self) -> set[str]:
        return set().union(*self.areas.values()) if self.areas else set()


def _labels(areas: Iterable[str]) -> str:
    return "、".join(str(AREA_LABELS[a]) for a in sorted(areas, key=list(AREA_LABELS).index))


# --- one assessment -------------------------------------------------------------------------


def isolation_level(assessment: Any) -> int | None:
    """How many of the six kinds of connection (seed 003 社会的孤立) the person has lost: 0–6;
    None while isolation has not been asked about (not the same as no connection at all)."""
    if assessment.connections is None:
        return None
    kept = {c for c in assessment.connections if c in Connection.values}
    return len(Connection.values) - len(kept)


def isolation_label(level: int | None) -> str:
    if level is None:
        return _("not asked yet")
    if level >= 4:
        return _("severe isolation")
    if level >= 2:
        return _("partly isolated")
    return _("connected")


def problem_areas(assessment: Any) -> set[str]:
    """The problem areas an assessment shows."""
    a = assessment
    areas: set[str] = set()
    if a.employment in UNEMPLOYED:
        areas.add("employment")
    if a.physical_health in (Level.CONCERN, Level.SERIOUS):
        areas.add("health")
    if a.mental_health in (Level.CONCERN, Level.SERIOUS) or a.depression:
        areas.add("mental")
    if a.disability in (Disability.POSSIBLE, Disability.CERTIFIED):
        areas.add("disability")
    if a.finance in (Finance.TIGHT, Finance.SHORT, Finance.NO_INCOME) or a.arrears:
        areas.add("finance")
    if a.debt:
        areas.add("debt")
    if a.housing in (Housing.AT_RISK, Housing.NONE, Housing.WITH_OTHERS):
        areas.add("housing")
    if a.family_conflict:
        areas.add("family")
    if a.household_member_needs_care or a.cares_for_elderly:
        areas.add("care")
    if a.children_concern:
        areas.add("children")
    if a.going_out:
        areas.add("hikikomori")
    if (isolation_level(a) or 0) >= 4:
        areas.add("isolation")
    if a.dv_abuse:
        areas.add("dv")
    if a.no_food or a.no_shelter:
        areas.add("urgent")
    return areas


def economic_need_reasons(assessment: Any) -> list[str]:
    """Why the household is economically in need (生活に困窮), empty when it is not. rule R2"""
    a = assessment
    reasons = []
    if a.finance == Finance.NO_INCOME:
        reasons.append(_("no income"))
    elif a.finance == Finance.SHORT:
        reasons.append(_("cannot make ends meet"))
    elif a.finance == Finance.TIGHT and (a.debt or a.arrears):
        reasons.append(_("barely makes ends meet, with debt or arrears"))
    if a.arrears:
        reasons.append(_("arrears"))
    if a.housing in (Housing.AT_RISK, Housing.NONE):
        reasons.append(_("housing at risk or lost"))
    if a.no_food or a.no_shelter:
        reasons.append(_("no food or shelter"))
    return reasons


def urgent_reasons(urgent: Iterable[str]) -> list[str]:
    labels = {Urgency.NO_FOOD: _("no food today"), Urgency.NO_SHELTER: _("no place to stay")}
    return [str(labels[Urgency(u)]) for u in urgent if u in labels]


def assessment_urgencies(assessment: Any) -> list[str]:
    """The urgent matters an assessment records, as `Urgency` values."""
    a = assessment
    found: list[str] = []
    if a.no_food:
        found.append(Urgency.NO_FOOD)
    if a.no_shelter:
        found.append(Urgency.NO_SHELTER)
    if a.suicidal_thoughts or a.suicide_attempt:
        found.append(Urgency.SUICIDAL)
    return found


def suicide_risk_factors(assessment: Any) -> list[str]:
    """The factors of the crisis pathways the assessment shows, other than depression."""
    a = assessment
    factors = []
    if a.employment in UNEMPLOYED:
        factors.append(_("no work"))
    if economic_need_reasons(a):
        factors.append(_("economic hardship"))
    if a.debt:
        factors.append(_("debt"))
    if a.dv_abuse:
        factors.append(_("DV or abuse"))
    if a.family_conflict:
        factors.append(_("conflict in the family"))
    if a.physical_health == Level.SERIOUS:
        factors.append(_("serious physical illness"))
    if (isolation_level(a) or 0) >= 4:
        factors.append(_("severe isolation"))
    if a.going_out:
        factors.append(_("hikikomori state"))
    return factors


# --- flags (rule R8) ------------------------------------------------------------------------


def urgent_flags(urgent: Iterable[str], assessment: Any = None) -> list[Finding]:
    """The flags a contact's urgent matters (and, if given, an assessment) raise. rule R8

    No food or shelter today raises the urgent-need flag; speaking of not wanting to live, a
    past attempt, or depression together with other factors of the crisis pathways raises the
    suicide-risk flag.
    """
    urgent = set(urgent)
    if assessment is not None:
        urgent |= set(assessment_urgencies(assessment))
    flags = []
    needs = urgent_reasons(u for u in Urgency if u in urgent)
    if needs:
        flags.append(
            Finding(
                FlagKind.URGENT_NEED,
                "R8",
                str(FlagKind.URGENT_NEED.label),
                _(
                    "%(needs)s. Securing food and a place to stay comes first: temporary "
                    "living support (一時生活支援) and public assistance (生活保護)."
                )
                % {"needs": "、".join(needs)},
            )
        )
    reason = _suicide_reason(urgent, assessment)
    if reason:
        flags.append(Finding(FlagKind.SUICIDE_RISK, "R8", str(FlagKind.SUICIDE_RISK.label), reason))
    return flags


def _suicide_reason(urgent: set[str], assessment: Any) -> str:
    if Urgency.SUICIDAL in urgent:
        if assessment is not None and assessment.suicide_attempt:
            return _(
                "Has attempted suicide before. We suggest connecting them with the "
                "suicide-prevention window at once."
            )
        return _(
            "Speaks of not wanting to live. We suggest connecting them with the "
            "suicide-prevention window at once."
        )
    if assessment is None:
        return ""
    depressed = assessment.depression or assessment.mental_health == Level.SERIOUS
    factors = suicide_risk_factors(assessment)
    if depressed and len(factors) >= SUICIDE_RISK_FACTORS_WITH_DEPRESSION:
        return _(
            "Signs of depression together with %(factors)s, as in the crisis pathways to "
            "suicide. We suggest connecting them with the suicide-prevention window."
        ) % {"factors": "、".join(factors)}
    return ""


# --- the household (rule R2) ----------------------------------------------------------------


def household_indicators(members: Sequence[MemberView]) -> Indicators:
    """Economic need and compound problems for the whole household (rule R2), 8050, double care."""
    result = Indicators()
    need: list[str] = []
    for m in members:
        areas = {PROBLEM_AREAS[Problem(p)] for p in m.problems if p in Problem.values}
        if m.assessment is not None:
            areas |= problem_areas(m.assessment)
            need += economic_need_reasons(m.assessment)
        if set(m.problems) & ECONOMIC_PROBLEMS:
            need.append(_("money problems on the intake checklist"))
        result.areas[m.name] = areas

    need = list(dict.fromkeys(need))
    if need:
        result.findings.append(
            Finding(
                "economic_need",
                "R2",
                _("Economic need"),
                _("In the household: %(reasons)s.") % {"reasons": "、".join(need)},
            )
        )
    areas = result.household_areas
    if len(areas) >= 2:
        result.findings.append(
            Finding(
                "compound_problems",
                "R2",
                _("Compound problems"),
                _("The household's problems span %(count)d areas (%(areas)s).")
                % {"count": len(areas), "areas": _labels(areas)},
            )
        )
    if result.has("economic_need") and result.has("compound_problems"):
        result.findings.append(
            Finding(
                "r2_referral",
                "R2",
                _("Refer to the self-reliance agency"),
                _(
                    "The household is economically in need and has compound problems. "
                    "Respecting the person's wishes, we suggest connecting them with the "
                    "self-reliance consultation agency."
                ),
            )
        )
    eight_fifty = _eight_fifty(members)
    if eight_fifty:
        result.findings.append(Finding("8050", "R2", _("8050 household"), eight_fifty))
    for m in members:
        a = m.assessment
        if a is not None and a.cares_for_elderly and a.cares_for_children:
            result.findings.append(
                Finding(
                    "double_care",
                    "R2",
                    _("Double care"),
                    _("%(name)s cares for an elderly relative and raises children at once.")
                    % {"name": m.name},
                )
            )
    return result


def _eight_fifty(members: Sequence[MemberView]) -> str:
    """An elderly parent living with a middle-aged child who is withdrawn or without work."""
    children = [
        m
        for m in members
        if m.age is not None and m.age >= MIDDLE_AGED_CHILD_AGE and (m.is_withdrawn or m.is_jobless)
    ]
    elderly = [m for m in members if m.age is not None and m.age >= ELDERLY_PARENT_AGE]
    for child in children:
        for parent in elderly:
            if (
                parent is not child
                and parent.age is not None
                and child.age is not None
                and parent.age - child.age >= 15
            ):
                return _(
                    "%(parent)s (%(parent_age)d) lives with %(child)s (%(child_age)d), who is "
                    "withdrawn or without work."
                ) % {
                    "parent": parent.name,
                    "parent_age": parent.age,
                    "child": child.name,
                    "child_age": child.age,
                }
        # Only the child is known: the assessment says a parent in the household needs care.
        a = child.assessment
        if not elderly and a is not None and a.household_member_needs_care:
            return _(
                "%(child)s (%(child_age)d), withdrawn or without work, lives with a family "
                "member who needs care."
            ) % {
                "child": child.name,
                "child_age": child.age,
            }
    return ""
