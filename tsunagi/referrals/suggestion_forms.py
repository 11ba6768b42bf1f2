"""Forms of the suggestions panel and of introductions: setting a suggestion aside with the
reason, and recording an introduction (紹介, rule R3a) with an agency of the registry grouped by
kind, or the name of a group or place that is not in it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagi.agencies.models import Agency, AgencyKind
from tsunagi.web.forms import JapaneseDateField, TsunagiForm, _choices

from .models import GivenTo, IntroductionTarget


class DismissForm(TsunagiForm):
    """Setting a suggestion aside needs the reason, in words (counted in the statistics)."""

    code = forms.CharField(max_length=60, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("why the suggestion is set aside"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write why the suggestion is set aside.")},
    )


def agency_groups(agencies: Iterable[Agency]) -> list[tuple[str, list[tuple[int, str]]]]:
    """The agencies as <optgroup>s by kind, in the order of AgencyKind, names in order."""
    by_kind: dict[str, list[tuple[int, str]]] = {}
    for a in sorted(agencies, key=lambda a: (a.name_kana or a.name, a.name)):
        by_kind.setdefault(a.kind, []).append((a.pk, a.name))
    return [(str(kind.label), by_kind[kind.value]) for kind in AgencyKind if kind.value in by_kind]


class IntroductionForm(TsunagiForm):
    """紹介: what the person (or their family) was given, about which agency or group."""

    target_kind = forms.ChoiceField(
        label=_("introduced to"),
        choices=[("", _("Choose what was introduced")), *IntroductionTarget.choices],
        error_messages={"required": _("Choose what the person was introduced to.")},
    )
    to_agency = forms.TypedChoiceField(
        label=_("agency introduced"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Agencies of the registry in the person's prefecture, by kind."),
        error_messages={"invalid_choice": _("Choose an agency from the list.")},
    )
    to_name = forms.CharField(
        label=_("name of the group or place"),
        max_length=200,
        required=False,
        help_text=_("When it is not in the agency registry, e.g. the local family association."),
    )
    given_to = forms.ChoiceField(
        label=_("given to"),
        choices=GivenTo.choices,
        initial=GivenTo.PERSON,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who received the information.")},
    )
    what_given = forms.CharField(
        label=_("what was given"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the leaflet, the phone number and opening hours."),
        error_messages={"required": _("Write what was given, e.g. the leaflet and phone number.")},
    )
    given_on = JapaneseDateField(
        label=_("day given"),
        help_text=_("令和7年4月1日, R7.4.1 or 2025-04-01."),
        error_messages={"required": _("Enter the day the information was given.")},
    )
    rule = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)

    def __init__(self, *args: Any, agencies: Iterable[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = {a.pk: a for a in agencies}
        _choices(self, "to_agency").choices = [
            ("", _("None: a group or place named below")),
            *agency_groups(self.agencies.values()),
        ]
        if not self.is_bound and "given_on" not in self.initial:
            self.initial["given_on"] = timezone.localdate()

    def clean_given_on(self) -> date:
        day: date = self.cleaned_data["given_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The day cannot be in the future."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("to_agency") and not data.get("to_name") and "to_agency" not in self.errors:
            self.add_error(
                "to_name", _("Choose an agency or write the name of the group or place.")
            )
        return data

    def introduction_data(self) -> dict[str, Any]:
        """What `services.record_introduction` takes: the agency as a record of the registry."""
        data = dict(self.cleaned_data)
        data["to_agency"] = self.agencies.get(data.get("to_agency") or 0)
        return data
