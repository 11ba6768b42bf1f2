"""Forms of the supporters' screens. The prefecture's (training, the supporter's record and
consent, the roster hand-over: rules S1-S3) come first; the municipality's follow.

Every one-line field is width-normalised and dates accept 和暦 or 西暦 (`tsunagi.web.forms`).
The services validate again and their field errors are shown beside the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagi.web.forms import (
    JapaneseDateField,
    PhoneField,
    PostalCodeField,
    TsunagiForm,
    _choice,
)

from .models import (
    CourseKind,
    Language,
    PeerBackground,
    RosterReleaseKind,
    SessionFormat,
    Slot,
    SupporterSex,
)

# --- training (rule S1) ---------------------------------------------------------------------


class CourseForm(TsunagiForm):
    kind = forms.ChoiceField(label=_("kind"), choices=CourseKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    starts_on = JapaneseDateField(label=_("from"))
    ends_on = JapaneseDateField(label=_("until"))
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("capacity"), min_value=1, required=False)
    commissioned_to = forms.CharField(
        label=_("commissioned to"),
        max_length=200,
        required=False,
        help_text=_("A social welfare corporation, NPO or family association running it (委託先)."),
    )
    description = forms.CharField(
        label=_("content"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The course ends before it starts."))
        return data


class SessionForm(TsunagiForm):
    held_on = JapaneseDateField(label=_("date"))
    starts_at = forms.TimeField(
        label=_("starts at"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends_at = forms.TimeField(
        label=_("ends at"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    topic = forms.CharField(label=_("topic"), max_length=200)
    format = forms.ChoiceField(
        label=_("format"), choices=SessionFormat.choices, initial=SessionFormat.LECTURE
    )


SessionFormSet = forms.formset_factory(SessionForm, extra=3, max_num=20)


class CourseFilterForm(TsunagiForm):
    year = forms.IntegerField(label=_("year"), required=False, min_value=1990, max_value=2100)
    kind = forms.ChoiceField(
        label=_("kind"), choices=[("", _("All kinds")), *CourseKind.choices], required=False
    )


class TraineeSearchForm(TsunagiForm):
    q = forms.CharField(label=_("Name or kana"), max_length=100, required=False)


class TraineeForm(TsunagiForm):
    """A new trainee registered inline when enrolling (the rest is filled in later)."""

    name = forms.CharField(label=_("name"), max_length=100)
    name_kana = forms.CharField(label=_("name (kana)"), max_length=100, required=False)
    sex = forms.ChoiceField(label=_("sex"), choices=SupporterSex.choices, required=False)
    phone = PhoneField(label=_("phone"), max_length=20, required=False)
    peer = forms.ChoiceField(
        label=_("peer supporter"), choices=PeerBackground.choices, required=False
    )


class CompleteForm(TsunagiForm):
    completed_on = JapaneseDateField(label=_("completed on"), required=False)
    excuse = forms.CharField(
        label=_("Why a missed session is excused"),
        max_length=200,
        required=False,
        help_text=_(
            "Only when a session was missed: how it was made up (a recording, a later course)."
        ),
    )


# --- the supporter (rules S2, S3) -----------------------------------------------------------


def _this_year() -> int:
    return timezone.localdate().year


class SupporterForm(TsunagiForm):
    name = forms.CharField(label=_("name"), max_length=100)
    name_kana = forms.CharField(label=_("name (kana)"), max_length=100, required=False)
    sex = forms.ChoiceField(
        label=_("sex"), choices=SupporterSex.choices, required=False, help_text=_("Optional.")
    )
    birth_year = forms.IntegerField(label=_("year of birth"), required=False)
    postal_code = PostalCodeField(label=_("postal code"), required=False)
    municipality = forms.ModelChoiceField(
        label=_("lives in"),
        queryset=None,
        required=False,  # type: ignore[arg-type]
    )
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    phone = PhoneField(label=_("phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("e-mail"), required=False)
    peer = forms.ChoiceField(
        label=_("peer supporter"),
        choices=PeerBackground.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("areas they can cover"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.MultipleChoiceField(
        label=_("available"),
        choices=Slot.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferences = forms.CharField(
        label=_("their own preferences"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What the supporter would like to do or avoid, in their words."),
    )
    notes = forms.CharField(
        label=_("notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # What a supporter changes on their own record (services.OWN_FIELDS and the areas).
    OWN = ("phone", "email", "availability", "languages", "preferences", "areas", "version")

    def __init__(self, *args: Any, prefecture_id: int, own: bool = False, **kw: Any) -> None:
        super().__init__(*args, **kw)
        from tsunagi.jurisdictions.models import Municipality

        towns = Municipality.objects.filter(prefecture_id=prefecture_id).order_by("code")
        _choice(self, "municipality").queryset = towns
        _choice(self, "areas").queryset = towns
        if own:
            for name in list(self.fields):
                if name not in self.OWN:
                    del self.fields[name]

    def clean_birth_year(self) -> int | None:
        year = self.cleaned_data.get("birth_year")
        this_year = _this_year()
        if year is not None and not this_year - 100 <= year <= this_year - 15:
            raise forms.ValidationError(
                _("Enter a year of birth between %(a)d and %(b)d.")
                % {"a": this_year - 100, "b": this_year - 15}
            )
        return year


class SupporterFilterForm(TsunagiForm):
    STATUSES = [
        ("", _("All")),
        ("training", _("In training")),
        ("completed", _("Trained, consent not signed")),
        ("registered", _("Registered (on the roster)")),
        ("withdrawn", _("Withdrawn")),
    ]
    q = forms.CharField(label=_("Name or kana"), max_length=100, required=False)
    status = forms.ChoiceField(label=_("status"), choices=STATUSES, required=False)
    peer = forms.ChoiceField(
        label=_("peer supporter"),
        choices=[("", _("All")), ("any", _("Peer supporters")), *PeerBackground.choices[1:]],
        required=False,
    )
    area = forms.ModelChoiceField(
        label=_("area they can cover"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("All areas"),
    )

    def __init__(self, *args: Any, prefecture_ids: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        from tsunagi.jurisdictions.models import Municipality

        _choice(self, "area").queryset = Municipality.objects.filter(
            prefecture_id__in=list(prefecture_ids)
        ).order_by("code")


class ConsentForm(TsunagiForm):
    """Rule S2: the signed consent, after the explanation shown on the form."""

    signed_on = JapaneseDateField(label=_("consent to act signed on"))
    explained = forms.BooleanField(
        label=_(
            "I explained that the supporter's name, contact details, areas, availability and "
            "training go to the municipalities that dispatch supporters, and they signed."
        ),
        required=False,
    )


class WithdrawForm(TsunagiForm):
    withdrawn_on = JapaneseDateField(label=_("withdrew on"), required=False)
    reason = forms.CharField(label=_("why they withdrew"), max_length=200)


class AccountForm(TsunagiForm):
    username = forms.CharField(label=_("user name"), max_length=150)
    password = forms.CharField(
        label=_("first password"),
        widget=forms.PasswordInput(render_value=True),
        help_text=_("Give it to the supporter in person; they change it at the first login."),
    )


# --- the roster (rule S3) -------------------------------------------------------------------


class RosterGiveForm(TsunagiForm):
    agency = forms.ModelChoiceField(
        label=_("municipal office"),
        queryset=None,  # type: ignore[arg-type]
        help_text=_("The municipality's office or programme that runs or plans dispatch."),
    )
    dispatch_status = forms.ChoiceField(
        label=_("dispatch programme"), choices=RosterReleaseKind.choices, widget=forms.RadioSelect
    )
    given_on = JapaneseDateField(label=_("given on"), required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args: Any, prefecture_ids: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        from tsunagi.agencies.models import Agency, AgencyKind

        _choice(self, "agency").queryset = Agency.objects.filter(
            prefecture_id__in=list(prefecture_ids),
            kind__in=(AgencyKind.MUNICIPAL_OFFICE, AgencyKind.HIKIKOMORI_PROGRAMME),
            operator_municipality__isnull=False,
            is_active=True,
        ).order_by("operator_municipality__code", "name")


# --- the municipality's forms (dispatch, S3-S8) follow ----------------------------------------
