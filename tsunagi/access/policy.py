"""The one place that answers "may this user do this to this record?" (access.md).

Every view and API endpoint asks `can()`/`require()` for a single record and `scope()` for a
list. Nothing else in tsunagi decides a permission. Record kinds grow with each capability;
the table-driven test in `tests/test_access_matrix.py` checks every role against every kind.

A lookup that is refused answers "not found", exactly as a lookup of a record that does not
exist, so an outsider cannot probe which records exist (style.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Q
from django.http import Http404

from tsunagi.accounts.models import Membership, Role

if TYPE_CHECKING:
    from tsunagi.accounts.models import User


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"


class Kind(StrEnum):
    """Every kind of record the access module knows. `personal` kinds are never the operator's."""

    PREFECTURE = "prefecture"
    MUNICIPALITY = "municipality"
    AGENCY = "agency"
    STAFF = "staff"
    PAIRING = "pairing"
    NETWORK = "network"
    USER = "user"
    MEMBERSHIP = "membership"
    AUDIT_EVENT = "audit_event"
    # personal records (people app): owned by the agency that created them
    PERSON = "person"
    HOUSEHOLD = "household"
    CASE = "case"
    CONTACT = "contact"
    ASSESSMENT = "assessment"
    FLAG = "flag"
    # referral work kept by the agency alone: introductions (rule R3a, no data passes) and
    # suggestions set aside with a reason
    INTRODUCTION = "introduction"
    DISMISSAL = "dismissal"
    # the support plan (its goals and items go with it) and its evaluation
    PLAN = "plan"
    EVALUATION = "evaluation"
    # consent and sharing: consents, the P2 explanation, grants, referrals, support meetings
    CONSENT = "consent"
    EXPLANATION = "explanation"
    GRANT = "grant"
    REFERRAL = "referral"
    MEETING = "meeting"
    # supporters (rules S1-S8): the prefecture's training courses, the volunteers on its roster
    # (their own personal data), the roster given to a municipality; the municipality's
    # dispatches (with their guidance), visit reports, incidents and found-case reports
    TRAINING = "training"
    SUPPORTER = "supporter"
    ROSTER = "roster"
    DISPATCH = "dispatch"
    VISIT_REPORT = "visit_report"
    INCIDENT = "incident"
    FOUND_CASE = "found_case"
    # the directory of windows, places and linked agencies (public data; M1, M6, R6, R7)
    DIRECTORY_ENTRY = "directory_entry"
    # oversight (M2-M5): a municipality's lead department, needs surveys and platform; and the
    # aggregate statistics of an agency or an area
    MUNICIPAL_STRUCTURE = "municipal_structure"
    STATISTICS = "statistics"


# Kinds that hold personal data: every read and change is logged, the operator never sees them.
# (The supporters' records below hold personal data too but follow their own rules.)
PERSONAL_KINDS = frozenset(
    {
        Kind.PERSON,
        Kind.HOUSEHOLD,
        Kind.CASE,
        Kind.CONTACT,
        Kind.ASSESSMENT,
        Kind.FLAG,
        Kind.INTRODUCTION,
        Kind.DISMISSAL,
        Kind.PLAN,
        Kind.EVALUATION,
    }
)
# Records of the sharing itself, each about one person (or, for a meeting, several).
SHARING_KINDS = frozenset({Kind.CONSENT, Kind.EXPLANATION, Kind.GRANT, Kind.REFERRAL, Kind.MEETING})
# The supporters' world (rules S1-S8): the volunteers' own data (themselves, their place on a
# municipality's roster) and the dispatch work about a visited person. All logged, never the
# operator's; a supporter sees only their own record and their active dispatches.
SUPPORTER_KINDS = frozenset({Kind.SUPPORTER, Kind.ROSTER})
DISPATCH_KINDS = frozenset({Kind.DISPATCH, Kind.VISIT_REPORT, Kind.INCIDENT, Kind.FOUND_CASE})
# Every kind whose reads and changes the access log must hold (access.md "What is logged").
LOGGED_KINDS = PERSONAL_KINDS | SHARING_KINDS | SUPPORTER_KINDS | DISPATCH_KINDS
# Records that hang on a case and are seen exactly when the case is.
CASE_PARTS = frozenset(
    {
        Kind.CONTACT,
        Kind.ASSESSMENT,
        Kind.FLAG,
        Kind.INTRODUCTION,
        Kind.DISMISSAL,
        Kind.PLAN,
        Kind.EVALUATION,
    }
)
# Roles that work on an agency's cases (access.md: staff, and the manager "as staff, plus").
# The municipality's dispatch coordinator works on the cases of their own office: the households
# supporters are dispatched to, and the hidden cases supporters find (rule S7: the municipality
# opens the intake, and connects a household in need to the self-reliance agency with consent).
CASEWORKERS = (Role.STAFF, Role.MANAGER, Role.DISPATCH_COORDINATOR)


