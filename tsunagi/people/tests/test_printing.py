"""The printed forms of a case: 相談受付・申込票 and インテーク・アセスメントシート as A4 PDF."""

from __future__ import annotations

import shutil
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.cast import Cast, make_cast
from tests.people import make_person, yamada_household, years_ago
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.people import printing, selectors, services
from tsunagi.people.choices import Employment, Finance, GoingOut, Problem
from tsunagi.people.models import SPECIAL_CARE_FIELDS, Assessment, Case

pytestmark = pytest.mark.django_db

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext (Debian package poppler-utils) is not installed: the PDF text is not read",
)


@pytest.fixture
def cast() -> Cast:
    return make_cast()


@pytest.fixture
def yamada(cast: Cast) -> Case:
    """Walkthrough A, steps 1-2: the call from the mother and the assessment from her words."""
    staff = cast.users[Role.STAFF]
    _household, _mother, _son, case = yamada_household(staff, cast.center)
    services.update_case(
        staff, case, {"problem_notes": "息子が20年家から出ない。年金だけで家賃が苦しい。"}
    )
    services.record_assessment(
        staff,
        case,
        {
            "informant": "family",
            "employment": Employment.UNEMPLOYED,
            "finance": Finance.TIGHT,
            "debt": True,
            "household_member_needs_care": True,
            "withdrawn_since": years_ago(20),
            "going_out": GoingOut.HOME_ONLY,
            "mental_health_notes": "通院歴は不明",
            "wishes": "（母の言葉）息子には自分のペースで外に出てほしい",
        },
    )
    return case


def ja(label: object) -> str:
    """A label as the printed form shows it (always Japanese), without spaces."""
    with translation.override("ja"):
        return str(label).replace(" ", "")


def finding_label(cast: Cast, case: Case, code: str) -> str:
    with translation.override("ja"):
        found = selectors.person_indicators(cast.users[Role.STAFF], case.person).get(code)
    assert found is not None, code
    return found.label.replace(" ", "")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def intake_url(case: Case) -> str:
    return reverse("people:print_intake", args=[case.pk])


def assessment_url(case: Case) -> str:
    return reverse("people:print_assessment", args=[case.pk])


def test_intake_form_is_an_a4_pdf_with_a_japanese_file_name(cast: Cast, yamada: Case) -> None:
    response = login(cast.users[Role.STAFF]).get(intake_url(yamada))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert f"filename*=UTF-8''{quote(f'相談受付・申込票_{yamada.number}.pdf')}" in disposition
    assert f'filename="intake-{yamada.number}.pdf"' in disposition


@needs_pdftotext
def test_the_forms_are_a4(cast: Cast, yamada: Case) -> None:
    client = login(cast.users[Role.STAFF])
    for url in (intake_url, assessment_url):
        info = subprocess.run(
            ["pdfinfo", "-"], input=client.get(url(yamada)).content, capture_output=True, check=True
        ).stdout.decode()
        assert "(A4)" in info, info


@needs_pdftotext
def test_intake_form_shows_the_person_and_the_checklist_with_the_main_problem(
    cast: Cast, yamada: Case
) -> None:
    text = pdf_text(login(cast.users[Role.STAFF]).get(intake_url(yamada)).content)

    flat = text.replace(" ", "")
    assert "相談受付・申込票" in text
    assert "山田 太郎" in text and yamada.person.full_name_kana in text
    assert "山田 花子" in text  # the caller, and a member of the household
    assert "令和" in text or "平成" in text or "昭和" in text  # dates in the Japanese era
    assert "52歳" in text
    for problem in Problem:
        assert ja(problem.label) in flat, problem
    assert "◎" + ja(Problem.HIKIKOMORI.label) in flat
    assert "○" + ja(Problem.DEBT.label) in flat
    assert "息子が20年家から出ない" in text
    assert "署名" in text  # the understanding box of rule P2


@needs_pdftotext
def test_assessment_sheet_shows_every_section_and_the_computed_indicators(
    cast: Cast, yamada: Case
) -> None:
    response = login(cast.users[Role.STAFF]).get(assessment_url(yamada))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert quote("インテーク・アセスメントシート") in response["Content-Disposition"]
    text = pdf_text(response.content)
    flat = text.replace(" ", "")
    assert "山田 太郎" in text
    for title in ("就労", "心身の健康", "社会とのつながり", "家計", "住まい", "ひきこもりの状態"):
        assert title in text, title
    for level in (GoingOut.HOBBY_ONLY, GoingOut.NEIGHBOURHOOD, GoingOut.ROOM_ONLY):
        assert "□" + ja(level.label) in flat
    assert "■" + ja(GoingOut.HOME_ONLY.label) in flat  # the level the mother described
    assert "自分のペースで外に出てほしい" in text  # the wishes in the words heard (rule R1)
    assert "要配慮" in text
    assert "R2" in text and "8050" in text  # the indicators carry their rule and reason
    for finding in ("economic_need", "compound_problems", "8050"):
        assert finding_label(cast, yamada, finding) in flat


