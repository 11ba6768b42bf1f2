"""`/api/v1/cases` and `/api/v1/flags`: a case (相談受付), its screening, restriction, flags."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.people import make_person, yamada_household, years_ago
from tsunagi.access.models import AuditEvent
from tsunagi.people import services
from tsunagi.people.models import Case, Flag
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


def urgent_call(world: Any, case: Case, *urgent: str) -> Any:
    return services.record_contact(
        world.staff,
        {"channel": "phone", "initiator": "person", "summary": "二日食べていない",
         "urgent": list(urgent)},
        case=case,
    )  # fmt: skip


# --- list -----------------------------------------------------------------------------------


def test_the_list_of_open_cases(world, api, yamada):
    _household, mother, _son, case = yamada
    closed = services.open_case(world.staff, mother, {"problems": ["care"]})
    services.update_case(world.staff, closed, {"closed_on": timezone.localdate()})
    client = api(world.staff)

    open_page = client.get("/cases").json()
    every_page = client.get("/cases", open_only="false").json()

    assert [c["id"] for c in open_page["items"]] == [case.pk]
    assert open_page["items"][0]["person_name"] == "山田 太郎"
    assert open_page["items"][0]["opened_on_wareki"].startswith("令和")
    assert every_page["count"] == 2
    assert AuditEvent.objects.filter(action="case.listed", agency=world.center).count() == 2


def test_the_list_of_flagged_cases(world, api, yamada):
    _household, mother, _son, case = yamada
    services.open_case(world.staff, mother, {"problems": ["care"]})
    urgent_call(world, case, "no_food", "suicidal")

    page = api(world.staff).get("/cases", flagged="true").json()

    assert [(c["id"], c["open_flag_count"]) for c in page["items"]] == [(case.pk, 2)]


def test_a_filter_of_the_wrong_type_is_a_field_error(world, api):
    field_errors(api(world.staff).get("/cases", flagged="sometimes"), "flagged")
    field_errors(api(world.staff).get("/cases", limit="many"), "limit")


# --- one case -------------------------------------------------------------------------------


def test_a_case_shows_flags_household_indicators_and_latest_assessment(world, api, yamada):
    household, _mother, _son, case = yamada
    services.record_assessment(
        world.staff, case,
        {"informant": "family", "employment": "unemployed", "going_out": "home_only",
         "finance": "tight", "debt": True, "household_member_needs_care": True},
    )  # fmt: skip
    urgent_call(world, case, "no_food")

    detail = api(world.staff).get(f"/cases/{case.pk}").json()

    assert detail["number"] == case.number
    assert detail["problems"] == ["hikikomori", "income", "debt", "care"]
    assert detail["main_problem"] == "hikikomori"
    assert JAPANESE.search(detail["main_problem_label"])
    assert [f["kind"] for f in detail["open_flags"]] == ["urgent_need"]
    assert detail["open_flags"][0]["rule"] == "R8"
    assert detail["household"] == {"id": household.pk, "name": "山田 世帯"}
    assert {"economic_need", "compound_problems", "r2_referral", "8050"} <= {
        f["code"] for f in detail["indicators"]["findings"]
    }
    assert detail["latest_assessment"]["informant"] == "family"
    assert detail["contact_count"] == 2
    assert [u["username"] for u in detail["assigned_staff"]] == ["staff"]
    assert detail["is_open"] is True and detail["version"] == 1


def test_every_read_of_a_case_is_logged(world, api, yamada):
    _household, _mother, _son, case = yamada

    api(world.manager).get(f"/cases/{case.pk}")
    api(world.manager).get(f"/cases/{case.pk}/flags")

    viewed = AuditEvent.objects.get(action="case.viewed")
    listed = AuditEvent.objects.get(action="flag.listed")
    assert (viewed.actor, viewed.agency_id, viewed.record_id, viewed.grant) == (
        world.manager, world.center.pk, str(case.pk), "own_agency",
    )  # fmt: skip
    assert (listed.record_kind, listed.record_id) == ("case", str(case.pk))


# --- change ---------------------------------------------------------------------------------


def test_screening_handed_over_names_where_to(world, api, yamada):
    _household, _mother, _son, case = yamada
    client = api(world.staff)

    refused = client.patch(f"/cases/{case.pk}", {"version": 1, "screening": "handed_over"})
    accepted = client.patch(
        f"/cases/{case.pk}",
        {"version": 1, "screening": "handed_over", "handed_to": "高知市生活支援相談センター"},
    )

    assert JAPANESE.search(field_errors(refused, "handed_to")[0])
    assert accepted.status_code == 200, accepted.content
    detail = accepted.json()
    assert detail["screening"] == "handed_over"
    assert detail["screened_on"] == timezone.localdate().isoformat()
    assert detail["version"] == 2


def test_problems_and_main_problem(world, api, yamada):
    _household, _mother, _son, case = yamada

    detail = (
        api(world.staff)
        .patch(f"/cases/{case.pk}", {"problems": ["housing"], "main_problem": "debt"})
        .json()
    )

    assert detail["problems"] == ["housing", "debt"]  # the main problem is ticked too
    assert detail["main_problem"] == "debt"


def test_a_stale_version_is_a_conflict(world, api, yamada):
    _household, _mother, _son, case = yamada
    services.update_case(world.manager, case, {"accompaniment": True})

    answer = assert_error(
        api(world.staff).patch(f"/cases/{case.pk}", {"version": 1, "problem_notes": "x"}), 409
    )

    assert answer["current_version"] == 2


def test_close_in_the_japanese_era_and_reopen(world, api, yamada):
    _household, _mother, _son, case = yamada
    client = api(world.staff)
    today = timezone.localdate()

    closed = client.patch(
        f"/cases/{case.pk}", {"closed_on": format_wareki(today), "close_reason": "情報提供のみ"}
    ).json()
    reopened = client.patch(f"/cases/{case.pk}", {"closed_on": None}).json()

    assert (closed["is_open"], closed["closed_on"]) == (False, today.isoformat())
    assert reopened["is_open"] is True and reopened["closed_on"] is None
    assert client.get("/cases").json()["count"] == 1


def test_long_term_accompaniment_keeps_the_case_open(world, api, yamada):
    _household, _mother, _son, case = yamada

    detail = api(world.staff).patch(f"/cases/{case.pk}", {"accompaniment": True}).json()

    assert detail["accompaniment"] is True and detail["is_open"] is True


BAD_CHANGES = [
    ("problems.0", {"problems": ["bad_luck"]}),
    ("main_problem", {"main_problem": "bad_luck"}),
    ("screening", {"screening": "maybe"}),
    ("closed_on", {"closed_on": "2000-01-01"}),  # before the case opened
    ("closed_on", {"closed_on": "令和7年2月30日"}),
    ("closed_on", {"closed_on": "2999-01-01"}),
    ("screened_on", {"screened_on": "令和50年1月1日"}),
    ("accompaniment", {"accompaniment": "often"}),
    ("version", {"version": "one"}),
]


@pytest.mark.parametrize(("field", "change"), BAD_CHANGES)
def test_bad_changes_are_field_errors_in_japanese(world, api, yamada, field, change):
    _household, _mother, _son, case = yamada

    messages = field_errors(api(world.staff).patch(f"/cases/{case.pk}", change), field)

    assert JAPANESE.search(messages[0]), messages
    case.refresh_from_db()
    assert case.version == 1


# --- restriction ----------------------------------------------------------------------------


def test_only_the_manager_restricts_a_case(world, api, yamada):
    _household, _mother, son, case = yamada
    body = {"is_restricted": True, "assigned_staff": [world.manager.pk]}

    refused = api(world.staff).put(f"/cases/{case.pk}/restriction", body)
    accepted = api(world.manager).put(f"/cases/{case.pk}/restriction", body)

    assert_error(refused, 403)
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["is_restricted"] is True
    assert [u["id"] for u in accepted.json()["assigned_staff"]] == [world.manager.pk]
    assert_error(api(world.staff).get(f"/cases/{case.pk}"), 404)
    assert_error(api(world.staff).get(f"/persons/{son.pk}"), 404)
    assert AuditEvent.objects.filter(action="case.restricted").count() == 1


@pytest.mark.parametrize("staff", [lambda w: [w.other_staff.pk], lambda w: [999999], lambda w: []])
def test_a_restricted_case_is_assigned_to_staff_of_the_agency(world, api, yamada, staff):
    _household, _mother, _son, case = yamada

    response = api(world.manager).put(
        f"/cases/{case.pk}/restriction", {"is_restricted": True, "assigned_staff": staff(world)}
    )

    assert JAPANESE.search(field_errors(response, "assigned_staff")[0])
    case.refresh_from_db()
    assert not case.is_restricted


# --- flags ----------------------------------------------------------------------------------


def test_the_flags_of_a_case_open_first(world, api, yamada):
    _household, _mother, _son, case = yamada
    urgent_call(world, case, "no_food")
    first = Flag.objects.get(case=case)
    services.resolve_flag(world.staff, first, "食料を届けた")
    urgent_call(world, case, "suicidal")
    client = api(world.staff)

    every = client.get(f"/cases/{case.pk}/flags").json()
    still_open = client.get(f"/cases/{case.pk}/flags", open_only="true").json()

    assert [(f["kind"], f["is_open"]) for f in every] == [
        ("suicide_risk", True),
        ("urgent_need", False),
    ]
    assert every[1]["resolution"] == "食料を届けた"
    assert every[1]["resolved_by"] == world.staff.full_name
    assert [f["kind"] for f in still_open] == ["suicide_risk"]


def test_a_flag_is_resolved_only_with_a_note(world, api, yamada):
    _household, _mother, _son, case = yamada
    urgent_call(world, case, "suicidal")
    flag = Flag.objects.get(case=case)
    client = api(world.staff)

    blank = client.post(f"/flags/{flag.pk}/resolve", {"resolution": "　"})
    missing = client.post(f"/flags/{flag.pk}/resolve", {})
    still = client.get(f"/cases/{case.pk}").json()["open_flags"]
    resolved = client.post(f"/flags/{flag.pk}/resolve", {"resolution": "自殺対策の窓口につないだ"})
    twice = client.post(f"/flags/{flag.pk}/resolve", {"resolution": "もう一度"})

    assert "記入" in field_errors(blank, "resolution")[0]
    field_errors(missing, "resolution")
    assert [f["id"] for f in still] == [flag.pk]
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["is_open"] is False
    assert client.get(f"/cases/{case.pk}").json()["open_flags"] == []
    field_errors(twice, "resolution")
    assert AuditEvent.objects.filter(action="flag.resolved").count() == 1


# --- outsiders ------------------------------------------------------------------------------

RECORDS = [
    ("get", "/cases/{case}", None),
    ("patch", "/cases/{case}", {"problem_notes": "侵入"}),
    ("put", "/cases/{case}/restriction", {"is_restricted": False, "assigned_staff": []}),
    ("get", "/cases/{case}/flags", None),
    ("post", "/flags/{flag}/resolve", {"resolution": "侵入"}),
]


@pytest.mark.parametrize(("method", "path", "body"), RECORDS)
def test_outsiders_find_no_case(world, api, yamada, method, path, body):
    _household, _mother, _son, case = yamada
    urgent_call(world, case, "no_food")
    ids = {"case": case.pk, "flag": Flag.objects.get(case=case).pk}
    before = AuditEvent.objects.filter(personal=True).count()

    for name in OUTSIDERS:
        client = api(getattr(world, name))
        path_ = path.format(**ids)
        response = client.get(path_) if method == "get" else getattr(client, method)(path_, body)
        assert_error(response, 404)

    assert AuditEvent.objects.filter(personal=True).count() == before
    case.refresh_from_db()
    assert (case.problem_notes, case.version) == ("", 1)
    assert Flag.objects.get(case=case).is_open


def test_outsiders_list_no_case(world, api, yamada):
    _household, _mother, _son, case = yamada
    urgent_call(world, case, "no_food")
    for name in OUTSIDERS:
        client = api(getattr(world, name))
        for params in ({}, {"open_only": "false"}, {"flagged": "true"}):
            page = client.get("/cases", **params).json()
            assert (page["count"], page["items"]) == (0, []), (name, params)


def test_a_case_of_another_agency_is_not_listed(world, api, yamada):
    theirs = make_person(
        world.other_staff, world.city_self_reliance, "他所", "太郎", birth_date=years_ago(30)
    )
    services.open_case(world.other_staff, theirs)

    ours = api(world.staff).get("/cases").json()
    their_page = api(world.other_staff).get("/cases").json()

    assert [c["person_name"] for c in ours["items"]] == ["山田 太郎"]
    assert [c["person_name"] for c in their_page["items"]] == ["他所 太郎"]