# Roles that work inside an agency's registry (everyone but the supporter, whose world is their
# own active dispatches only).
REGISTRY_READERS = frozenset(Role) - {Role.SUPPORTER}
# What an agency manager may hand out inside their own agency.
MANAGER_ASSIGNABLE_ROLES = frozenset({Role.STAFF, Role.MANAGER})


@dataclass(frozen=True)
class Position:
    """One of the user's memberships, reduced to what decisions need."""

    role: Role
    agency_id: int | None
    prefecture_id: int | None
    municipality_id: int | None


def positions(user: User | Any) -> list[Position]:
    """The user's active memberships, read once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    cached = getattr(user, "_tsunagi_positions", None)
    if cached is None:
        cached = [
            Position(
                role=Role(m.role),
                agency_id=m.agency_id,
                prefecture_id=m.agency.prefecture_id if m.agency else None,
                municipality_id=m.agency.operator_municipality_id if m.agency else None,
            )
            for m in Membership.objects.filter(user=user, is_active=True).select_related("agency")
        ]
        user._tsunagi_positions = cached  # type: ignore[union-attr]
    return cached


def forget(user: Any) -> None:
    """Drop the cached memberships (after a role change in the same request)."""
    if hasattr(user, "_tsunagi_positions"):
        del user._tsunagi_positions


def roles(user: Any) -> set[Role]:
    return {p.role for p in positions(user)}


def has_role(user: Any, *wanted: Role) -> bool:
    return bool(roles(user) & set(wanted))


def is_operator(user: Any) -> bool:
    return has_role(user, Role.OPERATOR)


def agencies_with(user: Any, *wanted: Role) -> set[int]:
    return {p.agency_id for p in positions(user) if p.role in wanted and p.agency_id is not None}


def prefectures_with(user: Any, *wanted: Role) -> set[int]:
    return {
        p.prefecture_id for p in positions(user) if p.role in wanted and p.prefecture_id is not None
    }


def home_prefecture_ids(user: Any) -> set[int]:
    """Prefectures of every agency or office the user belongs to (for default list filters)."""
    return {p.prefecture_id for p in positions(user) if p.prefecture_id is not None}


# --- decisions per kind -------------------------------------------------------------------


def _jurisdiction(user: Any, action: Action, obj: Any) -> bool:
    if action == Action.VIEW:
        return bool(positions(user))
    if is_operator(user):
        return True
    if obj is None or action == Action.CREATE:
        return False
    # A prefectural officer edits the welfare-office flag and population of their municipalities.
    prefecture_id = getattr(obj, "prefecture_id", None)
    return prefecture_id in prefectures_with(user, Role.PREFECTURAL_OFFICER)


def _agency(user: Any, action: Action, obj: Any) -> bool:
    if action == Action.VIEW:
        return bool(roles(user) & REGISTRY_READERS)
    if is_operator(user):
        return True
    officer_prefs = prefectures_with(user, Role.PREFECTURAL_OFFICER)
    if action == Action.CREATE:
        return bool(officer_prefs) if obj is None else obj.prefecture_id in officer_prefs
    if obj is None:
        return False
    return obj.prefecture_id in officer_prefs or obj.pk in agencies_with(user, Role.MANAGER)


def _agency_part(user: Any, action: Action, agency: Any) -> bool:
    """Staff lists and networks belong to an agency: its members read them, its manager edits."""
    if is_operator(user):
        return True
    if agency is None:
        return action == Action.VIEW and bool(roles(user) & REGISTRY_READERS)
    if agency.prefecture_id in prefectures_with(user, Role.PREFECTURAL_OFFICER):
        return True
    if action == Action.VIEW:
        members = agencies_with(user, *(REGISTRY_READERS - {Role.OPERATOR}))
        return agency.pk in members
    return agency.pk in agencies_with(user, Role.MANAGER)


def _pairing(user: Any, action: Action, obj: Any) -> bool:
    # rule J3: the prefecture maintains the pairing.
    if action == Action.VIEW:
        return bool(roles(user) & REGISTRY_READERS)
    if is_operator(user):
        return True
    prefs = prefectures_with(user, Role.PREFECTURAL_OFFICER)
    return bool(prefs) if obj is None else obj.prefecture_id in prefs


def _network(user: Any, action: Action, obj: Any) -> bool:
    if action == Action.VIEW:
        return bool(roles(user) & REGISTRY_READERS)
    return _agency_part(user, action, obj.convenor if obj is not None else None) and (
        obj is not None or is_operator(user) or bool(agencies_with(user, Role.MANAGER))
    )


def _user(user: Any, action: Action, obj: Any) -> bool:
    if is_operator(user):
        return True
    if obj is not None and obj.pk == user.pk:
        return action == Action.VIEW
    managed = agencies_with(user, Role.MANAGER)
    if not managed:
        return False
    if action == Action.CREATE:
        return True
    if obj is None:
        return action == Action.VIEW
    their_agencies = {
        m.agency_id for m in obj.memberships.all() if m.is_active and m.agency_id is not None
    }
    if action == Action.VIEW:
        return bool(their_agencies & managed)
    # A manager changes only users who work nowhere but in agencies they manage.
    return bool(their_agencies) and their_agencies <= managed


def _membership(user: Any, action: Action, obj: Any) -> bool:
    if is_operator(user):
        return True
    managed = agencies_with(user, Role.MANAGER)
    if obj is None:
        return bool(managed)
    if action == Action.VIEW:
        return obj.user_id == user.pk or obj.agency_id in managed
    return obj.agency_id in managed and obj.role in MANAGER_ASSIGNABLE_ROLES


def _audit_event(user: Any, action: Action, obj: Any) -> bool:
    if action != Action.VIEW:
        return False  # append-only: nobody changes the log
    if obj is None:
        return bool(roles(user) & {Role.OPERATOR, Role.MANAGER, Role.AUDITOR})
    bodies = agencies_with(user, Role.MANAGER, Role.AUDITOR)
    if obj.agency_id in bodies or getattr(obj, "actor_agency_id", None) in bodies:
        return True
    # The operator sees the installation's events (logins, accounts, registry changes), never an
    # event about a personal record.
    return is_operator(user) and not obj.personal


# --- personal records (access.md "Ownership") -------------------------------------------------


def _case_visible(user: Any, case: Any) -> bool:
    """Own agency's staff see its cases; a restricted case only its assigned staff and managers."""
    if case.agency_id not in agencies_with(user, *CASEWORKERS):
        return False
    if not case.is_restricted or case.agency_id in agencies_with(user, Role.MANAGER):
        return True
    return case.assigned_staff.filter(pk=user.pk).exists()


