"""Forms of the directory screens (officers) and of the public search (no login).

Every one-line field is width-normalised (full-width digits and letters accepted); the hours are
the agency registry's weekday rows (two periods a day)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagi.agencies.forms import OpeningHoursForm
from tsunagi.agencies.models import Agency
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.web.forms import PhoneField, PostalCodeField, TsunagiForm, TsunagiModelForm, _choice
from tsunagi.web.text import to_halfwidth

from .models import Channel, DirectoryEntry, EntryKind
from .services import ENTRY_FIELDS, age_order_error

YES_NO = (("", _("All")), ("yes", _("Yes")), ("no", _("No")))


class MunicipalityField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Municipality) -> str:
        return f"{obj.district}{obj.name}"


class AreaField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Municipality) -> str:
        return f"{obj.district}{obj.name}"


class EntrySearchForm(TsunagiForm):
    q = forms.CharField(label=_("Name or kana"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("All")), *EntryKind.choices]
    )
    municipality = forms.CharField(
        label=_("municipality"),
        required=False,
        max_length=30,
        help_text=_("Name or code, e.g. 高知市 or 39201."),
    )
    stale = forms.ChoiceField(
        label=_("Not verified for a year"), required=False, choices=YES_NO[:2]
    )
    public = forms.ChoiceField(label=_("shown on the public pages"), required=False, choices=YES_NO)
    archived = forms.ChoiceField(
        label=_("Archived entries"),
        required=False,
        choices=(("", _("Hide")), ("yes", _("Only archived"))),
    )

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        out: dict[str, Any] = {}
        if data.get("q"):
            out["q"] = data["q"]
        if data.get("kind"):
            out["kind"] = data["kind"]
        if data.get("municipality"):
            out["municipality"] = data["municipality"]
        if data.get("stale") == "yes":
            out["stale"] = True
        if data.get("public") in ("yes", "no"):
            out["public"] = data["public"] == "yes"
        out["active"] = data.get("archived") != "yes"
        return out

    def query(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {k: str(v) for k, v in data.items() if v}


class EntryForm(TsunagiModelForm):
    """All the fields of an entry. The hours are a second form (`HoursForm`) on the same page."""

    postal_code = PostalCodeField(label=_("postal code"), required=False)
    phone = PhoneField(label=_("phone"), required=False, max_length=20)
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")
    channels = forms.MultipleChoiceField(
        label=_("ways to get in touch"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    min_age = forms.CharField(label=_("minimum age"), required=False, max_length=5)
    max_age = forms.CharField(label=_("maximum age"), required=False, max_length=5)
    area = AreaField(
        label=_("area served"),
        queryset=Municipality.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The municipalities whose residents may use it; none: where it is."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = DirectoryEntry
        fields = [name for name in ENTRY_FIELDS if name != "is_active"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self,
        *args: Any,
        prefectures: Any = None,
        prefecture: Prefecture | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        pref_field = _choice(self, "prefecture")
        if prefectures is not None:
            pref_field.queryset = prefectures
        pref = prefecture or (self.instance.prefecture if self.instance.prefecture_id else None)
        chosen = self.data.get(self.add_prefix("prefecture")) if self.data else None
        if chosen and str(chosen).isdigit():
            pref = Prefecture.objects.filter(pk=str(chosen)).first() or pref
        in_pref = Municipality.objects.filter(abolished_on__isnull=True)
        agencies = Agency.objects.filter(is_active=True)
        if pref is not None:
            in_pref = in_pref.filter(prefecture=pref)
            agencies = agencies.filter(prefecture=pref)
            self.fields["prefecture"].initial = pref.pk
        _choice(self, "area").queryset = in_pref.order_by("code")
        self.fields["municipality"] = MunicipalityField(
            label=_("municipality"),
            queryset=in_pref.order_by("code"),
            required=False,
            help_text=_("Where it is; empty for a prefecture-wide entry."),
        )
        _choice(self, "agency").queryset = agencies.order_by("name")
        self.fields["agency"].help_text = _("The agency this entry describes, if it is one.")
        self.fields["lead_department"].help_text = _(
            "Windows: the department in charge of hikikomori support (rule M4)."
        )
        self.fields["name_kana"].help_text = _(
            "In katakana or hiragana; used for sorting and search."
        )
        self.fields["postal_code"].widget.attrs.update(
            {"autocomplete": "postal-code", "inputmode": "numeric"}
        )
        for name in ("min_age", "max_age"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "size": 4})
        if self.instance.pk:
            self.fields["area"].initial = list(self.instance.area.values_list("pk", flat=True))
            self.fields["version"].initial = self.instance.version
            self.fields["channels"].initial = list(self.instance.channels or [])

    def _age(self, name: str) -> int | None:
        text = to_halfwidth(str(self.cleaned_data.get(name) or "")).strip()
        text = text.removesuffix("歳").removesuffix("才").strip()
        if not text:
            return None
        if not text.isdigit():
            raise forms.ValidationError(_("Enter an age between 0 and 120."), code="invalid")
        return int(text)

    def clean_min_age(self) -> int | None:
        return self._age("min_age")

    def clean_max_age(self) -> int | None:
        return self._age("max_age")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problem = age_order_error(data.get("min_age"), data.get("max_age"))
        if problem:
            self.add_error("max_age", problem)
        return data

    def data_for_service(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("area", "version")}


class HoursForm(OpeningHoursForm):
    """The weekday rows of the agency registry (empty: closed; a second period after lunch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "hours")
        super().__init__(*args, **kwargs)


class PublicSearchForm(forms.Form):
    """Search by postal code (full-width digits and a hyphen accepted) or municipality name."""

    postal_code = forms.CharField(
        label=_("Postal code"),
        required=False,
        max_length=10,
        help_text=_("7 digits, e.g. 780-0850."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    municipality = forms.CharField(
        label=_("Municipality name"),
        required=False,
        max_length=30,
        help_text=_("e.g. 高知市, いの町"),
    )
