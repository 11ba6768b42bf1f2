"""The national standard forms printed from the record, A4 PDF: 相談受付・申込票 (intake and
application form) and インテーク・アセスメントシート (intake assessment sheet).

The forms are filed and signed in Japanese, so they are always printed in Japanese, with dates
in the Japanese era. This module builds what the forms show from the records the user may see
(the views have checked access to the case); the templates in `templates/people/print/` lay
it out, and WeasyPrint makes the PDF with the Noto CJK fonts of the machine (fontconfig). No
resource is ever fetched: the stylesheet is in the page, and the fetcher refuses every URL.

An assessment sheet without an assessment is a blank sheet with the person's details, to fill
in by hand at a home visit.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.db.models import BooleanField, Field, TextChoices
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tsunagi.web.wareki import format_wareki

from . import rules, selectors
from .choices import (
    Channel,
    Connection,
    ContactMethod,
    Disability,
    Employment,
    Finance,
    GoingOut,
    Housing,
    Informant,
    Initiator,
    Level,
    Problem,
    Relationship,
    Screening,
    Sex,
)
from .models import SPECIAL_CARE_FIELDS, Assessment, Case, Contact, HouseholdMember, Person

log = logging.getLogger(__name__)

INTAKE = "intake"
ASSESSMENT = "assessment"
MAIN_MARK = "◎"  # the main problem on the checklist
OTHER_MARK = "○"  # another problem ticked


class PrintUnavailable(Exception):
    """WeasyPrint (or a library it needs, such as Pango) cannot be loaded on this server."""


@dataclass(frozen=True)
class Printed:
    """A printed form: the PDF and the name it is downloaded under."""

    pdf: bytes
    filename: str  # Japanese, e.g. 相談受付・申込票_2025-00001.pdf
    ascii_filename: str  # for clients that do not read filename*

    @property
    def content_disposition(self) -> str:
        return (
            f"inline; filename=\"{self.ascii_filename}\"; filename*=UTF-8''{quote(self.filename)}"
        )


# --- pieces of a paper form -----------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One box of a closed list on paper: ■ when it applies, □ when not."""

    label: str
    checked: bool = False

    @property
    def box(self) -> str:
        return "■" if self.checked else "□"


def options(choices: type[TextChoices], value: Any, *, blank: bool = False) -> list[Option]:
    """Every choice as a box; the choice whose value is `""` (unknown) only when `blank`."""
    chosen = set(value) if isinstance(value, (list, tuple, set)) else {value}
    return [
        Option(str(label), value is not None and key in chosen)
        for key, label in choices.choices
        if blank or key != ""
    ]


def yes_no(value: bool | None) -> list[Option]:
    """あり / なし boxes; both empty on a blank sheet (value None)."""
    return [
        Option(pgettext("on a form", "Yes"), value is True),
        Option(pgettext("on a form", "No"), value is False),
    ]


def labels(choices: type[TextChoices], values: Iterable[str]) -> str:
    names = dict(choices.choices)
    return "、".join(str(names.get(v, v)) for v in values)


def wareki(value: datetime.date | None) -> str:
    return format_wareki(value) if value else ""


def age_text(person: Person, day: datetime.date) -> str:
    age = person.age(day)
    if age is None:
        return ""
    if person.age_is_estimated:
        return _("about %(age)d") % {"age": age}
    return _("%(age)d years") % {"age": age}


def address_text(person: Person) -> str:
    where = person.municipality.full_name if person.municipality else ""
    return f"{where}{person.address}".strip()


def staff_name(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "full_name", "") or user.get_username())


# --- 相談受付・申込票 -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemMark:
    label: str
    mark: str  # ◎ main, ○ other, "" not ticked


def problem_checklist(case: Case) -> list[ProblemMark]:
    """The 16 problems of the national intake form, the main one ◎ and the others ○."""
    ticked = set(case.problems or [])
    marks = []
    for key, label in Problem.choices:
        if key == case.main_problem:
            mark = MAIN_MARK
        elif key in ticked:
            mark = OTHER_MARK
        else:
            mark = ""
        marks.append(ProblemMark(str(label), mark))
    return marks


@dataclass(frozen=True)
class MemberLine:
    name: str
    relationship: str
    age: str
    lives_together: bool
    is_main_carer: bool
    is_subject: bool


