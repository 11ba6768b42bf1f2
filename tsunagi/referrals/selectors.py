"""Reads of referrals, filtered by the access module."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access.policy import CASEWORKERS, Kind, agencies_with, scope
from tsunagi.agencies import selectors as agency_selectors
from tsunagi.agencies.calendar import subtract_business_days
from tsunagi.agencies.models import AgeBand, Agency, AgencyKind
from tsunagi.agencies.rules import ADULT_AGE
from tsunagi.jurisdictions.models import Municipality
from tsunagi.people.models import Case
from tsunagi.web.templatetags.wareki import wareki

from . import rules, suggestions
from .models import Dismissal, Introduction, Referral, ReminderSettings, State


def _base(user: Any) -> QuerySet[Referral]:
    return scope(user, Kind.REFERRAL, Referral.objects.all()).select_related(
        "agency", "to_agency", "person", "case", "consent", "grant", "received_case"
    )


def referrals_of_case(user: Any, case: Any) -> QuerySet[Referral]:
    return _base(user).filter(case=case).order_by("-created_at", "-id")


def sent_by(user: Any, state: str = "") -> QuerySet[Referral]:
    """The referrals the user's agencies made, newest first."""
    qs = _base(user).filter(agency__in=agencies_with(user, *CASEWORKERS))
    return (qs.filter(state=state) if state else qs).order_by("-created_at", "-id")


def received_by(user: Any, state: str = "") -> QuerySet[Referral]:
    """The referrals sent to the user's agencies (never drafts), newest first."""
    qs = _base(user).filter(to_agency__in=agencies_with(user, *CASEWORKERS), sent_at__isnull=False)
    return (qs.filter(state=state) if state else qs).order_by("-sent_at", "-id")


def awaiting_answer(user: Any) -> QuerySet[Referral]:
    return received_by(user).filter(state__in=[State.SENT, State.RECEIVED])


# --- suggestions (rules R2–R8, J2–J5) resolved to agencies -----------------------------------


def has_plan(case: Any) -> bool:
    """Whether the case has plan-based continuing support (rules R3a/R3b): a support plan in
    force (not replaced, not yet evaluated)."""
    from tsunagi.plans.selectors import current_plan_q

    return bool(case.plans.filter(current_plan_q()).exists())


@dataclass
class Resolved:
    """An agency a suggestion points at, with why it is the one (J2, J3, J4, registry area)."""

    agency: Agency
    reason: str


@dataclass
class CaseSuggestion:
    """One suggestion on a case: the rule's finding, the agencies resolved, and what was done."""

    suggestion: suggestions.Suggestion
    agencies: list[Resolved] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # targets with no registered agency
    # rule R6: places of the directory that fit the person, each with its reasons
    places: list[Any] = field(default_factory=list)
    taken: list[str] = field(default_factory=list)  # referrals and introductions already made
    dismissal: Dismissal | None = None

    @property
    def rule(self) -> str:
        return self.suggestion.rule

    @property
    def code(self) -> str:
        return self.suggestion.code


@dataclass
class SuggestionPanel:
    active: list[CaseSuggestion]
    dismissed: list[CaseSuggestion]


def situation_of(user: Any, case: Case, today: date | None = None) -> suggestions.Situation:
    """What the rules look at for a case, read as the user may see it."""
    from tsunagi.people import selectors as people

    today = today or timezone.localdate()
    person = case.person
    household = people.household_of(user, person)
    others: list[suggestions.Member] = []
    if household is not None:
        view = people.household_view(user, household)
        indicators = view.indicators
        latest = view.latest.get(person.pk)
        others = [
            suggestions.Member(m.person.full_name, m.person.age(today), view.latest[m.person_id])
            for m in view.members
            if m.person_id != person.pk
        ]
    else:
        indicators = people.person_indicators(user, person)
        latest = people.latest_for_person(user, person)
    return suggestions.Situation(
        today=today,
        agency_kind=case.agency.kind,
        agency_age_band=case.agency.age_band,
        person=suggestions.Member(person.full_name, person.age(today), latest),
        birth_date=person.birth_date,
        others=others,
        household=indicators,
        problems=list(case.problems or []),
        open_flags=list(case.flags.filter(resolved_at__isnull=True).values_list("kind", flat=True)),
        has_plan=has_plan(case),
    )


# Kinds of agency that keep places to take part and work (rule R6), until the directory of
# places (居場所・就労体験) answers it.
PLACE_KINDS = (
    AgencyKind.HIKIKOMORI_STATION,
    AgencyKind.HIKIKOMORI_PROGRAMME,
    AgencyKind.YOUTH_SUPPORT_STATION,
    AgencyKind.AGRICULTURE_WORK,
)
LINKED_PER_TARGET = 3


