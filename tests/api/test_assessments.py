"""`/api/v1/assessments`: dated, repeatable assessments with history; special-care fields marked."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.people import yamada_household
from tsunagi.access.models import AuditEvent
from tsunagi.people import services
from tsunagi.people.models import SPECIAL_CARE_FIELDS, Assessment
from tsunagi.web.wareki import format_wareki

from .factories import JAPANESE, assert_error, field_errors

pytestmark = pytest.mark.django_db

OUTSIDERS = (
    "other_staff", "operator", "municipal_officer", "supporter", "nobody", "auditor",
    "prefectural_officer", "dispatch_coordinator", "tokyo_officer",
)  # fmt: skip


@pytest.fixture
def yamada(world) -> Any:
    return yamada_household(world.staff, world.center)


def from_the_mother(about: Any, **changes: Any) -> dict[str, Any]:
    """Walkthrough A, step 2, as the coordinator types it: dates in the Japanese era."""
    return {
        "case": about.pk,
        "informant": "family",
        "employment": "unemployed",
        "going_out": "home_only",
        "withdrawn_since": "平成18年4月1日",
        "hikikomori_notes": "夜中にコンビニへ行くことがある",
        "finance": "tight",
        "monthly_income": 120000,
        "income_sources": "母の年金",
        "debt": True,
        "debt_notes": "母名義のカードローン",
        "housing": "rented",
        "household_member_needs_care": True,
        "connections": ["family"],
        "wishes": "（母の言葉）息子にはいつか外に出てほしい",
        **changes,
    }


# --- record ---------------------------------------------------------------------------------


@pytest.mark.smoke
def test_record_an_assessment(world, api, yamada):
    _household, _mother, son, case = yamada

    response = api(world.staff).post("/assessments", from_the_mother(case))

    assert response.status_code == 201, response.content
    assessment = response.json()
    assert (assessment["case_id"], assessment["person_id"]) == (case.pk, son.pk)
    assert assessment["assessed_on"] == timezone.localdate().isoformat()
    assert assessment["assessed_on_wareki"].startswith("令和")
    assert assessment["withdrawn_since"] == "2006-04-01"
    assert assessment["assessed_by_id"] == world.staff.pk
    assert assessment["debt"] is True and assessment["income_sources"] == "母の年金"
    assert {"employment", "finance", "debt", "care", "hikikomori", "isolation"} <= {
        a["code"] for a in assessment["areas"]
    }
    assert assessment["isolation_level"] == 5 and JAPANESE.search(assessment["isolation_label"])
    assert assessment["special_care_fields"] == list(SPECIAL_CARE_FIELDS)
    assert assessment["open_flags"] == []
    event = AuditEvent.objects.get(action="assessment.recorded")
    assert (event.actor, event.agency_id) == (world.staff, world.center.pk)


def test_an_assessment_dated_in_the_past_in_the_japanese_era(world, api, yamada):
    _household, _mother, _son, case = yamada
    last_month = timezone.localdate() - datetime.timedelta(days=30)

    response = api(world.staff).post(
        "/assessments", from_the_mother(case, assessed_on=format_wareki(last_month, short=True))
    )

    assert response.json()["assessed_on"] == last_month.isoformat()


def test_r8_depression_with_the_crisis_pathway_raises_the_suicide_risk_flag(world, api, yamada):
    _household, _mother, _son, case = yamada

    assessment = (
        api(world.staff)
        .post("/assessments", from_the_mother(case, depression=True, mental_health="serious"))
        .json()
    )

    flags = assessment["open_flags"]
    assert [(f["kind"], f["rule"]) for f in flags] == [("suicide_risk", "R8")]
    assert JAPANESE.search(flags[0]["reason"])


BAD_INPUT = [
    ("employment", {"employment": "astronaut"}),
    ("going_out", {"going_out": "never"}),
    ("assessed_on", {"assessed_on": "2999-04-01"}),  # future
    ("withdrawn_since", {"withdrawn_since": "令和30年1月1日"}),  # future
    ("withdrawn_since", {"withdrawn_since": "ずっと前"}),
    ("assessed_on", {"assessed_on": "2025-02-30"}),
    ("debt", {"debt": "yes please"}),
    ("monthly_income", {"monthly_income": "少し"}),
    ("monthly_income", {"monthly_income": -1}),
    ("connections.0", {"connections": ["internet"]}),
    ("case", {"case": None}),
    ("case", {"case": "the yamada case"}),
]


@pytest.mark.parametrize(("field", "change"), BAD_INPUT)
def test_bad_input_is_a_field_error_in_japanese(world, api, yamada, field, change):
    _household, _mother, _son, case = yamada

    response = api(world.staff).post("/assessments", from_the_mother(case, **change))

    assert JAPANESE.search(field_errors(response, field)[0])
    assert not Assessment.objects.exists()


def test_the_case_is_required(world, api, yamada):
    _household, _mother, _son, case = yamada
    body = from_the_mother(case)
    del body["case"]

    field_errors(api(world.staff).post("/assessments", body), "case")


# --- history and reads ----------------------------------------------------------------------


def test_the_history_of_a_case_newest_first(world, api, yamada):
    _household, _mother, _son, case = yamada
    today = timezone.localdate()
    services.record_assessment(
        world.staff, case, {"assessed_on": today - datetime.timedelta(days=90)}
    )
    services.record_assessment(world.staff, case, {"assessed_on": today, "going_out": "room_only"})
    services.record_assessment(
        world.staff, case, {"assessed_on": today - datetime.timedelta(days=30)}
    )
    client = api(world.staff)

    page = client.get("/assessments", case=case.pk).json()
    first = client.get("/assessments", case=case.pk, limit=1).json()

    assert page["count"] == 3
    assert [a["assessed_on"] for a in page["items"]] == sorted(
        (a["assessed_on"] for a in page["items"]), reverse=True
    )
    assert first["items"][0]["going_out"] == "room_only"
    event = AuditEvent.objects.filter(action="assessment.listed").first()
    assert (event.record_kind, event.record_id, event.agency_id) == (
        "case",
        str(case.pk),
        world.center.pk,
    )


def test_the_history_needs_the_case(world, api):
    field_errors(api(world.staff).get("/assessments"), "case")


def test_reading_an_assessment_is_logged(world, api, yamada):
    _household, _mother, _son, case = yamada
    assessment = services.record_assessment(world.staff, case, {"debt": True})

    shown = api(world.manager).get(f"/assessments/{assessment.pk}").json()

    assert shown["debt"] is True
    event = AuditEvent.objects.get(action="assessment.viewed")
    assert (event.actor, event.agency_id, event.record_id, event.grant) == (
        world.manager, world.center.pk, str(assessment.pk), "own_agency",
    )  # fmt: skip


# --- the OpenAPI document -------------------------------------------------------------------


def test_special_care_fields_are_marked_in_the_schema(world):
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]

    for name in ("AssessmentIn", "AssessmentDetailOut"):
        properties = schemas[name]["properties"]
        marked = {field for field, spec in properties.items() if spec.get("x-special-care")}
        assert marked == set(SPECIAL_CARE_FIELDS), name
        for field in marked:
            assert properties[field]["description"].startswith("要配慮個人情報")


# --- outsiders ------------------------------------------------------------------------------


def test_outsiders_find_no_assessment(world, api, yamada):
    _household, _mother, _son, case = yamada
    assessment = services.record_assessment(world.staff, case, {"debt": True})
    before = AuditEvent.objects.filter(personal=True).count()

    for name in OUTSIDERS:
        client = api(getattr(world, name))
        assert_error(client.get(f"/assessments/{assessment.pk}"), 404)
        assert_error(client.get("/assessments", case=case.pk), 404)
        assert_error(client.post("/assessments", from_the_mother(case)), 404)

    assert AuditEvent.objects.filter(personal=True).count() == before
    assert Assessment.objects.count() == 1
