"""Kinds of information (情報の種類): every field of a personal record is classified, special-care
information is a kind of its own, and a grant lets through only the fields of its kinds."""

from __future__ import annotations

import datetime

import pytest

from tsunagi.access.kinds import (
    FIELD_KINDS,
    SPECIAL_CARE_PROBLEMS,
    InfoKind,
    kinds_label,
    normalise,
    record_shareable,
    shared_fields,
    shared_values,
)
from tsunagi.people.models import (
    SPECIAL_CARE_FIELDS,
    Assessment,
    Case,
    Contact,
    Flag,
    HouseholdMember,
    Person,
)
from tsunagi.plans.models import Evaluation, Goal, GoalResult, PlanItem, SupportPlan

MODELS = (
    Person,
    Case,
    HouseholdMember,
    Contact,
    Assessment,
    Flag,
    SupportPlan,
    Goal,
    PlanItem,
    Evaluation,
    GoalResult,
)

# Fields that are never shared with another agency, whatever the grant: the keys and owners of
# the record, internal notes, who typed what, search keys, and other people's identity (the
# family member who called is not the person).
NEVER_SHARED: dict[str, frozenset[str]] = {
    "people.person": frozenset(
        {
            "id", "agency", "notes", "name_key", "given_key", "kana_key", "given_kana_key",
            "phone_digits", "mobile_digits", "created_by", "created_at", "updated_at", "version",
        }
    ),
    "people.case": frozenset(
        {
            "id", "agency", "person", "screened_on", "handed_to", "is_restricted",
            "close_reason", "created_by", "created_at", "updated_at", "version",
            "assigned_staff",
        }
    ),
    "people.householdmember": frozenset({"id", "household", "person", "notes"}),
    "people.contact": frozenset(
        {
            "id", "agency", "case", "initiator_person", "initiator_name", "staff",
            "duration_minutes", "created_by", "created_at", "updated_at",
        }
    ),
    "people.assessment": frozenset(
        {"id", "agency", "case", "assessed_by", "notes", "created_at"}
    ),
    "people.flag": frozenset(
        {"id", "agency", "case", "source", "resolved_at", "resolved_by", "resolution"}
    ),
    # the plan's keys, the plan it replaces and the agenda case that approved it (another
    # agency's meeting record), who wrote it, and the edit counter
    "plans.supportplan": frozenset(
        {
            "id", "agency", "person", "case", "previous", "approved_item", "created_by",
            "created_at", "updated_by", "updated_at", "version",
        }
    ),
    "plans.goal": frozenset({"id", "plan"}),
    "plans.planitem": frozenset({"id", "plan"}),
    "plans.evaluation": frozenset(
        {"id", "plan", "agency", "case", "created_by", "created_at"}
    ),
    "plans.goalresult": frozenset({"id", "evaluation"}),
}  # fmt: skip

SC = InfoKind.SPECIAL_CARE
SITUATION_ONLY = ["identity", "situation"]


def _fields(model: type) -> set[str]:
    meta = model._meta  # type: ignore[attr-defined]
    return {f.name for f in meta.concrete_fields} | {f.name for f in meta.many_to_many}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_field_is_classified(model: type) -> None:
    """A new field must be given a kind of information or declared never shared."""
    label = model._meta.label_lower  # type: ignore[attr-defined]
    classified = set(FIELD_KINDS.get(label, {}))
    never = NEVER_SHARED[label]
    unclassified = _fields(model) - classified - never
    assert not unclassified, f"{label}: put {sorted(unclassified)} in FIELD_KINDS or NEVER_SHARED"
    assert not classified & never, f"{label}: both shared and never shared"
    assert classified <= _fields(model), f"{label}: FIELD_KINDS names fields that do not exist"
    assert never <= _fields(model), f"{label}: NEVER_SHARED names fields that do not exist"