def resolve_target(
    target: str, municipality: Municipality | None, age: int | None, own: Agency
) -> tuple[list[Resolved], str]:
    """The agencies a suggestion's target means for a person of this address and age, or the
    reason none is found. Never the user's own agency."""
    if municipality is None:
        return [], _("No municipality on the address: record it to find the responsible agency.")
    found: list[Resolved] = []
    if target == suggestions.SELF_RELIANCE:
        resolution = agency_selectors.responsible_self_reliance_agency(municipality)
        if resolution.agency is None:
            return [], resolution.reason
        found = [Resolved(resolution.agency, resolution.reason)]
    elif target == suggestions.HIKIKOMORI:
        if own.kind == AgencyKind.SELF_RELIANCE:
            found += [
                Resolved(a, _("J3: paired with this agency by the prefecture."))
                for a in agency_selectors.paired_with(own, age)
            ]
        found += [
            Resolved(r.agency, r.reason)
            for r in agency_selectors.responsible_hikikomori_agencies(municipality, age)
            if r.agency is not None
        ]
    elif target == suggestions.ADULT_CENTER:
        found = [
            Resolved(r.agency, _("J5: the adult center serving this area."))
            for r in agency_selectors.responsible_hikikomori_agencies(municipality, ADULT_AGE)
            if r.agency is not None
            and r.agency.kind == AgencyKind.HIKIKOMORI_CENTER
            and r.agency.age_band != AgeBand.CHILD
        ]
    elif target == suggestions.PLACES:
        found = _covering(PLACE_KINDS, municipality)
    else:
        found = _covering((target,), municipality)
    seen: set[int] = set()
    result = []
    for r in found:
        if r.agency.pk != own.pk and r.agency.pk not in seen:
            seen.add(r.agency.pk)
            result.append(r)
    if not result:
        return [], _("No %(kind)s is registered for %(place)s.") % {
            "kind": target_label(target),
            "place": municipality.name,
        }
    return result, ""


def target_label(target: str) -> str:
    labels = {
        suggestions.SELF_RELIANCE: AgencyKind.SELF_RELIANCE.label,
        suggestions.HIKIKOMORI: _("hikikomori support agency"),
        suggestions.ADULT_CENTER: _("adult hikikomori center"),
        suggestions.PLACES: _("place to take part or work"),
    }
    if target in labels:
        return str(labels[target])
    return str(AgencyKind(target).label)


def _covering(kinds: Iterable[str], municipality: Municipality) -> list[Resolved]:
    """Agencies of these kinds whose area includes the municipality; else those located in it;
    else the prefecture's own (a prefecture-wide office such as the mental health center)."""
    base = Agency.objects.filter(kind__in=list(kinds), is_active=True).order_by("kind", "pk")
    serving = list(base.filter(area=municipality)[:LINKED_PER_TARGET])
    if serving:
        return [Resolved(a, _("Serves %(place)s.") % {"place": municipality.name}) for a in serving]
    located = list(base.filter(municipality=municipality)[:LINKED_PER_TARGET])
    if located:
        return [
            Resolved(a, _("Located in %(place)s.") % {"place": municipality.name}) for a in located
        ]
    wide = list(
        base.filter(
            prefecture_id=municipality.prefecture_id,
            operator_municipality__isnull=True,
            area__isnull=True,
        )[:LINKED_PER_TARGET]
    )
    return [Resolved(a, _("Serves the whole prefecture.")) for a in wide]


PLACES_SHOWN = 3


def places_for(user: Any, case: Case, today: date | None = None) -> list[Any]:
    """Rule R6: the directory's places that fit the person best (assessment and wishes), with
    their reasons."""
    from tsunagi.directory.selectors import places_for_case

    return places_for_case(user, case, today=today)[:PLACES_SHOWN]


def suggestions_for(user: Any, case: Case, today: date | None = None) -> SuggestionPanel:
    """The suggestions of the rules for a case the user may see, each resolved to agencies, with
    the referrals and introductions already made for it and the dismissals in force."""
    situation = situation_of(user, case, today)
    person = case.person
    found = suggestions.evaluate(situation)
    dismissals = {
        d.code: d
        for d in Dismissal.objects.filter(case=case, restored_at__isnull=True)
        .select_related("dismissed_by")
        .order_by("dismissed_at")
    }
    referred = {
        r.to_agency_id: r for r in Referral.objects.filter(case=case).exclude(state=State.CANCELLED)
    }
    introduced = {i.to_agency_id: i for i in Introduction.objects.filter(case=case)}
    by_rule = {r.rule for r in referred.values()} | {i.rule for i in introduced.values()}
    active: list[CaseSuggestion] = []
    dismissed: list[CaseSuggestion] = []
    resolved: dict[str, tuple[list[Resolved], str]] = {}
    for s in found:
        item = CaseSuggestion(s, dismissal=dismissals.get(s.code))
        for target in s.targets:
            if target == suggestions.PLACES:
                item.places = places_for(user, case, today)
                if item.places:
                    continue  # the directory answers; agencies keeping places are the fallback
            if target not in resolved:  # several rules point at one target (R2, R8)
                resolved[target] = resolve_target(
                    target, person.municipality, situation.person.age, case.agency
                )
            agencies, why = resolved[target]
            item.agencies += agencies
            if why:
                item.unresolved.append(why)
        for r in item.agencies:
            if r.agency.pk in referred:
                item.taken.append(
                    _("Referral to %(agency)s: %(state)s")
                    % {"agency": r.agency.name, "state": referred[r.agency.pk].get_state_display()}
                )
            if r.agency.pk in introduced:
                item.taken.append(
                    _("Introduced %(agency)s on %(day)s")
                    % {"agency": r.agency.name, "day": wareki(introduced[r.agency.pk].given_on)}
                )
        if not item.taken and s.rule in by_rule and s.rule in ("R3a", "R6"):
            item.taken.append(_("An introduction under this rule is recorded."))
        (dismissed if item.dismissal else active).append(item)
    return SuggestionPanel(active, dismissed)