def _personal(user: Any, action: Action, obj: Any, kind: Kind) -> bool:
    workplaces = agencies_with(user, *CASEWORKERS)
    if obj is None:
        return bool(workplaces)
    if obj.agency_id not in workplaces:
        return False
    if action == Action.CREATE or obj.pk is None:
        # A new record on a restricted case, or a new case about its person, needs sight of
        # that case: an unassigned colleague cannot add to (or learn of) a sensitive case.
        if kind in CASE_PARTS and getattr(obj, "case_id", None) is not None:
            return _case_visible(user, obj.case)
        if kind == Kind.CASE and getattr(obj, "person_id", None) is not None:
            return _person_visible(user, obj.person)
        return True
    if kind == Kind.CASE:
        return _case_visible(user, obj)
    if kind in CASE_PARTS:
        return _case_visible(user, obj.case)
    if kind == Kind.PERSON:
        return _person_visible(user, obj)
    return True  # a household: its restricted members are filtered out where it is shown


def _person_visible(user: Any, person: Any) -> bool:
    # A person with a restricted case is hidden from the agency's other staff too (a DV
    # victim's address).
    return all(_case_visible(user, c) for c in person.cases.filter(is_restricted=True))


def may_restrict(user: Any, case: Any) -> bool:
    """Sensitive-case settings (restriction, assigned staff) belong to the agency's manager."""
    return case.agency_id in agencies_with(user, Role.MANAGER)


OWN_AGENCY = "own_agency"


@dataclass(frozen=True)
class Sight:
    """How a user sees one person's record: the ground, the kinds of information, and the
    agency the user acts for. Own-agency sight has every kind; a grant only those it names."""

    ground: str
    kinds: frozenset[str]
    agency_id: int | None
    grants: tuple[Any, ...] = ()

    @property
    def is_own(self) -> bool:
        return self.ground == OWN_AGENCY

    def permits(self, info_kind: str) -> bool:
        return info_kind in self.kinds


def _owner_id(kind: Kind, obj: Any) -> int | None:
    return getattr(obj, "agency_id", None)


def _person_of(kind: Kind, obj: Any) -> Any:
    if kind == Kind.PERSON:
        return obj
    if kind == Kind.CASE or kind in CASE_PARTS:
        case = obj if kind == Kind.CASE else obj.case
        return case.person
    return getattr(obj, "person", None)


def _case_id_of(kind: Kind, obj: Any) -> int | None:
    if kind == Kind.CASE:
        return int(obj.pk)
    if kind in CASE_PARTS:
        return int(obj.case_id)
    return None


def active_grants(user: Any, person_id: int, at: Any = None) -> list[Any]:
    """Grants in force that let `user` (through their agency, or as the dispatched supporter)
    see the person; newest first."""
    from tsunagi.access.models import Grant

    receivers = agencies_with(user, *CASEWORKERS)
    q = Q(receiving_agency__in=receivers)
    if has_role(user, Role.SUPPORTER):
        q |= Q(receiving_user=user)
    return list(
        Grant.objects.active(at)
        .filter(q, person_id=person_id)
        .select_related("consent")
        .order_by("-starts_at", "-id")
    )


