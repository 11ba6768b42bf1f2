"""The suggestions of the referral rules (R2, R3a, R3b, R6, R7, R8, J4, J5): one table, pure code.

Each rule is a row of `RULES`: its ID, what it proposes (refer, introduce, invite, hand over),
which agencies it points at (a *target*, resolved against the registry by
`selectors.resolve_target`), when it applies, and the one-line reason staff read. A rule's
`applies` function gets a `Situation` — the latest assessments of the household, the person's
age and address, the case's plan and flags — and answers with the reason, or None.

Nothing here reads the database, so one test per rule builds a `Situation` from plain objects.
The help page lists `RULES` as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagi.agencies.models import HIKIKOMORI_KINDS, AgeBand, AgencyKind
from tsunagi.agencies.rules import ADULT_AGE
from tsunagi.people import rules as indicators
from tsunagi.people.choices import (
    UNEMPLOYED,
    Disability,
    Finance,
    FlagKind,
    GoingOut,
    Housing,
    Level,
    Problem,
)
from tsunagi.web.wareki import format_wareki as wareki

# What a suggestion proposes.
REFER = "refer"  # a referral with consent (つなぎ)
INTRODUCE = "introduce"  # information for the person; no data passes (R3a)
INVITE = "invite"  # take the agency into the plan and the coordination meeting (R3b)
HANDOVER = "handover"  # hand the person over before they leave this agency's age band (J5)
ACTION_LABELS = {
    REFER: gettext_lazy("Refer"),
    INTRODUCE: gettext_lazy("Introduce"),
    INVITE: gettext_lazy("Invite to the plan and meeting"),
    HANDOVER: gettext_lazy("Hand over"),
}

# Targets that are not one kind of agency; resolved by rules J1–J4 (selectors.resolve_target).
SELF_RELIANCE = "self_reliance"  # J2: by the welfare-office municipality of the address
HIKIKOMORI = "hikikomori"  # J1/J3/J4: the hikikomori agencies for the area and age band
ADULT_CENTER = "adult_center"  # J4/J5: the adult center of the same area
PLACES = "places"  # R6: places to take part and work known to the registry

# J5: the hand-over is proposed this many days before the 18th birthday.
HANDOVER_NOTICE_DAYS = 90
# Age ranges of the linked systems (地域若者サポートステーション 15–49; 子ども・若者 up to 39).
YOUTH_STATION_AGES = (15, 49)
CHILD_YOUTH_MAX_AGE = 39
WORKING_AGES = (15, 64)
ELDERLY_AGE = 65


@dataclass
class Member:
    """One household member as the rules see them: name, age, latest assessment."""

    name: str
    age: int | None
    assessment: Any = None


@dataclass
class Situation:
    """Everything the rules look at for one case."""

    today: date
    agency_kind: str
    agency_age_band: str
    person: Member
    birth_date: date | None = None
    others: Sequence[Member] = ()  # the other household members the user may see
    household: indicators.Indicators = field(default_factory=indicators.Indicators)
    problems: Sequence[str] = ()  # the case's intake checklist
    open_flags: Sequence[str] = ()  # FlagKind values of unresolved flags
    has_plan: bool = False

    @property
    def assessment(self) -> Any:
        return self.person.assessment

    @property
    def members(self) -> list[Member]:
        return [self.person, *self.others]

    @property
    def at_hikikomori_agency(self) -> bool:
        return self.agency_kind in HIKIKOMORI_KINDS

    @property
    def at_self_reliance_agency(self) -> bool:
        return self.agency_kind == AgencyKind.SELF_RELIANCE

    @property
    def withdrawn(self) -> bool:
        a = self.assessment
        return bool(a is not None and a.going_out) or Problem.HIKIKOMORI in self.problems


@dataclass(frozen=True)
class Rule:
    """One row of the table."""

    id: str  # the rule of rules.md
    code: str  # stable key of the suggestion (dismissals refer to it)
    action: str
    targets: tuple[str, ...]
    title: Promise
    when: Promise  # when it applies, for the help page
    applies: Callable[[Situation], Suggested | None]


@dataclass(frozen=True)
class Suggested:
    """What a rule found: the reason, and for whom in the household, and by when."""

    reason: str
    for_names: tuple[str, ...] = ()
    due: date | None = None


@dataclass
class Suggestion:
    """A rule's suggestion for one case, before its targets are resolved."""

    rule: str
    code: str
    action: str
    title: str
    reason: str
    targets: tuple[str, ...]
    for_names: tuple[str, ...] = ()
    due: date | None = None

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])


