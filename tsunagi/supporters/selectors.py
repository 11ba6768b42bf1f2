"""Reading the supporters' records: every list goes through `policy.scope`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from tsunagi.access.policy import DISPATCHERS, Kind, agencies_with, scope

from . import rules
from .models import (
    CourseKind,
    Dispatch,
    DispatchState,
    Enrolment,
    FoundCase,
    FoundCaseState,
    Incident,
    IncidentState,
    RosterEntry,
    Supporter,
    TrainingCourse,
)


class SupporterStatus:
    """Where a supporter stands, derived from their records (rules S1-S3)."""

    TRAINING = "training"  # enrolled, basic course not completed
    COMPLETED = "completed"  # completed, consent not signed
    REGISTERED = "registered"  # on the roster
    WITHDRAWN = "withdrawn"


def supporters(user: Any) -> QuerySet[Supporter]:
    """The supporters `user` may see, annotated with whether they completed the basic course."""
    completed = Enrolment.objects.filter(
        supporter=OuterRef("pk"), course__kind=CourseKind.BASIC, completed_on__isnull=False
    )
    return scope(user, Kind.SUPPORTER, Supporter.objects.all()).annotate(
        has_completed=Exists(completed)
    )


def status_q(status: str) -> Q:
    """A filter on `supporters()` for one status."""
    registered = Q(
        has_completed=True,
        consent_signed_on__isnull=False,
        consent_explained=True,
        withdrawn_on__isnull=True,
    )
    if status == SupporterStatus.WITHDRAWN:
        return Q(withdrawn_on__isnull=False)
    if status == SupporterStatus.REGISTERED:
        return registered
    if status == SupporterStatus.COMPLETED:
        return Q(has_completed=True, withdrawn_on__isnull=True) & ~registered
    if status == SupporterStatus.TRAINING:
        return Q(has_completed=False, withdrawn_on__isnull=True)
    raise ValueError(status)


def status_of(supporter: Supporter) -> str:
    from .services import completed_basic, is_registered

    if supporter.withdrawn_on is not None:
        return SupporterStatus.WITHDRAWN
    if is_registered(supporter):
        return SupporterStatus.REGISTERED
    return SupporterStatus.COMPLETED if completed_basic(supporter) else SupporterStatus.TRAINING


def courses(user: Any) -> QuerySet[TrainingCourse]:
    return scope(user, Kind.TRAINING, TrainingCourse.objects.select_related("organiser")).annotate(
        enrolled=Count("enrolments", distinct=True),
        completed=Count(
            "enrolments", filter=Q(enrolments__completed_on__isnull=False), distinct=True
        ),
    )


def training_history(supporter: Supporter) -> QuerySet[Enrolment]:
    return supporter.enrolments.select_related("course").order_by("-course__starts_on")


def roster(user: Any, agency_id: int) -> QuerySet[RosterEntry]:
    """Rule S3: the office's roster as the user may see it; withdrawn supporters are gone."""
    return scope(
        user, Kind.ROSTER, RosterEntry.objects.current().filter(agency_id=agency_id)
    ).select_related("supporter", "release")


