"""Recording a contact: date in 和暦, a household member as caller, urgent matters raising flags
(R8), and the intake checklist that opens the case when the person has none open."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.cast import Cast, make_cast
from tests.people import make_person, yamada_household
from tsunagi.accounts.models import Role
from tsunagi.people.models import Case, Contact, Flag
from tsunagi.web.wareki import format_wareki

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def call(staff: Any, **extra: Any) -> dict[str, Any]:
    now = timezone.localtime() - datetime.timedelta(minutes=10)
    return {
        "occurred_on": format_wareki(now.date()), "occurred_time": now.strftime("%H:%M"),
        "channel": "phone", "initiator": "family", "staff": staff.pk,
        "duration_minutes": "３０", "summary": "母から電話", "notes": "夜は眠れていない様子",
        **extra,
    }  # fmt: skip


def test_form_shows_era_date_household_callers_and_staff(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, mother, _son, case = yamada_household(staff, cast.center)
    page = client_for(staff).get(f"/people/cases/{case.pk}/contacts/new/").content.decode()
    assert "令和" in page  # today's date in the Japanese era
    assert f'value="{mother.pk}"' in page and "山田 花子" in page
    assert f'value="{staff.pk}" selected' in page
    assert "manager" in page  # a colleague can be chosen as the staff member
    assert 'name="urgent"' in page
    assert "intake-problems" not in page  # the case is open: no intake checklist


def test_record_a_call_from_the_mother(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, mother, _son, case = yamada_household(staff, cast.center)
    response = client_for(staff).post(
        f"/people/cases/{case.pk}/contacts/new/", call(staff, initiator_person=mother.pk)
    )
    assert response.status_code == 302, response.context["form"].errors
    contact = case.contacts.order_by("-pk").first()
    assert contact is not None
    assert contact.initiator_person == mother and contact.duration_minutes == 30
    assert contact.notes == "夜は眠れていない様子"


def test_first_contact_from_the_person_page_opens_the_case_with_intake(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "鈴木", "一郎")
    client = client_for(staff)
    url = f"/people/{person.pk}/contacts/new/"
    page = client.get(url).content.decode()
    assert "相談内容のチェックリスト" in page and 'name="intake-problems"' in page
    response = client.post(url, call(staff, initiator="person", **{
        "intake-problems": ["income", "debt"], "intake-main_problem": "debt",
        "intake-problem_notes": "カードの返済",
    }))  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.get(person=person)
    assert case.problems == ["income", "debt"] and case.main_problem == "debt"
    assert response["Location"] == f"/people/cases/{case.pk}/"
    # the second contact from the person page goes to the open case, without the checklist
    assert "相談内容のチェックリスト" not in client.get(url).content.decode()


def test_urgent_matters_raise_flags_shown_on_the_form(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    client = client_for(staff)
    client.post(f"/people/cases/{case.pk}/contacts/new/",
                call(staff, urgent=["no_food", "suicidal"]))  # fmt: skip
    assert Flag.objects.filter(case=case, resolved_at__isnull=True).count() == 2
    page = client.get(f"/people/cases/{case.pk}/contacts/new/").content.decode()
    assert "未対応の警告 2件" in page


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"occurred_on": "2099-04-01"}, "occurred_on", "未来"),
        ({"occurred_on": "令和7年2月30日"}, "occurred_on", "日付はありません"),
        ({"occurred_on": "あした"}, "occurred_on", "日付として読めません"),
        ({"occurred_time": "25:99"}, "occurred_time", "時間"),
        ({"summary": ""}, "summary", "必須"),
        ({"channel": "telepathy"}, "channel", "telepathy"),
        ({"duration_minutes": "三十"}, "duration_minutes", "整数"),
    ],
)
def test_bad_input_is_explained_and_kept(
    cast: Cast, bad: dict[str, Any], field: str, message: str
) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    before = Contact.objects.count()
    response = client_for(staff).post(f"/people/cases/{case.pk}/contacts/new/", call(staff, **bad))
    assert response.status_code == 200
    page = response.content.decode()
    error = re.search(rf'id="id_{field}_error">(.*?)</p>', page)
    assert error is not None and message in error.group(1), page
    assert "夜は眠れていない様子" in page
    assert Contact.objects.count() == before


def test_bad_contact_does_not_open_a_case(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "鈴木", "一郎")
    response = client_for(staff).post(
        f"/people/{person.pk}/contacts/new/",
        call(staff, occurred_on="2099-01-01", **{"intake-problems": ["debt"]}),
    )
    assert response.status_code == 200
    assert re.search(r'value="debt"[^>]*checked', response.content.decode())
    assert not Case.objects.filter(person=person).exists()


def test_edit_a_contact(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    contact = case.contacts.get()
    client = client_for(staff)
    page = client.get(f"/people/contacts/{contact.pk}/edit/").content.decode()
    assert "母から息子について電話相談" in page
    response = client.post(f"/people/contacts/{contact.pk}/edit/", call(staff, summary="訂正"))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.summary == "訂正"


def test_outsider_gets_404(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    client = client_for(cast.outsider)
    assert client.get(f"/people/cases/{case.pk}/contacts/new/").status_code == 404
    assert client.post(f"/people/cases/{case.pk}/contacts/new/", call(staff)).status_code == 404
    assert client.get(f"/people/{son.pk}/contacts/new/").status_code == 404
    assert client.get(f"/people/contacts/{case.contacts.get().pk}/edit/").status_code == 404
    assert case.contacts.count() == 1


@pytest.mark.parametrize("who", ["nobody", "operator", "municipal_officer"])
def test_those_without_personal_records_are_refused(cast: Cast, who: str) -> None:
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    user = cast.nobody if who == "nobody" else cast.users[Role(who)]
    client = client_for(user)
    assert client.get(f"/people/cases/{case.pk}/contacts/new/").status_code in (403, 404)
    assert client.post(f"/people/{son.pk}/contacts/new/", call(staff)).status_code in (403, 404)
    assert case.contacts.count() == 1
