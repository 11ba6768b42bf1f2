"""Forms of the municipal officer's page: lead department (M4), needs survey (M2), platform (M3).

Every field accepts full- and half-width input and dates in 和暦 or 西暦 (tsunagi.web.forms);
errors are shown next to their field with what was typed kept."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tsunagi.agencies.models import Agency
from tsunagi.jurisdictions.models import Municipality
from tsunagi.web.forms import JapaneseDateField, TsunagiForm

from .models import NeedFound, SurveyMethod


class LeadDepartmentForm(TsunagiForm):
    name = forms.CharField(label=_("department"), max_length=200)
    contact = forms.CharField(label=_("contact"), max_length=200, required=False)
    since = JapaneseDateField(label=_("since"), required=False)


class SurveyForm(TsunagiForm):
    method = forms.ChoiceField(label=_("method"), choices=SurveyMethod.choices)
    method_detail = forms.CharField(label=_("method (details)"), max_length=200, required=False)
    period_from = JapaneseDateField(label=_("period from"))
    period_to = JapaneseDateField(label=_("period to"), required=False)
    estimated_15_39 = forms.IntegerField(
        label=_("estimated, aged 15-39"), required=False, min_value=0
    )
    estimated_40_64 = forms.IntegerField(
        label=_("estimated, aged 40-64"), required=False, min_value=0
    )
    estimated_65_plus = forms.IntegerField(
        label=_("estimated, aged 65 and over"), required=False, min_value=0
    )
    estimated_unknown = forms.IntegerField(
        label=_("estimated, age unknown"), required=False, min_value=0
    )
    needs = forms.MultipleChoiceField(
        label=_("needs found"),
        choices=NeedFound.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs_text = forms.CharField(
        label=_("needs found (text)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_published = forms.BooleanField(label=_("results published"), required=False)


class PlatformForm(TsunagiForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("name"), max_length=200)
    secretariat = forms.CharField(label=_("secretariat (department)"), max_length=200)
    member_agencies = forms.ModelMultipleChoiceField(
        label=_("member agencies"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_members = forms.CharField(
        label=_("other members (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    existing_body = forms.CharField(label=_("existing body used"), max_length=200, required=False)
    joint_with_prefecture = forms.BooleanField(label=_("joint with the prefecture"), required=False)
    holds_meetings = forms.BooleanField(
        label=_("holds meetings"),
        required=False,
        help_text=_("A meeting is not required: a contact structure among the members is enough."),
    )
    set_up_on = JapaneseDateField(label=_("set up on"))

    def __init__(
        self, *args: Any, municipality: Municipality, joint_only: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if joint_only:
            # rule M3: the prefecture's officers record only a platform set up jointly with it
            joint = self.fields["joint_with_prefecture"]
            joint.disabled = True
            joint.initial = True
            joint.help_text = _("The prefecture records only a platform set up jointly with it.")
            self.initial["joint_with_prefecture"] = True
        field = self.fields["member_agencies"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        # The agencies serving, located in or set up by the municipality (registry).
        field.queryset = (
            Agency.objects.filter(prefecture_id=municipality.prefecture_id, is_active=True)
            .filter(
                Q(area=municipality)
                | Q(municipality=municipality)
                | Q(operator_municipality=municipality)
            )
            .distinct()
            .order_by("kind", "name")
        )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["member_agency_ids"] = [a.pk for a in data.pop("member_agencies")]
        data["other_members"] = [
            line.strip() for line in (data["other_members"] or "").splitlines() if line.strip()
        ]
        return data
