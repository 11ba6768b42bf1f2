"""The consent form (同意書, rule S2) as an A4 PDF in Japanese: the statement that the
supporter's details go to the municipalities that dispatch, their name, the date and a signature
line; printed only by the prefecture that keeps the record; logged as `supporter.printed`."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tsunagi.access.models import AuditEvent
from tsunagi.supporters import printing

from .factories import PASSWORD, World, make_world

pytestmark = pytest.mark.django_db

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext (Debian package poppler-utils) is not installed: the PDF text is not read",
)


@pytest.fixture
def w() -> World:
    return make_world()


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def text_of(pdf: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return out.replace(" ", "").replace("\n", "")


def test_s2_consent_html_states_the_hand_over(w: World) -> None:
    html = printing.consent_html(w.supporter, w.officer)
    assert "ひきこもりサポーター活動同意書" in html
    assert "市町村に提供される" in html
    assert w.supporter.name in html
    assert "署名" in html and "令和" in html


@needs_pdftotext
def test_s2_consent_form_pdf_renders_japanese(w: World) -> None:
    pdf = printing.consent_form_pdf(w.supporter)
    assert pdf.startswith(b"%PDF")
    flat = text_of(pdf)
    assert "ひきこもりサポーター活動同意書" in flat
    assert "市町村に提供" in flat
    assert "高知一郎" in flat
    assert "署名" in flat


@needs_pdftotext
def test_s2_consent_form_screen_prints_and_logs(w: World) -> None:
    response = login(w.officer).get(reverse("supporters:consent_form", args=[w.supporter.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"]
    assert "同意書" in text_of(response.content)
    assert AuditEvent.objects.filter(
        action="supporter.printed", record_id=str(w.supporter.pk)
    ).exists()


def test_s2_consent_form_refused_to_others(w: World) -> None:
    url = reverse("supporters:consent_form", args=[w.supporter.pk])
    assert login(w.coordinator).get(url).status_code == 403
    assert login(w.supporter_user).get(url).status_code == 403
    assert login(w.center_staff).get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="supporter.printed").exists()