def sight(user: Any, kind: Kind, obj: Any) -> Sight | None:
    """The ground on which `user` may view the personal record `obj`, or None.

    The owning agency's staff see everything they may see under `can`; anyone else only what
    an active grant for this person (and, for a case-bound grant, this case) names, and only
    when at least one field of the record is of a named kind (`kinds.record_shareable`)."""
    from tsunagi.access.kinds import ALL_KINDS, record_shareable

    if kind not in PERSONAL_KINDS:
        raise ValueError(kind)
    if can(user, Action.VIEW, kind, obj):
        return Sight(OWN_AGENCY, frozenset(ALL_KINDS), _owner_id(kind, obj))
    if kind == Kind.HOUSEHOLD:
        return None  # a household is seen through its member's grant, never as a whole
    person = _person_of(kind, obj)
    case_id = _case_id_of(kind, obj)
    grants = [
        g
        for g in active_grants(user, person.pk)
        if g.agency_id == person.agency_id
        and (g.case_id is None or case_id is None or g.case_id == case_id)
    ]
    if not grants:
        return None
    kinds = frozenset(k for g in grants for k in g.kinds)
    if not record_shareable(obj._meta.label_lower, kinds):
        return None
    receiver = grants[0].receiving_agency_id
    return Sight(grants[0].code, kinds, receiver, tuple(grants))


def require_sight(user: Any, kind: Kind, obj: Any) -> Sight:
    """`sight`, or 404 (the same answer as for a record that does not exist)."""
    seen = sight(user, kind, obj)
    if seen is None:
        raise Http404
    return seen


def grant(user: Any, kind: Kind, obj: Any) -> str:
    """The ground on which `user` sees a personal record, as the access log writes it."""
    if kind in PERSONAL_KINDS:
        seen = sight(user, kind, obj)
        if seen is not None:
            return seen.ground
    return OWN_AGENCY


@dataclass(frozen=True)
class Standing:
    """Which side of a sharing record (consent, grant, referral) a user reads it from: the
    owning agency's, or the receiver's through one grant. The access log writes `ground` and
    `agency_id` (the agency the user acts for)."""

    owner: bool
    ground: str
    agency_id: int | None
    grant: Any = None


def standing(user: Any, kind: Kind, obj: Any) -> Standing | None:
    """The user's side of a consent, grant or referral they may view; None if neither side.

    The owner's side is the owning agency's staff who see the person (for a referral: its case);
    the receiver's side rests on the grant the record concerns, in force or not, so a receiver
    still sees a withdrawal, logged on that grant."""
    if kind == Kind.REFERRAL:
        side = referral_side(user, obj)
        if side == "sender":
            return Standing(True, OWN_AGENCY, obj.agency_id)
        held = obj.grant if side == "receiver" else None
    else:
        if obj.agency_id in agencies_with(user, *CASEWORKERS) and _sees_person(user, obj.person):
            return Standing(True, OWN_AGENCY, obj.agency_id)
        if kind == Kind.GRANT:
            held = obj if _grant(user, Action.VIEW, obj) else None
        elif kind == Kind.CONSENT:
            from tsunagi.access.models import Grant

            held = (
                Grant.objects.filter(
                    consent=obj, receiving_agency__in=agencies_with(user, *CASEWORKERS)
                )
                .order_by("-starts_at", "-id")
                .first()
            )
        else:
            raise ValueError(kind)
    if held is None:
        return None
    return Standing(False, held.code, held.receiving_agency_id, held)


def _sees_person(user: Any, person: Any) -> bool:
    return person is not None and can(user, Action.VIEW, Kind.PERSON, person)


def _consent(user: Any, action: Action, obj: Any) -> bool:
    """Consents and P2 explanations belong to the owning agency; a receiving agency reads the
    consents its grants rest on, so it sees a withdrawal and its date (rule P4)."""
    if obj is None:
        return bool(agencies_with(user, *CASEWORKERS))
    if obj.person_id is not None and _sees_person(user, obj.person):
        return True
    if action != Action.VIEW or obj.pk is None:
        return False
    from tsunagi.access.models import Grant

    if not hasattr(obj, "grants"):
        return False
    return Grant.objects.filter(
        consent=obj, receiving_agency__in=agencies_with(user, *CASEWORKERS)
    ).exists()


def _grant(user: Any, action: Action, obj: Any) -> bool:
    """The owning agency's staff make and end grants; the receiver reads the ones it holds."""
    if obj is None:
        # A supporter reads the grants of their own dispatches (rules S4/S5), so lists too.
        supporter_reads = action == Action.VIEW and has_role(user, Role.SUPPORTER)
        return bool(agencies_with(user, *CASEWORKERS)) or supporter_reads
    if obj.person_id is not None and _sees_person(user, obj.person):
        return True
    if action != Action.VIEW or obj.pk is None:
        return False
    if obj.receiving_user_id is not None and obj.receiving_user_id == user.pk:
        return True
    return obj.receiving_agency_id in agencies_with(user, *CASEWORKERS)


