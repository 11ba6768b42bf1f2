"""The prefecture's supporter screens (rules S2, S3): the list with its filters and export, the
record with training history and rosters, new and changed records, the signed consent (refused
before training or without the explanation), withdrawal (every roster at once, dispatches stop),
the supporter's login, the roster given to a municipality and its history. A coordinator reads
supporters on their roster but records nothing; a supporter sees and changes only their own."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tsunagi.access.models import AuditEvent
from tsunagi.supporters.models import (
    DispatchState,
    RosterEntry,
    RosterRelease,
    Supporter,
)

from .factories import PASSWORD, World, days, make_dispatch, make_supporter, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> World:
    return make_world()


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_s2_list_filters_status_peer_area_and_logs(w: World) -> None:
    trainee = make_supporter(w, "土佐 研修中", trained=False, consented=False, account=False)
    done = make_supporter(w, "土佐 未同意", consented=False, account=False)
    client = login(w.officer)
    url = reverse("supporters:list")
    page = client.get(url).content.decode()
    assert "高知 一郎" in page and "土佐 研修中" in page
    page = client.get(url, {"status": "training"}).content.decode()
    assert f"supporter-{trainee.pk}" in page and f"supporter-{w.supporter.pk}" not in page
    page = client.get(url, {"status": "completed"}).content.decode()
    assert f"supporter-{done.pk}" in page and f"supporter-{trainee.pk}" not in page
    page = client.get(url, {"status": "registered"}).content.decode()
    assert f"supporter-{w.supporter.pk}" in page and f"supporter-{done.pk}" not in page
    page = client.get(url, {"peer": "any"}).content.decode()
    assert f"supporter-{w.supporter.pk}" in page and f"supporter-{w.supporters[1].pk}" not in page
    page = client.get(url, {"area": w.other_city.pk}).content.decode()
    assert f"supporter-{w.supporters[1].pk}" in page and f"supporter-{w.supporter.pk}" not in page
    # bad filters: ignored, never a 500
    assert client.get(url, {"status": "nonsense", "area": "x"}).status_code == 200
    assert AuditEvent.objects.filter(action="supporter.listed").exists()


def test_s2_export_csv_and_excel_logged(w: World) -> None:
    client = login(w.officer)
    response = client.get(reverse("supporters:list"), {"format": "csv", "status": "registered"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "高知 一郎" in text and "南国 花子" in text
    response = client.get(reverse("supporters:list"), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="roster.exported").count() == 2


def test_s2_detail_shows_history_rosters_and_counts(w: World) -> None:
    make_dispatch(w, state=DispatchState.ACTIVE)
    client = login(w.officer)
    page = client.get(reverse("supporters:detail", args=[w.supporter.pk])).content.decode()
    assert "ひきこもりサポーター養成研修" in page
    assert "高知市 健康福祉部" in page and "南国市 福祉事務所" in page
    assert 'id="dispatch-counts"' in page
    assert AuditEvent.objects.filter(
        action="supporter.viewed", record_id=str(w.supporter.pk)
    ).exists()
    trainee = make_supporter(w, "土佐 研修中", trained=False, consented=False, account=False)
    page = client.get(reverse("supporters:detail", args=[trainee.pk])).content.decode()
    assert "S2" in page  # not on the roster yet, with the reason


def test_s2_new_and_edit_record(w: World) -> None:
    client = login(w.officer)
    data = {
        "name": "香南 五月",
        "name_kana": "ｺｳﾅﾝ ｻﾂｷ",
        "sex": "",
        "birth_year": "1980",
        "postal_code": "７８１－５２１１",
        "municipality": str(w.city.pk),
        "phone": "０８８－１２３－４５６７",
        "peer": "family",
        "areas": [str(w.city.pk), str(w.other_city.pk)],
        "availability": ["weekday_morning", "weekend_afternoon"],
        "languages": ["ja"],
        "preferences": "土日は午後のみ",
    }
    response = client.post(reverse("supporters:new"), data)
    s = Supporter.objects.get(name="香南 五月")
    assert response.status_code == 302
    assert s.name_kana == "コウナン サツキ" and s.postal_code == "781-5211"
    assert s.peer == "family" and set(s.areas.all()) == {w.city, w.other_city}
    # bad input: kept and explained
    response = client.post(reverse("supporters:new"), {**data, "name": "", "birth_year": "1800"})
    page = response.content.decode()
    assert response.status_code == 200 and "土日は午後のみ" in page and "field__error" in page
    response = client.post(reverse("supporters:new"), {**data, "areas": ["999999"]})
    assert response.status_code == 200
    # edit, with the version
    url = reverse("supporters:edit", args=[s.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**data, "name": "香南 皐月", "version": str(s.version)})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.name == "香南 皐月"
    response = client.post(url, {**data, "name": "古い版", "version": "1"})
    assert response.status_code == 200 and "古い版" in response.content.decode()


def test_s2_consent_shows_the_statement_and_is_refused_without_training(w: World) -> None:
    trainee = make_supporter(w, "土佐 研修中", trained=False, consented=False, account=False)
    client = login(w.officer)
    url = reverse("supporters:consent", args=[trainee.pk])
    page = client.get(url).content.decode()
    assert "派遣事業を実施する" in page and "市町村に提供される" in page
    assert AuditEvent.objects.filter(action="supporter.viewed", record_id=str(trainee.pk)).exists()
    response = client.post(url, {"signed_on": str(days(-1)), "explained": "on"})
    assert response.status_code == 200 and "S2" in response.content.decode()
    trainee.refresh_from_db()
    assert trainee.consent_signed_on is None


def test_s2_consent_needs_the_explanation_and_a_good_date(w: World) -> None:
    done = make_supporter(w, "土佐 未同意", consented=False, account=False)
    client = login(w.officer)
    url = reverse("supporters:consent", args=[done.pk])
    response = client.post(url, {"signed_on": str(days(-1))})
    assert response.status_code == 200 and "S2" in response.content.decode()
    response = client.post(url, {"signed_on": "明日", "explained": "on"})
    assert response.status_code == 200 and "明日" in response.content.decode()
    response = client.post(url, {"signed_on": str(days(3)), "explained": "on"})
    assert response.status_code == 200
    response = client.post(url, {"signed_on": "R7.1.5", "explained": "on"})
    assert response.status_code == 200  # before the training was completed (S2)
    response = client.post(url, {"signed_on": str(days(0)), "explained": "on"})
    assert response.status_code == 302
    done.refresh_from_db()
    assert done.consent_signed_on is not None and done.consent_explained


def test_s3_withdraw_leaves_every_roster_and_stops_dispatches(w: World) -> None:
    d = make_dispatch(w, state=DispatchState.ACTIVE)
    client = login(w.officer)
    url = reverse("supporters:withdraw", args=[w.supporter.pk])
    page = client.get(url).content.decode()
    assert "S3" in page and "S5" in page
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "field__error" in response.content.decode()
    response = client.post(url, {"reason": "転居のため"})
    assert response.status_code == 302
    assert not RosterEntry.objects.current().filter(supporter=w.supporter).exists()
    d.refresh_from_db()
    assert d.state == DispatchState.STOPPED
    # the coordinator no longer sees the supporter
    assert (
        login(w.coordinator).get(reverse("supporters:detail", args=[w.supporter.pk])).status_code
        == 404
    )
    # twice: refused with a message
    response = client.post(url, {"reason": "再度"})
    assert response.status_code == 200


def test_s2_account_created_once(w: World) -> None:
    s = make_supporter(w, "土佐 口座", account=False)
    client = login(w.officer)
    url = reverse("supporters:account", args=[s.pk])
    response = client.post(url, {"username": "tosa-kouza", "password": "short"})
    assert response.status_code == 200 and "field__error" in response.content.decode()
    response = client.post(url, {"username": "tosa-kouza", "password": "Tosa-supporter-2026"})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.user is not None and s.user.username == "tosa-kouza"
    response = client.post(url, {"username": "tosa-2", "password": "Tosa-supporter-2026"})
    assert response.status_code == 200


def test_s3_give_roster_and_history(w: World) -> None:
    from tsunagi.jurisdictions.models import Municipality
    from tsunagi.supporters.tests.factories import _municipal_office

    kami = _municipal_office(
        "香美市 福祉事務所", w.prefecture, Municipality.objects.get(code="39212")
    )
    client = login(w.officer)
    url = reverse("supporters:roster_give")
    page = client.get(url).content.decode()
    assert "香美市 福祉事務所" in page and "高知県ひきこもり地域支援センター" not in page
    response = client.post(url, {"agency": str(w.center.pk), "dispatch_status": "runs"})
    assert response.status_code == 200  # not a choice: the center is not a municipal office
    response = client.post(url, {"agency": str(kami.pk)})
    assert response.status_code == 200 and "field__error" in response.content.decode()
    response = client.post(url, {"agency": str(kami.pk), "dispatch_status": "plans"})
    assert response.status_code == 302
    release = RosterRelease.objects.get(agency=kami)
    assert release.entries.count() == 2
    page = client.get(reverse("supporters:releases")).content.decode()
    assert "香美市 福祉事務所" in page and f"release-{release.pk}" in page
    assert AuditEvent.objects.filter(action="roster.given").exists()


def test_s2_coordinator_reads_but_records_nothing(w: World) -> None:
    client = login(w.coordinator)
    pk = w.supporter.pk
    assert client.get(reverse("supporters:detail", args=[pk])).status_code == 200
    assert client.get(reverse("supporters:consent", args=[pk])).status_code == 403
    assert (
        client.post(
            reverse("supporters:consent", args=[pk]), {"signed_on": "R8.1.1", "explained": "on"}
        ).status_code
        == 403
    )
    assert client.get(reverse("supporters:withdraw", args=[pk])).status_code == 403
    assert client.get(reverse("supporters:account", args=[pk])).status_code == 403
    assert client.get(reverse("supporters:consent_form", args=[pk])).status_code == 403
    assert client.get(reverse("supporters:edit", args=[pk])).status_code == 403
    assert client.get(reverse("supporters:new")).status_code == 403
    assert client.get(reverse("supporters:roster_give")).status_code == 403
    assert client.get(reverse("supporters:releases")).status_code == 403
    # a supporter not on their roster: 404
    other = make_supporter(w, "土佐 名簿外", on_roster=False, account=False)
    assert client.get(reverse("supporters:detail", args=[other.pk])).status_code == 404


def test_s2_supporter_sees_only_their_own_record(w: World) -> None:
    client = login(w.supporter_user)
    own = w.supporter
    page = client.get(reverse("supporters:detail", args=[own.pk])).content.decode()
    assert own.name in page
    assert client.get(reverse("supporters:detail", args=[w.supporters[1].pk])).status_code == 404
    listed = client.get(reverse("supporters:list"))  # the list is not theirs: their details
    assert listed.status_code == 302 and listed["Location"] == reverse("supporters:me")
    assert client.get(reverse("supporters:consent", args=[own.pk])).status_code == 403
    assert client.get(reverse("supporters:withdraw", args=[own.pk])).status_code == 403
    # their own availability and preferences only
    url = reverse("supporters:edit", args=[own.pk])
    page = client.get(url).content.decode()
    assert 'name="preferences"' in page and 'name="name"' not in page
    response = client.post(
        url,
        {"availability": ["weekend_morning"], "preferences": "平日は不可", "name": "改名",
         "version": str(own.version)},
    )  # fmt: skip
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.preferences == "平日は不可" and own.name == "高知 一郎"
    assert own.availability == ["weekend_morning"]


def test_s2_strangers_get_404(w: World) -> None:
    client = login(w.center_staff)
    assert client.get(reverse("supporters:detail", args=[w.supporter.pk])).status_code == 404
    assert client.get(reverse("supporters:list")).status_code == 404
    assert login(w.officer).get(reverse("supporters:detail", args=[999999])).status_code == 404
