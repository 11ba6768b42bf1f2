"""The consent form (同意書) as an A4 PDF: of a recorded consent, and blank to be signed."""

from __future__ import annotations

import shutil
import subprocess
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, receiver
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.consent.models import Consent
from tsunagi.people.models import Person

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
    _household, _mother, son, _case = yamada_household(cast.users[Role.STAFF], cast.center)
    return son


@pytest.fixture
def consent(cast: Cast, son: Person) -> Consent:
    """Walkthrough A step 5: the son's consent for his situation, not his health."""
    return make_consent(cast.users[Role.STAFF], son, cast.self_reliance, ["identity", "situation"])


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def print_url(consent: Consent) -> str:
    return reverse("consent:print", args=[consent.pk])


def blank_url(person: Person, **params: object) -> str:
    url = reverse("consent:blank_form", args=[person.pk])
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def test_consent_form_is_a_pdf_with_a_japanese_file_name(cast: Cast, consent: Consent) -> None:
    response = login(cast.users[Role.STAFF]).get(print_url(consent))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert quote(f"同意書_{consent.pk}.pdf") in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="consent.printed")
    assert event.personal and event.subject_id == consent.person_id
    assert event.grant == "own_agency"


@needs_pdftotext
def test_the_consent_form_is_a4(cast: Cast, consent: Consent) -> None:
    info = subprocess.run(
        ["pdfinfo", "-"],
        input=login(cast.users[Role.STAFF]).get(print_url(consent)).content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "(A4)" in info, info


@needs_pdftotext
def test_p1_p4_recorded_consent_names_recipient_purpose_kinds_and_withdrawal(
    cast: Cast, consent: Consent
) -> None:
    text = pdf_text(login(cast.users[Role.STAFF]).get(print_url(consent)).content)
    flat = text.replace(" ", "")

    assert "同意書" in text
    assert cast.center.name in flat  # the agency that asks
    assert "山田太郎" in flat and consent.person.full_name_kana.replace(" ", "") in flat
    assert "令和" in text or "昭和" in text  # dates in the Japanese era
    assert cast.self_reliance.name in flat
    assert "生活困窮の相談支援のため" in flat
    assert "■本人" in flat  # the son consents himself
    assert "■" in flat and "□" in flat
    assert "要配慮個人情報" in flat
    assert "□要配慮個人情報" in flat  # not his health information (walkthrough A step 5)
    for item in ("健康", "障害", "DV", "犯罪歴"):
        assert item in flat, item
    assert "撤回" in flat and "いつでも" in flat  # rule P4
    assert "支援のため" in flat and "のみ" in flat  # rule P3
    assert "署名" in flat


@needs_pdftotext
def test_p4_withdrawn_consent_prints_with_its_withdrawal(cast: Cast, consent: Consent) -> None:
    from tsunagi.consent.services import withdraw_consent

    withdraw_consent(cast.users[Role.STAFF], consent, note="電話で撤回")
    text = pdf_text(login(cast.users[Role.STAFF]).get(print_url(consent)).content)
    assert "撤回されました" in text.replace(" ", "")


@needs_pdftotext
def test_blank_form_carries_the_choices_made(cast: Cast, son: Person) -> None:
    url = blank_url(
        son,
        recipient_agency=cast.self_reliance.pk,
        purpose="就労と家計の相談のため",
        kinds=["identity", "situation", "special_care"],
        valid_until="2099-03-31",
        given_by="subject",
    )
    response = login(cast.users[Role.STAFF]).get(url)

    assert response.status_code == 200, response.content[:500]
    flat = pdf_text(response.content).replace(" ", "")
    assert cast.self_reliance.name in flat
    assert "就労と家計の相談のため" in flat
    assert "■要配慮個人情報" in flat
    assert AuditEvent.objects.get(action="consent.printed").detail["form"] == "blank"


@needs_pdftotext
def test_blank_form_without_choices_leaves_boxes_empty(cast: Cast, son: Person) -> None:
    response = login(cast.users[Role.STAFF]).get(blank_url(son))
    assert response.status_code == 200
    flat = pdf_text(response.content).replace(" ", "")
    assert "■" not in flat
    assert "山田太郎" in flat


@pytest.mark.parametrize(
    "params",
    [
        {"kinds": "health"},
        {"recipient_agency": "999999"},
        {"recipient_agency": "abc"},
        {"recipient_kind": "no_such_kind"},
        {"valid_until": "そのうち"},
        {"valid_until": "2001-01-01"},
        {"given_by": "mother"},
        {"given_by": "parent_of_minor"},  # the son is 52: his mother cannot consent (P1)
    ],
)
def test_p1_bad_parameters_get_a_japanese_400(cast: Cast, son: Person, params: dict) -> None:
    response = login(cast.users[Role.STAFF]).get(blank_url(son, **params))

    assert response.status_code == 400
    assert "text/html" in response["Content-Type"]
    assert "印刷できません" in response.content.decode()
    assert not AuditEvent.objects.filter(action="consent.printed").exists()


def test_own_agency_form_for_own_agency_recipient_is_refused(cast: Cast, son: Person) -> None:
    response = login(cast.users[Role.STAFF]).get(blank_url(son, recipient_agency=cast.center.pk))
    assert response.status_code == 400


def test_outsiders_get_404(cast: Cast, consent: Consent, son: Person) -> None:
    sr = receiver(cast)  # the receiving agency: sees the consent's status, not its form
    for user in (cast.outsider, cast.nobody, sr, cast.users[Role.OPERATOR]):
        client = login(user)
        for url in (print_url(consent), blank_url(son)):
            assert client.get(url).status_code in (403, 404), (user, url)
    assert not AuditEvent.objects.filter(action="consent.printed").exists()


def test_anonymous_is_sent_to_login(consent: Consent) -> None:
    response = Client().get(print_url(consent))
    assert response.status_code == 302
