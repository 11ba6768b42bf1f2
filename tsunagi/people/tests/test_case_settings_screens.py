"""Screening, closing and reopening a case (a case never has to close, C); the manager's
restriction of a sensitive case to its assigned staff."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.cast import Cast, make_cast
from tests.people import yamada_household
from tsunagi.accounts.models import Role
from tsunagi.people.models import Case
from tsunagi.web.wareki import format_wareki

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def settings(case: Case, **extra: Any) -> dict[str, Any]:
    return {
        "problems": case.problems, "main_problem": case.main_problem,
        "problem_notes": "母の話では昼夜逆転", "screening": "continuing", "screened_on": "",
        "handed_to": "", "accompaniment": "on", "closed_on": "", "close_reason": "",
        "version": case.version, **extra,
    }  # fmt: skip


def test_keep_for_continuing_support_in_accompaniment_mode(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    client = client_for(staff)
    page = client.get(f"/people/cases/{case.pk}/edit/").content.decode()
    assert "ケースを終結させる必要はありません" in page
    response = client.post(f"/people/cases/{case.pk}/edit/", settings(case))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.screening == "continuing" and case.accompaniment and case.is_open
    assert case.screened_on is not None
    assert "伴走型支援" in client.get(f"/people/cases/{case.pk}/").content.decode()


def test_handed_over_needs_a_name_and_keeps_the_input(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    response = client_for(staff).post(
        f"/people/cases/{case.pk}/edit/", settings(case, screening="handed_over")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "母の話では昼夜逆転" in page
    case.refresh_from_db()
    assert case.screening == ""


def test_close_and_reopen(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    client = client_for(staff)
    today = format_wareki(case.opened_on)
    closing = settings(
        case, screening="information_only", closed_on=today, close_reason="情報提供のみ"
    )
    client.post(f"/people/cases/{case.pk}/edit/", closing)
    case.refresh_from_db()
    assert not case.is_open
    page = client.get(f"/people/cases/{case.pk}/").content.decode()
    assert "終結" in page and "ケースを再開" in page
    assert client.post(f"/people/cases/{case.pk}/reopen/").status_code == 302
    case.refresh_from_db()
    assert case.is_open and case.close_reason == ""


@pytest.mark.parametrize(
    ("bad", "message"),
    [({"closed_on": "2099-01-01"}, "未来"), ({"screened_on": "R7.13.1"}, "日付")],
)
def test_bad_dates_are_explained_and_kept(cast: Cast, bad: dict[str, Any], message: str) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    response = client_for(staff).post(f"/people/cases/{case.pk}/edit/", settings(case, **bad))
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert f'value="{next(iter(bad.values()))}"' in page
    case.refresh_from_db()
    assert case.is_open and case.screening == ""


def test_edit_conflict_keeps_what_was_typed(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    Case.objects.filter(pk=case.pk).update(
        version=5, screening="handed_over", handed_to="福祉事務所"
    )
    response = client_for(staff).post(f"/people/cases/{case.pk}/edit/", settings(case, version=1))
    page = response.content.decode()
    assert response.status_code == 200 and "別の人" in page
    assert "母の話では昼夜逆転" in page  # ours, typed
    assert "他制度・他機関へつないだ" in page.split("novalidate")[0]  # theirs, above the form
    case.refresh_from_db()
    assert case.screening == "handed_over"


def test_reopen_is_post_only(cast: Cast) -> None:
    _household, _mother, _son, case = yamada_household(cast.users[Role.STAFF], cast.center)
    assert (
        client_for(cast.users[Role.STAFF]).get(f"/people/cases/{case.pk}/reopen/").status_code
        == 405
    )


def test_manager_restricts_the_case_to_assigned_staff(cast: Cast) -> None:
    staff, manager = cast.users[Role.STAFF], cast.users[Role.MANAGER]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    url = f"/people/cases/{case.pk}/restriction/"
    client = client_for(manager)
    page = client.get(url).content.decode()
    assert "staff" in page and "manager" in page
    assert client.post(url, {"is_restricted": "on", "assigned_staff": []}).status_code == 200
    response = client.post(url, {"is_restricted": "on", "assigned_staff": [manager.pk]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_restricted
    assert client_for(staff).get(f"/people/cases/{case.pk}/").status_code == 404
    assert "閲覧制限" in client.get(f"/people/cases/{case.pk}/").content.decode()


def test_staff_cannot_restrict(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    client = client_for(staff)
    assert client.get(f"/people/cases/{case.pk}/restriction/").status_code == 403
    response = client.post(
        f"/people/cases/{case.pk}/restriction/",
        {"is_restricted": "on", "assigned_staff": [staff.pk]},
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert not case.is_restricted


def test_outsider_gets_404(cast: Cast) -> None:
    _household, _mother, _son, case = yamada_household(cast.users[Role.STAFF], cast.center)
    client = client_for(cast.outsider)
    for url in ("edit/", "restriction/"):
        assert client.get(f"/people/cases/{case.pk}/{url}").status_code == 404
    assert client.post(f"/people/cases/{case.pk}/reopen/").status_code == 404


@pytest.mark.parametrize("who", ["nobody", "operator", "municipal_officer"])
def test_those_without_personal_records_are_refused(cast: Cast, who: str) -> None:
    _household, _mother, _son, case = yamada_household(cast.users[Role.STAFF], cast.center)
    user = cast.nobody if who == "nobody" else cast.users[Role(who)]
    client = client_for(user)
    assert client.get(f"/people/cases/{case.pk}/edit/").status_code in (403, 404)
    assert client.post(f"/people/cases/{case.pk}/edit/", settings(case)).status_code in (403, 404)
    assert client.get(f"/people/cases/{case.pk}/restriction/").status_code in (403, 404)
    case.refresh_from_db()
    assert case.screening == ""
