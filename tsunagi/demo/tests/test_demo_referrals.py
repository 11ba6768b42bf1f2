"""The referral issue's demo: the suggestions panels (R2, R7, R8, J5, G), an introduction (C), a
referral by letter, reminders on both dashboards, a dismissed suggestion, a hand-over waiting too
long (R5); the same seed gives the same data, and --reset removes it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tsunagi.access.models import Grant
from tsunagi.accounts.models import User
from tsunagi.agencies.models import AgencyKind, OperatorLevel
from tsunagi.demo.builders import demo_agencies, reset_demo
from tsunagi.demo.cast import ADULT_CENTER, KOCHI_CITY_SELF_RELIANCE
from tsunagi.demo.referrals import CHILD_STAFF, MORITA_HOUSEHOLD, SR_STAFF, STAFF
from tsunagi.people.models import Case
from tsunagi.referrals import printing, rules, selectors
from tsunagi.referrals.models import Dismissal, Introduction, Referral, ReferralEvent, State

pytestmark = pytest.mark.django_db


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def user(name: str) -> User:
    return User.objects.get(username=name)


def panel(username: str, **lookup: object) -> selectors.SuggestionPanel:
    case = Case.objects.get(**lookup)
    return selectors.suggestions_for(user(username), case)


def codes(p: selectors.SuggestionPanel) -> dict[str, selectors.CaseSuggestion]:
    return {s.code: s for s in p.active}


@pytest.fixture
def built() -> str:
    return demo()


def test_r2_r7_r8_on_the_adult_centers_panel_and_r6_set_aside(built: str) -> None:
    p = panel(
        STAFF, person__membership__household__name=MORITA_HOUSEHOLD, person__given_name="浩二"
    )
    found = codes(p)

    assert {"R8:suicide", "R2", "R7:elderly_care", "R7:debt"} <= set(found)
    [r2] = found["R2"].agencies
    assert r2.agency.source == f"demo:{KOCHI_CITY_SELF_RELIANCE}"  # J2: 高知市's agency
    assert found["R7:elderly_care"].agencies[0].agency.kind == AgencyKind.COMMUNITY_GENERAL_SUPPORT
    debt_kinds = {r.agency.kind for r in found["R7:debt"].agencies}
    assert AgencyKind.DEBT_CONSULTATION in debt_kinds
    assert found["R8:suicide"].agencies[0].agency.kind == AgencyKind.SUICIDE_PREVENTION
    assert [s.code for s in p.dismissed] == ["R6"]
    assert Dismissal.objects.get(code="R6").reason
    assert "/people/cases/" in built and "R6 set aside" in built


def test_j2_walkthrough_g_a_town_without_a_welfare_office_gets_the_prefectures_agency(
    built: str,
) -> None:
    found = codes(panel(STAFF, person__family_name="岡田", person__given_name="恵美"))

    [r2] = found["R2"].agencies
    town = Case.objects.get(person__family_name="岡田").person.municipality
    assert town is not None and not town.has_welfare_office
    assert r2.agency.operator_level == OperatorLevel.PREFECTURE
    assert r2.agency.area.filter(pk=town.pk).exists()
    assert "walkthrough G" in built


def test_j5_walkthrough_b_the_child_center_hands_over_before_18(built: str) -> None:
    found = codes(panel(CHILD_STAFF, person__family_name="川島"))

    j5 = found["J5"]
    assert j5.suggestion.due is not None
    assert j5.agencies[0].agency.source == f"demo:{ADULT_CENTER}"
    assert CHILD_STAFF in built


def test_r3a_walkthrough_c_introductions_pass_no_data(built: str) -> None:
    intros = Introduction.objects.filter(agency__source=f"demo:{KOCHI_CITY_SELF_RELIANCE}")

    assert intros.count() == 2
    assert {i.rule for i in intros} == {"R3a"}
    person = intros.first().person  # type: ignore[union-attr]
    assert not Grant.objects.filter(person=person).exists()  # no data left the agency
    assert "walkthrough C" in built


def test_p1_a_referral_by_letter_to_hello_work_with_its_answer_recorded(built: str) -> None:
    letter = Referral.objects.get(to_agency__kind=AgencyKind.HELLO_WORK)

    assert letter.by_letter and letter.state == State.RECEIVED
    received = ReferralEvent.objects.get(referral=letter, step="received")
    assert received.on_behalf and received.note == "phone"
    html = printing.letter_html(user(SR_STAFF), letter)
    assert (letter.wishes in html and "返信票" in html) or "Return slip" in html
    assert f"/referrals/{letter.pk}/letter/" in built


def test_reminders_on_both_dashboards_and_a_handover_waiting_too_long(built: str) -> None:
    not_received = Referral.objects.get(
        agency__source=f"demo:{ADULT_CENTER}", rule="R2", state=State.SENT
    )
    handover = Referral.objects.get(rule="R5")

    for name, side in ((STAFF, rules.SENDER), (SR_STAFF, rules.RECEIVER)):
        waiting = {(w.referral.pk, w.side): w for w in selectors.reminders(user(name))}
        assert waiting[(not_received.pk, side)].reminder.code == "not_received"  # type: ignore[union-attr]
        handovers = {w.referral.pk: w for w in selectors.handovers_waiting(user(name))}
        assert handovers[handover.pk].side == side
        assert handovers[handover.pk].gap.waiting == 21  # type: ignore[union-attr]
    assert handover.state == State.ACCEPTED and handover.first_contact_on is None
    assert "/referrals/waiting/" in built


def snapshot() -> list[tuple[object, ...]]:
    return [
        (
            r.person.full_name,
            r.person.address,
            r.to_agency.name,
            r.state,
            r.purpose,
            r.sent_at.date() if r.sent_at else None,
            r.support_ends_on,
        )
        for r in Referral.objects.select_related("person", "to_agency").order_by(
            "person__family_name", "to_agency__name"
        )
    ]


def test_the_same_seed_gives_the_same_referral_demo() -> None:
    demo("--quiet")
    first = snapshot()
    demo("--quiet", "--reset")

    assert snapshot() == first
    assert len(first) == 4  # walkthrough A, Hello Work, not received, hand-over


def test_reset_removes_the_referral_demo() -> None:
    demo("--quiet")
    assert Referral.objects.exists()

    reset_demo()

    agencies = list(demo_agencies().values_list("pk", flat=True))
    assert not agencies
    assert not Referral.objects.exists()
    assert not ReferralEvent.objects.exists()
    assert not Introduction.objects.exists()
    assert not Dismissal.objects.exists()
    assert not Case.objects.exists()
    assert not User.objects.filter(username=CHILD_STAFF).exists()
