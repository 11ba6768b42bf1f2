"""The referral letter (紹介状): printed by the referring agency only, once the consent is
confirmed, with the person's information limited to the kinds the consent names (rule P1), the
person's wishes in their words (rule R1), the consent, and the return slip (返信票)."""

from __future__ import annotations

import shutil
import subprocess
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from tests.cast import Cast, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, make_referral, receiver
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.consent.services import withdraw_consent
from tsunagi.people import services as people
from tsunagi.people.models import Case, Person
from tsunagi.referrals import printing, services
from tsunagi.referrals.models import Referral, State

pytestmark = pytest.mark.django_db

DIAGNOSIS = "うつ病と診断、通院中断中"
HEALTH = "糖尿病の治療を自己中断"
DEBT = "母名義のカードローン"
WISHES = "お金のことを相談したい。働くのはまだ不安。"

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext (Debian package poppler-utils) is not installed: the PDF text is not read",
)


@pytest.fixture
def cast() -> Cast:
    return make_cast()


@pytest.fixture
def story(cast: Cast) -> tuple[Person, Case]:
    """Walkthrough A: the son, with an assessment that holds his diagnosis (special care)."""
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    people.record_assessment(
        staff,
        case,
        {
            "informant": "family",
            "employment": "unemployed",
            "debt": True,
            "debt_notes": DEBT,
            "depression": True,
            "mental_health": "serious",
            "mental_health_notes": DIAGNOSIS,
            "physical_health": "concern",
            "physical_health_notes": HEALTH,
            "going_out": "neighbourhood",
        },
    )
    return son, case


def hello_work(cast: Cast) -> Agency:
    """A receiver without an account: the referral goes by letter."""
    return Agency.objects.create(
        name="ハローワーク高知", kind=AgencyKind.HELLO_WORK, prefecture=cast.center.prefecture,
        operator_level=OperatorLevel.NATIONAL, address="大津乙2536-6", phone="088-878-5320",
    )  # fmt: skip


def referral_to(cast: Cast, story: tuple[Person, Case], to: Agency, kinds: list[str]) -> Referral:
    son, case = story
    staff = cast.users[Role.STAFF]
    consent = make_consent(staff, son, to, kinds, case=case)
    return make_referral(staff, case, to, consent)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def letter_url(referral: Referral) -> str:
    return reverse("referrals:letter", args=[referral.pk])


def test_p1_letter_is_a_pdf_shown_inline_and_logged_with_the_kinds(cast, story) -> None:
    referral = referral_to(cast, story, hello_work(cast), ["identity", "situation"])
    assert referral.by_letter and referral.state == State.CONSENT_CONFIRMED

    response = login(cast.users[Role.STAFF]).get(letter_url(referral))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("inline;")
    assert quote(f"紹介状_{referral.pk}.pdf") in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="referral.letter_printed")
    assert event.personal and event.subject_id == referral.person_id
    assert event.grant == "own_agency"
    assert event.detail["kinds"] == ["identity", "situation"]


def test_p1_r1_letter_shows_the_consented_kinds_the_wishes_the_consent_and_the_slip(
    cast, story
) -> None:
    to = hello_work(cast)
    referral = referral_to(cast, story, to, ["identity", "situation"])

    html = printing.letter_html(cast.users[Role.STAFF], referral)

    assert "紹介状" in html and "返信票" in html
    assert f"{to.name}　御中" in html and to.address in html
    assert cast.center.name in html and "担当" in html and "staff" in html  # the staff name
    assert "山田" in html and "太郎" in html  # identity consented
    assert DEBT in html  # the situation part of the assessment
    assert WISHES in html and referral.purpose in html  # rule R1
    assert "令和" in html  # dates in the Japanese era
    # the consent: who, which kinds, the period
    assert "本人の同意" in html and "本人確認情報・連絡先" in html and "から" in html
    # the return slip's boxes: received, accepted or declined with the reason, first contact,
    # accompaniment, contact person
    for words in ("受付日", "初回", "同行", "担当者"):
        assert words in html, words
    assert "受け入れ" in html


