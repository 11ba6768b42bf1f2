"""Random sequences of grants, withdrawals, endings, time passing and requests never show a
record without a valid ground (issue 4 item 6; access.md, rules P1, P4, P5, S5).

The world (the son of walkthrough A at the center, with a contact, an assessment, a flag, an
introduction and a suggestion set aside — the last two never shown under any grant — and a
support plan with its evaluation;
the self-reliance agency's staff, manager and auditor; a supporter; an outsider) is built once
per test; each generated example runs in a savepoint that is rolled back. The test keeps its own
account of which grants exist and whether each was ended or its consent withdrawn, and checks
every request against that account, not against the policy's own answer.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cast import _user, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent
from tsunagi.access import services as sharing
from tsunagi.access.kinds import FIELD_KINDS, InfoKind, shared_values
from tsunagi.access.policy import Action, Kind, can, sight
from tsunagi.access.shared import shared_record
from tsunagi.accounts.models import Role
from tsunagi.consent.services import withdraw_consent
from tsunagi.people import services as people
from tsunagi.people.models import Household
from tsunagi.plans import services as plans
from tsunagi.plans.models import PlanState, SupportPlan
from tsunagi.referrals import services as referrals

pytestmark = pytest.mark.django_db

KINDS = [k.value for k in InfoKind]
ASKERS = ("sr_staff", "sr_manager", "sr_auditor", "supporter", "outsider")
RECORDS = (
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
)
# Records of the agency's own referral work: no grant, whatever it names, shows them (rule R3a).
NEVER_SHARED = (Kind.INTRODUCTION, Kind.DISMISSAL)

kinds_st = st.lists(st.sampled_from(KINDS), min_size=1, max_size=5, unique=True)
operation = st.one_of(
    st.tuples(st.just("consent"), kinds_st, st.integers(0, 3)),
    st.tuples(st.just("withdraw"), st.integers(0, 5)),
    st.tuples(st.just("emergency"), kinds_st, st.integers(1, 24)),
    st.tuples(st.just("dispatch"), st.integers(0, 3)),
    st.tuples(st.just("end"), st.integers(0, 5)),
    st.tuples(st.just("advance"), st.integers(1, 60)),
    st.tuples(st.just("request"), st.sampled_from(ASKERS), st.sampled_from(RECORDS)),
)
programs = st.lists(operation, min_size=1, max_size=12)


@dataclass
class Granted:
    """The test's own account of one grant."""

    pk: int
    receiver: str  # "agency" (the self-reliance agency) or "supporter"
    kinds: frozenset[str]
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    consent: int | None = None
    ended: bool = False


@dataclass
class Account:
    grants: list[Granted] = field(default_factory=list)
    withdrawn: set[int] = field(default_factory=set)
    consents: list[Any] = field(default_factory=list)

    def active(self, asker: str, at: datetime.datetime) -> list[Granted]:
        receiver = {"sr_staff": "agency", "sr_manager": "agency", "supporter": "supporter"}
        return [
            g
            for g in self.grants
            if g.receiver == receiver.get(asker)
            and not g.ended
            and g.consent not in self.withdrawn
            and g.starts_at <= at < g.ends_at
        ]


def _fields(obj: Any, kinds: set[str]) -> set[str]:
    return {
        name
        for name, need in FIELD_KINDS.get(obj._meta.label_lower, {}).items()
        if {str(k) for k in need} & kinds
    }


