"""`/api/v1/stats/referrals-area`: the referral statistics of an area the caller may see,
suppressed for officers (rules P1–P3); CSV of one table with Japanese headers. (404 for an area
not visible and 422 for a bad area, month, format or table: `test_stats_areas.py`, for every
statistics endpoint.)"""

from __future__ import annotations

from typing import Any

KEYS = {
    "sent_by_rule", "received_by_rule", "sent_declined", "received_declined", "acceptance",
    "handover", "introductions_by_kind", "introductions_by_rule", "dismissals",
}  # fmt: skip


def test_stats_referrals_area_of_a_prefecture(world: Any, api: Any) -> None:
    response = api(world.prefectural_officer).get(
        "/stats/referrals-area", area="prefecture:39", **{"from": "令和6年4月"}, to="2025-03"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["exact"] is False and body["suppressed_below"] == 5
    assert {t["key"] for t in body["tables"]} == KEYS
    by_rule = next(t for t in body["tables"] if t["key"] == "sent_by_rule")
    assert by_rule["headers"][0] == "ルール" and by_rule["rows"][-1][0] == "合計"


def test_stats_referrals_area_csv_of_one_table(world: Any, api: Any) -> None:
    response = api(world.municipal_officer).get(
        "/stats/referrals-area", area="municipality:39201", format="csv", table="dismissals"
    )
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("ルール,")
