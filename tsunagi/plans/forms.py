"""Forms of the support plan screens: the plan (プラン兼事業等利用申込書) with its rows of goals and
items, the approval and the support decision, and the evaluation (評価).

The forms only parse what was typed; the rules (R1, R4, the period) are the services' and come
back as field errors, put next to the field or the row they concern."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagi.web.forms import JapaneseDateField, TsunagiForm

from .models import Achievement, Decision, GoalTerm, PlanMode, Service

GOAL_ROWS = 3  # blank goal rows under the ones written
ITEM_ROWS = 4  # blank item rows under the ones written
MORE_ROWS = 2  # rows added by "add rows"

TEXTAREA = {"rows": 3}


class PlanForm(TsunagiForm):
    """The head of the plan. The person's wishes are required (rule R1)."""

    person_wishes = forms.CharField(
        label=_("the person's wishes, in their words"),
        widget=forms.Textarea(attrs=TEXTAREA),
        # rule R1: the same words as the service's refusal
        error_messages={
            "required": _(
                "Write the person's wishes in their own words (R1): a plan starts from them."
            )
        },
        help_text=_(
            "Required (R1): write what the person said, in their own words. A plan starts "
            "from them."
        ),
    )
    family_wishes = forms.CharField(
        label=_("the family's wishes, where they differ"),
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        help_text=_("Only where the family wishes something else than the person."),
    )
    overall_aim = forms.CharField(
        label=_("overall aim (支援方針)"),
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
    )
    mode = forms.ChoiceField(
        label=_("mode"),
        choices=PlanMode.choices,
        widget=forms.RadioSelect,
        initial=PlanMode.GOALS,
        help_text=_(
            "Accompaniment (伴走型) stays connected without an end goal: no end date and no "
            "goals are needed."
        ),
    )
    starts_on = JapaneseDateField(label=_("plan period from"))
    ends_on = JapaneseDateField(
        label=_("plan period until"),
        required=False,
        help_text=_("Needed for a plan with goals; leave empty for accompaniment."),
    )
    review_on = JapaneseDateField(label=_("review (monitoring) date"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # the model's names for the fields of the service
    def plan_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if data.get("mode") == PlanMode.ACCOMPANIMENT and data.get("ends_on") is None:
            data["ends_on"] = None
        return data


class GoalRowForm(TsunagiForm):
    term = forms.ChoiceField(label=_("term"), choices=GoalTerm.choices, required=False)
    text = forms.CharField(label=_("goal"), max_length=300, required=False)


def _service_choices() -> list[tuple[str, Any]]:
    return [("", _("— no service —")), *Service.choices]


class ItemRowForm(TsunagiForm):
    """One item: what, ONE responsible agency (rule R4), the service, how often, for which
    goal. The agency and goal choices are set per plan."""

    what = forms.CharField(label=_("support"), max_length=300, required=False)
    responsible_agency = forms.TypedChoiceField(
        label=_("responsible agency"), required=False, coerce=int, empty_value=None
    )
    service = forms.ChoiceField(label=_("service"), choices=_service_choices, required=False)
    frequency = forms.CharField(label=_("how often, when"), max_length=100, required=False)
    goal = forms.TypedChoiceField(
        label=_("for the goal"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, agency_choices: Any = (), goal_choices: Any = (), **kw: Any):
        super().__init__(*args, **kw)
        agency_field = self.fields["responsible_agency"]
        goal_field = self.fields["goal"]
        assert isinstance(agency_field, forms.ChoiceField)
        assert isinstance(goal_field, forms.ChoiceField)
        agency_field.choices = [("", _("— choose one agency —")), *agency_choices]
        goal_field.choices = [("", "—"), *goal_choices]


GoalFormSet = forms.formset_factory(GoalRowForm, extra=0)
ItemFormSet = forms.formset_factory(ItemRowForm, extra=0)


class ApproveForm(TsunagiForm):
    """The agenda case of a support coordination meeting where the plan was approved."""

    agenda_item = forms.TypedChoiceField(
        label=_("approved at the support coordination meeting"), coerce=int
    )

    def __init__(self, *args: Any, items: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["agenda_item"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *items]


class DecideForm(TsunagiForm):
    """The municipality's support decision (支援決定)."""

    decided_on = JapaneseDateField(label=_("support decided on (支援決定)"))
    decided_by = forms.CharField(
        label=_("support decided by"),
        max_length=200,
        help_text=_("The municipality (or its office) that made the support decision."),
    )


OUTCOME_FIELDS = ("found_work", "income_rose", "step_daily_life", "step_social_life", "step_work")


class EvaluationForm(TsunagiForm):
    """評価: the person's view, the supporters' view, the decision, the outcomes; one result
    and note per goal of the plan (fields `result_<goal id>`, `notes_<goal id>`)."""

    evaluated_on = JapaneseDateField(label=_("evaluated on"))
    person_view = forms.CharField(
        label=_("the person's view, in their words"), widget=forms.Textarea(attrs=TEXTAREA)
    )
    staff_view = forms.CharField(
        label=_("the supporters' view"), widget=forms.Textarea(attrs=TEXTAREA), required=False
    )
    decision = forms.ChoiceField(
        label=_("decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    found_work = forms.BooleanField(label=_("found work (就労)"), required=False)
    income_rose = forms.BooleanField(label=_("income rose (増収)"), required=False)
    step_daily_life = forms.BooleanField(
        label=_("step in daily life (日常生活自立)"), required=False
    )
    step_social_life = forms.BooleanField(
        label=_("step in social life (社会生活自立)"), required=False
    )
    step_work = forms.BooleanField(label=_("step towards work (就労自立)"), required=False)

    def __init__(self, *args: Any, goals: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"result_{goal.pk}"] = forms.ChoiceField(
                label=goal.text,
                choices=Achievement.choices,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"notes_{goal.pk}"] = forms.CharField(
                label=_("notes"), max_length=300, required=False
            )

    def goal_rows(self) -> list[dict[str, Any]]:
        return [
            {"goal": g, "result": self[f"result_{g.pk}"], "notes": self[f"notes_{g.pk}"]}
            for g in self.goals
        ]

    def head_fields(self) -> list[Any]:
        return [self[n] for n in ("evaluated_on", "person_view", "staff_view", "decision")]

    def outcome_fields(self) -> list[Any]:
        return [self[n] for n in OUTCOME_FIELDS]

    def evaluation_data(self) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
        data = {
            k: self.cleaned_data[k]
            for k in ("evaluated_on", "person_view", "staff_view", "decision", *OUTCOME_FIELDS)
        }
        results = {
            g.pk: {
                "achievement": self.cleaned_data.get(f"result_{g.pk}") or "",
                "notes": self.cleaned_data.get(f"notes_{g.pk}") or "",
            }
            for g in self.goals
        }
        return data, results
