"""Forms of the supporter's phone view (rules S5-S8): a visit, an incident, a found case, and
the supporter's own preferences. Digits typed full-width on a phone (６０, １４：３０) are read as
half-width; dates accept 和暦 and 西暦 (令和7年4月1日, R7.4.1, 2025-04-01)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagi.web.forms import JapaneseDateField, PhoneField, TsunagiForm
from tsunagi.web.text import to_halfwidth

from .forms import languages_field, slots_field
from .models import IncidentKind, MetWhom, Severity, VisitPlace


class WideDigitsIntegerField(forms.IntegerField):
    """A number typed on a phone's Japanese keyboard (６０) or with a unit (60分)."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = to_halfwidth(value).strip().removesuffix("分").strip()
        return super().to_python(value)


class WideDigitsTimeField(forms.TimeField):
    """14:30, １４：３０ or 14時30分."""

    widget = forms.TextInput(
        attrs={"inputmode": "numeric", "placeholder": "14:30", "autocomplete": "off"}
    )
    default_error_messages = {"invalid": _("Enter a time such as 14:30.")}

    def to_python(self, value: Any) -> datetime.time | None:
        if isinstance(value, str):
            value = to_halfwidth(value).strip().replace("時", ":").removesuffix("分")
            if value.endswith(":"):
                value += "00"
        return super().to_python(value)


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class VisitForm(TsunagiForm):
    """Rule S6: one visit. The date starts as today."""

    visited_on = JapaneseDateField(label=_("date of the visit"))
    started_at = WideDigitsTimeField(label=_("started at"), required=False)
    duration_minutes = WideDigitsIntegerField(
        label=_("duration (minutes)"), help_text=_("For example 60.")
    )
    place = forms.ChoiceField(
        label=_("where"), choices=VisitPlace.choices, widget=forms.RadioSelect
    )
    met = forms.ChoiceField(
        label=_("who was met"), choices=MetWhom.choices, widget=forms.RadioSelect
    )
    what_happened = forms.CharField(label=_("what happened"), widget=_textarea(5))
    concerns = forms.CharField(label=_("concerns"), required=False, widget=_textarea(3))
    next_visit_on = JapaneseDateField(label=_("next visit"), required=False)


class IncidentForm(TsunagiForm):
    """Rule S8: what happened, when, and what was done at once."""

    occurred_on = JapaneseDateField(label=_("date it happened"))
    occurred_time = WideDigitsTimeField(label=_("time it happened"))
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "---------"), *IncidentKind.choices])
    severity = forms.ChoiceField(
        label=_("severity"), choices=Severity.choices, widget=forms.RadioSelect
    )
    what_happened = forms.CharField(label=_("what happened"), widget=_textarea(5))
    immediate_action = forms.CharField(
        label=_("what was done at once"), required=False, widget=_textarea(3)
    )
    visit = forms.TypedChoiceField(
        label=_("during the visit of"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, visits: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from tsunagi.web.templatetags.wareki import wareki

        field = self.fields["visit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Not during a reported visit"))] + [
            (v.pk, wareki(v.visited_on)) for v in visits
        ]


class FoundCaseForm(TsunagiForm):
    """Rule S7: a hidden case, told to a municipality that confirmed the supporter."""

    agency = forms.TypedChoiceField(label=_("report to"), coerce=int)
    where = forms.CharField(label=_("where (area or address as known)"), max_length=200)
    description = forms.CharField(label=_("what you noticed"), widget=_textarea(5))
    estimated_age = WideDigitsIntegerField(label=_("estimated age"), required=False)
    urgent = forms.BooleanField(label=_("seems urgent (life, health, no food)"), required=False)

    def __init__(self, *args: Any, offices: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)
        offices = list(offices)
        field.choices = [(a.pk, a.name) for a in offices]
        if len(offices) == 1:
            self.initial.setdefault("agency", offices[0].pk)


class MeForm(TsunagiForm):
    """What a supporter changes themselves (services.OWN_FIELDS)."""

    phone = PhoneField(label=_("phone"), required=False, max_length=20)
    email = forms.EmailField(label=_("e-mail"), required=False)
    availability = slots_field(_("available"))
    languages = languages_field()
    preferences = forms.CharField(
        label=_("your own preferences"),
        required=False,
        widget=_textarea(4),
        help_text=_("What you would like to do or avoid, in your words."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