def may_acknowledge(user: Any, grant_obj: Any) -> bool:
    """Rule P5: the owning agency's manager is the one told of sharing without consent."""
    return grant_obj.agency_id in agencies_with(user, Role.MANAGER)


def referral_side(user: Any, referral: Any) -> str | None:
    """ "sender" for the referring agency's staff who see the case, "receiver" for the receiving
    agency's staff once the referral has been sent, else None."""
    if referral.case_id is not None and _case_visible(user, referral.case):
        return "sender"
    if referral.sent_at is not None and referral.to_agency_id in agencies_with(user, *CASEWORKERS):
        return "receiver"
    return None


def _referral(user: Any, action: Action, obj: Any) -> bool:
    if obj is None:
        return bool(agencies_with(user, *CASEWORKERS))
    if action == Action.CREATE or obj.pk is None:
        return obj.agency_id in agencies_with(user, *CASEWORKERS) and _case_visible(user, obj.case)
    return referral_side(user, obj) is not None


def _meeting(user: Any, action: Action, obj: Any) -> bool:
    """The convening agency's staff run a meeting; members' staff see it and its agenda."""
    workplaces = agencies_with(user, *CASEWORKERS)
    if obj is None:
        return bool(workplaces)
    if obj.agency_id in workplaces:
        return True
    if action != Action.VIEW or obj.pk is None:
        return False
    return obj.members.filter(pk__in=workplaces).exists()


# --- supporters (rules S1-S8) ------------------------------------------------------------------

# Who runs a municipality's dispatch programme: its dispatch coordinators, and the office's
# manager.
DISPATCHERS = (Role.DISPATCH_COORDINATOR, Role.MANAGER)


def _training(user: Any, action: Action, obj: Any) -> bool:
    """Rule S1: the prefecture (or a designated city, or the municipality where the prefecture
    trains no one) runs the courses; coordinators read them to arrange follow-up training."""
    officers = (Role.PREFECTURAL_OFFICER, Role.MUNICIPAL_OFFICER)
    if action == Action.VIEW:
        return has_role(user, *officers, Role.DISPATCH_COORDINATOR, Role.OPERATOR)
    if obj is None:
        return has_role(user, *officers)
    return obj.prefecture_id in prefectures_with(
        user, Role.PREFECTURAL_OFFICER
    ) or obj.organiser_id in agencies_with(user, *officers)


def _on_roster_of(user: Any, supporter: Any) -> bool:
    from tsunagi.supporters.models import RosterEntry

    dispatchers = agencies_with(user, Role.DISPATCH_COORDINATOR)
    return (
        bool(dispatchers)
        and supporter.withdrawn_on is None
        and RosterEntry.objects.filter(supporter=supporter, agency__in=dispatchers).exists()
    )


def _supporter(user: Any, action: Action, obj: Any) -> bool:
    """Rules S2/S3: the training prefecture keeps its supporters' records; a municipality that
    was given the roster reads those on it (a withdrawn supporter leaves every roster at once);
    a supporter reads and updates their own record (availability, preferences)."""
    trainers = prefectures_with(user, Role.PREFECTURAL_OFFICER)
    if obj is None:
        if action == Action.VIEW:
            return bool(trainers) or has_role(user, Role.DISPATCH_COORDINATOR, Role.SUPPORTER)
        return bool(trainers)
    if obj.prefecture_id in trainers:
        return True
    if action == Action.CREATE or obj.pk is None:
        return False
    if obj.user_id is not None and obj.user_id == user.pk and has_role(user, Role.SUPPORTER):
        return action in (Action.VIEW, Action.CHANGE)
    return action == Action.VIEW and _on_roster_of(user, obj)


def _roster(user: Any, action: Action, obj: Any) -> bool:
    """Rule S3: the prefecture gives the roster; the receiving municipality's coordinators read
    it and confirm again each supporter's wish to act."""
    trainers = prefectures_with(user, Role.PREFECTURAL_OFFICER)
    dispatchers = agencies_with(user, Role.DISPATCH_COORDINATOR)
    if obj is None:
        if action == Action.CREATE:
            return bool(trainers)
        if action == Action.CHANGE:
            return bool(dispatchers)
        return bool(trainers or dispatchers)
    if action == Action.CREATE or obj.pk is None:
        return obj.supporter.prefecture_id in trainers
    if action == Action.VIEW and obj.supporter.prefecture_id in trainers:
        return True
    return obj.agency_id in dispatchers and obj.supporter.withdrawn_on is None


def _dispatch_of(kind: Kind, obj: Any) -> Any:
    return obj if kind == Kind.DISPATCH else getattr(obj, "dispatch", None)


