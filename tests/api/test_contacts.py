"""`/api/v1/contacts`: every contact (相談・支援記録); the first about a person opens the case."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.people import make_person, yamada_household, years_ago
from tsunagi.access.models import AuditEvent
from tsunagi.people import services
from tsunagi.people.models import Case, Contact, Flag

from .factories import JAPANESE, assert_error, field_errors

pytestmark = pytest.mark.django_db

OUTSIDERS = (
    "other_staff", "operator", "municipal_officer", "supporter", "nobody", "auditor",
    "prefectural_officer", "dispatch_coordinator", "tokyo_officer",
)  # fmt: skip


@pytest.fixture
def yamada(world) -> Any:
    return yamada_household(world.staff, world.center)


def a_call(**changes: Any) -> dict[str, Any]:
    return {"channel": "phone", "initiator": "person", "summary": "本人から電話", **changes}


# --- record ---------------------------------------------------------------------------------


@pytest.mark.smoke
def test_the_first_contact_about_a_person_opens_the_case(world, api):
    person = make_person(world.staff, world.center, "川村", "健", birth_date=years_ago(35))

    response = api(world.staff).post(
        "/contacts",
        a_call(person=person.pk, occurred_at="2026-04-01T10:30", duration_minutes=40,
               problems=["job_search", "income"], main_problem="income",
               problem_notes="家賃が払えない"),
    )  # fmt: skip

    assert response.status_code == 201, response.content
    contact = response.json()
    assert contact["case_opened"] is True
    case = Case.objects.get(pk=contact["case_id"])
    assert (case.person, case.problems, case.main_problem) == (
        person,
        ["job_search", "income"],
        "income",
    )
    assert case.problem_notes == "家賃が払えない"
    occurred = datetime.datetime.fromisoformat(contact["occurred_at"].replace("Z", "+00:00"))
    assert timezone.localtime(occurred).isoformat() == "2026-04-01T10:30:00+09:00"  # Japan time
    assert contact["occurred_on_wareki"] == "令和8年4月1日"
    assert contact["channel_label"] and JAPANESE.search(contact["initiator_label"])
    assert contact["staff_id"] == world.staff.pk
    assert contact["open_flags"] == []
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"case.opened", "contact.recorded"} <= actions


def test_later_contacts_about_the_person_go_to_the_open_case(world, api, yamada):
    _household, _mother, son, case = yamada

    contact = api(world.staff).post("/contacts", a_call(person=son.pk)).json()

    assert (contact["case_id"], contact["case_opened"]) == (case.pk, False)
    assert Case.objects.filter(person=son).count() == 1


def test_a_contact_on_a_case(world, api, yamada):
    _household, mother, son, case = yamada

    contact = (
        api(world.staff)
        .post(
            "/contacts",
            a_call(
                case=case.pk, channel="home_visit", initiator="staff", initiator_person=mother.pk
            ),
        )
        .json()
    )

    assert contact["case_id"] == case.pk and contact["person_id"] == son.pk
    assert contact["initiator_person_name"] == "山田 花子"


def test_urgent_matters_raise_flags_on_the_case(world, api, yamada):
    _household, _mother, son, case = yamada

    contact = (
        api(world.staff)
        .post("/contacts", a_call(person=son.pk, urgent=["no_food", "no_shelter"]))
        .json()
    )

    assert [(f["kind"], f["rule"]) for f in contact["open_flags"]] == [("urgent_need", "R8")]
    assert JAPANESE.search(contact["open_flags"][0]["reason"])
    assert Flag.objects.filter(case=case, resolved_at__isnull=True).count() == 1


def test_the_contact_needs_a_case_or_a_person(world, api, yamada):
    _household, mother, _son, case = yamada
    client = api(world.staff)

    neither = client.post("/contacts", a_call())
    mismatch = client.post("/contacts", a_call(case=case.pk, person=mother.pk))

    assert JAPANESE.search(field_errors(neither, "person")[0])
    assert JAPANESE.search(field_errors(mismatch, "person")[0])
    assert Contact.objects.count() == 1  # the one of the fixture


BAD_INPUT = [
    ("channel", {"channel": "carrier_pigeon"}),
    ("initiator", {"initiator": "stranger"}),
    ("summary", {"summary": ""}),
    ("summary", {"summary": "長" * 201}),
    ("duration_minutes", {"duration_minutes": "thirty"}),
    ("duration_minutes", {"duration_minutes": -5}),
    ("urgent.0", {"urgent": ["sad"]}),
    ("problems.0", {"problems": ["bad_luck"]}),
    ("occurred_at", {"occurred_at": "2999-01-01T09:00"}),  # future
    ("occurred_at", {"occurred_at": "昨日の夜"}),
    ("case", {"case": "one"}),
]


@pytest.mark.parametrize(("field", "change"), BAD_INPUT)
def test_bad_input_is_a_field_error_in_japanese(world, api, yamada, field, change):
    _household, _mother, son, _case = yamada

    response = api(world.staff).post("/contacts", a_call(person=son.pk, **change))

    assert JAPANESE.search(field_errors(response, field)[0])
    assert Contact.objects.count() == 1


@pytest.mark.parametrize("missing", ["channel", "initiator", "summary"])
def test_a_missing_required_field(world, api, yamada, missing):
    _household, _mother, son, _case = yamada
    body = a_call(person=son.pk)
    del body[missing]

    assert JAPANESE.search(field_errors(api(world.staff).post("/contacts", body), missing)[0])


def test_a_caller_of_another_agency_is_not_found(world, api, yamada):
    _household, _mother, son, _case = yamada
    theirs = make_person(world.other_staff, world.city_self_reliance, "他所", "花子")

    response = api(world.staff).post("/contacts", a_call(person=son.pk, initiator_person=theirs.pk))

    assert_error(response, 404)


# --- lists and reads ------------------------------------------------------------------------


def test_the_contacts_of_a_case_newest_first(world, api, yamada):
    _household, _mother, son, case = yamada
    now = timezone.now()
    for days in (3, 1, 2):
        when = now - datetime.timedelta(days=days)
        services.record_contact(
            world.staff, a_call(summary=f"{days}日前", occurred_at=when), case=case
        )
    client = api(world.staff)

    page = client.get("/contacts", case=case.pk, limit=2).json()
    by_person = client.get("/contacts", person=son.pk).json()

    assert page["count"] == 4
    assert [c["summary"] for c in page["items"]] == ["母から息子について電話相談", "1日前"]
    assert [c["summary"] for c in by_person["items"]][1:] == ["1日前", "2日前", "3日前"]
    events = AuditEvent.objects.filter(action="contact.listed").order_by("id")
    assert [(e.record_kind, e.record_id) for e in events] == [
        ("case", str(case.pk)), ("person", str(son.pk)),
    ]  # fmt: skip
    assert events[0].detail == {"filters": ["case"]}


def test_a_contact_shows_the_case_flags_and_its_read_is_logged(world, api, yamada):
    _household, _mother, _son, case = yamada
    contact = services.record_contact(world.staff, a_call(urgent=["suicidal"]), case=case)

    shown = api(world.manager).get(f"/contacts/{contact.pk}").json()

    assert shown["summary"] == "本人から電話"
    assert [f["kind"] for f in shown["open_flags"]] == ["suicide_risk"]
    assert shown["staff_name"] == world.staff.full_name
    event = AuditEvent.objects.get(action="contact.viewed")
    assert (event.actor, event.agency_id, event.record_id, event.grant) == (
        world.manager, world.center.pk, str(contact.pk), "own_agency",
    )  # fmt: skip


def test_a_contact_list_filter_of_the_wrong_type(world, api):
    field_errors(api(world.staff).get("/contacts", case="first"), "case")


# --- change ---------------------------------------------------------------------------------


def test_change_a_contact(world, api, yamada):
    _household, _mother, _son, case = yamada
    contact = case.contacts.get()
    client = api(world.staff)

    changed = client.patch(
        f"/contacts/{contact.pk}",
        {"summary": "母から電話（長め）", "duration_minutes": 45, "initiator_person": None},
    )
    urgent = client.patch(f"/contacts/{contact.pk}", {"urgent": ["no_food"]})

    assert changed.status_code == 200, changed.content
    assert (changed.json()["duration_minutes"], changed.json()["initiator_person_id"]) == (45, None)
    assert [f["kind"] for f in urgent.json()["open_flags"]] == ["urgent_need"]
    assert AuditEvent.objects.filter(action="contact.changed").count() == 2


@pytest.mark.parametrize(
    ("field", "change"),
    [("occurred_at", {"occurred_at": "2999-12-31T23:00:00+09:00"}),
     ("channel", {"channel": "telepathy"}),
     ("duration_minutes", {"duration_minutes": 99999})],
)  # fmt: skip
def test_bad_changes_to_a_contact(world, api, yamada, field, change):
    _household, _mother, _son, case = yamada
    contact = case.contacts.get()

    assert JAPANESE.search(
        field_errors(api(world.staff).patch(f"/contacts/{contact.pk}", change), field)[0]
    )


# --- outsiders ------------------------------------------------------------------------------

RECORDS = [
    ("get", "/contacts/{contact}", None),
    ("patch", "/contacts/{contact}", {"summary": "侵入"}),
    ("post", "/contacts", {"case": "{case}", **a_call(summary="侵入")}),
    ("post", "/contacts", {"person": "{person}", **a_call(summary="侵入")}),
    ("get", "/contacts?case={case}", None),
    ("get", "/contacts?person={person}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), RECORDS)
def test_outsiders_find_no_contact(world, api, yamada, method, path, body):
    _household, _mother, son, case = yamada
    ids = {"contact": case.contacts.get().pk, "case": case.pk, "person": son.pk}
    if body:
        body = {
            k: ids[v.strip("{}")] if v in ("{case}", "{person}") else v for k, v in body.items()
        }
    before = AuditEvent.objects.filter(personal=True).count()

    for name in OUTSIDERS:
        client = api(getattr(world, name))
        path_ = path.format(**ids)
        response = client.get(path_) if method == "get" else getattr(client, method)(path_, body)
        assert_error(response, 404)

    assert AuditEvent.objects.filter(personal=True).count() == before
    assert not Contact.objects.filter(summary="侵入").exists()


def test_outsiders_list_no_contact(world, api, yamada):
    for name in OUTSIDERS:
        page = api(getattr(world, name)).get("/contacts").json()
        assert (page["count"], page["items"]) == (0, []), name
