"""Forms of the meeting screens: convening a meeting, putting a case on its agenda."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagi.access.kinds import InfoKind
from tsunagi.agencies.models import Agency
from tsunagi.people.models import Case
from tsunagi.web.forms import JapaneseDateField, TsunagiForm, _choice

from .models import MeetingKind
from .services import DEFAULT_AGENDA_KINDS


class AgencyChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MeetingForm(TsunagiForm):
    """支援調整会議 / 支援会議（法第9条）: when, where, for what, and who sits at it."""

    agency = forms.ModelChoiceField(label=_("convening agency"), queryset=Agency.objects.none())
    kind = forms.ChoiceField(label=_("kind"), choices=MeetingKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("title"), max_length=200)
    held_on = JapaneseDateField(
        label=_("date"), help_text=_("For example 令和7年4月1日, R7.4.1 or 2025-04-01.")
    )
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    purpose = forms.CharField(
        label=_("purpose"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    members = AgencyChoices(
        label=_("member agencies"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Your agency is a member in any case."),
    )
    share_days_after = forms.IntegerField(
        label=_("members may see agenda cases for this many days after the meeting"),
        min_value=0,
        max_value=90,
        initial=14,
    )

    def __init__(
        self, *args: Any, workplaces: QuerySet[Agency], others: QuerySet[Agency], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "agency").queryset = workplaces
        _choice(self, "members").queryset = others
        self.only_workplace = workplaces.first() if workplaces.count() == 1 else None
        if self.only_workplace is not None:
            # one workplace: it convenes; the field is not asked
            self.fields["agency"].required = False
            self.fields["agency"].widget = forms.HiddenInput()

    def convening_agency(self) -> Agency | None:
        return self.cleaned_data.get("agency") or self.only_workplace

    def meeting_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data.get(k) for k in ("kind", "title", "held_on", "place", "purpose")} | {
            "share_days_after": data.get("share_days_after"),
            "place": data.get("place") or "",
        }


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.person.full_name}"


class AgendaForm(TsunagiForm):
    case = CaseChoiceField(
        label=_("case"), queryset=Case.objects.none(), empty_label=_("Choose a case")
    )
    kinds = forms.MultipleChoiceField(
        label=_("kinds of information shared"),
        choices=InfoKind.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[k.value for k in DEFAULT_AGENDA_KINDS],
        error_messages={"required": _("Choose at least one kind of information.")},
    )

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "case").queryset = cases