# --- conditions ----------------------------------------------------------------------------


def _r2(s: Situation) -> Suggested | None:
    """R2: economic need and compound problems, both counted for the whole household."""
    if not s.at_hikikomori_agency or not s.household.has("r2_referral"):
        return None
    need, compound = s.household.get("economic_need"), s.household.get("compound_problems")
    assert need is not None and compound is not None
    return Suggested(
        _(
            "%(need)s %(compound)s Respecting the person's wishes, connect them with the "
            "self-reliance agency responsible for their address."
        )
        % {"need": need.reason, "compound": compound.reason}
    )


def _r3(with_plan: bool) -> Callable[[Situation], Suggested | None]:
    def applies(s: Situation) -> Suggested | None:
        """R3a (no plan): introduce; R3b (a plan): into the plan and the meeting."""
        if not s.at_self_reliance_agency or not s.withdrawn or s.has_plan != with_plan:
            return None
        if with_plan:
            return Suggested(
                _(
                    "The person is in a hikikomori state and has a plan: include the hikikomori "
                    "agency's support in the plan where needed and invite it to the support "
                    "coordination meeting."
                )
            )
        return Suggested(
            _(
                "The person is in a hikikomori state and there is no plan-based support: "
                "introduce the hikikomori agency, or a local support group, family association "
                "or peer group. An introduction passes no personal data."
            )
        )

    return applies


def _r6(s: Situation) -> Suggested | None:
    """R6: a place to take part or work as a step out of isolation, when nothing is urgent."""
    a = s.assessment
    if _urgent(s) or a is None:
        return None
    isolated = (indicators.isolation_level(a) or 0) >= 4
    if not (a.going_out or isolated):
        return None
    return Suggested(
        _(
            "%(state)s. A place to take part or work (居場所, 就労体験, ボランティア) near home "
            "may be a first step."
        )
        % {"state": GoingOut(a.going_out).label if a.going_out else _("Severe isolation")}
    )


def _urgent(s: Situation) -> bool:
    a = s.assessment
    return FlagKind.URGENT_NEED in s.open_flags or bool(
        a is not None and (a.no_food or a.no_shelter)
    )


def _r8_urgent(s: Situation) -> Suggested | None:
    """R8: no food or shelter today comes first."""
    a = s.assessment
    urgent = set(s.open_flags) & {FlagKind.URGENT_NEED}
    needs = indicators.urgent_reasons(indicators.assessment_urgencies(a)) if a is not None else []
    if Problem.NO_FOOD in s.problems:
        needs.append(_("no food (intake checklist)"))
    if not urgent and not needs:
        return None
    return Suggested(
        _(
            "%(needs)s. Securing food and a place to stay comes first: temporary living "
            "support and housing support (一時生活支援・居住支援) and public assistance (生活保護)."
        )
        % {"needs": "、".join(dict.fromkeys(needs)) or FlagKind.URGENT_NEED.label}
    )


def _r8_suicide(s: Situation) -> Suggested | None:
    """R8: speaking of not wanting to live, an attempt, or the crisis-pathway combination."""
    a = s.assessment
    flags = indicators.urgent_flags((), a) if a is not None else []
    found = next((f for f in flags if f.code == FlagKind.SUICIDE_RISK), None)
    if found is not None:
        return Suggested(found.reason)
    if FlagKind.SUICIDE_RISK in s.open_flags:
        return Suggested(
            _(
                "The case carries an open suicide-risk flag. Connect the person with the "
                "suicide-prevention window at once."
            )
        )
    return None


def _j4(s: Situation) -> Suggested | None:
    """J4: a hikikomori agency whose age band does not fit the person's age."""
    age = s.person.age
    if not s.at_hikikomori_agency or age is None or s.agency_age_band == AgeBand.BOTH:
        return None
    if (age < ADULT_AGE) == (s.agency_age_band == AgeBand.CHILD):
        return None
    return Suggested(
        _("The person is %(age)d; this agency serves %(band)s. The age band decides the center.")
        % {"age": age, "band": AgeBand(s.agency_age_band).label}
    )


