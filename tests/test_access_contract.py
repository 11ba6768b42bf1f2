"""The access contract (issue 4, access.md): who sees which of a person's records, on which
ground, in every state a grant can be in.

One person's records at the hikikomori center (the son of walkthrough A: person, household,
case, contact, assessment, flag, introduction, set-aside suggestion, support plan with its
evaluation, consent, P2 explanation, grant, referral, support meeting) are
asked about by every role, by the receiving self-reliance agency's staff, manager and auditor,
by an outsider and by a user with no role, in every grant state:

- `none`: a consent is recorded but nothing has been shared (the referral is a draft);
- `active`: a referral sent under a consent naming every kind of information;
- `partial`: the same with a consent for identity and situation only (no special care);
- `expired`, `ended` (ended early), `withdrawn` (rule P4), `future` (not yet started);
- `emergency`: shared without consent to protect life (rule P5), identity, situation, special
  care;
- `dispatch`: a supporter sent to the household sees identity only (rules S4/S5);
- `meeting`: the case on the agenda of an Article 9 support meeting the receiver sits on (P5).

Actions: `sight()` (how the record is seen from outside: "full" for the owning agency, else the
kinds of information a grant lets through, or None), `can(VIEW)` (full own-agency access) and
`can(CHANGE)`. The expected answers are written out below, not computed from the policy: a
change of the policy must change this table too.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.cast import _user, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, make_referral
from tsunagi.access import services as sharing
from tsunagi.access.kinds import ALL_KINDS
from tsunagi.access.models import Grant
from tsunagi.access.policy import (
    DISPATCH_KINDS,
    PERSONAL_KINDS,
    SHARING_KINDS,
    Action,
    Kind,
    can,
    scope,
    sight,
)
from tsunagi.accounts.models import Role
from tsunagi.consent.services import record_explanation, withdraw_consent
from tsunagi.meetings import services as meetings
from tsunagi.people import services as people
from tsunagi.people.models import Household
from tsunagi.plans import services as plans
from tsunagi.plans.models import Evaluation, PlanState, SupportPlan
from tsunagi.referrals import services as referrals

pytestmark = pytest.mark.django_db

# Kinds of records the contract is about, in the tables' column order: the personal records
# (columns of RECEIVER_SIGHT and SUPPORTER_SIGHT), then the records of the sharing itself (pairs
# of columns, view and change, of RECEIVER_SHARING and SUPPORTER_SHARING).
PERSONAL_COLUMNS = (
    Kind.PERSON,
    Kind.HOUSEHOLD,
    Kind.CASE,
    Kind.CONTACT,
    Kind.ASSESSMENT,
    Kind.FLAG,
    # referral work the agency keeps to itself: an introduction passes no data (rule R3a), a
    # suggestion set aside is the agency's own judgement; no grant ever shows either
    Kind.INTRODUCTION,
    Kind.DISMISSAL,
    # the support plan (its goals and items go with it) and its evaluation: case parts shared
    # as "plan"; the person's and the family's wishes in the plan are also "situation"
    Kind.PLAN,
    Kind.EVALUATION,
)
SHARING_COLUMNS = (
    Kind.CONSENT,
    Kind.EXPLANATION,
    Kind.GRANT,
    Kind.REFERRAL,
    Kind.MEETING,
)
RECORD_KINDS = PERSONAL_COLUMNS + SHARING_COLUMNS
# Kinds that are not about a person (the registry, accounts and the log itself): their rows are
# in tests/test_access_matrix.py.
NOT_ABOUT_A_PERSON = frozenset(
    {
        Kind.PREFECTURE,
        Kind.MUNICIPALITY,
        Kind.AGENCY,
        Kind.STAFF,
        Kind.PAIRING,
        Kind.NETWORK,
        Kind.USER,
        Kind.MEMBERSHIP,
        Kind.AUDIT_EVENT,
        # the supporters' own records (their training, their record, their place on a
        # municipality's roster: about the volunteer, not a supported person)
        Kind.TRAINING,
        Kind.SUPPORTER,
        Kind.ROSTER,
        # public directory entries, a municipality's structure, aggregates only
        Kind.DIRECTORY_ENTRY,
        Kind.MUNICIPAL_STRUCTURE,
        Kind.STATISTICS,
    }
)
# The dispatch work about a visited household (rules S4-S8): the `dispatch` section below.
DISPATCH_COLUMNS = (Kind.DISPATCH, Kind.VISIT_REPORT, Kind.INCIDENT, Kind.FOUND_CASE)

STATES = (
    "none",
    "active",
    "partial",
    "expired",
    "ended",
    "withdrawn",
    "future",
    "emergency",
    "dispatch",
    "meeting",
)

# Who asks. The owner's rows, every role's, and the receiving agency's.
OWNER_STAFF, OWNER_MANAGER = "owner_staff", "owner_manager"
RECEIVER_STAFF, RECEIVER_MANAGER = "receiver_staff", "receiver_manager"
WHO: dict[str, Role | None] = {
    OWNER_STAFF: Role.STAFF,
    OWNER_MANAGER: Role.MANAGER,
    "owner_auditor": Role.AUDITOR,
    "dispatch_coordinator": Role.DISPATCH_COORDINATOR,
    "supporter": Role.SUPPORTER,
    "municipal_officer": Role.MUNICIPAL_OFFICER,
    "prefectural_officer": Role.PREFECTURAL_OFFICER,
    "operator": Role.OPERATOR,
    RECEIVER_STAFF: Role.STAFF,
    RECEIVER_MANAGER: Role.MANAGER,
    "receiver_auditor": Role.AUDITOR,
    "outsider": Role.STAFF,  # staff of an agency in another prefecture, no tie
    "nobody": None,
}
OWNER = (OWNER_STAFF, OWNER_MANAGER)
RECEIVER = (RECEIVER_STAFF, RECEIVER_MANAGER)

FULL = "full"  # own-agency sight: every kind of information
NO = None
SKIP = "skip"  # no such record in this state
ID = frozenset({"identity"})
IS = frozenset({"identity", "situation"})
ISS = frozenset({"identity", "situation", "special_care"})
ISAP = frozenset({"identity", "situation", "assessment", "plan"})
ALLK = frozenset(ALL_KINDS)
T, F = True, False

# What the receiving agency's staff and manager get from sight(), per state. Introductions and
# set-aside suggestions are never shown under a grant, whatever kinds it names. A plan is shown
# under "plan"; under "situation" without "plan" it is shown with the person's and the family's
# wishes only (see test_kinds); an evaluation only under "plan".
#               person household case  contact assessment flag  intro dismissal plan evaluation
RECEIVER_SIGHT: dict[str, tuple[Any, ...]] = {
    "none":      (NO,   NO,       NO,   NO,     NO,        NO,   NO,   NO,      NO,   NO),
    "active":    (ALLK, NO,       ALLK, ALLK,   ALLK,      ALLK, NO,   NO,      ALLK, ALLK),
    # situation without special care: the contact (plan) and the flag (special care) are not
    # shown at all; the assessment shows its situation fields only (see test_kinds), the plan
    # its wishes only, the evaluation nothing
    "partial":   (IS,   NO,       IS,   NO,     IS,        NO,   NO,   NO,      IS,   NO),
    "expired":   (NO,   NO,       NO,   NO,     NO,        NO,   NO,   NO,      NO,   NO),
    "ended":     (NO,   NO,       NO,   NO,     NO,        NO,   NO,   NO,      NO,   NO),
    "withdrawn": (NO,   NO,       NO,   NO,     NO,        NO,   NO,   NO,      NO,   NO),
    "future":    (NO,   NO,       NO,   NO,     NO,        NO,   NO,   NO,      NO,   NO),
    # a contact's urgency is special-care information, so the contact is shown (urgency only);
    # the plan's wishes are situation, so the plan is shown (wishes only)
    "emergency": (ISS,  NO,       ISS,  ISS,    ISS,       ISS,  NO,   NO,      ISS,  NO),
    "dispatch":  (NO,   NO,       NO,   NO,     NO,        NO,   NO,   NO,      NO,   NO),
    "meeting":   (ISAP, NO,       ISAP, ISAP,   ISAP,      NO,   NO,   NO,      ISAP, ISAP),
}  # fmt: skip
# The supporter's sight: only the person, under their own dispatch, identity only (a plan has
# no identity field, so the supporter never sees it).
SUPPORTER_SIGHT: dict[str, tuple[Any, ...]] = {
    state: (ID,) + (NO,) * 9 if state == "dispatch" else (NO,) * 10 for state in STATES
}

# can(VIEW) / can(CHANGE) of the receiving agency's staff and manager on the records of the
# sharing itself (SHARING_COLUMNS, two columns each):
#          consent  explanation  grant     referral  meeting
RECEIVER_SHARING: dict[str, tuple[Any, ...]] = {
    "none":      (F, F,  F, F,  SKIP, SKIP,  F, F,  F, F),
    # rule P4: the receiver reads the consent its grant rests on, to see a withdrawal
    "active":    (T, F,  F, F,  T, F,        T, T,  F, F),
    "partial":   (T, F,  F, F,  T, F,        T, T,  F, F),
    "expired":   (T, F,  F, F,  T, F,        T, T,  F, F),
    "ended":     (T, F,  F, F,  T, F,        T, T,  F, F),
    "withdrawn": (T, F,  F, F,  T, F,        T, T,  F, F),
    "future":    (T, F,  F, F,  T, F,        T, T,  F, F),
    "emergency": (F, F,  F, F,  T, F,        F, F,  F, F),
    "dispatch":  (F, F,  F, F,  F, F,        F, F,  F, F),
    "meeting":   (F, F,  F, F,  T, F,        F, F,  T, F),
}  # fmt: skip
SUPPORTER_SHARING: dict[str, tuple[Any, ...]] = {
    state: (F, F, F, F, T if state == "dispatch" else F, F, F, F, F, F)
    if state != "none"
    else (F, F, F, F, SKIP, SKIP, F, F, F, F)
    for state in STATES
}


def expected(who: str, kind: Kind, state: str, action: str) -> Any:
    """The written-out answer for one cell; `action` is "sight", "view" or "change"."""
    personal = kind in PERSONAL_COLUMNS
    if kind == Kind.GRANT and state == "none":
        return SKIP
    if action == "sight" and not personal:
        return SKIP  # sight() answers for personal records only
    if who in OWNER:
        # the owning agency's staff and manager: everything, whatever the grants
        return FULL if action == "sight" else T
    if personal:
        if action != "sight":
            return F  # full own-agency access is never given by a grant
        row = {RECEIVER_STAFF: RECEIVER_SIGHT, RECEIVER_MANAGER: RECEIVER_SIGHT}.get(who)
        if who == "supporter":
            row = SUPPORTER_SIGHT
        return NO if row is None else row[state][PERSONAL_COLUMNS.index(kind)]
    row = RECEIVER_SHARING if who in RECEIVER else SUPPORTER_SHARING if who == "supporter" else None
    if row is None:
        return F  # officers, the operator, the auditors (the log only), outsiders, nobody
    column = 2 * SHARING_COLUMNS.index(kind) + (action == "change")
    return row[state][column]


def test_every_record_kind_has_rows() -> None:
    """A new kind of record must be placed in the contract (or declared not about a person)."""
    assert set(RECORD_KINDS) | set(DISPATCH_COLUMNS) | NOT_ABOUT_A_PERSON == set(Kind), (
        "add the new kind to RECORD_KINDS and its rows to the tables above"
    )
    assert not set(RECORD_KINDS) & NOT_ABOUT_A_PERSON
    assert not set(DISPATCH_COLUMNS) & (NOT_ABOUT_A_PERSON | set(RECORD_KINDS))
    assert set(DISPATCH_COLUMNS) == DISPATCH_KINDS
    assert set(RECORD_KINDS) == PERSONAL_KINDS | SHARING_KINDS
    assert set(PERSONAL_COLUMNS) == PERSONAL_KINDS and set(SHARING_COLUMNS) == SHARING_KINDS
    assert len(RECORD_KINDS) == len(set(RECORD_KINDS))


def test_every_row_has_a_cell_per_column() -> None:
    """Each table row has one cell per column, so no cell slides into another kind's place."""
    for table in (RECEIVER_SIGHT, SUPPORTER_SIGHT):
        assert all(len(row) == len(PERSONAL_COLUMNS) for row in table.values())
    for table in (RECEIVER_SHARING, SUPPORTER_SHARING):
        assert all(len(row) == 2 * len(SHARING_COLUMNS) for row in table.values())


