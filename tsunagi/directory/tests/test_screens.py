"""The officers' screens of the directory: list with filters, pagination and export; detail;
add and change with every field (weekday hours, channels, area as municipality checkboxes,
full-width input, Japanese errors next to the field, what was typed kept); a stale version shows
both versions; verified today by me; archive. Who may: the prefecture's officers the
prefecture's entries, a municipal officer their municipality's, a manager the agency's; others
read only; supporters have no menu row; anyone without a role nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.cast import PASSWORD, Cast, make_cast
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.directory.models import DirectoryEntry, EntryKind
from tsunagi.jurisdictions.models import Municipality, Prefecture

from .factories import make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def form_data(**over: Any) -> dict[str, Any]:
    kochi = Prefecture.objects.get(code="39")
    city = Municipality.objects.get(code="39201")
    data: dict[str, Any] = {
        "kind": "ibasho",
        "name": "居場所　ひだまり",
        "name_kana": "ｲﾊﾞｼｮ ﾋﾀﾞﾏﾘ",
        "description": "ゆっくり過ごせる場所です。",
        "prefecture": kochi.pk,
        "municipality": city.pk,
        "postal_code": "７８０－０８５０",
        "address": "高知市丸ノ内１丁目",
        "phone": "０８８－８２３－１１１１",
        "channels": ["phone", "visit"],
        "min_age": "１５",
        "max_age": "39歳",
        "eligibility": "本人・家族",
        "is_free": "on",
        "accompaniment": "on",
        "welcomes_silent": "on",
        "is_public": "on",
        "area": [city.pk],
        "hours-d1_1_opens": "13:00",
        "hours-d1_1_closes": "16:00",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_list_filters_kind_municipality_stale_public_and_paginates(cast: Cast) -> None:
    today = timezone.localdate()
    fresh = make_entry("居場所 新しい", verified_on=today)
    stale = make_entry("居場所 古い", verified_on=today - datetime.timedelta(days=400))
    window = make_entry("窓口 いの町", kind=EntryKind.WINDOW, town="39386", verified_on=today)
    hidden = make_entry("非公開の場所", is_public=False, verified_on=today)
    client = login(cast.users[Role.STAFF])
    url = reverse("directory:list")
    page = client.get(url).content.decode()
    assert all(e.name in page for e in (fresh, stale, window, hidden))
    page = client.get(url, {"kind": "window"}).content.decode()
    assert window.name in page and fresh.name not in page
    page = client.get(url, {"municipality": "いの町"}).content.decode()
    assert window.name in page and fresh.name not in page
    page = client.get(url, {"stale": "yes"}).content.decode()
    assert stale.name in page and fresh.name not in page
    page = client.get(url, {"public": "no"}).content.decode()
    assert hidden.name in page and fresh.name not in page
    assert client.get(url, {"q": "ｲﾊﾞｼｮ"}).status_code == 200
    # bad filters never 500
    assert client.get(url, {"kind": "nonsense", "page": "x", "public": "maybe"}).status_code == 200
    for n in range(55):
        make_entry(f"居場所 {n:02d}")
    page = client.get(url).content.decode()
    assert 'rel="next"' in page
    assert client.get(url, {"page": "2"}).status_code == 200


def test_list_exports_csv_and_excel_and_logs(cast: Cast) -> None:
    make_entry("居場所 ひだまり", cost="無料")
    client = login(cast.users[Role.MUNICIPAL_OFFICER])
    response = client.get(reverse("directory:list"), {"format": "csv", "kind": "ibasho"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "居場所 ひだまり" in text.replace("\u3000", " ")
    response = client.get(reverse("directory:list"), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxml")
    assert AuditEvent.objects.filter(action="directory_entry.exported").count() == 2


def test_detail_shows_fields_in_wareki_and_the_stale_flag(cast: Cast) -> None:
    entry = make_entry(
        "居場所 ひだまり",
        verified_on=datetime.date(2024, 4, 1),
        hours=((0, "09:00", "12:00"),),
        channels=["phone"],
    )
    page = login(cast.users[Role.STAFF]).get(reverse("directory:detail", args=[entry.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "令和6年4月1日" in text
    assert "badge--ng" in text  # not verified for a year
    # a caseworker reads but keeps nothing
    assert reverse("directory:edit", args=[entry.pk]) not in text


def test_create_with_full_width_input_and_every_field(cast: Cast) -> None:
    client = login(cast.users[Role.MUNICIPAL_OFFICER])
    assert client.get(reverse("directory:new")).status_code == 200
    response = client.post(reverse("directory:new"), form_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = DirectoryEntry.objects.get(name="居場所 ひだまり")
    assert entry.postal_code == "780-0850"
    assert entry.phone == "088-823-1111"
    assert (entry.min_age, entry.max_age) == (15, 39)
    assert entry.channels == ["phone", "visit"]
    assert entry.accompaniment and entry.welcomes_silent and entry.is_free
    assert [str(m.code) for m in entry.area.all()] == ["39201"]
    assert [(h.weekday, h.opens.hour, h.closes.hour) for h in entry.hours.all()] == [(1, 13, 16)]
    assert AuditEvent.objects.filter(action="directory_entry.created").exists()


def test_create_with_bad_input_keeps_what_was_typed_with_japanese_errors(cast: Cast) -> None:
    client = login(cast.users[Role.PREFECTURAL_OFFICER])
    client.cookies["django_language"] = "ja"
    bad = form_data(
        name="",
        phone="12345",
        postal_code="12",
        min_age="40",
        max_age="20",
        **{"hours-d2_1_opens": "15:00", "hours-d2_1_closes": "10:00"},
    )
    bad["hours-d3_1_opens"] = "09:00"  # no closing time
    response = client.post(reverse("directory:new"), bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "field__error" in page
    assert 'value="12"' in page and "高知市丸ノ内1丁目" in page
    assert not DirectoryEntry.objects.exists()
    # the Japanese message next to the field
    assert "この項目は必須です" in page or "必須" in page


def test_service_errors_show_next_to_the_field(cast: Cast) -> None:
    client = login(cast.users[Role.PREFECTURAL_OFFICER])
    client.cookies["django_language"] = "ja"
    response = client.post(reverse("directory:new"), form_data(phone="0120"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_phone_error"' in page and "市外局番" in page
    response = client.post(reverse("directory:new"), form_data(min_age="50", max_age="20"))
    assert response.status_code == 400
    assert 'id="id_max_age_error"' in response.content.decode()
    assert not DirectoryEntry.objects.exists()


def test_municipal_officer_cannot_place_an_entry_in_another_town(cast: Cast) -> None:
    ino = Municipality.objects.get(code="39386")
    client = login(cast.users[Role.MUNICIPAL_OFFICER])
    response = client.post(reverse("directory:new"), form_data(municipality=ino.pk, area=[]))
    assert response.status_code == 400
    assert "居場所　ひだまり" in response.content.decode() or "居場所 ひだまり" in (
        response.content.decode()
    )
    assert not DirectoryEntry.objects.exists()


def test_roles_who_may_add_edit_verify_archive(cast: Cast) -> None:
    entry = make_entry("居場所 ひだまり")
    ino_entry = make_entry("いの町の居場所", town="39386")
    edit = reverse("directory:edit", args=[entry.pk])
    # staff, auditor, coordinator read only: 403 on changing screens
    for role in (Role.STAFF, Role.AUDITOR, Role.DISPATCH_COORDINATOR):
        client = login(cast.users[role])
        assert client.get(reverse("directory:detail", args=[entry.pk])).status_code == 200
        assert client.get(edit).status_code == 403, role
        assert client.post(reverse("directory:verify", args=[entry.pk])).status_code == 403
        assert client.get(reverse("directory:new")).status_code == 403
    # the city officer keeps the city's entries, not ino's
    officer = login(cast.users[Role.MUNICIPAL_OFFICER])
    assert officer.get(edit).status_code == 200
    assert officer.get(reverse("directory:edit", args=[ino_entry.pk])).status_code == 403
    # the prefecture's officer keeps both
    pref = login(cast.users[Role.PREFECTURAL_OFFICER])
    assert pref.get(reverse("directory:edit", args=[ino_entry.pk])).status_code == 200
    # someone without a role sees nothing; an anonymous visitor is sent to the login page
    nobody = login(cast.nobody)
    assert nobody.get(reverse("directory:list")).status_code == 403
    assert Client().get(reverse("directory:list")).status_code == 302
    # a missing entry answers 404
    assert pref.get(reverse("directory:detail", args=[999999])).status_code == 404


def test_manager_keeps_the_entries_about_their_agency(cast: Cast) -> None:
    own = make_entry("センターの居場所", town=None, agency=cast.center)
    other = make_entry("他の居場所", town=None)
    client = login(cast.users[Role.MANAGER])
    assert client.get(reverse("directory:edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("directory:edit", args=[other.pk])).status_code == 403


def test_edit_saves_and_a_stale_version_shows_both_versions(cast: Cast) -> None:
    entry = make_entry("居場所 ひだまり", phone="088-823-0000")
    client = login(cast.users[Role.MUNICIPAL_OFFICER])
    url = reverse("directory:edit", args=[entry.pk])
    page = client.get(url).content.decode()
    assert 'name="version" value="1"' in page
    # someone else saves meanwhile
    DirectoryEntry.objects.filter(pk=entry.pk).update(phone="088-823-2222", version=2)
    response = client.post(url, form_data(name="居場所 ひだまり改", version="1"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "088-823-2222" in page  # theirs
    assert "居場所 ひだまり改" in page  # yours, kept
    assert 'name="version" value="2"' in page
    assert DirectoryEntry.objects.get(pk=entry.pk).name == "居場所 ひだまり"
    # saving again with the new version works
    response = client.post(url, form_data(name="居場所 ひだまり改", version="2"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.name == "居場所 ひだまり改" and entry.version == 3


def test_verify_today_by_me_and_archive(cast: Cast) -> None:
    entry = make_entry("居場所 ひだまり", verified_on=datetime.date(2020, 4, 1))
    user = cast.users[Role.MUNICIPAL_OFFICER]
    client = login(user)
    assert client.get(reverse("directory:verify", args=[entry.pk])).status_code == 405
    response = client.post(reverse("directory:verify", args=[entry.pk]), {"version": "1"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.verified_on == timezone.localdate() and entry.verified_by == user
    # a stale version on verify: nothing recorded, a message
    response = client.post(
        reverse("directory:verify", args=[entry.pk]), {"version": "1"}, follow=True
    )
    assert response.status_code == 200
    assert client.get(reverse("directory:archive", args=[entry.pk])).status_code == 200
    response = client.post(
        reverse("directory:archive", args=[entry.pk]), {"version": str(entry.version)}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert not entry.is_active and not entry.is_public
    assert entry.name not in client.get(reverse("directory:list")).content.decode()
    page = client.get(reverse("directory:list"), {"archived": "yes"}).content.decode()
    assert entry.name in page


def test_menu_row_for_officers_and_staff_not_for_supporters(cast: Cast) -> None:
    url = reverse("directory:list")
    for role in (Role.PREFECTURAL_OFFICER, Role.MUNICIPAL_OFFICER, Role.STAFF):
        page = login(cast.users[role]).get(reverse("web:home")).content.decode()
        assert f'href="{url}"' in page, role
    page = login(cast.users[Role.SUPPORTER]).get(reverse("web:home")).content.decode()
    assert f'href="{url}"' not in page


def test_home_panel_lists_the_entries_i_keep_not_verified_for_a_year(cast: Cast) -> None:
    old = make_entry("古い居場所", verified_on=timezone.localdate() - datetime.timedelta(days=500))
    never = make_entry("未確認の居場所")
    fresh = make_entry("新しい居場所", verified_on=timezone.localdate())
    elsewhere = make_entry("いの町の古い居場所", town="39386")
    page = login(cast.users[Role.MUNICIPAL_OFFICER]).get(reverse("web:home")).content.decode()
    assert old.name in page and never.name in page
    assert fresh.name not in page and elsewhere.name not in page
    page = login(cast.users[Role.STAFF]).get(reverse("web:home")).content.decode()
    assert old.name not in page