def _j5(s: Situation) -> Suggested | None:
    """J5: 90 days before the 18th birthday at a child center, propose the hand-over."""
    if not s.at_hikikomori_agency or s.agency_age_band != AgeBand.CHILD or s.birth_date is None:
        return None
    b = s.birth_date
    try:
        birthday = b.replace(year=b.year + ADULT_AGE)
    except ValueError:  # 29 February
        birthday = date(b.year + ADULT_AGE, 3, 1)
    days = (birthday - s.today).days
    if days > HANDOVER_NOTICE_DAYS or days < 0:
        return None
    return Suggested(
        _(
            "Turns 18 on %(day)s, in %(days)d days. Hand the person over to the adult center "
            "without a gap: a referral with consent, before the birthday."
        )
        % {"day": wareki(birthday), "days": days},
        due=birthday,
    )


# --- R7: the linked systems, each on what it is for -----------------------------------------


def _linked(
    test: Callable[[Member], str | None], *, subject_only: bool = False
) -> Callable[[Situation], Suggested | None]:
    """A linked-system rule tested on every household member the user may see (or the person
    only): the suggestion names the members it is for, with their reasons."""

    def applies(s: Situation) -> Suggested | None:
        found = []
        for m in [s.person] if subject_only else s.members:
            reason = test(m)
            if reason:
                found.append((m, reason))
        if not found:
            return None
        names = tuple(m.name for m, _r in found if m is not s.person)
        return Suggested("、".join(dict.fromkeys(r for _m, r in found)) + "。", for_names=names)

    return applies


def _in(age: int | None, bounds: tuple[int, int]) -> bool:
    return age is not None and bounds[0] <= age <= bounds[1]


def _public_assistance(m: Member) -> str | None:
    a = m.assessment
    if a is not None and a.finance == Finance.NO_INCOME:
        return _("The household has no income: public assistance (生活保護) may apply")
    return None


def _hello_work(m: Member) -> str | None:
    a = m.assessment
    if a is None or a.employment != "unemployed_seeking" or a.going_out:
        return None
    if not _in(m.age, WORKING_AGES):
        return None
    return _("%(name)s is looking for work and goes out") % {"name": m.name}


def _youth_station(m: Member) -> str | None:
    a = m.assessment
    if a is None or a.employment not in UNEMPLOYED or not _in(m.age, YOUTH_STATION_AGES):
        return None
    return _("%(name)s (%(age)d) is without work; the youth support station serves ages 15–49") % {
        "name": m.name,
        "age": m.age,
    }


def _mental_health(m: Member) -> str | None:
    a = m.assessment
    if a is None or not (a.depression or a.mental_health in (Level.CONCERN, Level.SERIOUS)):
        return None
    return _("%(name)s shows concerns about mental health") % {"name": m.name}


def _elderly_care(s: Situation) -> Suggested | None:
    """R7: the community general support center (地域包括支援センター) for an elderly member who
    needs care, named from any household member's assessment (scenario A: the son's assessment,
    filled from what the mother says, records her care needs)."""
    elderly = [m for m in s.members if m.age is not None and m.age >= ELDERLY_AGE]
    told = [
        m
        for m in s.members
        if m.assessment is not None
        and (m.assessment.household_member_needs_care or m.assessment.cares_for_elderly)
    ]
    ill = [
        m
        for m in elderly
        if m.assessment is not None
        and m.assessment.physical_health in (Level.CONCERN, Level.SERIOUS)
    ]
    if not told and not ill:
        return None
    whom = [m for m in elderly if m is not s.person] or elderly
    names = "、".join(f"{m.name}（{m.age}）" for m in whom)
    if told:
        source = "、".join(m.name for m in told)
        reason = (
            _("%(whom)s needs care (from the assessment of %(source)s).")
            % {"whom": names, "source": source}
            if whom
            else _("A family member needs care (from the assessment of %(source)s).")
            % {"source": source}
        )
    else:
        reason = _("%(whom)s has health concerns.") % {"whom": names}
    return Suggested(reason, for_names=tuple(m.name for m in whom if m is not s.person))


def _disability(m: Member) -> str | None:
    a = m.assessment
    if a is None or a.disability not in (Disability.POSSIBLE, Disability.CERTIFIED):
        return None
    if a.employment not in UNEMPLOYED:
        return None
    return _("%(name)s may have a disability and is without work") % {"name": m.name}


def _debt(m: Member) -> str | None:
    a = m.assessment
    if a is not None and a.debt:
        return _("Debt in the household (%(name)s's assessment)") % {"name": m.name}
    return None


def _housing(m: Member) -> str | None:
    a = m.assessment
    if a is not None and a.housing in (Housing.AT_RISK, Housing.NONE, Housing.WITH_OTHERS):
        return _("Housing is insecure: %(housing)s") % {"housing": Housing(a.housing).label}
    return None