def test_r3a_introductions_and_dismissals_are_never_seen_through_a_grant() -> None:
    """Whatever a grant names, the receiver and the supporter see neither (rule R3a)."""
    for who in (*RECEIVER, "supporter"):
        for state in STATES:
            for kind in (Kind.INTRODUCTION, Kind.DISMISSAL):
                assert expected(who, kind, state, "sight") is NO
                assert expected(who, kind, state, "view") is F


def test_a_plan_is_seen_outside_only_through_situation_or_plan() -> None:
    """An evaluation only under "plan"; a plan also under "situation" (its wishes), never under
    identity alone, special care alone or assessment alone."""
    for state, row in RECEIVER_SIGHT.items():
        plan, evaluation = row[PERSONAL_COLUMNS.index(Kind.PLAN) :]
        assert plan is NO or {"plan", "situation"} & plan, state
        assert evaluation is NO or "plan" in evaluation, state
    for who in (*RECEIVER, "supporter"):
        for state in STATES:
            for kind in (Kind.PLAN, Kind.EVALUATION):
                assert expected(who, kind, state, "view") is F  # never own-agency access


def test_every_role_asks() -> None:
    assert {r for r in WHO.values() if r is not None} == set(Role)
    assert set(RECEIVER_SIGHT) == set(STATES) == set(RECEIVER_SHARING)