def test_every_field_of_the_assessment_is_on_the_sheet() -> None:
    shown = printing.printed_fields(printing.assessment_sections(None))
    fields = {
        f.name
        for f in Assessment._meta.get_fields()
        if getattr(f, "editable", False) and f.name not in ("id", "agency", "case")
    }
    assert fields - shown == set()


def test_special_care_fields_are_marked() -> None:
    rows = [row for s in printing.assessment_sections(None) for row in s.rows]
    marked = {row.name for row in rows if row.special}
    assert marked == set(SPECIAL_CARE_FIELDS)


def test_the_checklist_marks_the_main_problem_and_the_others() -> None:
    case = Case(problems=["debt", "hikikomori"], main_problem="hikikomori")
    marks = {str(dict(Problem.choices)[p]): "" for p in Problem.values}
    marks.update({m.label: m.mark for m in printing.problem_checklist(case)})
    assert len(printing.problem_checklist(case)) == 16
    assert marks[str(Problem.HIKIKOMORI.label)] == "◎"
    assert marks[str(Problem.DEBT.label)] == "○"
    assert marks[str(Problem.HOUSING.label)] == ""


def test_a_case_without_assessment_prints_a_blank_sheet(cast: Cast) -> None:
    staff = cast.users[Role.STAFF]
    person = make_person(staff, cast.center, "高橋", "一郎", estimated_age=40)  # no birth date
    case = services.open_case(staff, person, {"problems": ["job_search"]})  # and no contact

    response = login(staff).get(assessment_url(case))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.get(action="case.printed").detail["assessment"] is None
    assert login(staff).get(intake_url(case)).content.startswith(b"%PDF")


def test_an_older_assessment_is_printed_on_request(cast: Cast, yamada: Case) -> None:
    staff = cast.users[Role.STAFF]
    first = yamada.assessments.get()
    services.record_assessment(staff, yamada, {"employment": Employment.UNEMPLOYED_SEEKING})

    response = login(staff).get(assessment_url(yamada), {"assessment": first.pk})

    assert response.status_code == 200
    assert AuditEvent.objects.get(action="case.printed").detail["assessment"] == first.pk


def test_an_assessment_of_another_case_is_not_found(cast: Cast, yamada: Case) -> None:
    staff = cast.users[Role.STAFF]
    other = services.open_case(staff, make_person(staff, cast.center, "高橋", "一郎"))
    theirs = yamada.assessments.get()

    response = login(staff).get(assessment_url(other), {"assessment": theirs.pk})

    assert response.status_code == 404
    assert login(staff).get(assessment_url(other), {"assessment": "x"}).status_code == 404


def test_each_print_is_logged_for_the_case_and_its_agency(cast: Cast, yamada: Case) -> None:
    staff = cast.users[Role.STAFF]
    client = login(staff)
    client.get(intake_url(yamada))
    client.get(assessment_url(yamada))

    events = AuditEvent.objects.filter(action="case.printed").order_by("pk")
    assert [e.detail["form"] for e in events] == ["intake", "assessment"]
    for event in events:
        assert event.personal
        assert event.agency_id == cast.center.pk
        assert event.actor == staff
        assert (event.record_kind, event.record_id) == ("case", str(yamada.pk))
        assert event.grant == "own_agency"


@pytest.mark.parametrize("url", [intake_url, assessment_url])
def test_outsiders_get_not_found_and_nothing_is_logged(cast: Cast, yamada: Case, url) -> None:
    for user in (
        cast.outsider,
        cast.users[Role.AUDITOR],
        cast.users[Role.MUNICIPAL_OFFICER],
        cast.users[Role.SUPPORTER],
        cast.users[Role.OPERATOR],
    ):
        assert login(user).get(url(yamada)).status_code == 404, user
    assert login(cast.nobody).get(url(yamada)).status_code == 403
    assert Client().get(url(yamada)).status_code == 302  # to the login page
    assert login(cast.users[Role.STAFF]).get(url(Case(pk=yamada.pk + 1000))).status_code == 404
    assert not AuditEvent.objects.filter(action="case.printed").exists()


def test_a_restricted_case_prints_only_for_its_assigned_staff_and_managers(
    cast: Cast, yamada: Case
) -> None:
    manager, staff = cast.users[Role.MANAGER], cast.users[Role.STAFF]
    services.set_restriction(manager, yamada, True, [manager])

    assert login(staff).get(intake_url(yamada)).status_code == 404
    assert login(manager).get(intake_url(yamada)).status_code == 200


def test_without_weasyprint_a_japanese_page_explains_it(
    cast: Cast, yamada: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` fails

    response = login(cast.users[Role.STAFF]).get(intake_url(yamada))

    assert response.status_code == 503
    assert "text/html" in response["Content-Type"]
    assert "WeasyPrint" in response.content.decode()
    assert "印刷できません" in response.content.decode()
    assert not AuditEvent.objects.filter(action="case.printed").exists()