def test_every_field_kind_is_a_known_kind() -> None:
    for label, fields in FIELD_KINDS.items():
        for name, kinds in fields.items():
            assert kinds and set(kinds) <= set(InfoKind), (label, name)


def test_special_care_fields_are_special_care_only() -> None:
    for name in SPECIAL_CARE_FIELDS:
        assert FIELD_KINDS["people.assessment"][name] == frozenset({SC}), name
    sc_only = {n for n, k in FIELD_KINDS["people.assessment"].items() if k == frozenset({SC})}
    assert sc_only == set(SPECIAL_CARE_FIELDS)


def test_flags_and_urgency_are_special_care_only() -> None:
    assert all(k == frozenset({SC}) for k in FIELD_KINDS["people.flag"].values())
    assert FIELD_KINDS["people.contact"]["urgent"] == frozenset({SC})


def _assessment() -> Assessment:
    return Assessment(
        pk=7,
        assessed_on=datetime.date(2025, 5, 1),
        housing="at_risk",
        housing_notes="家賃を3か月滞納",
        wishes="母の年金だけでは暮らせない",
        mental_health="serious",
        mental_health_notes="うつ病の診断あり",
        depression=True,
        dv_notes="",
        suicidal_thoughts=True,
        family_notes="母と二人暮らし",
    )


def test_p1_situation_without_special_care_shows_housing_not_mental_health() -> None:
    values = shared_values(_assessment(), SITUATION_ONLY)
    assert values["housing"] == "at_risk"
    assert values["housing_notes"] == "家賃を3か月滞納"
    assert values["wishes"] == "母の年金だけでは暮らせない"
    for name in SPECIAL_CARE_FIELDS:
        assert name not in values, name
    assert "family_notes" not in values  # the assessor's wider picture is "assessment"
    assert "notes" not in values


def test_p1_special_care_shows_the_diagnosis_only_when_named() -> None:
    values = shared_values(_assessment(), ["special_care"])
    assert values["mental_health_notes"] == "うつ病の診断あり"
    assert values["suicidal_thoughts"] is True
    assert "housing" not in values


@pytest.mark.parametrize(
    "kinds",
    [
        ["identity"],
        ["situation"],
        ["assessment"],
        ["plan"],
        ["special_care"],
        ["identity", "situation"],
        ["situation", "assessment", "plan"],
    ],
)
def test_shared_values_never_returns_a_field_outside_the_kinds(kinds: list[str]) -> None:
    objs = [
        Person(pk=1, family_name="山田", given_name="太郎", notes="内部メモ", phone="088-0"),
        Case(pk=2, number="2025-00001", problems=["health", "income"], problem_notes="家計"),
        _assessment(),
        Contact(pk=3, summary="電話", notes="メモ", urgent=True, duration_minutes=30),
        Flag(pk=4, kind="urgent_need", rule="R8", reason="食事がない", source="x"),
        HouseholdMember(pk=5, relationship="parent", notes="メモ"),
        _plan(),
        Goal(pk=6, term="short", text="週1回外出する"),
        Evaluation(pk=8, person_view="少し外に出られた", decision="end", step_daily_life=True),
    ]
    for obj in objs:
        label = obj._meta.label_lower
        values = shared_values(obj, kinds)
        allowed = {n for n, need in FIELD_KINDS[label].items() if set(need) & set(kinds)}
        assert set(values) - {"id"} <= allowed, (label, kinds)
        assert set(values) - {"id"} == set(shared_fields(label, kinds))
        assert record_shareable(label, kinds) is bool(allowed)
        assert not set(values) & NEVER_SHARED[label] - {"id"}