# --- reminders and hand-overs (dashboards of both sides) --------------------------------------


@dataclass
class Waiting:
    """A referral on a dashboard: its reminder or its hand-over gap, and which side the user is."""

    referral: Referral
    side: str  # rules.SENDER or rules.RECEIVER
    reminder: rules.Reminder | None = None
    gap: rules.Gap | None = None


def _start_of(day: date) -> Any:
    """The first moment of `day` in the installation's time zone (for datetime comparisons)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def overdue_q(limits: Mapping[str, int], today: date) -> Q:
    """Referrals whose wait has reached the limits (rules.WAITS), as one indexed filter."""
    q = Q(pk__in=[])
    for state, (field_name, key, _code) in rules.WAITS.items():
        cutoff = subtract_business_days(today, int(limits[key]))
        q |= Q(state=state, **{f"{field_name}__lt": _start_of(cutoff + timedelta(days=1))})
    return q


def reminders(user: Any, today: date | None = None, limit: int = 50) -> list[Waiting]:
    """The referrals waiting too long for the user's agencies, sent and received: each agency
    counts on its own reminder settings, in business days."""
    today = today or timezone.localdate()
    found: list[Waiting] = []
    for agency_id in sorted(agencies_with(user, *CASEWORKERS)):
        limits = limits_of(agency_id)
        q = overdue_q(limits, today)
        sent = _base(user).filter(q, agency_id=agency_id).order_by("sent_at", "id")[:limit]
        received = (
            _base(user)
            .filter(q, to_agency_id=agency_id, sent_at__isnull=False)
            .order_by("sent_at", "id")[:limit]
        )
        for side, rows in ((rules.SENDER, sent), (rules.RECEIVER, received)):
            for r in rows:
                found.append(Waiting(r, side, reminder=rules.reminder(r, today, limits)))
    return [w for w in found if w.reminder is not None][:limit]


def handovers_waiting(user: Any, today: date | None = None, limit: int = 50) -> list[Waiting]:
    """Rule R5: open hand-overs whose first contact is still awaited longer than the agency
    allows after the end of the referring agency's support."""
    today = today or timezone.localdate()
    found: list[Waiting] = []
    open_states = [State.SENT, State.RECEIVED, State.ACCEPTED]
    for agency_id in sorted(agencies_with(user, *CASEWORKERS)):
        days = limits_of(agency_id)["handover_days"]
        cutoff = today - timedelta(days=days + 1)
        ended = Q(support_ends_on__lte=cutoff) | Q(
            support_ends_on__isnull=True, case__closed_on__lte=cutoff
        )
        rows = (
            _base(user)
            .filter(ended, state__in=open_states)
            .filter(Q(agency_id=agency_id) | Q(to_agency_id=agency_id))
            .order_by("support_ends_on", "id")[:limit]
        )
        for r in rows:
            side = rules.SENDER if r.agency_id == agency_id else rules.RECEIVER
            g = rules.gap(r, today)
            if rules.waits_too_long(g, days):
                found.append(Waiting(r, side, gap=g))
    return found[:limit]


def limits_of(agency_id: int) -> dict[str, int]:
    """The agency's reminder limits, the defaults where it set none."""
    keys = tuple(ReminderSettings.DEFAULTS)
    row = ReminderSettings.objects.filter(agency_id=agency_id).values(*keys).first()
    return dict(row) if row else dict(ReminderSettings.DEFAULTS)


def without_accounts(agencies: QuerySet[Agency]) -> set[int]:
    """The agencies nobody works for in tsunagi: a referral to them goes by a printed referral
    letter (紹介状) and the referring agency records their answers."""
    from tsunagi.accounts.models import Membership

    with_accounts = Membership.objects.filter(is_active=True, agency__in=agencies).values("agency")
    return set(agencies.exclude(pk__in=with_accounts).values_list("pk", flat=True))
