"""The referral screens: the case panel with rule P1's finding, the referral page with only the
viewer's side's buttons, each step, the list and the home inbox; the receiver sees the person
only through the grant (situation, not health), the outsider nothing (404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.cast import Cast, make_cast
from tests.people import make_person, yamada_household
from tests.sharing import make_consent, make_referral, receiver
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.consent.services import withdraw_consent
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