def _dispatch_work(user: Any, action: Action, obj: Any, kind: Kind) -> bool:
    """Rules S4-S8: the municipality's dispatch work belongs to its office. The dispatched
    supporter sees the dispatch, records visits and reports incidents only while the dispatch
    is active (rule S5: a stop ends it at once); a supporter reports found cases (rule S7) to
    a municipality that confirmed them and reads their own reports."""
    offices = agencies_with(user, *DISPATCHERS)
    supporter = has_role(user, Role.SUPPORTER)
    if obj is None:
        if action == Action.VIEW:
            return bool(offices) or supporter
        if action == Action.CREATE:
            return bool(offices) or (supporter and kind != Kind.DISPATCH)
        return bool(offices)
    if obj.agency_id in offices:
        return True
    if not supporter:
        return False
    if kind == Kind.FOUND_CASE:
        if action == Action.CREATE or obj.pk is None:
            return _confirmed_for(user, obj.agency_id)
        return action == Action.VIEW and obj.reported_by_id == user.pk
    dispatch = _dispatch_of(kind, obj)
    if dispatch is None or dispatch.supporter_id is None:
        return False
    if not (dispatch.is_active and dispatch.supporter.user_id == user.pk):
        return False
    if kind == Kind.DISPATCH:
        return action == Action.VIEW
    if action == Action.CREATE or obj.pk is None:
        return True
    return action == Action.VIEW


def _confirmed_for(user: Any, agency_id: int) -> bool:
    """A supporter the municipality's office has re-confirmed (rule S3)."""
    from tsunagi.supporters.models import RosterEntry

    return (
        RosterEntry.objects.matchable().filter(supporter__user=user, agency_id=agency_id).exists()
    )


# --- directory and oversight ----------------------------------------------------------------


def _municipalities_with(user: Any, *wanted: Role) -> set[int]:
    return {
        p.municipality_id
        for p in positions(user)
        if p.role in wanted and p.municipality_id is not None
    }


def _directory_entry(user: Any, action: Action, obj: Any) -> bool:
    """Directory entries are public information (M1, M6, R6, R7). The prefecture's officers
    keep its entries, a municipal officer their municipality's, an agency's manager the entries
    about the agency. A supporter's world is their dispatches: they have no use for it."""
    if action == Action.VIEW:
        return bool(roles(user) & REGISTRY_READERS)
    if is_operator(user):
        return True
    prefs = prefectures_with(user, Role.PREFECTURAL_OFFICER)
    towns = _municipalities_with(user, Role.MUNICIPAL_OFFICER)
    managed = agencies_with(user, Role.MANAGER)
    if obj is None:
        return bool(prefs or towns or managed)
    if obj.prefecture_id in prefs:
        return True
    if obj.municipality_id is not None and obj.municipality_id in towns:
        return True
    # an agency's manager keeps the entries about the agency, within the agency's prefecture
    return (
        obj.agency_id is not None
        and obj.agency_id in managed
        and obj.prefecture_id in _prefectures_of(managed)
    )


def _prefectures_of(agency_ids: set[int]) -> set[int]:
    from tsunagi.agencies.models import Agency

    return set(Agency.objects.filter(pk__in=agency_ids).values_list("prefecture_id", flat=True))


def _municipal_structure(user: Any, action: Action, obj: Any) -> bool:
    """Rules M2-M4 (and M5): a municipality's officers record its lead department, surveys and
    platform; the prefecture's officers follow them and may record a joint platform."""
    prefs = prefectures_with(user, Role.PREFECTURAL_OFFICER)
    towns = _municipalities_with(user, Role.MUNICIPAL_OFFICER)
    if obj is None:
        # the operator sees the national counts (aggregates), never a municipality's records
        return bool(prefs or towns)
    if obj.municipality_id in towns:
        return True
    if obj.municipality.prefecture_id not in prefs:
        return False
    # the prefecture follows progress (M5) and records a platform set up jointly with it (M3)
    return action == Action.VIEW or bool(getattr(obj, "joint_with_prefecture", False))


def _statistics(user: Any, action: Action, area: Any) -> bool:
    """Aggregates only (access.md): an agency's members see its figures; a municipality's
    officers and coordinators their municipality's; the prefecture's officers every area of the
    prefecture; the operator of a national installation every area. `area` is an Agency, a
    Municipality, a Prefecture, or None: "may the user see the figures of some area" (the menu).
    The whole installation's figures are the operator's (national view)."""
    from tsunagi.agencies.models import Agency
    from tsunagi.jurisdictions.models import Municipality, Prefecture

    if action != Action.VIEW:
        return False
    if is_operator(user):
        return True
    prefs = prefectures_with(user, Role.PREFECTURAL_OFFICER)
    towns = _municipalities_with(user, Role.MUNICIPAL_OFFICER, Role.DISPATCH_COORDINATOR)
    if area is None:
        # "some statistics" (the menu, the index): any body the user may see figures of
        return bool(
            prefs
            or towns
            or agencies_with(user, Role.STAFF, Role.MANAGER, Role.AUDITOR, *DISPATCHERS)
        )
    if isinstance(area, Prefecture):
        return area.pk in prefs
    if isinstance(area, Municipality):
        return area.prefecture_id in prefs or area.pk in towns
    if isinstance(area, Agency):
        # an agency's own figures are its members'; a municipality's officers see the
        # municipality as a whole (agency by agency, the difference would show small counts)
        members = agencies_with(user, Role.STAFF, Role.MANAGER, Role.AUDITOR, *DISPATCHERS)
        return area.pk in members or area.prefecture_id in prefs
    raise ValueError(area)


