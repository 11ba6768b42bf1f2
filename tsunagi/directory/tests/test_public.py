"""The public pages (no login, rules M1, M6, R6): the search by postal code (full-width digits and
a hyphen accepted) or municipality, the prefecture's list of municipalities, each municipality's
window and places with what a withdrawn person or their family needs to know; in Japanese,
accessible markup, no personal data, cached and invalidated when an entry changes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.demo.directory import build_directory
from tsunagi.directory import caching, services
from tsunagi.directory.models import DirectoryEntry, EntryKind
from tsunagi.jurisdictions.models import Municipality, Prefecture

from .factories import make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _window(**extra: Any) -> DirectoryEntry:
    data: dict[str, Any] = {
        "lead_department": "健康福祉部 地域共生社会推進課",
        "phone": "088-823-9999",
        "channels": ["phone", "visit", "home_visit"],
        "address": "高知市本町5丁目1-45",
        "access": "はりまや橋電停から徒歩5分",
        "hours_note": "祝日・年末年始を除く",
        **extra,
    }
    return make_entry(
        "高知市ひきこもり相談窓口",
        kind=EntryKind.WINDOW,
        hours=tuple((d, "08:30", "17:15") for d in range(5)),
        **data,
    )


def test_m1_the_demo_municipality_shows_its_window_and_places_without_login() -> None:
    build_directory(seed=1)
    kochi_city = Municipality.objects.get(code="39201")
    window = DirectoryEntry.objects.filter(
        kind=EntryKind.WINDOW, municipality=kochi_city, is_public=True, is_active=True
    ).first()
    assert window is not None
    response = Client().get(reverse("public:municipality", args=["39201"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ja">' in page
    assert window.name in page and window.phone in page
    assert window.lead_department in page
    places = DirectoryEntry.objects.filter(
        municipality=kochi_city, kind__in=["ibasho", "work_experience"], is_public=True
    )
    assert places.exists()
    assert any(p.name in page for p in places)
    # rule M1: anyone may consult, regardless of age, sex or disability
    assert "年齢" in page and "性別" in page and "障害" in page
    assert reverse("public:leaflet", args=["39201"]) in page


def test_m6_each_place_tells_cost_accompaniment_silence_and_hours() -> None:
    _window()
    make_entry(
        "居場所 ひだまり",
        kind=EntryKind.IBASHO,
        is_free=True,
        accompaniment=True,
        welcomes_silent=True,
        hours=((1, "13:00", "16:00"), (3, "13:00", "16:00")),
    )
    make_entry(
        "就労体験 さくら農園", kind=EntryKind.AGRICULTURE_WELFARE, is_free=False, cost="実費300円"
    )
    make_entry("家族会 ひまわり", kind=EntryKind.FAMILY_ASSOCIATION)
    page = Client().get(reverse("public:municipality", args=["39201"])).content.decode()
    assert "居場所 ひだまり" in page and "就労体験 さくら農園" in page and "家族会 ひまわり" in page
    assert "実費300円" in page
    assert "13:00〜16:00" in page
    # the window's weekdays joined: 月曜日〜金曜日 8:30〜17:15
    assert re.search(r"〜金曜日 8:30〜17:15", page)
    assert 'href="tel:0888239999"' in page
    # order: window, places, groups
    assert (
        page.index("高知市ひきこもり相談窓口")
        < page.index("居場所 ひだまり")
        < page.index("家族会 ひまわり")
    )


def test_m6_no_personal_data_and_nothing_hidden_is_shown() -> None:
    officer = User.objects.create_user(username="checker", full_name="確認 太郎")
    _window(verified_by=officer)
    make_entry("非公開の居場所", is_public=False)
    make_entry("閉じた居場所", is_active=False)
    make_entry("東京の居場所", town="13101", prefecture="13")
    page = Client().get(reverse("public:municipality", args=["39201"])).content.decode()
    assert "確認 太郎" not in page and "checker" not in page
    assert "非公開の居場所" not in page and "閉じた居場所" not in page
    assert "東京の居場所" not in page
    assert "csrfmiddlewaretoken" not in page


def test_m1_search_by_postal_code_full_width_and_hyphen_goes_to_the_municipality() -> None:
    _window()
    client = Client()
    for code in ("７８０－０８５０", "780-0850", "7800850"):
        response = client.get(reverse("public:search"), {"postal_code": code})
        assert response.status_code == 302, code
        assert response["Location"] == reverse("public:municipality", args=["39201"])


def test_m1_search_by_municipality_name_or_code() -> None:
    client = Client()
    response = client.get(reverse("public:search"), {"municipality": "いの町"})
    assert response.status_code == 302
    ino = Municipality.objects.get(prefecture__code="39", name="いの町")
    assert response["Location"] == reverse("public:municipality", args=[ino.code])
    response = client.get(reverse("public:search"), {"municipality": "３９２０１"})
    assert response["Location"] == reverse("public:municipality", args=["39201"])


def test_m1_bad_search_keeps_what_was_typed_with_a_japanese_message() -> None:
    client = Client()
    response = client.get(reverse("public:search"), {"postal_code": "12"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="12"' in page and "field__error" in page
    assert re.search(r"[ぁ-んァ-ン一-龥]", page.split("field__error", 1)[1][:200])
    response = client.get(reverse("public:search"), {"municipality": "存在しない村"})
    assert response.status_code == 400
    assert "存在しない村" in response.content.decode()


def test_m1_search_page_lists_prefectures_and_the_prefecture_its_municipalities() -> None:
    _window()
    client = Client()
    page = client.get(reverse("public:search")).content.decode()
    assert reverse("public:prefecture", args=["39"]) in page and "高知県" in page
    page = client.get(reverse("public:prefecture", args=["39"])).content.decode()
    assert reverse("public:municipality", args=["39201"]) in page
    assert "大川村" in page and "土佐郡" in page
    assert client.get(reverse("public:prefecture", args=["99"])).status_code == 404
    assert client.get(reverse("public:prefecture", args=["ab"])).status_code == 404


def test_unknown_or_malformed_municipality_answers_404() -> None:
    client = Client()
    for code in ("99999", "abc", "3920", "000000"):
        assert client.get(reverse("public:municipality", args=[code])).status_code == 404
    # the 6-digit local government code works too
    lg = Municipality.objects.get(code="39201").lg_code
    assert client.get(reverse("public:municipality", args=[lg])).status_code == 200


def test_a_municipality_without_a_window_says_so() -> None:
    page = Client().get(reverse("public:municipality", args=["39344"])).content.decode()
    assert "entry-card--window" not in page
    assert "<h2" in page


def test_public_pages_are_accessible_markup() -> None:
    _window()
    make_entry("居場所 ひだまり")
    client = Client()
    for url in (
        reverse("public:search"),
        reverse("public:prefecture", args=["39"]),
        reverse("public:municipality", args=["39201"]),
    ):
        page = client.get(url).content.decode()
        assert '<html lang="ja">' in page
        assert 'class="skip-link" href="#main"' in page
        assert '<main id="main"' in page and "<header" in page and "<footer" in page
        assert page.count("<h1") == 1
        levels = [int(n) for n in re.findall(r"<h([1-6])", page)]
        assert all(b - a <= 1 for a, b in pairwise(levels)), levels
        assert 'name="viewport"' in page
    page = client.get(reverse("public:search")).content.decode()
    assert '<label class="field__label" for="id_postal_code"' in page


def test_the_public_page_is_cached_and_a_change_through_the_services_shows_at_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    entry = _window()
    client = Client()
    url = reverse("public:municipality", args=["39201"])
    first = client.get(url)
    assert first["Cache-Control"].startswith("public")
    # written straight to the database: the cached page is served
    DirectoryEntry.objects.filter(pk=entry.pk).update(name="直接書き換え")
    assert "直接書き換え" not in client.get(url).content.decode()
    # a change through the services invalidates every public page (audited change)
    kochi = Prefecture.objects.get(code="39")
    office = Agency.objects.create(
        name="高知県 地域福祉政策課",
        kind=AgencyKind.PREFECTURAL_OFFICE,
        prefecture=kochi,
        operator_level=OperatorLevel.PREFECTURE,
        operator_prefecture=kochi,
    )
    officer = User.objects.create_user(username="pref")
    Membership.objects.create(user=officer, agency=office, role=Role.PREFECTURAL_OFFICER)
    before = caching.generation()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_entry(officer, entry, data={"name": "高知市こころの相談窓口"})
    assert caching.generation() == before + 1
    assert "高知市こころの相談窓口" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.archive_entry(officer, DirectoryEntry.objects.get(pk=entry.pk))
    assert "高知市ひきこもり相談窓口" not in client.get(url).content.decode()


def test_public_pages_need_no_login_and_ignore_a_logged_in_user() -> None:
    _window()
    user = User.objects.create_user(username="someone", password="pw-123456789")
    client = Client()
    client.force_login(user)
    page = client.get(reverse("public:municipality", args=["39201"])).content.decode()
    assert "someone" not in page


def test_m1_the_login_page_links_to_the_public_pages() -> None:
    page = Client().get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("public:search")}"' in page
