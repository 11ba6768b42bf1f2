"""The A4 leaflet of a municipality (rule M1: the window made known to every household): the
window with its phone, hours and ways to get in touch, anyone may consult, then the places and
groups with cost, going with staff the first time and being there without talking; in Japanese,
public (no login), no personal data."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tsunagi.accounts.models import User
from tsunagi.directory import printing
from tsunagi.directory.models import EntryKind
from tsunagi.jurisdictions.models import Municipality

from .factories import make_entry

pytestmark = pytest.mark.django_db

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext (Debian package poppler-utils) is not installed: the PDF text is not read",
)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def text_of(pdf: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return out.replace(" ", "").replace("\n", "")


def _directory() -> None:
    checker = User.objects.create_user(username="checker", full_name="確認 太郎")
    make_entry(
        "高知市ひきこもり相談窓口",
        kind=EntryKind.WINDOW,
        lead_department="健康福祉部 地域共生社会推進課",
        phone="088-823-9999",
        channels=["phone", "visit"],
        hours=tuple((d, "08:30", "17:15") for d in range(5)),
        verified_by=checker,
    )
    make_entry(
        "居場所ひだまり",
        accompaniment=True,
        welcomes_silent=True,
        hours=((1, "13:00", "16:00"),),
    )
    make_entry(
        "家族会ひまわり", kind=EntryKind.FAMILY_ASSOCIATION, is_free=False, cost="年会費1000円"
    )
    make_entry("非公開の居場所", is_public=False)


def test_m1_leaflet_html_is_japanese_and_public_only() -> None:
    _directory()
    html = printing.leaflet_html(Municipality.objects.get(code="39201"))
    assert '<html lang="ja">' in html
    assert "高知市ひきこもり相談窓口" in html and "088-823-9999" in html
    assert "居場所ひだまり" in html and "家族会ひまわり" in html and "年会費1000円" in html
    assert "非公開の居場所" not in html and "確認 太郎" not in html
    assert "令和" in html  # as of (date in the Japanese era)
    assert "A4" in html


@needs_pdftotext
def test_m1_leaflet_pdf_renders_in_japanese_without_login() -> None:
    _directory()
    response = Client().get(reverse("public:leaflet", args=["39201"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "leaflet-39201.pdf" in response["Content-Disposition"]
    flat = text_of(response.content)
    assert "高知市ひきこもり相談窓口" in flat
    assert "088-823-9999" in flat
    assert "居場所ひだまり" in flat and "家族会ひまわり" in flat
    assert "年齢" in flat and "性別" in flat and "障害" in flat
    assert "非公開の居場所" not in flat


def test_leaflet_of_an_unknown_municipality_is_404() -> None:
    assert Client().get(reverse("public:leaflet", args=["99999"])).status_code == 404
