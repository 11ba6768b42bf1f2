"""`/api/v1/referrals`: drafting, the consent (P1), the steps of each side, what each side sees,
the withdrawal (P4), the access log (P3), and the users who must see nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.api.factories import JAPANESE, ApiClient, assert_error, field_errors, issue_token
from tests.cast import PASSWORD, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, receiver
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.consent.services import withdraw_consent
from tsunagi.referrals.models import Referral

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> ApiClient:
    response = issue_token(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def story() -> dict[str, Any]:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, mother, son, case = yamada_household(staff, cast.center)
    sr = receiver(cast)
    return {
        "cast": cast,
        "staff": staff,
        "mother": mother,
        "son": son,
        "case": case,
        "sr": sr,
        "center": client_for(staff),
        "receiver": client_for(sr),
    }


def draft(s: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {
        "case": s["case"].pk,
        "to_agency": s["cast"].self_reliance.pk,
        "purpose": "家計と就労の相談をお願いします",
        "wishes": "お金のことを相談したい",
        "rule": "R2",
        **extra,
    }
    return ok(s["center"].post("/referrals", body), 201)


def sons_consent(s: dict[str, Any], kinds: list[str] | None = None) -> Any:
    return make_consent(s["staff"], s["son"], s["cast"].self_reliance, kinds, case=s["case"])


def sent(s: dict[str, Any]) -> dict[str, Any]:
    referral = draft(s, consent=sons_consent(s).pk)
    return ok(s["center"].post(f"/referrals/{referral['id']}/send"))


def test_p1_a_draft_without_consent_shows_consent_missing_and_cannot_be_sent(story):
    referral = draft(story)

    assert referral["state"] == "draft" and referral["side"] == "sender"
    assert referral["person_name"] == "山田 太郎" and referral["case_number"]
    [finding] = referral["findings"]
    assert (finding["code"], finding["rule"]) == ("consent_missing", "P1")
    assert JAPANESE.search(finding["label"]) and JAPANESE.search(finding["reason"])
    assert [s["step"] for s in referral["next_steps"]] == ["confirm_consent", "cancel"]
    refused = assert_error(story["center"].post(f"/referrals/{referral['id']}/send"), 409)
    assert "下書き" in refused["detail"] or JAPANESE.search(refused["detail"])
    again = ok(story["center"].get(f"/referrals/{referral['id']}"))
    assert again["state"] == "draft" and again["dates"]["sent_at"] is None


def test_p1_the_mothers_consent_cannot_be_attached_to_the_sons_referral(story):
    referral = draft(story)
    mothers = make_consent(story["staff"], story["mother"], story["cast"].self_reliance)

    answer = story["center"].post(f"/referrals/{referral['id']}/consent", {"consent": mothers.pk})

    [message] = field_errors(answer, "consent")
    assert "P1" in message and JAPANESE.search(message)
    assert ok(story["center"].get(f"/referrals/{referral['id']}"))["state"] == "draft"


def test_p1_a_consent_naming_another_agency_is_refused(story):
    referral = draft(story)
    other = make_consent(story["staff"], story["son"], story["cast"].tokyo_agency)

    answer = story["center"].post(f"/referrals/{referral['id']}/consent", {"consent": other.pk})

    assert "P1" in field_errors(answer, "consent")[0]


def test_p1_with_the_sons_consent_the_referral_is_sent_and_the_receiver_sees_it(story):
    referral = draft(story)
    consent = sons_consent(story)
    confirmed = ok(
        story["center"].post(
            f"/referrals/{referral['id']}/consent",
            {"consent": consent.pk, "version": referral["version"]},
        )
    )
    assert confirmed["state"] == "consent_confirmed" and confirmed["findings"] == []
    assert confirmed["consent"]["kinds"] == ["identity", "situation"]

    done = ok(story["center"].post(f"/referrals/{referral['id']}/send"))

    assert done["state"] == "sent" and done["dates"]["sent_at"]
    seen = ok(story["receiver"].get(f"/referrals/{referral['id']}"))
    assert seen["side"] == "receiver" and seen["person_name"] == "山田 太郎"
    assert seen["case_number"] is None
    assert [s["step"] for s in seen["next_steps"]] == ["receive", "accept", "decline"]
    assert seen["consent"]["withdrawn_at"] is None


def test_the_receiver_cannot_see_a_draft(story):
    referral = draft(story, consent=sons_consent(story).pk)

    assert_error(story["receiver"].get(f"/referrals/{referral['id']}"), 404)
    assert_error(story["receiver"].post(f"/referrals/{referral['id']}/accept", {}), 404)
    assert ok(story["receiver"].get("/referrals", direction="received"))["items"] == []


def test_the_whole_loop_with_dates_seen_by_both_sides(story):
    referral = sent(story)
    rid = referral["id"]
    ok(story["receiver"].post(f"/referrals/{rid}/receive"))
    accepted = ok(story["receiver"].post(f"/referrals/{rid}/accept", {}))
    assert accepted["state"] == "accepted" and accepted["received_case"]
    contact = {"channel": "office_visit", "initiator": "person", "summary": "初回面談"}
    first = ok(story["receiver"].post(f"/referrals/{rid}/first-contact", contact))
    assert first["state"] == "first_contact"

    center_view = ok(story["center"].get(f"/referrals/{rid}"))

    assert center_view["state"] == "first_contact"
    assert center_view["dates"]["first_contact_on"] == first["dates"]["first_contact_on"]
    assert center_view["received_case"] is None  # the receiver's own case stays its own
    assert [s["step"] for s in center_view["next_steps"]] == ["close"]
    closed = ok(story["center"].post(f"/referrals/{rid}/close"))
    assert closed["state"] == "closed" and closed["dates"]["closed_at"]


def test_each_side_takes_only_its_own_steps(story):
    rid = sent(story)["id"]

    assert_error(story["center"].post(f"/referrals/{rid}/accept", {}), 403)
    assert_error(story["receiver"].post(f"/referrals/{rid}/cancel", {"reason": "誤り"}), 403)
    refused = assert_error(story["center"].post(f"/referrals/{rid}/close"), 409)
    assert JAPANESE.search(refused["detail"])


def test_a_stale_version_is_an_edit_conflict(story):
    referral = draft(story, consent=sons_consent(story).pk)

    answer = story["center"].post(f"/referrals/{referral['id']}/send", {"version": 1})

    body = assert_error(answer, 409)
    assert body["current_version"] == referral["version"]


def test_decline_and_cancel_need_a_reason(story):
    rid = sent(story)["id"]
    assert field_errors(
        story["receiver"].post(f"/referrals/{rid}/decline", {"reason": ""}), "reason"
    )
    declined = ok(story["receiver"].post(f"/referrals/{rid}/decline", {"reason": "管轄外です"}))
    assert declined["state"] == "declined" and declined["decline_reason"] == "管轄外です"

    other = draft(story)
    assert field_errors(story["center"].post(f"/referrals/{other['id']}/cancel", {}), "reason")
    cancelled = ok(story["center"].post(f"/referrals/{other['id']}/cancel", {"reason": "重複"}))
    assert cancelled["state"] == "cancelled" and cancelled["findings"] == []


def test_p4_a_withdrawal_is_seen_by_both_sides_and_hides_the_name(story):
    consent = sons_consent(story)
    rid = ok(story["center"].post("/referrals", {
        "case": story["case"].pk, "to_agency": story["cast"].self_reliance.pk,
        "purpose": "家計の相談", "consent": consent.pk, "wishes": "相談したい",
    }), 201)["id"]  # fmt: skip
    ok(story["center"].post(f"/referrals/{rid}/send"))

    withdraw_consent(story["staff"], consent, note="本人から電話で撤回")

    for side in ("center", "receiver"):
        seen = ok(story[side].get(f"/referrals/{rid}"))
        assert seen["consent"]["status"] == "withdrawn" and seen["consent"]["withdrawn_at"]
        assert [f["rule"] for f in seen["findings"]] == ["P4"]
    assert ok(story["receiver"].get(f"/referrals/{rid}"))["person_name"] is None
    refused = assert_error(story["receiver"].post(f"/referrals/{rid}/accept", {}), 409)
    assert JAPANESE.search(refused["detail"])


def test_p3_every_read_is_logged_on_its_ground(story):
    referral = sent(story)
    rid = referral["id"]

    ok(story["receiver"].get(f"/referrals/{rid}"))
    ok(story["receiver"].get("/referrals", direction="received"))

    viewed = AuditEvent.objects.filter(action="referral.viewed", actor=story["sr"]).get()
    grant = Referral.objects.get(pk=rid).grant
    assert grant is not None and viewed.grant == grant.code
    assert viewed.actor_agency_id == story["cast"].self_reliance.pk
    assert viewed.subject_id == story["son"].pk and viewed.agency_id == story["cast"].center.pk
    listed = AuditEvent.objects.get(action="referral.listed", actor=story["sr"])
    assert listed.grant == viewed.grant and listed.record_id == str(rid)
    own = AuditEvent.objects.filter(action="referral.viewed", actor=story["staff"]).last()
    assert own is not None and own.grant == "own_agency"


def test_lists_by_direction_and_state(story):
    first = sent(story)
    second = draft(story)

    mine = ok(story["center"].get("/referrals", direction="sent"))
    assert {r["id"] for r in mine["items"]} == {first["id"], second["id"]} and mine["count"] == 2
    drafts = ok(story["center"].get("/referrals", state="draft"))
    assert [r["id"] for r in drafts["items"]] == [second["id"]]
    received = ok(story["receiver"].get("/referrals"))
    assert [r["id"] for r in received["items"]] == [first["id"]]
    assert received["items"][0]["side"] == "receiver"
    assert ok(story["center"].get("/referrals", direction="received"))["items"] == []
    paged = ok(story["center"].get("/referrals", limit=1, offset=1))
    assert len(paged["items"]) == 1 and paged["count"] == 2


@pytest.mark.parametrize("who", ["nobody", "outsider"])
def test_the_users_who_must_see_nothing(story, who):
    rid = sent(story)["id"]
    client = client_for(getattr(story["cast"], who))

    assert ok(client.get("/referrals"))["items"] == []
    assert_error(client.get(f"/referrals/{rid}"), 404)
    for step, body in (("receive", None), ("accept", {}), ("close", None)):
        assert_error(client.post(f"/referrals/{rid}/{step}", body), 404)
    created = client.post("/referrals", {
        "case": story["case"].pk, "to_agency": story["cast"].tokyo_agency.pk, "purpose": "x",
    })  # fmt: skip
    assert_error(created, 404)
    assert not AuditEvent.objects.filter(action="referral.viewed", actor__username=who).exists()


def test_no_token_is_401(story):
    assert_error(ApiClient().get("/referrals"), 401)


def test_bad_inputs_answer_field_errors_in_japanese(story):
    center = story["center"]
    base = {"case": story["case"].pk, "to_agency": story["cast"].self_reliance.pk}

    for body, field in (
        ({**base}, "purpose"),
        ({**base, "purpose": "  "}, "purpose"),
        ({**base, "purpose": "x", "to_agency": 999999}, "to_agency"),
        ({**base, "purpose": "x", "to_agency": story["cast"].center.pk}, "to_agency"),
        ({**base, "purpose": "x", "case": "abc"}, "case"),
        ({**base, "purpose": "x", "rule": "R" * 20}, "rule"),
    ):
        [message, *_rest] = field_errors(center.post("/referrals", body), field)
        assert JAPANESE.search(message), (field, message)
    rid = draft(story)["id"]
    assert field_errors(center.post(f"/referrals/{rid}/consent", {}), "consent")
    assert field_errors(center.post(f"/referrals/{rid}/consent", {"consent": 999999}), "consent")
    assert field_errors(center.get("/referrals", direction="sideways"), "direction")
    assert field_errors(center.get("/referrals", state="lost"), "state")
    assert field_errors(center.get("/referrals", limit=0), "limit")
    assert_error(center.get("/referrals/999999"), 404)
    assert_error(center.get("/referrals/abc"), 422)


# --- the person's wishes (R1), edits, the timeline ------------------------------------------


def test_r1_a_referral_without_the_persons_wishes_cannot_be_sent(story):
    referral = draft(story, wishes="", consent=sons_consent(story).pk)

    assert [(f["code"], f["rule"]) for f in referral["findings"]] == [("wishes_missing", "R1")]
    assert JAPANESE.search(referral["findings"][0]["reason"])
    refused = story["center"].post(f"/referrals/{referral['id']}/send")
    [message] = field_errors(refused, "wishes")
    assert "R1" in message and JAPANESE.search(message)

    edited = ok(story["center"].patch(f"/referrals/{referral['id']}", {
        "wishes": "自分のペースで相談したい", "wishes_heard_on": "令和7年4月1日",
        "version": referral["version"],
    }))  # fmt: skip

    assert edited["wishes"] == "自分のペースで相談したい"
    assert edited["wishes_heard_on"] == "2025-04-01" and edited["findings"] == []
    assert edited["version"] == referral["version"] + 1
    assert ok(story["center"].post(f"/referrals/{referral['id']}/send"))["state"] == "sent"
    changed = AuditEvent.objects.get(action="referral.changed")
    assert changed.detail["fields"] == ["wishes", "wishes_heard_on"]


def test_the_draft_keeps_the_day_heard_and_the_end_of_support(story):
    referral = draft(story, wishes_heard_on="2025-04-01", support_ends_on="R7.9.30")

    assert referral["wishes"] == "お金のことを相談したい" and referral["by_letter"] is False
    assert referral["wishes_heard_on"] == "2025-04-01"
    assert referral["support_ends_on"] == "2025-09-30"
    assert referral["gap"]["ended_on"] == "2025-09-30" and referral["gap"]["days"] is None
    assert referral["reminder"] is None
    [event] = referral["events"]
    assert (event["step"], event["state"], event["on_behalf"]) == ("drafted", "draft", False)
    assert event["actor"] == "staff" and event["agency"] == story["cast"].center.name
    assert JAPANESE.search(event["state_label"])


def test_edits_conflicts_and_who_may_edit(story):
    referral = draft(story, consent=sons_consent(story).pk)
    rid = referral["id"]
    center = story["center"]

    stale = assert_error(center.patch(f"/referrals/{rid}", {"purpose": "別の依頼", "version": 1}),
                         409)  # fmt: skip
    assert stale["current_version"] == referral["version"]
    for body, field in (
        ({"purpose": ""}, "purpose"),
        ({"wishes_heard_on": "2999-01-01"}, "wishes_heard_on"),
        ({"support_ends_on": "いつか"}, "support_ends_on"),
    ):
        [message, *_rest] = field_errors(center.patch(f"/referrals/{rid}", body), field)
        assert JAPANESE.search(message), (field, message)
    ok(center.post(f"/referrals/{rid}/send"))
    assert_error(story["receiver"].patch(f"/referrals/{rid}", {"purpose": "x"}), 403)
    refused = assert_error(center.patch(f"/referrals/{rid}", {"purpose": "送付後の変更"}), 409)
    assert JAPANESE.search(refused["detail"])
    assert ok(center.get(f"/referrals/{rid}"))["purpose"] == "家計と就労の相談をお願いします"
    assert_error(client_for(story["cast"].outsider).patch(f"/referrals/{rid}", {"purpose": "x"}),
                 404)  # fmt: skip


def test_p4_the_receiver_reads_the_wishes_only_while_the_consent_stands(story):
    consent = sons_consent(story)
    rid = draft(story, consent=consent.pk)["id"]
    ok(story["center"].post(f"/referrals/{rid}/send"))
    assert ok(story["receiver"].get(f"/referrals/{rid}"))["wishes"] == "お金のことを相談したい"

    withdraw_consent(story["staff"], consent, note="本人から電話で撤回")

    seen = ok(story["receiver"].get(f"/referrals/{rid}"))
    assert seen["wishes"] is None and seen["person_name"] is None
    assert ok(story["center"].get(f"/referrals/{rid}"))["wishes"] == "お金のことを相談したい"


def test_the_timeline_names_who_did_each_step_for_which_agency(story):
    rid = sent(story)["id"]
    ok(story["receiver"].post(f"/referrals/{rid}/receive"))
    ok(story["receiver"].post(f"/referrals/{rid}/accept", {}))
    first = ok(story["receiver"].post(f"/referrals/{rid}/first-contact", {
        "channel": "office_visit", "initiator": "person", "summary": "初回面談",
        "accompanied": True, "accompaniment_notes": "センターの担当者が同行",
    }))  # fmt: skip

    assert first["accompanied"] is True
    assert first["accompaniment_notes"] == "センターの担当者が同行"
    seen = ok(story["center"].get(f"/referrals/{rid}"))
    steps = [(e["step"], e["agency"]) for e in seen["events"]]
    center, agency = story["cast"].center.name, story["cast"].self_reliance.name
    assert steps == [
        ("drafted", center), ("consent_confirmed", center), ("sent", center),
        ("received", agency), ("accepted", agency), ("first_contact", agency),
    ]  # fmt: skip
    assert [e["actor"] for e in seen["events"][3:]] == ["sr_staff"] * 3
    assert seen["gap"]["first_contact_on"] == seen["dates"]["first_contact_on"]


def test_the_receivers_first_contact_needs_the_contact(story):
    rid = sent(story)["id"]
    ok(story["receiver"].post(f"/referrals/{rid}/accept", {}))

    answer = story["receiver"].post(f"/referrals/{rid}/first-contact", {"summary": "面談"})

    for field in ("channel", "initiator"):
        assert JAPANESE.search(field_errors(answer, field)[0])
    bad = story["receiver"].post(f"/referrals/{rid}/first-contact", {
        "channel": "office_visit", "initiator": "person", "summary": "面談",
        "accompaniment_notes": "長" * 201,
    })  # fmt: skip
    assert field_errors(bad, "accompaniment_notes")
    assert ok(story["receiver"].get(f"/referrals/{rid}"))["state"] == "accepted"


# --- declines with a category -------------------------------------------------------------


def test_a_decline_with_a_category_keeps_its_reason(story):
    rid = sent(story)["id"]

    declined = ok(story["receiver"].post(f"/referrals/{rid}/decline", {
        "reason": "住所が当機関の管轄外のため", "category": "outside_area",
    }))  # fmt: skip

    assert declined["state"] == "declined"
    assert declined["decline_reason"] == "住所が当機関の管轄外のため"
    assert declined["decline_category"] == "outside_area"
    assert JAPANESE.search(declined["decline_category_label"])
    seen = ok(story["center"].get(f"/referrals/{rid}"))
    assert (seen["decline_reason"], seen["decline_category"]) == (
        "住所が当機関の管轄外のため", "outside_area",
    )  # fmt: skip
    assert seen["answered_via"] == ""


def test_a_decline_with_an_unknown_category_is_refused(story):
    rid = sent(story)["id"]

    answer = story["receiver"].post(f"/referrals/{rid}/decline", {"reason": "x", "category": "?"})

    assert JAPANESE.search(field_errors(answer, "category")[0])
    assert ok(story["center"].get(f"/referrals/{rid}"))["state"] == "sent"


# --- a receiver without an account: the referral letter and answers recorded by the sender --


@pytest.fixture
def by_letter(story: dict[str, Any]) -> dict[str, Any]:
    hello_work = Agency.objects.create(
        name="ハローワーク高知", kind=AgencyKind.HELLO_WORK,
        prefecture=story["cast"].center.prefecture, operator_level=OperatorLevel.PREFECTURE,
        operator_prefecture=story["cast"].center.prefecture,
    )  # fmt: skip
    consent = make_consent(story["staff"], story["son"], hello_work, case=story["case"])
    referral = ok(story["center"].post("/referrals", {
        "case": story["case"].pk, "to_agency": hello_work.pk, "rule": "R7",
        "purpose": "求職の相談をお願いします", "wishes": "近くで短時間の仕事を探したい",
        "consent": consent.pk,
    }), 201)  # fmt: skip
    return {**story, "hello_work": hello_work, "referral": referral}


def test_walkthrough_by_letter_the_sender_records_the_receivers_answers(by_letter):
    s = by_letter
    center, rid = s["center"], s["referral"]["id"]
    assert s["referral"]["by_letter"] is True
    sent_letter = ok(center.post(f"/referrals/{rid}/send"))
    assert [x["step"] for x in sent_letter["next_steps"]] == [
        "receive", "accept", "decline", "cancel",
    ]  # fmt: skip

    # Without saying how the answer came nothing is recorded.
    assert JAPANESE.search(
        field_errors(center.post(f"/referrals/{rid}/receive"), "answered_via")[0]
    )
    assert field_errors(center.post(f"/referrals/{rid}/receive", {"answered_via": "pigeon"}),
                        "answered_via")  # fmt: skip
    received = ok(center.post(f"/referrals/{rid}/receive", {"answered_via": "phone"}))
    assert received["state"] == "received"
    accepted = ok(center.post(f"/referrals/{rid}/accept", {"answered_via": "letter"}))
    assert accepted["state"] == "accepted" and accepted["received_case"] is None
    assert accepted["answered_via"] == "letter" and JAPANESE.search(accepted["answered_via_label"])
    assert [x["step"] for x in accepted["next_steps"]] == ["first_contact"]

    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for body, field in (
        ({"answered_via": "phone"}, "occurred_on"),
        ({"answered_via": "phone", "occurred_on": future}, "occurred_on"),
        ({"occurred_on": "R7.4.1"}, "answered_via"),
    ):
        answer = center.post(f"/referrals/{rid}/first-contact", body)
        assert JAPANESE.search(field_errors(answer, field)[0]), body
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    first = ok(center.post(f"/referrals/{rid}/first-contact", {
        "occurred_on": yesterday.isoformat(), "answered_via": "phone",
        "accompanied": True, "accompaniment_notes": "ハローワークまで同行",
    }))  # fmt: skip

    assert first["state"] == "first_contact"
    assert first["dates"]["first_contact_on"] == yesterday.isoformat()
    assert first["accompanied"] is True
    behalf = [(e["step"], e["on_behalf"], e["note"]) for e in first["events"]][3:]
    assert behalf == [
        ("received", True, "phone"), ("accepted", True, "letter"), ("first_contact", True, "phone"),
    ]  # fmt: skip
    assert {e["agency"] for e in first["events"]} == {s["cast"].center.name}
    assert ok(center.post(f"/referrals/{rid}/close"))["state"] == "closed"


def test_by_letter_a_decline_is_recorded_with_its_category_and_channel(by_letter):
    center, rid = by_letter["center"], by_letter["referral"]["id"]
    ok(center.post(f"/referrals/{rid}/send"))

    declined = ok(center.post(f"/referrals/{rid}/decline", {
        "reason": "本人の希望する職種の紹介が難しい", "category": "not_eligible",
        "answered_via": "fax",
    }))  # fmt: skip

    assert (declined["decline_category"], declined["answered_via"]) == ("not_eligible", "fax")
    assert declined["decline_reason"] == "本人の希望する職種の紹介が難しい"
    assert declined["events"][-1]["on_behalf"] is True
