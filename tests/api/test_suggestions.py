"""`/api/v1/persons/{id}/suggestions` and `/api/v1/referral-rules`: the suggestions of the rules
for a case, each with its rule, reason and agencies; setting one aside and showing it again; the
rule table; and the users who must see nothing (a receiving agency under a grant included)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.api.factories import JAPANESE, ApiClient, assert_error, field_errors, issue_token
from tests.cast import PASSWORD, make_cast
from tests.people import make_person, yamada_household
from tests.sharing import make_consent, make_referral, receiver
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.jurisdictions.models import Municipality
from tsunagi.people import services as people
from tsunagi.people.models import Case, Person
from tsunagi.referrals import services as referral_services
from tsunagi.referrals.models import Dismissal
from tsunagi.referrals.suggestions import RULES

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> ApiClient:
    response = issue_token(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


# What the mother tells of the household: no work, money tight with debt, her care needs.
NEED = {
    "informant": "family",
    "employment": "unemployed",
    "going_out": "neighbourhood",
    "finance": "tight",
    "housing": "rented",
    "debt": True,
    "household_member_needs_care": True,
    "wishes": "（母の言葉）お金のことも相談したい。",
}


@pytest.fixture
def story() -> dict[str, Any]:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, mother, son, case = yamada_household(staff, cast.center)
    Person.objects.filter(pk__in=[mother.pk, son.pk]).update(
        municipality=Municipality.objects.get(code="39201")
    )
    son.refresh_from_db()
    people.record_assessment(staff, case, NEED)
    return {
        "cast": cast,
        "staff": staff,
        "mother": mother,
        "son": son,
        "case": case,
        "center": client_for(staff),
    }


def panel(s: dict[str, Any], **params: Any) -> dict[str, Any]:
    return ok(s["center"].get(f"/persons/{s['son'].pk}/suggestions", **params))


def by_code(answer: dict[str, Any], key: str = "active") -> dict[str, dict[str, Any]]:
    return {item["code"]: item for item in answer[key]}


def test_r2_the_panel_names_the_self_reliance_agency_of_the_persons_city(story):
    answer = panel(story, case=story["case"].pk)

    assert answer["person"] == story["son"].pk and answer["case"]["id"] == story["case"].pk
    r2 = by_code(answer)["R2"]
    assert (r2["rule"], r2["action"]) == ("R2", "refer")
    assert JAPANESE.search(r2["reason"]) and JAPANESE.search(r2["title"])
    assert JAPANESE.search(r2["action_label"])
    [agency] = r2["agencies"]
    assert agency["id"] == story["cast"].self_reliance.pk
    assert agency["kind"] == "self_reliance" and JAPANESE.search(agency["kind_label"])
    assert JAPANESE.search(agency["reason"])
    assert r2["taken"] == [] and r2["dismissal"] is None and answer["dismissed"] == []
    for item in answer["active"]:
        assert item["rule"] in item["code"] and JAPANESE.search(item["reason"]), item


def test_r7_a_suggestion_names_the_household_member_it_is_for(story):
    care = by_code(panel(story))["R7:elderly_care"]

    assert care["for_names"] == ["山田 花子"]
    assert all(JAPANESE.search(u) for u in care["unresolved"])  # no such center registered


def test_r2_no_referral_is_proposed_without_economic_need(story):
    quiet = make_person(story["staff"], story["cast"].center, "高橋", "一郎")
    contact = people.record_contact(
        story["staff"],
        {"channel": "phone", "initiator": "person", "summary": "本人から相談"},
        person=quiet,
        case_data={"problems": ["hikikomori"], "main_problem": "hikikomori"},
    )
    people.record_assessment(
        story["staff"], contact.case, {"informant": "person", "finance": "stable"}
    )

    answer = ok(story["center"].get(f"/persons/{quiet.pk}/suggestions"))

    assert "R2" not in by_code(answer)


def test_the_panel_shows_what_was_already_done(story):
    make_referral(story["staff"], story["case"], story["cast"].self_reliance)

    r2 = by_code(panel(story))["R2"]

    [taken] = r2["taken"]
    assert story["cast"].self_reliance.name in taken and JAPANESE.search(taken)


def test_without_a_case_the_newest_open_case_is_used(story):
    assert panel(story)["case"]["id"] == story["case"].pk

    Case.objects.filter(pk=story["case"].pk).update(closed_on=timezone.localdate())

    refused = story["center"].get(f"/persons/{story['son'].pk}/suggestions")
    assert JAPANESE.search(field_errors(refused, "case")[0])
    assert panel(story, case=story["case"].pk)["case"]["id"] == story["case"].pk


def test_a_case_of_another_person_is_refused(story):
    other = make_person(story["staff"], story["cast"].center, "高橋", "一郎")
    contact = people.record_contact(
        story["staff"],
        {"channel": "phone", "initiator": "person", "summary": "本人から相談"},
        person=other,
    )

    answer = story["center"].get(f"/persons/{story['son'].pk}/suggestions", case=contact.case.pk)

    assert field_errors(answer, "case")
    assert field_errors(
        story["center"].get(f"/persons/{story['son'].pk}/suggestions", case="x"), "case"
    )


def test_p3_the_read_is_logged_with_the_person_as_subject(story):
    panel(story)

    event = AuditEvent.objects.get(action="suggestion.listed")
    assert event.subject_id == story["son"].pk and event.actor == story["staff"]
    assert event.grant == "own_agency" and event.agency_id == story["cast"].center.pk
    assert "R2" in event.detail["codes"]


def test_dismissing_a_suggestion_moves_it_aside_with_its_reason(story):
    path = f"/persons/{story['son'].pk}/suggestions/dismissals"
    body = {"case": story["case"].pk, "code": "R2", "reason": "本人が今は望んでいない"}

    dismissal = ok(story["center"].post(path, body), 201)

    assert (dismissal["rule"], dismissal["code"]) == ("R2", "R2")
    assert dismissal["reason"] == "本人が今は望んでいない" and dismissal["by"] == "staff"
    assert dismissal["restored_at"] is None
    answer = panel(story)
    assert "R2" not in by_code(answer)
    aside = by_code(answer, "dismissed")["R2"]
    assert aside["dismissal"]["id"] == dismissal["id"]
    assert aside["dismissal"]["reason"] == "本人が今は望んでいない"
    assert AuditEvent.objects.filter(action="suggestion.dismissed").count() == 1


def test_bad_dismissals_answer_field_errors_in_japanese(story):
    path = f"/persons/{story['son'].pk}/suggestions/dismissals"
    base = {"case": story["case"].pk, "code": "R2", "reason": "本人が望んでいない"}
    ok(story["center"].post(path, base), 201)

    for body, field in (
        ({**base, "code": "R99"}, "code"),
        ({**base, "code": "R7:hello_work", "reason": "  "}, "reason"),
        ({**base}, "code"),  # already set aside
        ({**base, "case": 999999}, "case"),
        ({"case": story["case"].pk, "reason": "x"}, "code"),
        ({**base, "case": "abc"}, "case"),
    ):
        [message, *_rest] = field_errors(story["center"].post(path, body), field)
        assert JAPANESE.search(message), (body, message)
    assert Dismissal.objects.count() == 1


def test_a_suggestion_set_aside_is_shown_again(story):
    path = f"/persons/{story['son'].pk}/suggestions/dismissals"
    dismissal = ok(story["center"].post(path, {
        "case": story["case"].pk, "code": "R2", "reason": "本人が望んでいない",
    }), 201)  # fmt: skip

    restored = ok(story["center"].post(f"{path}/{dismissal['id']}/restore"))

    assert restored["restored_at"] and restored["restored_by"] == "staff"
    assert "R2" in by_code(panel(story)) and panel(story)["dismissed"] == []
    again = story["center"].post(f"{path}/{dismissal['id']}/restore")
    assert JAPANESE.search(field_errors(again, "code")[0])
    # the row stays (it is counted) and the same suggestion can be set aside again
    ok(story["center"].post(path, {
        "case": story["case"].pk, "code": "R2", "reason": "やはり見送る",
    }), 201)  # fmt: skip
    assert Dismissal.objects.count() == 2


def test_a_dismissal_is_restored_only_under_its_own_person(story):
    path = f"/persons/{story['son'].pk}/suggestions/dismissals"
    dismissal = ok(story["center"].post(path, {
        "case": story["case"].pk, "code": "R2", "reason": "本人が望んでいない",
    }), 201)  # fmt: skip

    wrong = f"/persons/{story['mother'].pk}/suggestions/dismissals/{dismissal['id']}/restore"
    assert_error(story["center"].post(wrong), 404)
    assert_error(story["center"].post(f"{path}/999999/restore"), 404)


def test_p1_the_receiving_agency_under_a_grant_sees_no_suggestions(story):
    cast = story["cast"]
    consent = make_consent(story["staff"], story["son"], cast.self_reliance, case=story["case"])
    referral = make_referral(story["staff"], story["case"], cast.self_reliance, consent)
    referral_services.send_referral(story["staff"], referral)
    agency = client_for(receiver(cast))
    son = story["son"].pk

    assert_error(agency.get(f"/persons/{son}/suggestions", case=story["case"].pk), 404)
    dismissed = agency.post(f"/persons/{son}/suggestions/dismissals", {
        "case": story["case"].pk, "code": "R2", "reason": "x",
    })  # fmt: skip
    assert_error(dismissed, 404)
    assert not AuditEvent.objects.filter(action="suggestion.listed").exists()


@pytest.mark.parametrize("who", ["nobody", "outsider", "auditor"])
def test_the_users_who_must_see_nothing(story, who):
    cast = story["cast"]
    user = cast.users[Role.AUDITOR] if who == "auditor" else getattr(cast, who)
    client = client_for(user)
    son = story["son"].pk
    dismissal = referral_services.dismiss_suggestion(
        story["staff"], story["case"], "R2", reason="本人が望んでいない"
    )

    assert_error(client.get(f"/persons/{son}/suggestions"), 404)
    assert_error(client.get(f"/persons/{son}/suggestions", case=story["case"].pk), 404)
    posted = client.post(f"/persons/{son}/suggestions/dismissals", {
        "case": story["case"].pk, "code": "R7:debt", "reason": "x",
    })  # fmt: skip
    assert_error(posted, 404)
    restore = f"/persons/{son}/suggestions/dismissals/{dismissal.pk}/restore"
    assert_error(client.post(restore), 404)
    dismissal.refresh_from_db()
    assert dismissal.restored_at is None and Dismissal.objects.count() == 1
    assert not AuditEvent.objects.filter(action="suggestion.listed").exists()


def test_no_token_is_401(story):
    assert_error(ApiClient().get(f"/persons/{story['son'].pk}/suggestions"), 401)
    assert_error(ApiClient().get("/referral-rules"), 401)


def test_the_rule_table_lists_every_rule_with_its_targets_in_japanese(story):
    rules = ok(story["center"].get("/referral-rules"))

    assert [r["code"] for r in rules] == [r.code for r in RULES]
    r2 = next(r for r in rules if r["code"] == "R2")
    assert (r2["id"], r2["action"]) == ("R2", "refer")
    assert JAPANESE.search(r2["title"]) and JAPANESE.search(r2["when"])
    assert JAPANESE.search(r2["action_label"])
    assert r2["targets"] == [{"code": "self_reliance", "label": r2["targets"][0]["label"]}]
    assert JAPANESE.search(r2["targets"][0]["label"])
    for rule in rules:
        assert rule["targets"] and all(t["label"] for t in rule["targets"]), rule


def test_the_user_with_no_membership_gets_an_empty_rule_table(story):
    assert ok(client_for(story["cast"].nobody).get("/referral-rules")) == []
