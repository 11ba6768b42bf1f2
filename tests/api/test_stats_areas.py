"""`/api/v1/stats/national-survey`, `/hikikomori`, `/dispatches`, `/referrals-area`: aggregates
of an area the caller may see (404 otherwise), 422 with the field for a bad area or month,
CSV/XLSX; a municipal officer sees aggregates only: a request for a personal record is refused
(404)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from tsunagi.people.models import Case, Person

from .factories import assert_error, field_errors


def test_stats_national_survey_for_a_visible_municipality(world: Any, api: Any) -> None:
    response = api(world.municipal_officer).get(
        "/stats/national-survey",
        area="municipality:39201",
        **{"from": "令和6年4月"},
        to="2025-03",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["from_month"] == "2024-04" and body["to_month"] == "2025-03"
    assert body["exact"] is False and body["suppressed_below"] == 5
    assert {t["key"] for t in body["tables"]} >= {"survey", "survey_rates", "screening"}


PATHS = (
    "/stats/national-survey",
    "/stats/hikikomori",
    "/stats/dispatches",
    "/stats/referrals-area",
)


@pytest.mark.parametrize("path", PATHS)
def test_stats_area_not_visible_is_404(world: Any, api: Any, path: str) -> None:
    assert_error(api(world.municipal_officer).get(path, area="prefecture:13"), 404)
    assert_error(api(world.municipal_officer).get(path, area="prefecture:39"), 404)
    assert_error(api(world.tokyo_officer).get(path, area="prefecture:39"), 404)
    assert_error(api(world.prefectural_officer).get(path, area="national"), 404)


@pytest.mark.parametrize("path", PATHS)
def test_stats_bad_area_and_month_are_422_in_japanese(world: Any, api: Any, path: str) -> None:
    client = api(world.prefectural_officer)
    assert field_errors(client.get(path, area="somewhere"), "area")
    assert field_errors(client.get(path, area="city:39201"), "area")
    bad = client.get(path, area="prefecture:39", **{"from": "2025-13"})
    assert field_errors(bad, "from")
    assert field_errors(client.get(path, area="prefecture:39", **{"from": "そのうち"}), "from")
    reversed_ = client.get(path, area="prefecture:39", **{"from": "2025-04"}, to="2024-04")
    assert field_errors(reversed_, "to")
    assert field_errors(client.get(path, area="prefecture:39", format="pdf"), "format")
    assert field_errors(client.get(path, area="prefecture:39", table="nothing"), "table")


def test_stats_xlsx_opens_with_openpyxl(world: Any, api: Any) -> None:
    response = api(world.prefectural_officer).get(
        "/stats/hikikomori", area="prefecture:39", format="xlsx"
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames


def test_stats_municipal_officer_request_for_a_personal_record_is_refused(
    world: Any, api: Any
) -> None:
    person = Person.objects.create(
        agency=world.city_self_reliance, family_name="統計", municipality_id=None
    )
    Case.objects.create(
        agency=world.city_self_reliance, person=person, number="C1", opened_on="2024-04-01"
    )
    assert_error(api(world.municipal_officer).get(f"/persons/{person.pk}"), 404)