def test_p1_health_and_dv_problems_are_dropped_without_special_care() -> None:
    case = Case(
        pk=9,
        number="2025-00009",
        problems=["health", "income", "dv_abuse", "housing"],
        main_problem="health",
    )
    values = shared_values(case, SITUATION_ONLY)
    assert values["problems"] == ["income", "housing"]
    assert values["main_problem"] == ""
    case.main_problem = "dv_abuse"
    assert shared_values(case, SITUATION_ONLY)["main_problem"] == ""
    case.main_problem = "income"
    assert shared_values(case, SITUATION_ONLY)["main_problem"] == "income"
    with_care = shared_values(case, [*SITUATION_ONLY, "special_care"])
    assert with_care["problems"] == ["health", "income", "dv_abuse", "housing"]
    assert {"health", "dv_abuse"} == SPECIAL_CARE_PROBLEMS


def test_case_problems_keep_the_record_unchanged() -> None:
    """Filtering builds a new list: the record itself is not altered."""
    case = Case(pk=9, number="x", problems=["health", "income"], main_problem="health")
    shared_values(case, SITUATION_ONLY)
    assert case.problems == ["health", "income"] and case.main_problem == "health"


def test_identity_shows_name_and_contact_but_no_internal_notes() -> None:
    person = Person(
        pk=1, family_name="山田", given_name="太郎", phone="088-000-1234", notes="内部メモ"
    )
    values = shared_values(person, ["identity"])
    assert values["family_name"] == "山田" and values["phone"] == "088-000-1234"
    assert "notes" not in values and "phone_digits" not in values
    assert shared_values(person, ["situation"]) == {"id": 1}


def _plan() -> SupportPlan:
    return SupportPlan(
        pk=11,
        number=2,
        state="decided",
        mode="goals",
        person_wishes="人と話すのはこわいが、いつか働きたい",
        family_wishes="早く働いてほしい",
        overall_aim="生活リズムを整える",
        starts_on=datetime.date(2025, 4, 1),
        ends_on=datetime.date(2025, 9, 30),
        review_on=datetime.date(2025, 6, 30),
        decided_by="高知市",
        version=4,
    )


def test_p1_situation_shows_a_plans_wishes_only() -> None:
    """The person's and the family's wishes are "situation and wishes": a consent for situation
    shows them, and nothing else of the plan, its goals, items or evaluation."""
    values = shared_values(_plan(), SITUATION_ONLY)
    assert values == {
        "id": 11,
        "person_wishes": "人と話すのはこわいが、いつか働きたい",
        "family_wishes": "早く働いてほしい",
    }
    for label in ("plans.goal", "plans.planitem", "plans.evaluation"):
        assert not record_shareable(label, SITUATION_ONLY), label
        assert not record_shareable(label, ["identity", "assessment", "special_care"]), label
    assert not record_shareable("plans.supportplan", ["identity", "assessment", "special_care"])


def test_plan_shows_the_whole_plan_but_never_its_keys() -> None:
    values = shared_values(_plan(), ["plan"])
    assert values["overall_aim"] == "生活リズムを整える" and values["decided_by"] == "高知市"
    assert values["person_wishes"].startswith("人と話す")
    assert "version" not in values and "created_by" not in values
    assert set(values) - {"id"} == set(FIELD_KINDS["plans.supportplan"])
    for label in ("plans.goal", "plans.planitem", "plans.evaluation"):
        assert record_shareable(label, ["plan"]), label


def test_an_evaluation_is_plan_only() -> None:
    assert all(k == frozenset({InfoKind.PLAN}) for k in FIELD_KINDS["plans.evaluation"].values())
    evaluation = Evaluation(pk=5, person_view="少し外に出られた", decision="replan")
    assert shared_values(evaluation, SITUATION_ONLY) == {"id": 5}
    assert shared_values(evaluation, ["plan"])["person_view"] == "少し外に出られた"


def test_normalise_and_label() -> None:
    assert normalise(["special_care", "identity", "bogus"]) == ["identity", "special_care"]
    assert kinds_label(["situation", "identity"]) == "、".join(
        [str(InfoKind.IDENTITY.label), str(InfoKind.SITUATION.label)]
    )
