"""`GET /api/v1/referrals/{id}/letter`: the referral letter (紹介状) as a PDF for a receiving
agency without an account, printed by the referring agency once the consent is confirmed and
while it stands (rules P1, P4), logged; and the users who must not print it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.factories import JAPANESE, ApiClient, assert_error, field_errors, issue_token
from tests.cast import PASSWORD, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, make_referral, receiver
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.consent.services import withdraw_consent
from tsunagi.referrals import services

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> ApiClient:
    response = issue_token(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return ApiClient(response.json()["token"])


@pytest.fixture
def story() -> dict[str, Any]:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    hello_work = Agency.objects.create(
        name="ハローワーク高知", kind=AgencyKind.HELLO_WORK, prefecture=cast.center.prefecture,
        operator_level=OperatorLevel.PREFECTURE, operator_prefecture=cast.center.prefecture,
    )  # fmt: skip
    consent = make_consent(staff, son, hello_work, case=case)
    return {
        "cast": cast,
        "staff": staff,
        "son": son,
        "case": case,
        "consent": consent,
        "letter": make_referral(staff, case, hello_work, consent),
        "center": client_for(staff),
    }


def test_p1_the_sender_prints_the_letter_of_a_referral_by_letter(story):
    referral = story["letter"]
    assert referral.by_letter

    response = story["center"].get(f"/referrals/{referral.pk}/letter")

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "private" in response["Cache-Control"]
    printed = AuditEvent.objects.get(action="referral.letter_printed")
    assert printed.actor == story["staff"] and printed.subject_id == story["son"].pk
    assert printed.grant == "own_agency"


def test_p1_a_draft_without_consent_has_no_letter_yet(story):
    draft = make_referral(story["staff"], story["case"], story["cast"].self_reliance)

    refused = assert_error(story["center"].get(f"/referrals/{draft.pk}/letter"), 409)

    assert "P1" in refused["detail"] and refused["current_version"] == draft.version
    assert not AuditEvent.objects.filter(action="referral.letter_printed").exists()


def test_p4_no_letter_once_the_consent_is_withdrawn(story):
    services.send_referral(story["staff"], story["letter"])
    withdraw_consent(story["staff"], story["consent"], note="本人から電話で撤回")

    answer = story["center"].get(f"/referrals/{story['letter'].pk}/letter")

    [message] = field_errors(answer, "consent")
    assert "P4" in message and JAPANESE.search(message)


def test_the_receiving_agency_does_not_print_the_senders_letter(story):
    cast = story["cast"]
    consent = make_consent(story["staff"], story["son"], cast.self_reliance, case=story["case"])
    referral = services.send_referral(
        story["staff"], make_referral(story["staff"], story["case"], cast.self_reliance, consent)
    )

    assert_error(client_for(receiver(cast)).get(f"/referrals/{referral.pk}/letter"), 404)


@pytest.mark.parametrize("who", ["nobody", "outsider", "auditor"])
def test_the_users_who_must_see_nothing(story, who):
    cast = story["cast"]
    user = cast.users[Role.AUDITOR] if who == "auditor" else getattr(cast, who)

    assert_error(client_for(user).get(f"/referrals/{story['letter'].pk}/letter"), 404)
    assert not AuditEvent.objects.filter(action="referral.letter_printed").exists()


def test_unknown_ids_and_no_token(story):
    assert_error(story["center"].get("/referrals/999999/letter"), 404)
    assert_error(story["center"].get("/referrals/abc/letter"), 422)
    assert_error(ApiClient().get(f"/referrals/{story['letter'].pk}/letter"), 401)