# --- the world ---------------------------------------------------------------------------------


def build(state: str) -> dict[str, Any]:
    """The son's records at the center, and the grant of `state` to the self-reliance agency."""
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    household, _mother, son, case = yamada_household(staff, cast.center)
    people.record_assessment(
        staff,
        case,
        {"housing": "rented", "mental_health": "serious", "mental_health_notes": "うつ病の診断"},
    )
    people.raise_flags(
        staff,
        case,
        [people.rules.Finding("urgent_need", "R8", "食事", "二日食べていない")],
        "test",
    )
    record_explanation(staff, son, {"understood": True}, case=case)
    introduction = referrals.record_introduction(
        staff,
        case,
        {
            "target_kind": "family_association",
            "to_name": "高知ひきこもり家族会",
            "given_to": "family",
            "what_given": "家族会のチラシと連絡先",
            "rule": "R3a",
        },
    )
    dismissal = referrals.dismiss_suggestion(staff, case, "R7:debt", reason="既に弁護士に相談中")
    plan, evaluation = _evaluated_plan(staff, case, cast)
    users: dict[str, Any] = {
        OWNER_STAFF: staff,
        OWNER_MANAGER: cast.users[Role.MANAGER],
        "owner_auditor": cast.users[Role.AUDITOR],
        "dispatch_coordinator": cast.users[Role.DISPATCH_COORDINATOR],
        "supporter": cast.users[Role.SUPPORTER],
        "municipal_officer": cast.users[Role.MUNICIPAL_OFFICER],
        "prefectural_officer": cast.users[Role.PREFECTURAL_OFFICER],
        "operator": cast.users[Role.OPERATOR],
        RECEIVER_STAFF: _user("sr_staff", cast.self_reliance, Role.STAFF),
        RECEIVER_MANAGER: _user("sr_manager", cast.self_reliance, Role.MANAGER),
        "receiver_auditor": _user("sr_auditor", cast.self_reliance, Role.AUDITOR),
        "outsider": cast.outsider,
        "nobody": cast.nobody,
    }
    kinds: list[str] = sorted(str(k) for k in (ALLK if state == "active" else IS))
    consent = make_consent(staff, son, cast.self_reliance, kinds, case=case)
    referral = make_referral(staff, case, cast.self_reliance)
    members = [cast.self_reliance] if state == "meeting" else []
    meeting = meetings.create_meeting(
        staff,
        cast.center,
        {
            "kind": "article_9",
            "title": "支援会議",
            "held_on": timezone.localdate(),
            "purpose": "山田さんの支援方針",
        },
        members=members,
    )
    grant: Grant | None = None
    now = timezone.now()
    if state in ("active", "partial", "expired", "ended", "withdrawn", "future"):
        referral = referrals.confirm_consent(staff, referral, consent)
        referral = referrals.send_referral(staff, referral)
        grant = referral.grant
        assert grant is not None
        if state == "expired":
            Grant.objects.filter(pk=grant.pk).update(
                starts_at=now - datetime.timedelta(days=10),
                ends_at=now - datetime.timedelta(days=1),
            )
        elif state == "future":
            Grant.objects.filter(pk=grant.pk).update(
                starts_at=now + datetime.timedelta(days=1), ends_at=now + datetime.timedelta(days=9)
            )
        elif state == "ended":
            sharing.end_grant(staff, grant, reason="共有の必要がなくなった")
        elif state == "withdrawn":
            withdraw_consent(staff, consent, note="本人から電話で撤回")
    elif state == "emergency":
        grant = sharing.share_in_emergency(
            staff,
            son,
            receiving_agency=cast.self_reliance,
            legal_ground="life_body_property",
            reason="二日食べておらず、死にたいと話している",
            hours=4,
            kinds=sorted(ISS),
            case=case,
        )
    elif state == "dispatch":
        grant = sharing.grant_for_dispatch(
            staff,
            son,
            users["supporter"],
            dispatch_ref=1,
            until=timezone.localdate() + datetime.timedelta(days=30),
            case=case,
        )
    elif state == "meeting":
        meetings.add_agenda_item(staff, meeting, case)
        grant = Grant.objects.get(meeting=meeting)
    records: dict[Kind, Any] = {
        Kind.PERSON: son,
        Kind.HOUSEHOLD: Household.objects.get(pk=household.pk),
        Kind.CASE: case,
        Kind.CONTACT: case.contacts.get(),
        Kind.ASSESSMENT: case.assessments.get(),
        Kind.FLAG: case.flags.get(),
        Kind.INTRODUCTION: introduction,
        Kind.DISMISSAL: dismissal,
        Kind.PLAN: plan,
        Kind.EVALUATION: evaluation,
        Kind.CONSENT: consent,
        Kind.EXPLANATION: son.sharing_explanations.get(),
        Kind.GRANT: Grant.objects.get(pk=grant.pk) if grant else None,
        Kind.REFERRAL: referral,
        Kind.MEETING: meeting,
    }
    for obj in records.values():
        if obj is not None:
            obj.refresh_from_db()
    return {"users": users, "records": records, "cast": cast, "grant": grant}


