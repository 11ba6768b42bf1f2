"""The referral screens: the case panel with rule P1's finding, the referral page with only the
viewer's side's buttons, each step, the list and the home inbox; the receiver sees the person
only through the grant (situation, not health), the outsider nothing (404)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.cast import Cast, make_cast
from tests.people import make_person, yamada_household
from tests.sharing import make_consent, make_referral, receiver
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.consent.services import withdraw_consent
from tsunagi.jurisdictions.models import Prefecture
from tsunagi.people.models import Case
from tsunagi.referrals import services
from tsunagi.referrals.models import Referral, State

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def story() -> tuple[Cast, Any, Any, Any, Case, Any]:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, mother, son, case = yamada_household(staff, cast.center)
    return cast, staff, mother, son, case, receiver(cast)


def sent(story: Any) -> Referral:
    cast, staff, _mother, son, case, _sr = story
    consent = make_consent(staff, son, cast.self_reliance, ["identity", "situation"], case=case)
    return services.send_referral(staff, make_referral(staff, case, cast.self_reliance, consent))


def test_p1_case_panel_shows_consent_missing_for_a_draft(story: Any) -> None:
    cast, staff, _mother, son, case, _sr = story
    referral = make_referral(staff, case, cast.self_reliance)
    page = client_for(staff).get(f"/people/cases/{case.pk}/").content.decode()
    assert "高知市自立相談支援機関" in page and "下書き" in page
    assert "同意がありません" in page and "P1" in page
    assert f"/consent/persons/{son.pk}/new/?case={case.pk}" in page
    assert f"/referrals/{referral.pk}/" in page
    assert f"/referrals/cases/{case.pk}/new/" in page


def test_draft_a_referral_keeps_what_was_typed_and_errors_in_japanese(story: Any) -> None:
    cast, staff, _mother, _son, case, _sr = story
    client = client_for(staff)
    page = client.get(f"/referrals/cases/{case.pk}/new/?rule=R2").content.decode()
    assert "高知市自立相談支援機関" in page and 'value="R2"' in page
    response = client.post(
        f"/referrals/cases/{case.pk}/new/", {"purpose": "家計の相談", "rule": "R2"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "家計の相談" in page and "field__error" in page
    response = client.post(
        f"/referrals/cases/{case.pk}/new/",
        {"to_agency": cast.self_reliance.pk, "purpose": "家計の相談", "rule": "R2"},
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/"
    assert referral.state == State.DRAFT and referral.rule == "R2"


def test_p1_draft_page_has_no_send_button_until_the_consent_is_attached(story: Any) -> None:
    cast, staff, _mother, son, case, _sr = story
    referral = make_referral(staff, case, cast.self_reliance)
    client = client_for(staff)
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "同意がありません" in page and "steps/send/" not in page
    # attaching nothing: the error beside the field
    response = client.post(f"/referrals/{referral.pk}/steps/confirm_consent/", {})
    assert response.status_code == 400 and "field__error" in response.content.decode()
    # sending a draft: refused with the reason, nothing sent
    response = client.post(f"/referrals/{referral.pk}/steps/send/", {}, follow=True)
    assert "下書き" in response.content.decode()
    assert Referral.objects.get().state == State.DRAFT
    consent = make_consent(staff, son, cast.self_reliance, ["identity", "situation"], case=case)
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert f'value="{consent.pk}"' in page
    response = client.post(
        f"/referrals/{referral.pk}/steps/confirm_consent/",
        {"consent": consent.pk, "version": referral.version},
    )
    assert response.status_code == 302
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "steps/send/" in page and "同意確認済み" in page
    assert client.post(f"/referrals/{referral.pk}/steps/send/", {}).status_code == 302
    assert Referral.objects.get().state == State.SENT


def test_p1_the_mothers_consent_is_not_offered_for_the_son(story: Any) -> None:
    cast, staff, mother, _son, case, _sr = story
    referral = make_referral(staff, case, cast.self_reliance)
    mothers = make_consent(staff, mother, cast.self_reliance)
    client = client_for(staff)
    assert f'value="{mothers.pk}"' not in client.get(f"/referrals/{referral.pk}/").content.decode()
    response = client.post(
        f"/referrals/{referral.pk}/steps/confirm_consent/", {"consent": mothers.pk}
    )
    assert response.status_code == 400
    assert Referral.objects.get().consent is None


def test_receiver_sees_the_inbox_and_the_person_only_through_the_grant(story: Any) -> None:
    _cast, staff, _mother, son, _case, sr = story
    referral = sent(story)
    client = client_for(sr)
    home = client.get("/").content.decode()
    assert "山田 太郎" in home and f"/referrals/{referral.pk}/" in home
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "山田 太郎" in page and f"/consent/persons/{son.pk}/shared/" in page
    assert f"/people/{son.pk}/" not in page  # never the sender's record
    assert "本人確認情報・連絡先" in page  # the consent's kinds
    # only the receiver's buttons
    assert "steps/receive/" in page and "steps/accept/" in page and "steps/decline/" in page
    assert "steps/cancel/" not in page and "steps/send/" not in page
    assert referral.grant is not None
    assert AuditEvent.objects.filter(
        actor=sr, subject_id=son.pk, grant=referral.grant.code
    ).exists()
    # the sender's page of the same referral: the sender's buttons only
    page = client_for(staff).get(f"/referrals/{referral.pk}/").content.decode()
    assert "steps/cancel/" in page and "steps/accept/" not in page


def test_wrong_side_steps_are_refused_with_403(story: Any) -> None:
    _cast, staff, _mother, _son, _case, sr = story
    referral = sent(story)
    assert client_for(staff).post(f"/referrals/{referral.pk}/steps/accept/", {}).status_code == 403
    response = client_for(sr).post(
        f"/referrals/{referral.pk}/steps/cancel/", {"cancel-reason": "x"}
    )
    assert response.status_code == 403
    assert Referral.objects.get().state == State.SENT


def test_decline_needs_a_reason(story: Any) -> None:
    _cast, _staff, _mother, _son, _case, sr = story
    referral = sent(story)
    client = client_for(sr)
    response = client.post(f"/referrals/{referral.pk}/steps/decline/", {"decline-reason": ""})
    assert response.status_code == 400 and "理由を書いてください" in response.content.decode()
    # the kind of reason is needed too; the reason typed is kept
    response = client.post(
        f"/referrals/{referral.pk}/steps/decline/", {"decline-reason": "対象地域外のため"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "対象地域外のため" in page
    assert "理由の種類を選んでください" in page
    response = client.post(
        f"/referrals/{referral.pk}/steps/decline/",
        {"decline-reason": "対象地域外のため", "decline-category": "outside_area"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == State.DECLINED and referral.decline_reason == "対象地域外のため"
    assert referral.decline_category == "outside_area"
    for user in (sr, story[1]):
        page = client_for(user).get(f"/referrals/{referral.pk}/").content.decode()
        assert "対象地域外のため" in page and 'id="decline-reason"' in page


def test_cancel_needs_a_reason_and_ends_the_grant(story: Any) -> None:
    _cast, staff, _mother, _son, _case, _sr = story
    referral = sent(story)
    client = client_for(staff)
    assert client.post(f"/referrals/{referral.pk}/steps/cancel/", {}).status_code == 400
    response = client.post(
        f"/referrals/{referral.pk}/steps/cancel/", {"cancel-reason": "本人の希望"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.grant is not None
    assert referral.state == State.CANCELLED and referral.grant.ended_at is not None


def test_accept_offers_the_receivers_own_persons_then_first_contact(story: Any) -> None:
    cast, staff, _mother, _son, _case, sr = story
    referral = sent(story)
    own = make_person(sr, cast.self_reliance, "山田", "太郎", given_name_kana="たろう")
    client = client_for(sr)
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert f'value="{own.pk}"' in page and 'value="new"' in page
    response = client.post(f"/referrals/{referral.pk}/steps/accept/", {})
    assert response.status_code == 400 and "field__error" in response.content.decode()
    response = client.post(f"/referrals/{referral.pk}/steps/accept/", {"accept-person": own.pk})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.received_case is not None
    assert referral.state == State.ACCEPTED and referral.received_case.person == own
    form = client.get(f"/referrals/{referral.pk}/steps/first_contact/")
    assert form.status_code == 200 and "令和" in form.content.decode()
    response = client.post(
        f"/referrals/{referral.pk}/steps/first_contact/",
        {"channel": "office_visit", "initiator": "person", "summary": ""},
    )
    assert response.status_code == 400 and "field__error" in response.content.decode()
    today = form.context["form"].initial["occurred_on"]
    response = client.post(
        f"/referrals/{referral.pk}/steps/first_contact/",
        {
            "occurred_on": today.isoformat(), "occurred_time": "00:00",
            "channel": "office_visit", "initiator": "person", "staff": sr.pk,
            "summary": "初回面談",
        },
    )  # fmt: skip
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == State.FIRST_CONTACT
    page = client_for(staff).get(f"/referrals/{referral.pk}/").content.decode()
    assert "初回接触済み" in page and 'id="first-contact-on"' in page
    case_page = client_for(staff).get(f"/people/cases/{referral.case_id}/").content.decode()
    assert "初回接触済み" in case_page


def test_accept_registers_a_new_person(story: Any) -> None:
    cast, _staff, _mother, _son, _case, sr = story
    referral = sent(story)
    response = client_for(sr).post(
        f"/referrals/{referral.pk}/steps/accept/", {"accept-person": "new"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.received_case is not None
    assert referral.received_case.person.agency == cast.self_reliance


def test_p4_withdrawal_shows_on_both_sides(story: Any) -> None:
    _cast, staff, _mother, _son, _case, sr = story
    referral = sent(story)
    assert referral.consent is not None
    withdraw_consent(staff, referral.consent, note="本人から電話で撤回")
    for user in (staff, sr):
        page = client_for(user).get(f"/referrals/{referral.pk}/").content.decode()
        assert 'id="consent-withdrawn"' in page
    page = client_for(sr).get(f"/referrals/{referral.pk}/").content.decode()
    assert "山田 太郎" not in page


def test_list_tabs_state_filter_and_pages(story: Any) -> None:
    cast, staff, _mother, _son, case, sr = story
    referral = sent(story)
    make_referral(staff, case, cast.self_reliance)
    page = client_for(staff).get("/referrals/?tab=sent").content.decode()
    assert page.count("/referrals/") >= 2 and "山田 太郎" in page
    page = client_for(staff).get("/referrals/?tab=sent&state=draft").content.decode()
    assert f'href="/referrals/{referral.pk}/"' not in page
    page = client_for(sr).get("/referrals/?tab=received").content.decode()
    assert f'href="/referrals/{referral.pk}/"' in page
    assert client_for(sr).get("/referrals/?tab=received&page=9").status_code == 200


def test_nobody_and_the_outsider_see_nothing(story: Any) -> None:
    cast, staff, _mother, _son, case, _sr = story
    referral = sent(story)
    outsider = client_for(cast.outsider)
    for url in (f"/referrals/{referral.pk}/", f"/referrals/cases/{case.pk}/new/"):
        assert outsider.get(url).status_code == 404
    assert outsider.post(f"/referrals/{referral.pk}/steps/accept/", {}).status_code == 404
    assert "山田" not in outsider.get("/referrals/?tab=received").content.decode()
    assert "山田" not in outsider.get("/").content.decode()
    nobody = client_for(cast.nobody)
    assert nobody.get(f"/referrals/{referral.pk}/").status_code == 403
    assert nobody.get("/referrals/").status_code == 403
    assert client_for(staff).get(f"/referrals/{referral.pk}/steps/nonsense/").status_code == 404


# --- the composer and the edit page ----------------------------------------------------------


def letter_agency() -> Agency:
    """A receiver nobody works for in tsunagi (Hello Work): referrals to it go by letter."""
    kochi = Prefecture.objects.get(code="39")
    return Agency.objects.create(
        name="ハローワーク高知", kind=AgencyKind.HELLO_WORK, prefecture=kochi,
        operator_level=OperatorLevel.NATIONAL,
    )  # fmt: skip


def test_r2_composer_is_prefilled_from_the_suggestion_with_rule_and_reason(story: Any) -> None:
    cast, staff, _mother, _son, case, _sr = story
    client = client_for(staff)
    response = client.get(f"/referrals/cases/{case.pk}/new/?rule=R2&to={cast.self_reliance.pk}")
    page = response.content.decode()
    assert response.status_code == 200 and 'id="referral-suggested"' in page
    assert f'<option value="{cast.self_reliance.pk}" selected>' in page
    assert ">R2<" in page and 'value="R2"' in page
    assert 'id="by-letter-notice"' not in page  # the self-reliance agency has an account
    assert "本人の意向" in page and "意向を聞いた日" in page and "当機関の支援終了日" in page
    # bad input keeps the suggestion and what was typed
    response = client.post(
        f"/referrals/cases/{case.pk}/new/?rule=R2&to={cast.self_reliance.pk}",
        {
            "to_agency": cast.self_reliance.pk,
            "purpose": "",
            "wishes": "話を聞いてほしい",
            "rule": "R2",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and 'id="referral-suggested"' in page
    assert "話を聞いてほしい" in page
    # an unknown rule is ignored
    page = client.get(f"/referrals/cases/{case.pk}/new/?rule=XX&to=abc").content.decode()
    assert 'id="referral-suggested"' not in page


def test_composer_says_a_receiver_without_account_gets_a_letter(story: Any) -> None:
    _cast, staff, _mother, _son, case, _sr = story
    hello_work = letter_agency()
    page = client_for(staff).get(f"/referrals/cases/{case.pk}/new/?to={hello_work.pk}")
    text = page.content.decode()
    assert 'id="by-letter-notice"' in text and "紹介状" in text
    response = client_for(staff).post(
        f"/referrals/cases/{case.pk}/new/",
        {"to_agency": hello_work.pk, "purpose": "職業相談", "wishes": "働きたい"},
    )
    assert response.status_code == 302
    assert Referral.objects.get().by_letter is True


def test_r1_r5_composer_takes_wishes_day_and_end_of_support_in_either_calendar(
    story: Any,
) -> None:
    cast, staff, _mother, _son, case, _sr = story
    client = client_for(staff)
    data = {
        "to_agency": cast.self_reliance.pk, "purpose": "引き継ぎをお願いします",
        "wishes": "一人で行くのは不安", "wishes_heard_on": "あした", "support_ends_on": "R7.5.31",
    }  # fmt: skip
    response = client.post(f"/referrals/cases/{case.pk}/new/", data)
    page = response.content.decode()
    assert response.status_code == 400 and "field__error" in page
    assert "一人で行くのは不安" in page and "あした" in page and "R7.5.31" in page
    assert not Referral.objects.exists()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        f"/referrals/cases/{case.pk}/new/", {**data, "wishes_heard_on": tomorrow.isoformat()}
    )
    assert response.status_code == 400 and "未来の日付は入力できません" in response.content.decode()
    response = client.post(
        f"/referrals/cases/{case.pk}/new/", {**data, "wishes_heard_on": "R7.4.1"}
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.wishes_heard_on == datetime.date(2025, 4, 1)
    assert referral.support_ends_on == datetime.date(2025, 5, 31)


def test_r1_no_send_button_while_the_wishes_are_missing(story: Any) -> None:
    cast, staff, _mother, son, case, _sr = story
    consent = make_consent(staff, son, cast.self_reliance, ["identity", "situation"], case=case)
    referral = services.draft_referral(
        staff, case, to_agency=cast.self_reliance, purpose="家計の相談", consent=consent
    )
    assert referral.state == State.CONSENT_CONFIRMED
    client = client_for(staff)
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert 'id="r1-finding"' in page and "本人の意向がありません" in page
    assert "steps/send/" not in page and f"/referrals/{referral.pk}/edit/" in page
    response = client.post(f"/referrals/{referral.pk}/steps/send/", {})
    assert response.status_code == 400 and "本人の意向がありません" in response.content.decode()
    assert Referral.objects.get().state == State.CONSENT_CONFIRMED
    response = client.post(
        f"/referrals/{referral.pk}/edit/",
        {"purpose": "家計の相談", "wishes": "まずは話を聞いてほしい", "version": referral.version},
    )
    assert response.status_code == 302
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert 'id="r1-finding"' not in page and "steps/send/" in page


def test_edit_keeps_what_was_typed_and_shows_a_change_saved_meanwhile(story: Any) -> None:
    cast, staff, _mother, _son, case, sr = story
    referral = make_referral(staff, case, cast.self_reliance)
    client = client_for(staff)
    page = client.get(f"/referrals/{referral.pk}/edit/").content.decode()
    assert "家計と就労の相談をお願いします" in page and f'value="{referral.version}"' in page
    response = client.post(
        f"/referrals/{referral.pk}/edit/",
        {"purpose": "", "wishes": "私の言葉", "version": referral.version},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "私の言葉" in page and "field__error" in page
    # a colleague saves meanwhile
    services.update_referral(staff, referral, {"purpose": "同僚が直した目的"})
    response = client.post(
        f"/referrals/{referral.pk}/edit/",
        {"purpose": "私が直した目的", "wishes": "私の言葉", "version": referral.version},
    )
    page = response.content.decode()
    assert response.status_code == 400 and 'id="edit-conflict"' in page
    assert "同僚が直した目的" in page and "私が直した目的" in page
    assert Referral.objects.get().purpose == "同僚が直した目的"
    current = Referral.objects.get().version
    assert f'value="{current}"' in page  # the next save goes over what the user has now seen
    response = client.post(
        f"/referrals/{referral.pk}/edit/",
        {"purpose": "私が直した目的", "wishes": "私の言葉", "version": current},
    )
    assert response.status_code == 302
    assert Referral.objects.get().purpose == "私が直した目的"
    assert client_for(sr).get(f"/referrals/{referral.pk}/edit/").status_code == 404  # a draft
    assert client_for(cast.outsider).get(f"/referrals/{referral.pk}/edit/").status_code == 404
    assert client_for(cast.nobody).get(f"/referrals/{referral.pk}/edit/").status_code == 403


def test_edit_after_sending_is_refused_and_the_receiver_may_not(story: Any) -> None:
    _cast, staff, _mother, _son, _case, sr = story
    referral = sent(story)
    response = client_for(staff).get(f"/referrals/{referral.pk}/edit/", follow=True)
    assert "送付する前にだけ変更できます" in response.content.decode()
    assert f"/referrals/{referral.pk}/edit/" not in response.content.decode()
    assert client_for(sr).get(f"/referrals/{referral.pk}/edit/").status_code == 403


# --- the referral page: timeline, reminder, continuity, accompaniment ------------------------


def test_timeline_names_who_took_each_step_for_which_agency(story: Any) -> None:
    _cast, staff, _mother, _son, _case, sr = story
    referral = sent(story)
    client_for(sr).post(f"/referrals/{referral.pk}/steps/receive/", {})
    page = client_for(staff).get(f"/referrals/{referral.pk}/").content.decode()
    steps = page.split('id="referral-steps"')[1].split("</ol>")[0]
    assert "紹介を作成" in steps and "紹介を送付" in steps and "紹介を受信" in steps
    assert "staff（高知県ひきこもり地域支援センター）" in steps
    assert "sr_staff（高知市自立相談支援機関）" in steps
    assert "令和" in steps


def test_timeline_of_an_old_referral_falls_back_to_its_dates(story: Any) -> None:
    _cast, staff, _mother, _son, _case, _sr = story
    referral = sent(story)
    referral.events.all().delete()
    page = client_for(staff).get(f"/referrals/{referral.pk}/").content.decode()
    steps = page.split('id="referral-steps"')[1].split("</ol>")[0]
    assert "下書き" in steps and "送付済み" in steps and "令和" in steps


def test_reminder_shows_on_both_sides_of_a_referral_waiting_too_long(story: Any) -> None:
    _cast, staff, _mother, _son, _case, sr = story
    referral = sent(story)
    for user in (staff, sr):
        page = client_for(user).get(f"/referrals/{referral.pk}/").content.decode()
        assert 'id="referral-reminder"' not in page
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=30)
    )
    for user in (staff, sr):
        page = client_for(user).get(f"/referrals/{referral.pk}/").content.decode()
        assert 'id="referral-reminder"' in page and "まだ受付されていません" in page
    page = client_for(sr).get("/referrals/?tab=received").content.decode()
    assert "まだ受付されていません" in page


def test_r5_the_gap_after_our_support_ends(story: Any) -> None:
    _cast, staff, _mother, _son, _case, sr = story
    referral = sent(story)
    ended = timezone.localdate() - datetime.timedelta(days=20)
    Referral.objects.filter(pk=referral.pk).update(support_ends_on=ended)
    for user in (staff, sr):
        page = client_for(user).get(f"/referrals/{referral.pk}/").content.decode()
        assert 'id="referral-gap"' in page and "20日待っています" in page
        assert "定めた14日を超えています" in page


def test_first_contact_records_the_accompaniment(story: Any) -> None:
    _cast, staff, _mother, _son, _case, sr = story
    referral = sent(story)
    client = client_for(sr)
    client.post(f"/referrals/{referral.pk}/steps/accept/", {"accept-person": "new"})
    page = client.get(f"/referrals/{referral.pk}/steps/first_contact/").content.decode()
    assert 'name="accompanied"' in page and 'name="accompaniment_notes"' in page
    data = {
        "occurred_on": "", "occurred_time": "10:00", "channel": "office_visit",
        "initiator": "person", "staff": sr.pk, "summary": "初回面談",
        "accompanied": "on", "accompaniment_notes": "センターの土佐が同行",
    }  # fmt: skip
    response = client.post(f"/referrals/{referral.pk}/steps/first_contact/", data)
    page = response.content.decode()
    assert response.status_code == 400 and "センターの土佐が同行" in page and "初回面談" in page
    # yesterday: 10:00 today may still be ahead (a contact cannot be in the future)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        f"/referrals/{referral.pk}/steps/first_contact/", {**data, "occurred_on": yesterday}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.accompanied and referral.accompaniment_notes == "センターの土佐が同行"
    page = client_for(staff).get(f"/referrals/{referral.pk}/").content.decode()
    assert 'id="accompanied"' in page and "センターの土佐が同行" in page


def test_list_links_to_the_referral_pages_and_settings_for_managers(story: Any) -> None:
    cast, staff, _mother, _son, _case, _sr = story
    page = client_for(staff).get("/referrals/").content.decode()
    for url in ("/referrals/waiting/", "/referrals/introductions/", "/referrals/rules/",
                "/referrals/stats/"):  # fmt: skip
        assert url in page
    assert "/referrals/settings/" not in page
    assert (
        "/referrals/settings/"
        in client_for(cast.users[Role.MANAGER]).get("/referrals/").content.decode()
    )