@pytest.fixture
def world() -> dict[str, Any]:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    household, _mother, son, case = yamada_household(staff, cast.center)
    people.record_assessment(
        staff,
        case,
        {"housing": "at_risk", "mental_health": "serious", "mental_health_notes": "うつ病"},
    )
    people.raise_flags(
        staff, case, [people.rules.Finding("urgent_need", "R8", "食事", "食べていない")], "t"
    )
    introduction = referrals.record_introduction(
        staff,
        case,
        {"target_kind": "peer_group", "to_name": "当事者会", "what_given": "会の案内"},
    )
    dismissal = referrals.dismiss_suggestion(staff, case, "R6", reason="本人が今は望まない")
    plan = plans.create_plan(
        staff,
        case,
        {"person_wishes": "外に出たい", "family_wishes": "働いてほしい", "mode": "accompaniment"},
        items=[{"what": "訪問", "responsible_agency": cast.center, "service": "home_visit"}],
    )
    SupportPlan.objects.filter(pk=plan.pk).update(state=PlanState.DECIDED)
    evaluation = plans.evaluate_plan(
        staff, plan, {"person_view": "少し楽になった", "decision": "follow_up"}
    )
    plan.refresh_from_db()
    users = {
        "staff": staff,
        "sr_staff": _user("sr_staff", cast.self_reliance, Role.STAFF),
        "sr_manager": _user("sr_manager", cast.self_reliance, Role.MANAGER),
        "sr_auditor": _user("sr_auditor", cast.self_reliance, Role.AUDITOR),
        "supporter": cast.users[Role.SUPPORTER],
        "outsider": cast.outsider,
    }
    records = {
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
    }
    return {"cast": cast, "users": users, "records": records, "son": son, "case": case}


def _run(world: dict[str, Any], program: list[tuple[Any, ...]]) -> None:
    cast, users, records = world["cast"], world["users"], world["records"]
    staff, son, case = users["staff"], world["son"], world["case"]
    clock = [timezone.now()]
    account = Account()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: clock[0]):
        for op in program:
            name = op[0]
            if name == "consent":
                consent = make_consent(staff, son, cast.self_reliance, op[1], case=case, days=op[2])
                grant = sharing.share_under_consent(
                    staff, consent, receiving_agency=cast.self_reliance
                )
                account.consents.append(consent)
                account.grants.append(
                    Granted(
                        grant.pk,
                        "agency",
                        frozenset(grant.kinds),
                        grant.starts_at,
                        grant.ends_at,
                        consent.pk,
                    )
                )
                assert set(grant.kinds) == set(op[1])
            elif name == "withdraw" and account.consents:
                consent = account.consents[op[1] % len(account.consents)]
                if consent.pk not in account.withdrawn:
                    withdraw_consent(staff, consent)
                    account.withdrawn.add(consent.pk)
            elif name == "emergency":
                grant = sharing.share_in_emergency(
                    staff,
                    son,
                    receiving_agency=cast.self_reliance,
                    legal_ground="life_body_property",
                    reason="命に関わる",
                    hours=op[2],
                    kinds=op[1],
                    case=case,
                )
                account.grants.append(
                    Granted(grant.pk, "agency", frozenset(op[1]), grant.starts_at, grant.ends_at)
                )
                assert grant.ends_at - grant.starts_at == datetime.timedelta(hours=op[2])
            elif name == "dispatch":
                until = timezone.localdate() + datetime.timedelta(days=op[1])
                grant = sharing.grant_for_dispatch(
                    staff, son, users["supporter"], dispatch_ref=1, until=until, case=case
                )
                account.grants.append(
                    Granted(
                        grant.pk,
                        "supporter",
                        frozenset({"identity"}),
                        grant.starts_at,
                        grant.ends_at,
                    )
                )
            elif name == "end" and account.grants:
                granted = account.grants[op[1] % len(account.grants)]
                if not granted.ended and granted.consent not in account.withdrawn:
                    from tsunagi.access.models import Grant

                    sharing.end_grant(staff, Grant.objects.get(pk=granted.pk), reason="終了")
                    granted.ended = True
            elif name == "advance":
                clock[0] += datetime.timedelta(hours=op[1])
            elif name == "request":
                _check_request(users[op[1]], op[1], op[2], records[op[2]], account, clock[0])
        # and at the end, every asker asks for every record
        for asker in ASKERS:
            for kind in RECORDS:
                _check_request(users[asker], asker, kind, records[kind], account, clock[0])