def _evaluated_plan(staff: Any, case: Any, cast: Any) -> tuple[SupportPlan, Evaluation]:
    """The son's plan at the center and its evaluation. The plan is marked decided directly (no
    meeting), so that no other grant than the state's is made."""
    today = timezone.localdate()
    plan = plans.create_plan(
        staff,
        case,
        {
            "person_wishes": "家から出られるようになりたい",
            "family_wishes": "息子に働いてほしい",
            "starts_on": today,
            "ends_on": today + datetime.timedelta(days=90),
        },
        goals=[{"term": "short", "text": "週1回外出する"}],
        items=[{"what": "訪問", "responsible_agency": cast.center, "service": "home_visit"}],
    )
    SupportPlan.objects.filter(pk=plan.pk).update(state=PlanState.DECIDED)
    evaluation = plans.evaluate_plan(
        staff,
        plan,
        {"person_view": "少し外に出られた", "decision": "replan", "step_daily_life": True},
        results={g.pk: {"achievement": "partly"} for g in plan.goals.all()},
    )
    return SupportPlan.objects.get(pk=plan.pk), evaluation


def answer(user: Any, kind: Kind, obj: Any, action: str) -> Any:
    if obj is None:
        return SKIP
    if action == "sight":
        if kind not in PERSONAL_KINDS:
            return SKIP
        seen = sight(user, kind, obj)
        if seen is None:
            return NO
        return FULL if seen.is_own and seen.kinds == ALLK else seen.kinds
    return can(user, Action.VIEW if action == "view" else Action.CHANGE, kind, obj)