def _child_youth(m: Member) -> str | None:
    a = m.assessment
    if a is None or m.age is None or m.age > CHILD_YOUTH_MAX_AGE:
        return None
    if a.going_out or (indicators.isolation_level(a) or 0) >= 4:
        return _("%(name)s (%(age)d) is withdrawn or isolated; the center serves up to 39") % {
            "name": m.name,
            "age": m.age,
        }
    return None


def _school(m: Member) -> str | None:
    a = m.assessment
    if a is None or m.age is None or m.age >= ADULT_AGE or not a.going_out:
        return None
    return _("%(name)s (%(age)d) is of school age and does not go out (不登校)") % {
        "name": m.name,
        "age": m.age,
    }


def _probation(m: Member) -> str | None:
    a = m.assessment
    if a is not None and (a.criminal_record_notes or "").strip():
        return _("A criminal record is noted; the probation office supports resettlement")
    return None


def _arrears(m: Member) -> str | None:
    a = m.assessment
    if a is not None and a.arrears:
        return _(
            "Arrears of tax, insurance or utilities: the pension and health insurance window "
            "can reduce or defer payments"
        )
    return None


# --- the table -----------------------------------------------------------------------------


RULES: tuple[Rule, ...] = (
    Rule(
        "R8",
        "R8:urgent",
        REFER,
        (SELF_RELIANCE, AgencyKind.WELFARE_OFFICE),
        gettext_lazy("Secure food and shelter first"),
        gettext_lazy("No food or place to stay today (assessment, intake or an open urgent flag)."),
        _r8_urgent,
    ),
    Rule(
        "R8",
        "R8:suicide",
        REFER,
        (AgencyKind.SUICIDE_PREVENTION,),
        gettext_lazy("Connect with the suicide-prevention window"),
        gettext_lazy(
            "Speaks of not wanting to live, has attempted suicide, or shows depression with "
            "other factors of the crisis pathways."
        ),
        _r8_suicide,
    ),
    Rule(
        "R2",
        "R2",
        REFER,
        (SELF_RELIANCE,),
        gettext_lazy("Refer to the self-reliance agency"),
        gettext_lazy(
            "At a hikikomori agency: the household is economically in need and has compound "
            "problems (both counted for the whole household)."
        ),
        _r2,
    ),
    Rule(
        "R3a",
        "R3a",
        INTRODUCE,
        (HIKIKOMORI,),
        gettext_lazy("Introduce the hikikomori agency or a group"),
        gettext_lazy(
            "At a self-reliance agency: the person is in a hikikomori state and has no plan."
        ),
        _r3(with_plan=False),
    ),
    Rule(
        "R3b",
        "R3b",
        INVITE,
        (HIKIKOMORI,),
        gettext_lazy("Include the hikikomori agency in the plan and the meeting"),
        gettext_lazy(
            "At a self-reliance agency: the person is in a hikikomori state and has a plan."
        ),
        _r3(with_plan=True),
    ),
    Rule(
        "J4",
        "J4",
        REFER,
        (HIKIKOMORI,),
        gettext_lazy("The center for the person's age band"),
        gettext_lazy(
            "At a hikikomori agency that serves only children or only adults, a person outside "
            "its age band."
        ),
        _j4,
    ),
    Rule(
        "J5",
        "J5",
        HANDOVER,
        (ADULT_CENTER,),
        gettext_lazy("Hand over to the adult center at 18"),
        gettext_lazy("At a child center: the person turns 18 within 90 days."),
        _j5,
    ),
    Rule(
        "R6",
        "R6",
        INTRODUCE,
        (PLACES,),
        gettext_lazy("A place to take part or work"),
        gettext_lazy("The person is withdrawn or severely isolated, and nothing is urgent."),
        _r6,
    ),
    Rule(
        "R7",
        "R7:public_assistance",
        REFER,
        (AgencyKind.WELFARE_OFFICE,),
        gettext_lazy("Public assistance (生活保護)"),
        gettext_lazy("A household member's assessment shows no income."),
        _linked(_public_assistance),
    ),
    Rule(
        "R7",
        "R7:hello_work",
        INTRODUCE,
        (AgencyKind.HELLO_WORK,),
        gettext_lazy("Hello Work"),
        gettext_lazy("A member aged 15–64 is looking for work and goes out."),
        _linked(_hello_work),
    ),
    Rule(
        "R7",
        "R7:youth_station",
        INTRODUCE,
        (AgencyKind.YOUTH_SUPPORT_STATION,),
        gettext_lazy("Regional youth support station"),
        gettext_lazy("A member aged 15–49 is without work."),
        _linked(_youth_station),
    ),
    Rule(
        "R7",
        "R7:mental_health",
        REFER,
        (AgencyKind.MENTAL_HEALTH_CENTER, AgencyKind.PUBLIC_HEALTH_CENTER),
        gettext_lazy("Mental health and welfare center, public health center"),
        gettext_lazy("A member shows signs of depression or concerns about mental health."),
        _linked(_mental_health),
    ),
    Rule(
        "R7",
        "R7:elderly_care",
        REFER,
        (AgencyKind.COMMUNITY_GENERAL_SUPPORT,),
        gettext_lazy("Community general support center"),
        gettext_lazy(
            "A family member needs care, or a member aged 65 or more has health concerns."
        ),
        _elderly_care,
    ),
    Rule(
        "R7",
        "R7:disability",
        REFER,
        (AgencyKind.DISABILITY_EMPLOYMENT_LIFE,),
        gettext_lazy("Employment and life support center for persons with disabilities"),
        gettext_lazy("A member may have a disability and is without work."),
        _linked(_disability),
    ),
    Rule(
        "R7",
        "R7:debt",
        INTRODUCE,
        (AgencyKind.DEBT_CONSULTATION, AgencyKind.LEGAL_SUPPORT),
        gettext_lazy("Multiple-debt consultation, Houterasu"),
        gettext_lazy("A member's assessment shows debt."),
        _linked(_debt),
    ),
    Rule(
        "R7",
        "R7:housing",
        REFER,
        (AgencyKind.HOUSING_SUPPORT_COUNCIL,),
        gettext_lazy("Housing support council"),
        gettext_lazy("Housing at risk, lost, or staying with acquaintances."),
        _linked(_housing),
    ),
    Rule(
        "R7",
        "R7:child_youth",
        INTRODUCE,
        (AgencyKind.CHILD_YOUTH_CONSULTATION,),
        gettext_lazy("General consultation center for children and young people"),
        gettext_lazy("A member up to 39 is withdrawn or isolated."),
        _linked(_child_youth),
    ),
    Rule(
        "R7",
        "R7:school",
        REFER,
        (AgencyKind.EDUCATION_BOARD,),
        gettext_lazy("Board of education, school social worker"),
        gettext_lazy("A member under 18 does not go out."),
        _linked(_school),
    ),
    Rule(
        "R7",
        "R7:probation",
        REFER,
        (AgencyKind.PROBATION_OFFICE,),
        gettext_lazy("Probation office"),
        gettext_lazy("The assessment notes a criminal record."),
        _linked(_probation, subject_only=True),
    ),
    Rule(
        "R7",
        "R7:arrears",
        INTRODUCE,
        (AgencyKind.PENSION_INSURANCE,),
        gettext_lazy("Pension and national health insurance window"),
        gettext_lazy("A member has arrears of tax, insurance or utilities."),
        _linked(_arrears),
    ),
)