def _check_request(
    user: Any, asker: str, kind: Kind, obj: Any, account: Account, now: datetime.datetime
) -> None:
    assert not can(user, Action.VIEW, kind, obj), "no asker works at the owning agency"
    seen = sight(user, kind, obj)
    if kind in NEVER_SHARED:
        assert seen is None, f"{asker} sees {kind} under {seen}"
        return
    active = account.active(asker, now)
    granted_kinds: set[str] = {k for g in active for k in g.kinds}
    if seen is None:
        # the converse: an active grant that lets a field of this record through is honoured
        assert kind == Kind.HOUSEHOLD or not _fields(obj, granted_kinds), (asker, kind)
        return
    # never without a ground: an active grant whose kinds cover at least one field
    assert kind != Kind.HOUSEHOLD
    assert active, f"{asker} sees {kind} with no active grant"
    assert set(seen.kinds) <= granted_kinds
    assert _fields(obj, set(seen.kinds)), f"{asker} sees {kind} with no shareable field"
    assert seen.ground in {
        f"{k}:{g.pk}" for g in active for k in ("consent", "emergency", "dispatch")
    }
    values = shared_values(obj, seen.kinds)
    assert set(values) - {"id"} <= _fields(obj, granted_kinds)
    if kind == Kind.PERSON:
        record = shared_record(user, obj, seen)
        assert set(record["person"]) - {"id"} <= _fields(obj, granted_kinds)
        for part in ("cases", "assessments", "contacts", "flags"):
            for row in record[part]:
                label = {
                    "cases": "people.case",
                    "assessments": "people.assessment",
                    "contacts": "people.contact",
                    "flags": "people.flag",
                }[part]
                allowed = {
                    n
                    for n, need in FIELD_KINDS[label].items()
                    if {str(k) for k in need} & granted_kinds
                }
                assert set(row) - {"id"} <= allowed, (part, set(row) - allowed)
        if InfoKind.SPECIAL_CARE not in granted_kinds:
            for row in record["assessments"]:
                assert "mental_health_notes" not in row


HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HYPOTHESIS
@given(program=programs)
def test_p1_p4_p5_no_record_is_shown_without_a_ground(
    world: dict[str, Any], program: list[tuple[Any, ...]]
) -> None:
    with transaction.atomic():
        try:
            _run(world, program)
        finally:
            transaction.set_rollback(True)
    for user in world["users"].values():
        user.__dict__.pop("_tsunagi_positions", None)


@HYPOTHESIS
@given(
    kinds=st.lists(st.sampled_from(KINDS), max_size=5, unique=True),
    problems=st.lists(
        st.sampled_from(["health", "dv_abuse", "income", "housing", "debt", "hikikomori"]),
        unique=True,
    ),
)
def test_p1_shared_values_never_leaves_the_granted_kinds(
    world: dict[str, Any], kinds: list[str], problems: list[str]
) -> None:
    records = world["records"]
    case = records[Kind.CASE]
    case.problems = problems
    case.main_problem = problems[0] if problems else ""
    for kind in (
        Kind.PERSON,
        Kind.CASE,
        Kind.CONTACT,
        Kind.ASSESSMENT,
        Kind.FLAG,
        Kind.PLAN,
        Kind.EVALUATION,
    ):
        obj = records[kind]
        values = shared_values(obj, kinds)
        assert set(values) - {"id"} <= _fields(obj, set(kinds))
    # the plan: its wishes under situation or plan, the rest under plan only
    plan_values = set(shared_values(records[Kind.PLAN], kinds)) - {"id"}
    if "plan" not in kinds:
        assert plan_values <= {"person_wishes", "family_wishes"}
        assert set(shared_values(records[Kind.EVALUATION], kinds)) == {"id"}
    if "special_care" not in kinds and "situation" in kinds:
        shared = shared_values(case, kinds)
        assert not {"health", "dv_abuse"} & set(shared["problems"])
        assert shared["main_problem"] not in {"health", "dv_abuse"}
