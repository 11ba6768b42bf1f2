"""`GET /api/v1/stats/referrals`: one agency's referral statistics for a period, as JSON, CSV or
Excel; the same hand counts as the screen; 422 with the field for a bad period; only the agency's
own members (staff, manager, auditor) — another agency's figures are not found, a user of no
agency is refused."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import load_workbook

from tsunagi.access.models import AuditEvent
from tsunagi.referrals import stats
from tsunagi.referrals.tests.test_stats import build_situation

from .factories import ApiClient, World, assert_error

pytestmark = pytest.mark.django_db
FY = {"since": "令和6年4月1日", "until": "R7.3.31"}


@pytest.fixture
def built(world: World) -> Any:
    return build_situation(world.center, world.staff, world.city_self_reliance, world.other_staff)


def test_hand_counts_by_rule_outcome_and_decline_category(
    api: Callable[[Any], ApiClient], world: World, built: Any
) -> None:
    response = api(world.staff).get("/stats/referrals", **FY)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["agency"] == {"id": world.center.pk, "name": world.center.name}
    assert body["period"] == {"since": "2024-04-01", "until": "2025-03-31"}
    sent = body["sent"]
    rows = {row["rule"]: row for row in sent["by_rule"]}
    assert rows["R2"]["outcomes"] == {
        "accepted": 1, "declined": 1, "first_contact": 2, "closed": 0, "cancelled": 0, "open": 0,
    }  # fmt: skip
    assert rows["R7"]["total"] == 2 and rows[""]["rule_label"] == "ルールなし"
    assert rows[""]["outcomes"]["open"] == 2 and sent["total"] == 8
    assert [(d["category"], d["count"]) for d in sent["declined"]] == [
        ("outside_area", 1),
        ("no_capacity", 1),
    ]
    assert body["received"]["declined"] == [
        {"category": "person_does_not_wish", "label": "本人が希望しない", "count": 1}
    ]
    assert body["outcomes"]["open"] == "対応中"


def test_days_to_acceptance_introductions_and_dismissals(
    api: Callable[[Any], ApiClient], world: World, built: Any
) -> None:
    body = api(world.manager).get("/stats/referrals", **FY).json()
    acceptance = body["sent"]["acceptance"]
    assert acceptance["days"] == {"count": 3, "median": 6.0, "mean": 5.0, "max": 7}
    assert acceptance["business_days"] == {"count": 3, "median": 2.0, "mean": 3.0, "max": 5}
    intro = body["introductions"]
    assert intro["total"] == 3
    assert {k["target_kind"]: k["count"] for k in intro["by_target_kind"]} == {
        "hikikomori_agency": 2,
        "family_association": 1,
    }
    assert [(r["rule"], r["count"]) for r in intro["by_rule"]] == [("R3a", 2), ("", 1)]
    assert body["dismissals"] == [
        {"rule": "R2", "dismissed": 1, "restored": 0},
        {"rule": "R7", "dismissed": 1, "restored": 1},
        {"rule": "R8", "dismissed": 0, "restored": 1},
    ]


def test_r5_gap_in_aggregate_over_the_api(
    api: Callable[[Any], ApiClient], world: World, built: Any
) -> None:
    handover = api(world.auditor).get("/stats/referrals", **FY).json()["sent"]["handover"]
    # closed on 14 June, first contact on 17 June: 3; first contact before the end: 0
    assert handover["days"] == {"count": 2, "median": 1.5, "mean": 1.5, "max": 3}
    assert handover["no_gap"] == 1
    assert handover["waiting_too_long"] == 2  # both open hand-overs ended long before today


def test_r5_gap_of_one_hand_over_over_the_api(
    api: Callable[[Any], ApiClient], world: World, built: Any
) -> None:
    body = api(world.staff).get("/stats/referrals", since="2024-06-17", until="2024-06-17").json()
    assert body["sent"]["handover"]["days"] == {"count": 1, "median": 3.0, "mean": 3.0, "max": 3}


def test_default_period_is_this_fiscal_year(
    api: Callable[[Any], ApiClient], world: World, built: Any
) -> None:
    body = api(world.staff).get("/stats/referrals").json()
    since = body["period"]["since"]
    assert since.endswith("-04-01") and body["period"]["until"].endswith("-03-31")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "令和6年13月1日"}, "since"),
        ({"until": "あした"}, "until"),
        ({"since": "2025-04-01", "until": "2024-04-01"}, "until"),
        ({"format": "pdf"}, "format"),
        ({"format": "csv", "table": "everything"}, "table"),
    ],
)
def test_bad_input_is_422_with_the_field(
    api: Callable[[Any], ApiClient], world: World, params: dict[str, str], field: str
) -> None:
    body = assert_error(api(world.staff).get("/stats/referrals", **params), 422)
    assert field in {e["field"] for e in body["errors"]}


def test_excel_has_the_same_numbers_as_the_json(
    api: Callable[[Any], ApiClient], world: World, built: Any
) -> None:
    client = api(world.staff)
    response = client.get("/stats/referrals", format="xlsx", **FY)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == len(list(stats.table_keys()))
    by_rule = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert by_rule[1] == [
        "ルール", "受け入れ", "お断り", "初回接触済み", "完了", "取り消し", "対応中", "合計",
    ]  # fmt: skip
    assert by_rule[2] == ["R2", 1, 1, 2, 0, 0, 0, 4]
    assert by_rule[-1] == ["合計", 1, 1, 2, 1, 1, 2, 8]
    assert client.get("/stats/referrals", **FY).json()["sent"]["total"] == 8
    handover = [list(r) for r in book.worksheets[5].iter_rows(values_only=True)]
    assert handover[2][1:6] == [2, 1.5, 1.5, 3, 1]
    assert AuditEvent.objects.filter(action="referral.stats_exported", actor=world.staff).exists()


def test_csv_of_one_table(api: Callable[[Any], ApiClient], world: World, built: Any) -> None:
    response = api(world.staff).get(
        "/stats/referrals", format="csv", table="introductions_by_kind", **FY
    )
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "紹介先の種類,情報提供（紹介）"
    assert lines[-1] == "合計,3"


def test_csv_of_every_table_one_after_another(
    api: Callable[[Any], ApiClient], world: World, built: Any
) -> None:
    text = api(world.staff).get("/stats/referrals", format="csv", **FY).content.decode("utf-8-sig")
    assert text.count("合計") >= 7 and "引き継ぎの空白期間（ルールR5）" in text
    assert "統計 太郎" not in text  # aggregates only


def test_receiving_agency_reads_its_own_side(
    api: Callable[[Any], ApiClient], world: World, built: Any
) -> None:
    body = api(world.other_staff).get("/stats/referrals", **FY).json()
    assert body["agency"]["id"] == world.city_self_reliance.pk
    assert body["received"]["total"] == 8 and body["introductions"]["total"] == 0


def test_another_agencys_statistics_are_not_found(
    api: Callable[[Any], ApiClient], world: World, built: Any
) -> None:
    assert_error(api(world.other_staff).get("/stats/referrals", agency=world.center.pk), 404)
    assert_error(api(world.staff).get("/stats/referrals", agency=999_999), 404)


@pytest.mark.parametrize("who", ["prefectural_officer", "municipal_officer", "operator", "nobody"])
def test_users_of_no_agency_are_refused(
    api: Callable[[Any], ApiClient], world: World, built: Any, who: str
) -> None:
    user = getattr(world, who)
    response = api(user).get("/stats/referrals", agency=world.center.pk)
    assert_error(response, 403)
    assert world.center.name not in response.content.decode()


def test_without_credentials_401(api: Callable[[Any], ApiClient], world: World) -> None:
    assert_error(api(None).get("/stats/referrals"), 401)