def household_lines(user: Any, person: Person, day: datetime.date) -> tuple[str, list[MemberLine]]:
    """The household's name and the members the user may see (restricted ones left out)."""
    household = selectors.household_of(user, person)
    if household is None:
        return "", []
    view = selectors.household_view(user, household)
    names = dict(Relationship.choices)
    return household.name, [
        MemberLine(
            name=m.person.full_name,
            relationship=str(names.get(m.relationship, m.relationship)),
            age=age_text(m.person, day),
            lives_together=m.lives_together,
            is_main_carer=m.is_main_carer,
            is_subject=m.person_id == person.pk,
        )
        for m in view.members
    ]


def first_contact(case: Case) -> Contact | None:
    return (
        case.contacts.select_related("staff", "initiator_person")
        .order_by("occurred_at", "pk")
        .first()
    )


def caller_text(contact: Contact | None) -> str:
    """Who consulted: the person, or a caller with their relationship or body."""
    if contact is None:
        return ""
    parts = [str(dict(Initiator.choices).get(contact.initiator, contact.initiator))]
    caller = contact.initiator_person
    if caller is not None:
        membership = HouseholdMember.objects.filter(person=caller).first()
        relation = (
            f"（{dict(Relationship.choices)[membership.relationship]}）"
            if membership is not None and membership.relationship in Relationship.values
            else ""
        )
        parts.append(f"{caller.full_name}{relation}")
    if contact.initiator_name:
        parts.append(contact.initiator_name)
    return " ".join(parts)


def intake_context(user: Any, case: Case) -> dict[str, Any]:
    person = case.person
    contact = first_contact(case)
    household_name, members = household_lines(user, person, case.opened_on)
    return {
        "case": case,
        "person": person,
        "agency": case.agency,
        "opened_on": wareki(case.opened_on),
        "received_by": staff_name(contact.staff if contact else case.created_by),
        "channel": options(Channel, contact.channel if contact else None),
        "caller": caller_text(contact),
        "first_contact_at": (
            wareki(timezone.localdate(contact.occurred_at))
            + timezone.localtime(contact.occurred_at).strftime(" %H:%M")
            if contact
            else ""
        ),
        "sex": options(Sex, person.sex),
        "birth_date": wareki(person.birth_date),
        "age": age_text(person, case.opened_on),
        "address": address_text(person),
        "preferred_contact": labels(ContactMethod, person.preferred_contact),
        "avoided_contact": labels(ContactMethod, person.avoided_contact),
        "household_name": household_name,
        "members": [m for m in members if not m.is_subject],
        "checklist": problem_checklist(case),
        "main_problem": str(dict(Problem.choices).get(case.main_problem, "")),
        "screening": options(Screening, case.screening),
        "screened_on": wareki(case.screened_on),
        "printed": _printed(user),
    }


# --- インテーク・アセスメントシート ------------------------------------------------------------


@dataclass
class Row:
    """One line of the sheet: a label and either text or boxes; `special` marks 要配慮."""

    label: str
    text: str = ""
    boxes: list[Option] | None = None
    long: bool = False  # notes: a tall cell to write in
    special: bool = False
    name: str = ""  # the Assessment field shown, if one


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)

    @property
    def special(self) -> bool:
        return any(r.special for r in self.rows)


def _row(a: Assessment | None, name: str, *, choices: Any = None, long: bool = False) -> Row:
    """A line for one Assessment field, from the model's own label."""
    model_field = Assessment._meta.get_field(name)
    assert isinstance(model_field, Field)
    label = str(model_field.verbose_name)
    value = getattr(a, name) if a is not None else None
    special = name in SPECIAL_CARE_FIELDS
    if choices is not None:
        return Row(label, boxes=options(choices, value), special=special, name=name)
    if isinstance(model_field, BooleanField):
        return Row(label, boxes=yes_no(value), special=special, name=name)
    return Row(label, text=str(value or ""), long=long, special=special, name=name)


def _label(name: str) -> str:
    return str(getattr(Assessment._meta.get_field(name), "verbose_name", name))


def _money(value: int | None) -> str:
    return "" if value is None else f"{value:,}円"


