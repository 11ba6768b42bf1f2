"""`tsunagi demo`: the 高知県 demo, its accounts, reruns, --reset and --scale."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import call_command

from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies.models import (
    Agency,
    AgencyKind,
    Network,
    NetworkKind,
    OperatorLevel,
    Pairing,
    Qualification,
    StaffMember,
)
from tsunagi.agencies.rules import (
    Compliance,
    center_compliance,
    responsible_self_reliance_agency,
)
from tsunagi.demo.builders import DEMO_PASSWORD, demo_accounts, demo_agencies, demo_counts
from tsunagi.demo.cast import ADULT_CENTER, AGENCY_NAMES, CHILD_CENTER, KOCHI_CITY_STATION
from tsunagi.jurisdictions.models import CITY_KINDS, Municipality, Prefecture

pytestmark = pytest.mark.django_db


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def agency(key: str) -> Agency:
    return Agency.objects.get(source=f"demo:{key}")


@pytest.mark.smoke
def test_demo_builds_kochi_and_prints_the_accounts() -> None:
    output = demo()

    kochi = Prefecture.objects.get(code="39")
    assert Agency.objects.filter(prefecture=kochi).count() >= 30
    for account in demo_accounts():
        assert account.username in output
    assert DEMO_PASSWORD in output
    assert "都道府県担当" in output and "Prefectural officer" in output


def test_running_twice_creates_nothing_more() -> None:
    demo("--quiet")
    first = demo_counts()
    output = demo()

    assert demo_counts() == first
    assert "nothing (already there)" in output


def test_the_same_seed_gives_the_same_data() -> None:
    def snapshot() -> list[tuple[str, str, str, list[str]]]:
        return [
            (a.name, a.phone, a.address, sorted(a.staff.values_list("name", flat=True)))
            for a in demo_agencies().order_by("email")
        ]

    demo("--quiet")
    first = snapshot()
    demo("--quiet", "--reset")
    assert snapshot() == first
    demo("--quiet", "--reset", "--seed", "7")
    assert snapshot() != first


def test_reset_removes_the_demo_and_nothing_else() -> None:
    kochi = Prefecture.objects.get(code="39")
    real = Agency.objects.create(
        name="実在の機関", kind=AgencyKind.SELF_RELIANCE, operator_level=OperatorLevel.PRIVATE,
        prefecture=kochi,
    )  # fmt: skip
    someone = User.objects.create_user("tanaka", password="x" * 12)
    demo("--quiet", "--scale", "1")
    events = AuditEvent.objects.count()
    demo_events = AuditEvent.objects.filter(action__startswith="demo.").count()

    output = demo("--reset", "--quiet")

    assert output == ""
    assert demo_counts()["agencies"] == 32  # the 高知県 demo only; the scale agencies are gone
    assert not Agency.objects.filter(source__startswith="demo:scale.").exists()
    assert not User.objects.filter(username__startswith="demo-13-").exists()
    assert Agency.objects.filter(pk=real.pk).exists()
    assert User.objects.filter(pk=someone.pk).exists()
    # The audit log only grows: one event for the reset, one for the build (and the events of
    # the people the build writes through the services, as staff would).
    assert AuditEvent.objects.filter(action__startswith="demo.").count() == demo_events + 2
    assert AuditEvent.objects.count() > events + 2
    assert AuditEvent.objects.filter(action="demo.reset").exists()


def test_every_role_has_an_account_with_its_membership() -> None:
    demo("--quiet")

    accounts = demo_accounts()
    assert {a.role for a in accounts} == set(Role.values)
    for account in accounts:
        user = User.objects.get(username=account.username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.email == f"{account.username}@demo.tsunagi.invalid"
        assert user.full_name == account.full_name
        membership = Membership.objects.get(user=user)
        assert membership.role == account.role
        if account.agency_key is None:
            assert membership.agency is None
        else:
            assert membership.agency == agency(account.agency_key)
            assert membership.agency.name == AGENCY_NAMES[account.agency_key]
        if account.staff_title:
            assert StaffMember.objects.get(user=user).agency == membership.agency


def test_every_kochi_municipality_has_a_responsible_self_reliance_agency() -> None:
    """rule J2: a 市 its own city's agency, a 町村 the prefecture's (walkthrough G)."""
    demo("--quiet")
    kochi = Prefecture.objects.get(code="39")
    municipalities = list(Municipality.objects.filter(prefecture=kochi))
    candidates = list(
        Agency.objects.filter(prefecture=kochi, kind=AgencyKind.SELF_RELIANCE).order_by("pk")
    )
    area_of = {a.pk: set(a.area.values_list("pk", flat=True)) for a in candidates}

    assert len(municipalities) == 34
    assert sum(m.kind in CITY_KINDS for m in municipalities) == 11
    for m in municipalities:
        chosen = responsible_self_reliance_agency(m, candidates, area_of).agency
        assert chosen is not None, m.name
        assert m.pk in area_of[chosen.pk], m.name
        if m.kind in CITY_KINDS:
            assert chosen.operator_municipality_id == m.pk, m.name
        else:
            assert chosen.operator_level == OperatorLevel.PREFECTURE, m.name
            assert chosen.operator_prefecture_id == kochi.pk, m.name
            assert chosen.operator_municipality_id is None, m.name


def test_the_child_center_is_not_compliant_and_the_adult_center_is() -> None:
    """rule J6; issue 2: a center with one coordinator shows as non-compliant with the reason."""
    demo("--quiet")

    def compliance(key: str) -> Compliance:
        center = agency(key)
        return center_compliance(list(center.staff.all()), list(center.opening_hours.all()))

    adult = compliance(ADULT_CENTER)
    assert adult.compliant, adult.reasons
    assert adult.coordinators == 3

    child = compliance(CHILD_CENTER)
    assert not child.compliant
    assert child.coordinators == 1
    assert len(child.reasons) == 1  # the number of coordinators, nothing else
    assert child.reasons[0].startswith("J6") and "1" in child.reasons[0]


def test_pairings_networks_hours_and_staff() -> None:
    demo("--quiet")
    adult, child, station = agency(ADULT_CENTER), agency(CHILD_CENTER), agency(KOCHI_CITY_STATION)
    self_reliance = Agency.objects.filter(prefecture__code="39", kind=AgencyKind.SELF_RELIANCE)

    assert self_reliance.count() == 16  # 11 cities and 5 regions of the prefecture
    for center in (adult, child):
        paired = Pairing.objects.filter(hikikomori_agency=center)
        assert set(paired.values_list("self_reliance_agency", flat=True)) == set(
            self_reliance.values_list("pk", flat=True)
        )
    assert Pairing.objects.filter(
        hikikomori_agency=station, self_reliance_agency__operator_municipality__code="39201"
    ).exists()
    council = Network.objects.get(convenor=adult, kind=NetworkKind.LIAISON_COUNCIL)
    assert council.members.count() >= 5
    assert Network.objects.filter(
        kind=NetworkKind.RELATED_AGENCIES, convenor__operator_municipality__code="39201"
    ).exists()
    for kind in (AgencyKind.HELLO_WORK, AgencyKind.LEGAL_SUPPORT, AgencyKind.DEBT_CONSULTATION):
        assert Agency.objects.filter(prefecture__code="39", kind=kind).exists()

    qualifications = set(Qualification.values)
    for a in demo_agencies().prefetch_related("opening_hours", "staff"):
        a.full_clean()
        assert a.opening_hours.all(), a.name
        assert a.staff.all(), a.name
        for s in a.staff.all():
            assert set(s.qualifications) <= qualifications
    assert agency(ADULT_CENTER).postal_code == "780-0850"
    assert agency(ADULT_CENTER).address.startswith("丸ノ内")  # after the municipality


def test_scale_adds_agencies_and_users_in_all_47_prefectures_quickly() -> None:
    demo("--quiet")
    before = demo_counts()
    started = time.monotonic()
    demo("--quiet", "--scale", "2")
    elapsed = time.monotonic() - started

    assert elapsed < 10
    after = demo_counts()
    assert after["agencies"] == before["agencies"] + 2 * 47
    assert after["users"] == before["users"] + 2 * 47
    scale = Agency.objects.filter(source__startswith="demo:scale.")
    assert scale.values("prefecture").distinct().count() == 47
    for a in scale.prefetch_related("area", "opening_hours", "staff"):
        assert a.area.all() and a.opening_hours.all()
        assert 1 <= len(a.staff.all()) <= 4
    assert Membership.objects.filter(user__username="demo-13-001", role=Role.MANAGER).exists()
    assert StaffMember.objects.filter(user__username="demo-47-002").exists()