@pytest.mark.parametrize("state", STATES)
def test_access_contract(state: str) -> None:
    world = build(state)
    wrong = []
    for who, user in world["users"].items():
        for kind in RECORD_KINDS:
            for action in ("sight", "view", "change"):
                want = expected(who, kind, state, action)
                got = answer(user, kind, world["records"][kind], action)
                if got != want:
                    wrong.append(f"{who} {action} {kind} [{state}]: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("state", STATES)
def test_lists_agree_with_the_contract(state: str) -> None:
    """scope() (lists) shows a sharing record exactly when the contract says can(VIEW)."""
    world = build(state)
    for who, user in world["users"].items():
        for kind in SHARING_KINDS:
            obj = world["records"][kind]
            if obj is None:
                continue
            listed = scope(user, kind, type(obj).objects.filter(pk=obj.pk)).exists()
            assert listed is expected(who, kind, state, "view"), (who, kind, state)
        for kind in PERSONAL_KINDS:
            obj = world["records"][kind]
            listed = scope(user, kind, type(obj).objects.filter(pk=obj.pk)).exists()
            # lists are own-agency only: no search crosses agencies (access.md)
            assert listed is (who in OWNER), (who, kind, state)


def test_auditor_reads_the_log_of_a_shared_read_and_no_record() -> None:
    from tsunagi.access.models import AuditEvent
    from tsunagi.access.shared import shared_record

    world = build("partial")
    son = world["records"][Kind.PERSON]
    sr = world["users"][RECEIVER_STAFF]
    seen = sight(sr, Kind.PERSON, son)
    assert seen is not None
    shared_record(sr, son, seen)
    reads = AuditEvent.objects.filter(
        subject_id=son.pk, grant=world["grant"].code, action__endswith=".viewed"
    )
    assert reads.exists()
    for who in ("owner_auditor", "receiver_auditor"):
        auditor = world["users"][who]
        assert scope(auditor, Kind.AUDIT_EVENT, reads).count() == reads.count(), who
        assert all(answer(auditor, k, world["records"][k], "view") is F for k in RECORD_KINDS)
    operator = world["users"]["operator"]
    assert not scope(operator, Kind.AUDIT_EVENT, reads).exists()


# --- dispatch (rules S4, S5) -------------------------------------------------------------------
# A person of 高知市's office visited by a supporter (tsunagi/supporters/tests/factories.py), in
# two states: `active` (the supporter sees the household: identity only, through the dispatch
# grant) and `stopped` (rule S5: from that moment, nothing). The coordinator of the office owns
# everything; the other municipality's coordinator, another supporter on the roster, the
# prefecture's officer (who keeps the supporters' records, not the households') and the
# center's staff see nothing. A found case reported by the supporter is theirs to read in both
# states (rule S7).
DISPATCH_WHO = (
    "coordinator",
    "supporter",
    "other_coordinator",
    "other_supporter",
    "prefectural_officer",
    "center_staff",
)
#                       person  dispatch  visit   incident  found case   (view, change)
DISPATCH_TABLE: dict[tuple[str, str], tuple[Any, ...]] = {
    ("coordinator", "active"):   (FULL, T, T,  T, T,  T, T,  T, T),
    ("coordinator", "stopped"):  (FULL, T, T,  T, T,  T, T,  T, T),
    ("supporter", "active"):     (ID,   T, F,  T, F,  T, F,  T, F),
    ("supporter", "stopped"):    (NO,   F, F,  F, F,  F, F,  T, F),
    **{
        (who, state): (NO, F, F, F, F, F, F, F, F)
        for who in DISPATCH_WHO[2:]
        for state in ("active", "stopped")
    },
}  # fmt: skip


@pytest.mark.parametrize("state", ["active", "stopped"])
def test_dispatch_contract(state: str) -> None:
    from tsunagi.supporters import services as sv
    from tsunagi.supporters.models import Dispatch, FoundCase, Incident, VisitReport
    from tsunagi.supporters.tests.factories import make_dispatch, make_world

    w = make_world()
    d = make_dispatch(w)
    sup = w.supporter_user
    visit = sv.record_visit(
        sup,
        d,
        {"visited_on": timezone.localdate(), "duration_minutes": 45, "place": "home",
         "met": "person", "what_happened": "話した"},
    )  # fmt: skip
    incident = sv.report_incident(
        sup,
        d,
        {"occurred_at": timezone.now(), "kind": "injury", "severity": "minor",
         "what_happened": "転んだ"},
    )  # fmt: skip
    found = sv.report_found_case(
        sup, w.city_office, {"where": "近所の団地", "description": "昼も雨戸が閉まったまま"}
    )
    if state == "stopped":
        sv.stop(w.coordinator, d, requested_by="person", reason="本人が希望")
    users = {
        "coordinator": w.coordinator,
        "supporter": sup,
        "other_coordinator": w.other_coordinator,
        "other_supporter": w.supporters[1].user,
        "prefectural_officer": w.officer,
        "center_staff": w.center_staff,
    }
    records = [
        Dispatch.objects.get(pk=d.pk),
        VisitReport.objects.get(pk=visit.pk),
        Incident.objects.get(pk=incident.pk),
        FoundCase.objects.get(pk=found.pk),
    ]
    wrong = []
    for who, user in users.items():
        got: list[Any] = [answer(user, Kind.PERSON, w.person, "sight")]
        for kind, obj in zip(DISPATCH_COLUMNS, records, strict=True):
            got += [can(user, Action.VIEW, kind, obj), can(user, Action.CHANGE, kind, obj)]
            rows = type(obj)._default_manager.filter(pk=obj.pk)
            listed = scope(user, kind, rows).exists()
            if listed is not got[-2]:
                wrong.append(f"{who} list {kind} [{state}]: {listed}, can(VIEW) {got[-2]}")
        if tuple(got) != DISPATCH_TABLE[(who, state)]:
            wrong.append(f"{who} [{state}]: expected {DISPATCH_TABLE[(who, state)]}, got {got}")
    assert not wrong, "\n".join(wrong)
    if state == "active":
        seen = sight(sup, Kind.PERSON, w.person)
        assert seen is not None and seen.ground == f"dispatch:{d.grant_id}"


def test_dispatch_table_has_every_row() -> None:
    assert set(DISPATCH_TABLE) == {(w, s) for w in DISPATCH_WHO for s in ("active", "stopped")}
    assert all(len(row) == 1 + 2 * len(DISPATCH_COLUMNS) for row in DISPATCH_TABLE.values())