def _withdrawn_text(a: Assessment | None) -> str:
    if a is None or a.withdrawn_since is None:
        return ""
    years = (a.assessed_on - a.withdrawn_since).days // 365
    since = _("since about %(date)s") % {"date": wareki(a.withdrawn_since)}
    if years >= 1:
        return since + _(" (about %(years)d years)") % {"years": years}
    return since


def assessment_sections(a: Assessment | None) -> list[Section]:
    """Every section of the assessment in the order of the national sheet."""
    isolation = rules.isolation_level(a) if a is not None else None
    sections = [
        Section(
            pgettext("assessment section", "Employment"),
            [_row(a, "employment", choices=Employment), _row(a, "employment_notes", long=True)],
        ),
        Section(
            pgettext("assessment section", "Physical and mental health"),
            [
                _row(a, "physical_health", choices=Level),
                _row(a, "physical_health_notes", long=True),
                _row(a, "mental_health", choices=Level),
                _row(a, "depression"),
                _row(a, "mental_health_notes", long=True),
            ],
        ),
        Section(
            pgettext("assessment section", "Community and isolation"),
            [
                _row(a, "connections", choices=Connection),
                Row(
                    _("isolation level"),
                    text=(
                        rules.isolation_label(None)
                        if isolation is None
                        else _("%(lost)d of 6 kinds of connection lost: %(label)s")
                        % {"lost": isolation, "label": rules.isolation_label(isolation)}
                    ),
                ),
                _row(a, "isolation_notes", long=True),
            ],
        ),
        Section(
            pgettext("assessment section", "Household finance"),
            [
                _row(a, "finance", choices=Finance),
                Row(
                    _label("monthly_income"),
                    text=_money(a.monthly_income if a else None),
                    name="monthly_income",
                ),
                _row(a, "income_sources"),
                _row(a, "arrears"),
            ],
        ),
        Section(
            pgettext("assessment section", "Debt"),
            [_row(a, "debt"), _row(a, "debt_notes", long=True)],
        ),
        Section(
            pgettext("assessment section", "Housing"),
            [_row(a, "housing", choices=Housing), _row(a, "housing_notes", long=True)],
        ),
        Section(
            pgettext("assessment section", "Family relations"),
            [_row(a, "family_conflict"), _row(a, "family_notes", long=True)],
        ),
        Section(
            pgettext("assessment section", "Care of others (8050, double care)"),
            [
                _row(a, "household_member_needs_care"),
                _row(a, "cares_for_elderly"),
                _row(a, "cares_for_children"),
                _row(a, "care_notes", long=True),
            ],
        ),
        Section(
            pgettext("assessment section", "Possible disability"),
            [_row(a, "disability", choices=Disability), _row(a, "disability_notes", long=True)],
        ),
        Section(
            pgettext("assessment section", "Children"),
            [_row(a, "children_concern"), _row(a, "children_notes", long=True)],
        ),
        Section(
            pgettext("assessment section", "Hikikomori state"),
            [
                Row(
                    _label("withdrawn_since"),
                    text=_withdrawn_text(a),
                    name="withdrawn_since",
                ),
                _row(a, "going_out", choices=GoingOut),
                _row(a, "hikikomori_notes", long=True),
            ],
        ),
        Section(
            pgettext("assessment section", "DV, abuse and criminal record"),
            [
                _row(a, "dv_abuse"),
                _row(a, "dv_notes", long=True),
                _row(a, "criminal_record_notes", long=True),
            ],
        ),
        Section(
            pgettext("assessment section", "Urgent matters (rule R8)"),
            [
                _row(a, "no_food"),
                _row(a, "no_shelter"),
                _row(a, "suicidal_thoughts"),
                _row(a, "suicide_attempt"),
            ],
        ),
        Section(
            pgettext("assessment section", "The person's wishes, in their words (rule R1)"),
            [_row(a, "wishes", long=True)],
        ),
        Section(pgettext("assessment section", "Other notes"), [_row(a, "notes", long=True)]),
    ]
    return sections


# The fields the header of the sheet shows rather than a section.
HEADER_FIELDS = ("assessed_on", "assessed_by", "informant")


def printed_fields(sections: Sequence[Section]) -> set[str]:
    """The Assessment fields a sheet shows (the test checks that none is left out)."""
    shown = set(HEADER_FIELDS)
    for section in sections:
        shown |= {row.name for row in section.rows if row.name}
    return shown