def candidates(dispatch: Dispatch) -> list[rules.Candidate]:
    """Rule S3: the supporters that may be matched for this dispatch: on the office's roster,
    registered (S2) and confirmed again (S3), as facts for the ranking."""
    entries = (
        RosterEntry.objects.matchable()
        .filter(
            agency_id=dispatch.agency_id,
            supporter__consent_signed_on__isnull=False,
            supporter__consent_explained=True,
            supporter__enrolments__course__kind=CourseKind.BASIC,
            supporter__enrolments__completed_on__isnull=False,
        )
        .distinct()
        .select_related("supporter")
    )
    people = [e.supporter for e in entries]
    ids = [s.pk for s in people]
    areas: dict[int, set[int]] = {}
    for sid, mid in Supporter.areas.through.objects.filter(supporter_id__in=ids).values_list(
        "supporter_id", "municipality_id"
    ):
        areas.setdefault(sid, set()).add(mid)
    counts = {
        row["supporter_id"]: row
        for row in Dispatch.objects.filter(supporter_id__in=ids)
        .exclude(pk=dispatch.pk)
        .values("supporter_id")
        .annotate(
            past=Count("pk", filter=Q(state__in=(DispatchState.STOPPED, DispatchState.ENDED))),
            active=Count("pk", filter=Q(state=DispatchState.ACTIVE)),
            here=Count("pk", filter=Q(person_id=dispatch.person_id)),
        )
    }
    out = []
    for s in people:
        row = counts.get(s.pk, {})
        out.append(
            rules.Candidate(
                supporter_id=s.pk,
                name=s.name_kana or s.name,
                sex=s.sex,
                peer=s.peer,
                home_municipality_id=s.municipality_id,
                postal_code=s.postal_code,
                areas=frozenset(areas.get(s.pk, set())),
                slots=frozenset(s.availability or []),
                languages=frozenset(s.languages or []),
                visited_household_before=bool(row.get("here")),
                past_dispatches=int(row.get("past", 0)),
                active_dispatches=int(row.get("active", 0)),
            )
        )
    return out


def need_of(dispatch: Dispatch) -> rules.Need:
    person = dispatch.person
    return rules.Need(
        municipality_id=getattr(person, "municipality_id", None),
        postal_code=person.postal_code or "",
        wants_sex=dispatch.wants_sex,
        wants_peer=dispatch.wants_peer,
        slots=frozenset(dispatch.wanted_slots or []),
        languages=frozenset(dispatch.wanted_languages or []),
    )


@dataclass
class RankedSupporter:
    supporter: Supporter
    ranked: rules.Ranked


def ranked_candidates(dispatch: Dispatch) -> list[rules.Ranked]:
    """Rule S4: the matchable supporters, best first, each with the reasons of its place."""
    return rules.rank(need_of(dispatch), candidates(dispatch))


def ranked_supporters(dispatch: Dispatch) -> list[RankedSupporter]:
    ranked = ranked_candidates(dispatch)
    by_id = Supporter.objects.in_bulk([r.candidate.supporter_id for r in ranked])
    return [RankedSupporter(by_id[r.candidate.supporter_id], r) for r in ranked]


def dispatches(user: Any) -> QuerySet[Dispatch]:
    return scope(user, Kind.DISPATCH, Dispatch.objects.all()).select_related(
        "person", "supporter", "agency"
    )


def my_dispatches(user: Any) -> QuerySet[Dispatch]:
    """The supporter's view: their active dispatches only (rules S4/S5)."""
    return (
        scope(user, Kind.DISPATCH, Dispatch.objects.all())
        .filter(state=DispatchState.ACTIVE, supporter__user=user)
        .select_related("person")
        .order_by("-starts_on", "-pk")
    )


def incidents_waiting(user: Any) -> QuerySet[Incident]:
    """Rule S8: incidents of the user's offices not closed, the unseen first (home screen)."""
    offices = agencies_with(user, *DISPATCHERS)
    return (
        scope(user, Kind.INCIDENT, Incident.objects.filter(agency__in=offices))
        .exclude(state=IncidentState.CLOSED)
        .select_related("dispatch", "dispatch__person")
        .order_by(F_unseen_first(), "-reported_at")
    )


def F_unseen_first() -> Any:
    from django.db.models import F

    return F("acknowledged_at").asc(nulls_first=True)


def found_cases_waiting(user: Any) -> QuerySet[FoundCase]:
    offices = agencies_with(user, *DISPATCHERS)
    return scope(
        user,
        Kind.FOUND_CASE,
        FoundCase.objects.filter(agency__in=offices, state=FoundCaseState.NEW),
    ).order_by("-urgent", "-reported_at")


def to_confirm(user: Any) -> QuerySet[RosterEntry]:
    """Rule S3: roster entries the user's office has not confirmed yet."""
    offices = agencies_with(user, *DISPATCHERS)
    return (
        scope(user, Kind.ROSTER, RosterEntry.objects.current().filter(agency__in=offices))
        .filter(confirmed_on__isnull=True)
        .select_related("supporter")
    )