def evaluate(situation: Situation, rules: Sequence[Rule] = RULES) -> list[Suggestion]:
    """The suggestions for a case, in the table's order (urgent first)."""
    found = []
    for rule in rules:
        hit = rule.applies(situation)
        if hit is None:
            continue
        found.append(
            Suggestion(
                rule=rule.id,
                code=rule.code,
                action=rule.action,
                title=str(rule.title),
                reason=hit.reason,
                targets=rule.targets,
                for_names=hit.for_names,
                due=hit.due,
            )
        )
    return found


def rule_for(code: str) -> Rule | None:
    return next((r for r in RULES if r.code == code), None)


def introduction_target(rule: str, agency_kind: str | None) -> str:
    """What an introduction made from a suggestion introduces (rules R3a, R6, R7)."""
    from .models import IntroductionTarget

    if agency_kind in HIKIKOMORI_KINDS and rule != "R6":
        return IntroductionTarget.HIKIKOMORI_AGENCY
    if agency_kind == AgencyKind.SELF_RELIANCE:
        return IntroductionTarget.SELF_RELIANCE
    if rule == "R6":
        return IntroductionTarget.PLACE
    if rule == "R3a":
        return IntroductionTarget.HIKIKOMORI_AGENCY
    return IntroductionTarget.LINKED_SYSTEM