def test_p1_letter_leaves_out_special_care_information_the_consent_does_not_name(
    cast, story
) -> None:
    referral = referral_to(cast, story, hello_work(cast), ["identity", "situation", "assessment"])

    html = printing.letter_html(cast.users[Role.STAFF], referral)

    assert DIAGNOSIS not in html and HEALTH not in html
    assert DEBT in html
    assert "同意の範囲" in html  # the special-care part says why it is left out


def test_p1_letter_gives_special_care_information_when_the_consent_names_it(cast, story) -> None:
    kinds = ["identity", "situation", "special_care"]
    referral = referral_to(cast, story, hello_work(cast), kinds)

    html = printing.letter_html(cast.users[Role.STAFF], referral)

    assert DIAGNOSIS in html and HEALTH in html


def test_p1_letter_without_identity_does_not_name_the_person(cast, story) -> None:
    referral = referral_to(cast, story, hello_work(cast), ["situation"])

    html = printing.letter_html(cast.users[Role.STAFF], referral)

    assert "太郎" not in html and "タロウ" not in html.upper()
    assert WISHES in html


def test_p1_letter_of_a_sent_referral_uses_the_grant_and_the_send_date(cast, story) -> None:
    referral = referral_to(cast, story, cast.self_reliance, ["identity", "situation"])
    referral = services.send_referral(cast.users[Role.STAFF], referral)

    response = login(cast.users[Role.STAFF]).get(letter_url(referral))

    assert response.status_code == 200
    assert printing.letter_kinds(referral) == ["identity", "situation"]


def test_letter_is_404_for_the_receiver_an_outsider_and_nobody(cast, story) -> None:
    referral = referral_to(cast, story, cast.self_reliance, ["identity", "situation"])
    referral = services.send_referral(cast.users[Role.STAFF], referral)
    sr = receiver(cast)

    for user in (sr, cast.outsider, cast.nobody, cast.users[Role.OPERATOR]):
        with pytest.raises(Http404):
            printing.letter_pdf(user, referral)
        assert login(user).get(letter_url(referral)).status_code in (403, 404), user
    assert login(sr).get(letter_url(referral)).status_code == 404
    assert login(cast.outsider).get(letter_url(referral)).status_code == 404
    assert (
        login(cast.users[Role.STAFF]).get(reverse("referrals:letter", args=[0])).status_code == 404
    )
    assert not AuditEvent.objects.filter(action="referral.letter_printed").exists()


def test_p1_a_draft_without_consent_has_no_letter(cast, story) -> None:
    _son, case = story
    staff = cast.users[Role.STAFF]
    referral = make_referral(staff, case, hello_work(cast))

    with pytest.raises(ValidationError) as err:
        printing.letter_pdf(staff, referral)
    assert "state" in err.value.message_dict
    response = login(staff).get(letter_url(referral))
    assert response.status_code == 409
    assert "P1" in response.content.decode()
    assert not AuditEvent.objects.filter(action="referral.letter_printed").exists()


def test_p4_no_letter_once_the_consent_is_withdrawn(cast, story) -> None:
    staff = cast.users[Role.STAFF]
    referral = referral_to(cast, story, hello_work(cast), ["identity", "situation"])
    assert referral.consent is not None
    withdraw_consent(staff, referral.consent, note="本人から電話で撤回")
    referral.refresh_from_db()

    response = login(staff).get(letter_url(referral))

    assert response.status_code == 409
    assert "P4" in response.content.decode()
    assert not AuditEvent.objects.filter(action="referral.letter_printed").exists()


@needs_pdftotext
def test_p1_pdf_text_holds_the_wishes_and_not_the_diagnosis(cast, story) -> None:
    referral = referral_to(cast, story, hello_work(cast), ["identity", "situation"])
    pdf = printing.letter_pdf(cast.users[Role.STAFF], referral)
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    assert "紹介状" in text.replace(" ", "")
    assert DIAGNOSIS not in text