_DECIDERS = {
    Kind.PREFECTURE: _jurisdiction,
    Kind.MUNICIPALITY: _jurisdiction,
    Kind.AGENCY: _agency,
    Kind.STAFF: lambda u, a, o: _agency_part(u, a, o.agency if o is not None else None),
    Kind.PAIRING: _pairing,
    Kind.NETWORK: _network,
    Kind.USER: _user,
    Kind.MEMBERSHIP: _membership,
    Kind.AUDIT_EVENT: _audit_event,
    Kind.CONSENT: _consent,
    Kind.EXPLANATION: _consent,
    Kind.GRANT: _grant,
    Kind.REFERRAL: _referral,
    Kind.MEETING: _meeting,
    Kind.TRAINING: _training,
    Kind.SUPPORTER: _supporter,
    Kind.ROSTER: _roster,
    **{
        kind: (lambda k: lambda u, a, o: _dispatch_work(u, a, o, k))(kind)
        for kind in sorted(DISPATCH_KINDS)
    },
    Kind.DIRECTORY_ENTRY: _directory_entry,
    Kind.MUNICIPAL_STRUCTURE: _municipal_structure,
    Kind.STATISTICS: _statistics,
    **{
        kind: (lambda k: lambda u, a, o: _personal(u, a, o, k))(kind)
        for kind in sorted(PERSONAL_KINDS)
    },
}


def can(user: Any, action: Action, kind: Kind, obj: Any = None) -> bool:
    """May `user` do `action` to `obj` (or to records of `kind` in general when obj is None)?"""
    if not positions(user):
        # Without an active membership a user may only look at their own account.
        return kind == Kind.USER and action == Action.VIEW and obj is not None and obj.pk == user.pk
    return _DECIDERS[kind](user, Action(action), obj)


class Denied(Exception):
    """Raised by `require` when the user may see the record but not do this to it."""


def require(user: Any, action: Action, kind: Kind, obj: Any = None) -> None:
    """Refuse unless allowed: 404 when the user may not even see the record, else `Denied`."""
    if can(user, action, kind, obj):
        return
    if obj is not None and action != Action.VIEW and can(user, Action.VIEW, kind, obj):
        raise Denied(f"{action} {kind}")
    if obj is None and action == Action.CREATE and can(user, Action.VIEW, kind):
        raise Denied(f"{action} {kind}")
    raise Http404


M = TypeVar("M", bound=models.Model)


