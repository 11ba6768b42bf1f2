from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.web.forms import (
    PhoneField,
    PostalCodeField,
    TsunagiForm,
    TsunagiModelForm,
    _choice,
    _choices,
)

from .models import (
    HIKIKOMORI_KINDS,
    Agency,
    AgencyKind,
    NetworkKind,
    Qualification,
    StaffMember,
    Weekday,
)


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Municipality) -> str:
        return f"{obj.district}{obj.name}"


class AreaField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Municipality) -> str:
        return f"{obj.district}{obj.name}"


class AgencyForm(TsunagiModelForm):
    postal_code = PostalCodeField(label=_("postal code"), required=False)
    phone = PhoneField(label=_("phone"), required=False, max_length=20)
    fax = PhoneField(label=_("fax"), required=False, max_length=20)
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")
    area = AreaField(
        label=_("area served"),
        queryset=Municipality.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Agency
        fields = [
            "name",
            "name_kana",
            "kind",
            "prefecture",
            "operator_level",
            "operator_prefecture",
            "operator_municipality",
            "commissioned_to",
            "age_band",
            "postal_code",
            "municipality",
            "address",
            "phone",
            "fax",
            "email",
            "website",
            "notes",
            "is_active",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, prefecture: Prefecture | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pref = prefecture or (self.instance.prefecture if self.instance.prefecture_id else None)
        if self.data.get("prefecture"):
            pref = Prefecture.objects.filter(pk=str(self.data.get("prefecture"))).first() or pref
        in_pref = Municipality.objects.filter(abolished_on__isnull=True)
        if pref is not None:
            in_pref = in_pref.filter(prefecture=pref)
            self.fields["prefecture"].initial = pref.pk
        _choice(self, "area").queryset = in_pref.order_by("code")
        for name in ("municipality", "operator_municipality"):
            self.fields[name] = MunicipalityChoiceField(
                queryset=in_pref.order_by("code"),
                required=False,
                label=self.fields[name].label,
            )
        self.fields["postal_code"].widget.attrs.update(
            {
                "data-postal-lookup": "/api/v1/postal-codes/",
                "autocomplete": "postal-code",
                "inputmode": "numeric",
            }
        )
        self.fields["name_kana"].help_text = _(
            "In katakana or hiragana; used for sorting and search."
        )
        if self.instance.pk:
            self.fields["area"].initial = list(self.instance.area.values_list("pk", flat=True))
            self.fields["version"].initial = self.instance.version


class OpeningHoursForm(TsunagiForm):
    """One row per weekday; empty means closed. A second period allows a lunch break."""

    def __init__(self, *args: Any, initial_hours: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by_day: dict[int, list[Any]] = {}
        for period in initial_hours or []:
            by_day.setdefault(period.weekday, []).append(period)
        opens, closes = _("opens"), _("closes")
        for day, label in Weekday.choices:
            periods = by_day.get(day, [])
            for n in (1, 2):
                period = periods[n - 1] if len(periods) >= n else None
                self.fields[f"d{day}_{n}_opens"] = forms.TimeField(
                    label=f"{label} {opens}" + (f" ({n})" if n == 2 else ""),
                    required=False,
                    initial=period.opens if period else None,
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                )
                self.fields[f"d{day}_{n}_closes"] = forms.TimeField(
                    label=f"{label} {closes}" + (f" ({n})" if n == 2 else ""),
                    required=False,
                    initial=period.closes if period else None,
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                )

    def periods(self) -> list[tuple[int, Any, Any]]:
        result = []
        for day, _label in Weekday.choices:
            for n in (1, 2):
                opens = self.cleaned_data.get(f"d{day}_{n}_opens")
                closes = self.cleaned_data.get(f"d{day}_{n}_closes")
                if opens and closes:
                    result.append((day, opens, closes))
        return result

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day, _label in Weekday.choices:
            for n in (1, 2):
                opens, closes = data.get(f"d{day}_{n}_opens"), data.get(f"d{day}_{n}_closes")
                if bool(opens) != bool(closes):
                    self.add_error(
                        f"d{day}_{n}_closes", _("Enter both the opening and the closing time.")
                    )
                elif opens and closes and closes <= opens:
                    self.add_error(
                        f"d{day}_{n}_closes", _("Closing time must be after opening time.")
                    )
        return data

    def rows(self) -> list[tuple[Any, Any, Any, Any, Any]]:
        """(label, opens 1, closes 1, opens 2, closes 2) bound fields for the table layout."""
        return [
            (
                label,
                self[f"d{day}_1_opens"],
                self[f"d{day}_1_closes"],
                self[f"d{day}_2_opens"],
                self[f"d{day}_2_closes"],
            )
            for day, label in Weekday.choices
        ]


class StaffMemberForm(TsunagiModelForm):
    qualifications = forms.MultipleChoiceField(
        label=_("qualifications"),
        choices=Qualification.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = StaffMember
        fields = ["name", "name_kana", "title", "is_coordinator", "qualifications", "is_active"]


class PairingForm(TsunagiForm):
    hikikomori_agency = forms.ModelChoiceField(
        label=_("Hikikomori support agency"), queryset=Agency.objects.none()
    )
    self_reliance_agency = forms.ModelChoiceField(
        label=_("Self-reliance consultation support agency"), queryset=Agency.objects.none()
    )
    note = forms.CharField(label=_("note"), required=False, max_length=200)

    def __init__(self, *args: Any, prefecture_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        in_pref = Agency.objects.filter(prefecture_id__in=prefecture_ids, is_active=True)
        _choice(self, "hikikomori_agency").queryset = in_pref.filter(kind__in=HIKIKOMORI_KINDS)
        _choice(self, "self_reliance_agency").queryset = in_pref.filter(
            kind=AgencyKind.SELF_RELIANCE
        )


class NetworkForm(TsunagiForm):
    name = forms.CharField(label=_("name"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=NetworkKind.choices)
    members = forms.ModelMultipleChoiceField(
        label=_("member agencies"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, convenor: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "members").queryset = (
            Agency.objects.filter(prefecture=convenor.prefecture, is_active=True)
            .exclude(pk=convenor.pk)
            .order_by("kind", "name")
        )


class AgencySearchForm(TsunagiForm):
    q = forms.CharField(label=_("Name or reading"), required=False)
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("All kinds")), *AgencyKind.choices]
    )
    prefecture = forms.ChoiceField(label=_("prefecture"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "prefecture").choices = [("", _("All prefectures"))] + [
            (p.code, p.name) for p in Prefecture.objects.all()
        ]