def indicators_for(user: Any, case: Case, assessment: Assessment | None) -> rules.Indicators:
    """The household's indicators (rules R2 and the 8050 / double-care household) with the
    printed assessment as the person's: an older sheet shows what it showed then."""
    person = case.person
    latest = selectors.latest_assessment(case)
    if assessment is None or (latest is not None and latest.pk == assessment.pk):
        return selectors.person_indicators(user, person)
    household = selectors.household_of(user, person)
    day = assessment.assessed_on
    if household is None:
        views = [
            rules.MemberView(
                name=person.full_name,
                age=person.age(day),
                assessment=assessment,
                problems=list(case.problems or []),
            )
        ]
    else:
        hv = selectors.household_view(user, household)
        views = [
            rules.MemberView(
                name=m.person.full_name,
                age=m.person.age(day),
                relationship=m.relationship,
                assessment=assessment if m.person_id == person.pk else hv.latest[m.person_id],
                problems=[p for c in hv.open_cases.get(m.person_id, []) for p in c.problems],
            )
            for m in hv.members
        ]
    return rules.household_indicators(views)


def assessment_context(user: Any, case: Case, assessment: Assessment | None) -> dict[str, Any]:
    person = case.person
    day = assessment.assessed_on if assessment else timezone.localdate()
    indicators = indicators_for(user, case, assessment) if assessment else None
    household_name, members = household_lines(user, person, day)
    return {
        "case": case,
        "person": person,
        "agency": case.agency,
        "assessment": assessment,
        "assessed_on": wareki(assessment.assessed_on) if assessment else "",
        "assessed_by": staff_name(assessment.assessed_by) if assessment else "",
        "informant": options(Informant, assessment.informant if assessment else None),
        "birth_date": wareki(person.birth_date),
        "age": age_text(person, day),
        "sex": str(dict(Sex.choices).get(person.sex, "")) if person.sex else "",
        "address": address_text(person),
        "household_name": household_name,
        "members": members,
        "sections": assessment_sections(assessment),
        "findings": indicators.findings if indicators else [],
        "flags": list(selectors.open_flags(case)),
        "printed": _printed(user),
    }


def _printed(user: Any) -> str:
    now = timezone.localtime()
    return _("Printed %(date)s %(time)s by %(name)s") % {
        "date": format_wareki(now.date()),
        "time": now.strftime("%H:%M"),
        "name": staff_name(user),
    }


# --- PDF ------------------------------------------------------------------------------------


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango or HarfBuzz missing
        log.exception("WeasyPrint cannot be loaded")
        raise PrintUnavailable(str(exc)) from exc
    return weasyprint


def html_to_pdf(html: str) -> bytes:
    weasyprint = _weasyprint()
    fetcher_class = getattr(getattr(weasyprint, "urls", None), "URLFetcher", None)
    kwargs: dict[str, Any] = {}
    if fetcher_class is not None:
        kwargs["url_fetcher"] = fetcher_class(allowed_protocols=("data",))
    pdf: bytes = weasyprint.HTML(string=html, **kwargs).write_pdf()
    return pdf


def print_intake(user: Any, case: Case) -> Printed:
    """相談受付・申込票 of the case as a PDF."""
    _weasyprint()  # fail early, before anything is read
    with translation.override("ja"):
        html = render_to_string("people/print/intake.html", intake_context(user, case))
        name = _("Intake and application form")
    return Printed(html_to_pdf(html), f"{name}_{case.number}.pdf", f"intake-{case.number}.pdf")


def print_assessment(user: Any, case: Case, assessment: Assessment | None) -> Printed:
    """インテーク・アセスメントシート of the case (blank when there is no assessment)."""
    _weasyprint()
    with translation.override("ja"):
        context = assessment_context(user, case, assessment)
        html = render_to_string("people/print/assessment.html", context)
        name = _("Intake assessment sheet")
    suffix = f"_{assessment.assessed_on:%Y%m%d}" if assessment else ""
    return Printed(
        html_to_pdf(html),
        f"{name}_{case.number}{suffix}.pdf",
        f"assessment-{case.number}{suffix}.pdf",
    )
