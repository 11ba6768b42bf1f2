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

from tsunagi.agencies.models import Agency, AgencyKind
from tsunagi.jurisdictions.models import Municipality
from tsunagi.web.forms import (
    JapaneseDateField,
    PhoneField,
    PostalCodeField,
    TsunagiForm,
    _choice,
    _choices,
)
from tsunagi.web.wareki import format_wareki

from .models import (
    ConsentMethod,
    CourseKind,
    Language,
    PeerBackground,
    Requester,
    RosterReleaseKind,
    SessionFormat,
    Slot,
    StopRequester,
    SupporterSex,
)

# --- training (rule S1) ---------------------------------------------------------------------


def slots_field(label: Any) -> forms.MultipleChoiceField:
    """The weekly time slots as check boxes (a supporter's availability, a request's wish)."""
    return forms.MultipleChoiceField(
        label=label, choices=Slot.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


def languages_field() -> forms.MultipleChoiceField:
    """The languages as check boxes (a supporter's, a request's wish)."""
    return forms.MultipleChoiceField(
        label=_("languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


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
        data = super().clean() or {}
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
        label=_("lives in"), queryset=Municipality.objects.none(), required=False
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
        queryset=Municipality.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = slots_field(_("available"))
    languages = languages_field()
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
        queryset=Municipality.objects.none(),
        required=False,
        empty_label=_("All areas"),
    )

    def __init__(self, *args: Any, prefecture_ids: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
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
        queryset=Agency.objects.none(),
        help_text=_("The municipality's office or programme that runs or plans dispatch."),
    )
    dispatch_status = forms.ChoiceField(
        label=_("dispatch programme"), choices=RosterReleaseKind.choices, widget=forms.RadioSelect
    )
    given_on = JapaneseDateField(label=_("handed over on"), required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args: Any, prefecture_ids: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        _choice(self, "agency").queryset = Agency.objects.filter(
            prefecture_id__in=list(prefecture_ids),
            kind__in=(AgencyKind.MUNICIPAL_OFFICE, AgencyKind.HIKIKOMORI_PROGRAMME),
            operator_municipality__isnull=False,
            is_active=True,
        ).order_by("operator_municipality__code", "name")


# --- the municipality's forms (dispatch, S3-S8) follow ----------------------------------------


class RosterConfirmForm(TsunagiForm):
    """Rule S3: the municipality confirms again each supporter's wish to act."""

    wishes_to_act = forms.TypedChoiceField(
        label=_("Does the supporter wish to act for this municipality?"),
        choices=(("yes", _("Yes, confirmed")), ("no", _("No longer acts here"))),
        widget=forms.RadioSelect,
    )
    on = JapaneseDateField(label=_("confirmed on"), required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class DispatchRequestForm(TsunagiForm):
    """Rule S4: the request of the person or the family, the person's wish in their words."""

    requested_on = JapaneseDateField(label=_("requested on"))
    requested_by = forms.ChoiceField(
        label=_("asked by"), choices=Requester.choices, widget=forms.RadioSelect
    )
    requester_name = forms.CharField(
        label=_("name of the family member who asked"), max_length=100, required=False
    )
    person_wish = forms.CharField(
        label=_("the person's wish"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the person wants from a supporter, in their words."),
    )
    wants_sex = forms.ChoiceField(
        label=_("supporter's sex asked for"),
        choices=[("", _("No preference"))] + [(v, lbl) for v, lbl in SupporterSex.choices if v],
        required=False,
    )
    wants_peer = forms.BooleanField(label=_("a peer supporter asked for"), required=False)
    wanted_slots = slots_field(_("when visits suit"))
    wanted_languages = languages_field()
    request_notes = forms.CharField(
        label=_("notes on the request"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("requested_by") == Requester.FAMILY and not data.get("requester_name"):
            self.add_error("requester_name", _("Enter the name of the family member who asked."))
        return data


class PersonSearchForm(TsunagiForm):
    q = forms.CharField(label=_("Name or kana"), max_length=100, required=False)


class NewPersonForm(TsunagiForm):
    """The few details needed to register the household's person in the office."""

    family_name = forms.CharField(label=_("family name"), max_length=50)
    given_name = forms.CharField(label=_("given name"), max_length=50, required=False)
    family_name_kana = forms.CharField(
        label=_("family name (kana)"), max_length=100, required=False
    )
    given_name_kana = forms.CharField(label=_("given name (kana)"), max_length=100, required=False)
    postal_code = PostalCodeField(label=_("postal code"), required=False)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    phone = PhoneField(label=_("phone"), max_length=20, required=False)
    register_anyway = forms.BooleanField(
        label=_("This is a different person: register anyway"), required=False
    )


class PlanForm(TsunagiForm):
    """Rule S4: the dispatch plan (派遣目的・活動計画・活動内容)."""

    purpose = forms.CharField(label=_("purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    activity_plan = forms.CharField(
        label=_("activity plan"), widget=forms.Textarea(attrs={"rows": 4})
    )
    activities = forms.CharField(label=_("activities"), widget=forms.Textarea(attrs={"rows": 4}))
    starts_on = JapaneseDateField(label=_("from"), required=False)
    ends_on = JapaneseDateField(label=_("until"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The dispatch ends before it starts."))
        return data


class ConsentsForm(TsunagiForm):
    """Rule S4: both consents to the dispatch plan, each with its date."""

    person_consent_on = JapaneseDateField(label=_("person's consent on"), required=False)
    person_consent_by = forms.ChoiceField(
        label=_("consent given by"), choices=Requester.choices, widget=forms.RadioSelect
    )
    person_consent_method = forms.ChoiceField(
        label=_("how the person consented"), choices=ConsentMethod.choices, widget=forms.RadioSelect
    )
    supporter_consent_on = JapaneseDateField(label=_("supporter's consent on"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("person_consent_on") and not data.get("supporter_consent_on"):
            self.add_error("person_consent_on", _("Enter the date of at least one consent."))
        return data


class StopForm(TsunagiForm):
    """Rule S5: one action on a request to stop; the reason is kept."""

    requested_by = forms.ChoiceField(
        label=_("stop asked by"), choices=StopRequester.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("reason for stopping"), widget=forms.Textarea(attrs={"rows": 3})
    )


class EndForm(TsunagiForm):
    summary = forms.CharField(
        label=_("How the dispatch ended"), widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CancelForm(TsunagiForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class GuidanceForm(TsunagiForm):
    """Rule S6: advice to the supporter, per dispatch or per visit report."""

    text = forms.CharField(label=_("advice"), widget=forms.Textarea(attrs={"rows": 4}))
    report = forms.TypedChoiceField(
        label=_("on the visit report"), coerce=int, required=False, empty_value=None
    )
    follow_up_training = forms.BooleanField(label=_("follow-up training advised"), required=False)

    def __init__(self, *args: Any, reports: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "report").choices = [("", _("The dispatch as a whole"))] + [
            (r.pk, format_wareki(r.visited_on)) for r in reports
        ]


class IncidentStepForm(TsunagiForm):
    what = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3}))
    taken_on = JapaneseDateField(label=_("date"), required=False)


class IncidentCloseForm(TsunagiForm):
    """Rule S8: closed after a follow-up step, with how it was resolved."""

    summary = forms.CharField(
        label=_("how it was resolved"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FoundDecisionForm(TsunagiForm):
    """Rule S7: open an intake for the person, or no action for now with the reason."""

    decision = forms.ChoiceField(
        label=_("decision"),
        choices=(("intake", _("Open an intake")), ("none", _("No action for now"))),
        widget=forms.RadioSelect,
    )
    person = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(
        label=_("note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "none" and not data.get("note"):
            self.add_error("note", _("Write why no action is taken for now."))
        if data.get("decision") == "intake" and not data.get("person"):
            self.add_error("decision", _("Choose or register the person first."))
        return data
