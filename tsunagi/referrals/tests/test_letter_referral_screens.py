"""A referral to a receiver without an account (Hello Work): the referring agency prints the
letter (紹介状) and records the receiver's answers on the referral page, each with how the answer
came; the timeline says they were recorded for the receiving agency. Bad input keeps what was
typed; the outsider sees nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.sharing import make_consent, make_referral
from tsunagi.referrals import services
from tsunagi.referrals.models import Referral, State
from tsunagi.referrals.tests.test_screens import client_for, letter_agency, story  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def by_letter(story: Any) -> tuple[Any, Any, Referral]:  # noqa: F811
    cast, staff, _mother, son, case, _sr = story
    hello_work = letter_agency()
    consent = make_consent(staff, son, hello_work, ["identity", "situation"], case=case)
    referral = make_referral(staff, case, hello_work, consent)
    assert referral.by_letter
    return cast, staff, services.send_referral(staff, referral)


def test_the_sender_prints_the_letter_and_records_the_answers(by_letter: Any) -> None:
    _cast, staff, referral = by_letter
    client = client_for(staff)
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert 'id="by-letter"' in page and f"/referrals/{referral.pk}/letter/" in page
    assert "受付を記録する" in page and "受け入れを記録する" in page and "お断りを記録する" in page
    assert 'name="receive-answered_via"' in page
    # how the answer came is needed
    response = client.post(f"/referrals/{referral.pk}/steps/receive/", {})
    assert response.status_code == 400 and "回答を受けた方法を選んでください" in (
        response.content.decode()
    )
    response = client.post(
        f"/referrals/{referral.pk}/steps/receive/", {"receive-answered_via": "phone"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == State.RECEIVED
    response = client.post(
        f"/referrals/{referral.pk}/steps/accept/", {"accept-answered_via": "letter"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == State.ACCEPTED and referral.answered_via == "letter"
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    steps = page.split('id="referral-steps"')[1].split("</ol>")[0]
    assert steps.count("受け手の機関に代わって記録") == 2
    assert "回答：電話" in steps
    assert 'name="first_contact-occurred_on"' in page


def test_the_first_contact_of_a_letter_receiver_is_a_day_with_bad_input_kept(
    by_letter: Any,
) -> None:
    _cast, staff, referral = by_letter
    client = client_for(staff)
    services.accept_referral(staff, referral, answered_via="phone")
    data = {
        "first_contact-occurred_on": "きのう", "first_contact-answered_via": "phone",
        "first_contact-accompanied": "on", "first_contact-accompaniment_notes": "土佐が同行",
    }  # fmt: skip
    response = client.post(f"/referrals/{referral.pk}/steps/first_contact/", data)
    page = response.content.decode()
    assert response.status_code == 400 and "きのう" in page and "土佐が同行" in page
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        f"/referrals/{referral.pk}/steps/first_contact/",
        {**data, "first_contact-occurred_on": tomorrow.isoformat()},
    )
    assert response.status_code == 400 and "未来の日付は入力できません" in response.content.decode()
    day = timezone.localdate() - datetime.timedelta(days=2)
    response = client.post(
        f"/referrals/{referral.pk}/steps/first_contact/",
        {**data, "first_contact-occurred_on": day.isoformat()},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == State.FIRST_CONTACT and referral.first_contact_on == day
    assert referral.accompanied and referral.accompaniment_notes == "土佐が同行"
    # the form lives on the referral page; a GET goes there
    response = client.get(f"/referrals/{referral.pk}/steps/first_contact/")
    assert response.status_code == 302


def test_a_decline_recorded_for_the_receiver_keeps_its_kind_reason_and_channel(
    by_letter: Any,
) -> None:
    _cast, staff, referral = by_letter
    client = client_for(staff)
    response = client.post(
        f"/referrals/{referral.pk}/steps/decline/", {"decline-reason": "求人の条件が合わない"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "求人の条件が合わない" in page
    assert "理由の種類を選んでください" in page and "回答を受けた方法を選んでください" in page
    response = client.post(
        f"/referrals/{referral.pk}/steps/decline/",
        {
            "decline-reason": "求人の条件が合わない", "decline-category": "not_eligible",
            "decline-answered_via": "fax",
        },
    )  # fmt: skip
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == State.DECLINED and referral.decline_category == "not_eligible"
    assert referral.answered_via == "fax"
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "支援の対象外" in page and "求人の条件が合わない" in page and "FAX" in page


def test_nobody_and_the_outsider_see_no_letter_referral(by_letter: Any) -> None:
    cast, _staff, referral = by_letter
    outsider = client_for(cast.outsider)
    assert outsider.get(f"/referrals/{referral.pk}/").status_code == 404
    response = outsider.post(
        f"/referrals/{referral.pk}/steps/receive/", {"receive-answered_via": "phone"}
    )
    assert response.status_code == 404
    assert client_for(cast.nobody).get(f"/referrals/{referral.pk}/").status_code == 403
    assert Referral.objects.get().state == State.SENT