def scope(user: Any, kind: Kind, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """Only the rows of `queryset` that `user` may view; the database does the filtering."""
    if kind == Kind.USER and positions(user) and not is_operator(user):
        # Everyone sees their own account; a manager also the people of their agencies.
        managed = agencies_with(user, Role.MANAGER)
        return queryset.filter(
            Q(pk=user.pk) | Q(memberships__agency__in=managed, memberships__is_active=True)
        ).distinct()
    if not can(user, Action.VIEW, kind):
        return queryset.none()
    if kind in (Kind.PREFECTURE, Kind.MUNICIPALITY, Kind.AGENCY, Kind.PAIRING, Kind.NETWORK):
        return queryset
    if kind in PERSONAL_KINDS:
        return queryset.filter(_personal_q(user, kind))
    if kind in SHARING_KINDS:
        return queryset.filter(_sharing_q(user, kind))
    if kind in SUPPORTER_KINDS or kind in DISPATCH_KINDS:
        return queryset.filter(_supporters_q(user, kind))
    if kind == Kind.TRAINING or kind == Kind.DIRECTORY_ENTRY:
        return queryset
    if kind == Kind.MUNICIPAL_STRUCTURE:
        return queryset.filter(
            Q(municipality__prefecture__in=prefectures_with(user, Role.PREFECTURAL_OFFICER))
            | Q(municipality__in=_municipalities_with(user, Role.MUNICIPAL_OFFICER))
        )
    if is_operator(user) and kind != Kind.AUDIT_EVENT:
        return queryset
    if kind == Kind.STAFF:
        return queryset.filter(_agency_part_q(user, "agency"))
    if kind == Kind.MEMBERSHIP:
        return queryset.filter(Q(user=user) | Q(agency__in=agencies_with(user, Role.MANAGER)))
    if kind == Kind.AUDIT_EVENT:
        # The owner's manager sees every read of its records, also by other agencies under a
        # grant; the receiver's manager sees what its own staff read elsewhere.
        bodies = agencies_with(user, Role.MANAGER, Role.AUDITOR)
        q = Q(agency__in=bodies) | Q(actor_agency__in=bodies)
        if is_operator(user):
            q |= Q(personal=False)
        return queryset.filter(q)
    raise ValueError(kind)


def _visible_case_q(user: Any, prefix: str = "") -> Q:
    """The cases `user` may see, as a filter on a queryset of cases (or of `prefix` + case)."""
    managed = agencies_with(user, Role.MANAGER)
    return Q(**{f"{prefix}agency__in": agencies_with(user, *CASEWORKERS)}) & (
        Q(**{f"{prefix}is_restricted": False})
        | Q(**{f"{prefix}agency__in": managed})
        | Q(**{f"{prefix}assigned_staff": user})
    )


def _personal_q(user: Any, kind: Kind) -> Q:
    from tsunagi.people.models import Case

    own = Q(agency__in=agencies_with(user, *CASEWORKERS))
    if kind == Kind.CASE:
        return Q(pk__in=Case.objects.filter(_visible_case_q(user)).values("pk"))
    if kind in CASE_PARTS:
        return Q(case__in=Case.objects.filter(_visible_case_q(user)).values("pk"))
    if kind == Kind.PERSON:
        hidden = (
            Case.objects.filter(is_restricted=True)
            .exclude(_visible_case_q(user))
            .values("person_id")
        )
        return own & ~Q(pk__in=hidden)
    return own


def _sharing_q(user: Any, kind: Kind) -> Q:
    from tsunagi.people.models import Person

    workplaces = agencies_with(user, *CASEWORKERS)
    seen_persons = Person.objects.filter(_personal_q(user, Kind.PERSON)).values("pk")
    own = Q(person__in=seen_persons)
    if kind in (Kind.CONSENT, Kind.EXPLANATION):
        if kind == Kind.EXPLANATION:
            return own
        from tsunagi.access.models import Grant

        held = Grant.objects.filter(receiving_agency__in=workplaces, consent__isnull=False)
        return own | Q(pk__in=held.values("consent_id"))
    if kind == Kind.GRANT:
        return own | Q(receiving_agency__in=workplaces) | Q(receiving_user=user)
    if kind == Kind.REFERRAL:
        from tsunagi.people.models import Case

        seen_cases = Case.objects.filter(_visible_case_q(user)).values("pk")
        return Q(case__in=seen_cases) | Q(to_agency__in=workplaces, sent_at__isnull=False)
    if kind == Kind.MEETING:
        from tsunagi.meetings.models import Meeting

        seats = Meeting.members.through.objects.filter(agency__in=workplaces)
        return Q(agency__in=workplaces) | Q(pk__in=seats.values("meeting_id"))
    raise ValueError(kind)


def _supporters_q(user: Any, kind: Kind) -> Q:
    from tsunagi.supporters.models import RosterEntry

    trainers = prefectures_with(user, Role.PREFECTURAL_OFFICER)
    dispatchers = agencies_with(user, Role.DISPATCH_COORDINATOR)
    offices = agencies_with(user, *DISPATCHERS)
    if kind == Kind.SUPPORTER:
        rostered = RosterEntry.objects.filter(agency__in=dispatchers).values("supporter_id")
        q = Q(prefecture__in=trainers) | Q(withdrawn_on__isnull=True, pk__in=rostered)
        if has_role(user, Role.SUPPORTER):
            q |= Q(user=user)
        return q
    if kind == Kind.ROSTER:
        return Q(supporter__prefecture__in=trainers) | Q(
            agency__in=dispatchers, supporter__withdrawn_on__isnull=True
        )
    own = Q(agency__in=offices)
    if not has_role(user, Role.SUPPORTER):
        return own
    if kind == Kind.FOUND_CASE:
        return own | Q(reported_by=user)
    from tsunagi.supporters.models import DispatchState

    prefix = "" if kind == Kind.DISPATCH else "dispatch__"
    return own | Q(**{f"{prefix}state": DispatchState.ACTIVE, f"{prefix}supporter__user": user})


def _agency_part_q(user: Any, field: str) -> Q:
    officer = prefectures_with(user, Role.PREFECTURAL_OFFICER)
    members = agencies_with(user, *(REGISTRY_READERS - {Role.OPERATOR}))
    return Q(**{f"{field}__in": members}) | Q(**{f"{field}__prefecture__in": officer})


def get_visible(user: Any, kind: Kind, queryset: models.QuerySet[M], **lookup: Any) -> M:
    """One record the user may view, or 404 (the same answer whether missing or forbidden)."""
    obj = queryset.filter(**lookup).first()
    if obj is None or not can(user, Action.VIEW, kind, obj):
        raise Http404
    return obj


def visible_kinds(user: Any) -> Iterable[Kind]:
    return [k for k in Kind if can(user, Action.VIEW, k)]
