"""The disclosure report (開示報告書) as an A4 PDF: every read and change of a person's record,
by every agency and user, with the ground (rule P3)."""

from __future__ import annotations

import shutil
import subprocess
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, make_referral, receiver
from tsunagi.access import services as sharing
from tsunagi.access.models import AuditEvent
from tsunagi.access.policy import Kind, require_sight
from tsunagi.access.shared import shared_record
from tsunagi.accounts.models import Role, User
from tsunagi.agencies.models import Agency, AgencyKind
from tsunagi.people.models import Person
from tsunagi.referrals import services as referrals

pytestmark = pytest.mark.django_db

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext (Debian package poppler-utils) is not installed: the PDF text is not read",
)


@pytest.fixture
def cast() -> Cast:
    return make_cast()


@pytest.fixture
def son(cast: Cast) -> Person:
    """Walkthrough A steps 4-6: the son's consent, the referral sent, read by the receiver."""
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    consent = make_consent(staff, son, cast.self_reliance, ["identity", "situation"], case=case)
    referral = referrals.send_referral(
        staff, make_referral(staff, case, cast.self_reliance, consent)
    )
    sr = receiver(cast)
    referrals.receive_referral(sr, referral)
    shared_record(sr, son, require_sight(sr, Kind.PERSON, son))
    return son


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(person: Person, query: str = "") -> str:
    return reverse("access:disclosure_pdf", args=[person.pk]) + query


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def test_disclosure_report_is_a_pdf_and_its_print_is_logged(cast: Cast, son: Person) -> None:
    response = login(cast.users[Role.MANAGER]).get(url(son))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert quote("開示報告書") in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="disclosure.printed")
    assert event.subject_id == son.pk and event.personal
    assert event.detail["lines"] > 0


@needs_pdftotext
def test_p3_report_lists_the_receiving_agency_its_user_and_the_consent_ground(
    cast: Cast, son: Person
) -> None:
    response = login(cast.users[Role.STAFF]).get(url(son))
    text = pdf_text(response.content)
    flat = text.replace(" ", "")
    grant_code = (
        AuditEvent.objects.filter(subject_id=son.pk, action="person.viewed")
        .exclude(grant="own_agency")[0]
        .grant
    )

    assert "開示報告書" in text
    assert "山田太郎" in flat
    assert "令和" in text  # dates and times in the Japanese era
    assert cast.center.name in flat
    assert cast.self_reliance.name in flat  # another agency saw the record ...
    assert "sr_staff" in flat  # ... this user
    assert "同意" in flat and f"#{grant_code.split(':')[1]}" in flat  # ... on this consent
    assert "自機関" in flat
    assert "本人情報の登録" in flat or "登録" in flat  # actions in Japanese
    assert "person.viewed" not in text and "own_agency" not in text


@needs_pdftotext
def test_p5_emergency_sharing_shows_its_reason(cast: Cast, son: Person) -> None:
    office = Agency.objects.create(
        name="高知市福祉事務所",
        kind=AgencyKind.WELFARE_OFFICE,
        prefecture=cast.center.prefecture,
        operator_level=cast.self_reliance.operator_level,
    )
    sharing.share_in_emergency(
        cast.users[Role.STAFF],
        son,
        receiving_agency=office,
        legal_ground="life_body_property",
        reason="二日間食事をとっておらず生命の危険がある",
        hours=4,
    )
    flat = pdf_text(login(cast.users[Role.STAFF]).get(url(son)).content).replace(" ", "")
    assert "危険がある" in flat  # the reason (a long one wraps in its cell)
    assert "緊急" in flat


@needs_pdftotext
def test_a_period_without_events_says_so(cast: Cast, son: Person) -> None:
    response = login(cast.users[Role.STAFF]).get(
        url(son, "?date_from=2001-01-01&date_to=2001-12-31")
    )
    assert response.status_code == 200
    assert "ありません" in pdf_text(response.content)


@pytest.mark.parametrize(
    "query",
    ["?date_from=いつか", "?date_to=2025-13-45", "?date_from=2025-05-01&date_to=2025-04-01"],
)
def test_bad_period_gets_a_japanese_400(cast: Cast, son: Person, query: str) -> None:
    response = login(cast.users[Role.STAFF]).get(url(son, query))
    assert response.status_code == 400
    assert "印刷できません" in response.content.decode()


def test_p3_only_the_owning_agency_prints_it(cast: Cast, son: Person) -> None:
    sr = Client()
    sr.force_login(User.objects.get(username="sr_staff"))
    for client in (
        sr,  # sees the son through the consent, but the report belongs to the owner
        login(cast.outsider),
        login(cast.nobody),
        login(cast.users[Role.OPERATOR]),
        login(cast.users[Role.MUNICIPAL_OFFICER]),
    ):
        assert client.get(url(son)).status_code in (403, 404)
    assert not AuditEvent.objects.filter(action="disclosure.printed").exists()


def test_unknown_person_is_404(cast: Cast) -> None:
    response = login(cast.users[Role.STAFF]).get(reverse("access:disclosure_pdf", args=[999999]))
    assert response.status_code == 404
