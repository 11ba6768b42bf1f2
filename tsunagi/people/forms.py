"""Forms of the people screens: every text width-normalised, dates in either calendar."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagi.agencies.forms import MunicipalityChoiceField
from tsunagi.agencies.models import Agency
from tsunagi.jurisdictions.models import Municipality
from tsunagi.web.forms import (
    JapaneseDateField,
    PhoneField,
    PostalCodeField,
    TsunagiForm,
    TsunagiModelForm,
    _choice,
)

from .choices import (
    Channel,
    Connection,
    ContactMethod,
    Initiator,
    Problem,
    Relationship,
    Screening,
    Sex,
    Urgency,
)
from .models import SPECIAL_CARE_FIELDS, Assessment, Case, Person
from .services import ASSESSMENT_FIELDS, PERSON_FIELDS

# Urgent matters hold for today only: a new assessment does not copy them from the last one.
NOT_CARRIED_OVER = ("no_food", "no_shelter", "suicidal_thoughts")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        kana = f"（{obj.full_name_kana}）" if obj.full_name_kana else ""
        return f"{obj.full_name}{kana}"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name())


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name())


class PersonSearchForm(TsunagiForm):
    q = forms.CharField(
        label=_("Name, reading or phone number"),
        required=False,
        max_length=100,
        help_text=_("Kanji, hiragana, katakana or half-width kana; or the phone digits."),
    )
    birth_date = JapaneseDateField(
        label=_("date of birth"),
        required=False,
        help_text=_("令和/平成/昭和 or the Western year: 昭和48年4月1日, S48.4.1, 1973-04-01."),
    )


class PersonForm(TsunagiModelForm):
    """A person's details; `allow_duplicate` appears once the agency may already know them."""

    sex = forms.ChoiceField(
        label=_("sex"),
        choices=Sex.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("As the person states it; leave as not stated if unknown."),
    )
    birth_date = JapaneseDateField(
        label=_("date of birth"),
        required=False,
        help_text=_("For example 昭和48年4月1日, S48.4.1 or 1973-04-01. The age is computed."),
    )
    postal_code = PostalCodeField(label=_("postal code"), required=False)
    phone = PhoneField(label=_("phone"), required=False, max_length=20)
    mobile = PhoneField(label=_("mobile phone"), required=False, max_length=20)
    preferred_contact = forms.MultipleChoiceField(
        label=_("preferred ways of contact"),
        choices=ContactMethod.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    avoided_contact = forms.MultipleChoiceField(
        label=_("ways of contact to avoid"),
        choices=ContactMethod.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A withdrawn person may not want a phone call or a visit."),
    )
    allow_duplicate = forms.BooleanField(
        label=_("Register anyway: this is a different person"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = list(PERSON_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(
        self,
        *args: Any,
        agency: Agency | None = None,
        agencies: QuerySet[Agency] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if agencies is not None and agencies.count() > 1:
            # Someone working in two agencies says which one the person is registered with.
            self.fields["agency"] = forms.ModelChoiceField(
                label=_("agency"), queryset=agencies, initial=agency
            )
        agency = agency or (self.instance.agency if self.instance.agency_id else None)
        municipalities = Municipality.objects.filter(abolished_on__isnull=True)
        near = Q(prefecture_id=agency.prefecture_id) if agency is not None else Q()
        if self.instance.municipality_id:
            near |= Q(pk=self.instance.municipality_id)
        posted = self.data.get("municipality") if self.data else None
        if posted and str(posted).isdigit():
            near |= Q(pk=int(posted))
        self.fields["municipality"] = MunicipalityChoiceField(
            label=_("municipality"),
            queryset=municipalities.filter(near).order_by("code"),
            required=False,
        )
        self.fields["postal_code"].widget.attrs.update(
            {
                "data-postal-lookup": "/api/v1/postal-codes/",
                "autocomplete": "off",
                "inputmode": "numeric",
            }
        )
        for name in ("family_name_kana", "given_name_kana"):
            self.fields[name].help_text = _("Hiragana, katakana or half-width kana.")
        self.fields["estimated_age"].help_text = _(
            "Only when the date of birth is not known (for example 50 for 'about fifty')."
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        birth = data.get("birth_date")
        if birth and birth > timezone.localdate():
            self.add_error("birth_date", _("The date of birth is in the future."))
        if birth and data.get("estimated_age") is not None:
            self.add_error(
                "estimated_age",
                _("Enter either the date of birth or an estimated age, not both."),
            )
        both = set(data.get("preferred_contact") or []) & set(data.get("avoided_contact") or [])
        if both:
            labels = "、".join(str(ContactMethod(v).label) for v in sorted(both))
            self.add_error(
                "avoided_contact",
                _("%(ways)s cannot be both a preferred and an avoided way of contact.")
                % {"ways": labels},
            )
        return data

    def person_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class NewMemberForm(PersonForm):
    """A household member registered on the spot: the person's main details and relationship."""

    relationship = forms.ChoiceField(label=_("relationship"), choices=Relationship.choices)

    class Meta(PersonForm.Meta):
        fields = [
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "sex",
            "birth_date",
            "estimated_age",
            "phone",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("postal_code", "mobile", "municipality", "version"):
            self.fields.pop(name, None)
        for name in ("preferred_contact", "avoided_contact", "address", "email", "contact_notes"):
            self.fields.pop(name, None)
        self.order_fields(["relationship"])


class HouseholdForm(TsunagiForm):
    name = forms.CharField(
        label=_("name of the household"),
        max_length=100,
        help_text=_("For example: 山田 世帯"),
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NewHouseholdForm(HouseholdForm):
    relationship = forms.ChoiceField(
        label=_("the person's relationship in the household"),
        choices=Relationship.choices,
        initial=Relationship.SELF,
        help_text=_("The reference person is usually the person consulted about."),
    )


class ExistingMemberForm(TsunagiForm):
    person = forms.IntegerField(widget=forms.HiddenInput)
    relationship = forms.ChoiceField(label=_("relationship"), choices=Relationship.choices)


class IntakeForm(TsunagiForm):
    """The intake's problem checklist (相談受付・申込票) asked when a contact opens a case."""

    problems = forms.MultipleChoiceField(
        label=_("problems"),
        choices=Problem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    main_problem = forms.ChoiceField(
        label=_("main problem"),
        choices=[("", _("Choose the main problem")), *Problem.choices],
        required=False,
    )
    problem_notes = forms.CharField(
        label=_("problem in the caller's words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def case_data(self) -> dict[str, Any]:
        return {
            "problems": list(self.cleaned_data.get("problems") or []),
            "main_problem": self.cleaned_data.get("main_problem") or "",
            "problem_notes": self.cleaned_data.get("problem_notes") or "",
        }


class ContactForm(TsunagiForm):
    """相談・支援記録: date in 和暦 or 西暦 and a time; who called, who took it, what was heard."""

    occurred_on = JapaneseDateField(
        label=_("date"), help_text=_("For example 令和7年4月1日, R7.4.1 or 2025-04-01.")
    )
    occurred_time = forms.TimeField(
        label=_("time of day"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    channel = forms.ChoiceField(
        label=_("channel"), choices=Channel.choices, widget=forms.RadioSelect
    )
    initiator = forms.ChoiceField(
        label=_("contact made by"), choices=Initiator.choices, widget=forms.RadioSelect
    )
    initiator_person = PersonChoiceField(
        label=_("caller (household member)"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Not a household member / not recorded"),
    )
    initiator_name = forms.CharField(
        label=_("caller's name or body"),
        required=False,
        max_length=100,
        help_text=_("For example the agency or welfare commissioner who called."),
    )
    staff = StaffChoiceField(label=_("staff"), queryset=get_user_model().objects.none())
    duration_minutes = forms.IntegerField(
        label=_("duration (minutes)"), required=False, min_value=0, max_value=1440
    )
    summary = forms.CharField(label=_("summary"), max_length=200)
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    urgent = forms.MultipleChoiceField(
        label=_("urgent matters heard"),
        choices=Urgency.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each ticked item raises a flag on the case until it is resolved (R8)."),
    )

    def __init__(
        self, *args: Any, callers: QuerySet[Person], staff: QuerySet[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "initiator_person").queryset = callers
        _choice(self, "staff").queryset = staff

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, time = data.get("occurred_on"), data.get("occurred_time")
        if day and time:
            when = timezone.make_aware(datetime.datetime.combine(day, time))
            if when > timezone.now() + datetime.timedelta(minutes=5):
                self.add_error("occurred_on", _("A contact cannot be recorded in the future."))
            data["occurred_at"] = when
        return data

    def contact_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "occurred_at": data["occurred_at"],
            "channel": data["channel"],
            "initiator": data["initiator"],
            "initiator_person": data.get("initiator_person"),
            "initiator_name": data.get("initiator_name") or "",
            "staff": data["staff"],
            "duration_minutes": data.get("duration_minutes"),
            "summary": data["summary"],
            "notes": data.get("notes") or "",
            "urgent": list(data.get("urgent") or []),
        }

    @staticmethod
    def initial_for(contact: Any = None, *, staff: Any = None) -> dict[str, Any]:
        if contact is None:
            now = timezone.localtime()
            return {
                "occurred_on": now.date(),
                "occurred_time": now.time().replace(second=0, microsecond=0),
                "staff": staff,
            }
        when = timezone.localtime(contact.occurred_at)
        return {
            "occurred_on": when.date(),
            "occurred_time": when.time().replace(second=0, microsecond=0),
            "channel": contact.channel,
            "initiator": contact.initiator,
            "initiator_person": contact.initiator_person_id,
            "initiator_name": contact.initiator_name,
            "staff": contact.staff_id,
            "duration_minutes": contact.duration_minutes,
            "summary": contact.summary,
            "notes": contact.notes,
            "urgent": contact.urgent,
        }


class CaseForm(TsunagiModelForm):
    """Problems, screening outcome, accompaniment, closing; a case never has to close (C)."""

    problems = forms.MultipleChoiceField(
        label=_("problems"),
        choices=Problem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    screening = forms.ChoiceField(
        label=_("screening outcome"),
        choices=Screening.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    screened_on = JapaneseDateField(label=_("screened on"), required=False)
    closed_on = JapaneseDateField(
        label=_("closed on"),
        required=False,
        help_text=_(
            "Leave empty to keep the case open. A case never has to close: staying connected "
            "is support too."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Case
        fields = [
            "problems",
            "main_problem",
            "problem_notes",
            "screening",
            "screened_on",
            "handed_to",
            "accompaniment",
            "closed_on",
            "close_reason",
        ]
        widgets = {"problem_notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        for name in ("screened_on", "closed_on"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("This date is in the future."))
        return data

    def case_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data["problems"] = list(data["problems"] or [])
        for name in ("main_problem", "problem_notes", "screening", "handed_to", "close_reason"):
            data[name] = data[name] or ""
        data["accompaniment"] = bool(data["accompaniment"])
        return data


class RestrictionForm(TsunagiForm):
    is_restricted = forms.BooleanField(
        label=_("restricted to assigned staff"),
        required=False,
        help_text=_("A sensitive case (for example DV): only its assigned staff and managers."),
    )
    assigned_staff = StaffMultipleChoiceField(
        label=_("assigned staff"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, staff: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "assigned_staff").queryset = staff


class FlagResolveForm(TsunagiForm):
    resolution = forms.CharField(
        label=_("how it was resolved"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write how the flag was resolved.")},
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False)


class AssessmentForm(TsunagiModelForm):
    """インテーク・アセスメント in the sections of the sheet; special-care fields are marked."""

    assessed_on = JapaneseDateField(label=_("assessed on"))
    withdrawn_since = JapaneseDateField(
        label=_("withdrawn since"),
        required=False,
        help_text=_("Approximate is fine: the first of the month or year."),
    )
    connections = forms.MultipleChoiceField(
        label=_("still connected with"),
        choices=Connection.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick what the person still has; what is not ticked counts as isolation."),
    )
    isolation_asked = forms.BooleanField(
        label=_("isolation was asked about"),
        required=False,
        initial=True,
        help_text=_("Untick while you could not ask: nothing ticked then means not known."),
    )

    class Meta:
        model = Assessment
        fields = list(ASSESSMENT_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ASSESSMENT_FIELDS
            if name.endswith("_notes") or name in ("wishes", "notes")
        }

    SECTIONS = (
        (_("Assessment"), ("assessed_on", "informant")),
        (_("Employment"), ("employment", "employment_notes")),
        (
            _("Physical and mental health"),
            (
                "physical_health",
                "physical_health_notes",
                "mental_health",
                "depression",
                "mental_health_notes",
            ),
        ),
        (_("Community and isolation"), ("isolation_asked", "connections", "isolation_notes")),
        (
            _("Household finance, debt and housing"),
            (
                "finance",
                "monthly_income",
                "income_sources",
                "arrears",
                "debt",
                "debt_notes",
                "housing",
                "housing_notes",
            ),
        ),
        (
            _("Family and care of others"),
            (
                "family_conflict",
                "family_notes",
                "household_member_needs_care",
                "cares_for_elderly",
                "cares_for_children",
                "care_notes",
            ),
        ),
        (_("Possible disability"), ("disability", "disability_notes")),
        (_("Children"), ("children_concern", "children_notes")),
        (_("Hikikomori state"), ("withdrawn_since", "going_out", "hikikomori_notes")),
        (_("DV, abuse and criminal record"), ("dv_abuse", "dv_notes", "criminal_record_notes")),
        (
            _("Urgent matters (R8)"),
            ("no_food", "no_shelter", "suicidal_thoughts", "suicide_attempt"),
        ),
        (_("The person's wishes"), ("wishes", "notes")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["monthly_income"].widget.attrs.update({"inputmode": "numeric"})
        for name in SPECIAL_CARE_FIELDS:
            if name in self.fields:
                self.fields[name].special_care = True  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        if data.get("assessed_on") and data["assessed_on"] > today:
            self.add_error("assessed_on", _("An assessment cannot be dated in the future."))
        if data.get("withdrawn_since") and data["withdrawn_since"] > today:
            self.add_error("withdrawn_since", _("This date is in the future."))
        return data

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def assessment_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in ASSESSMENT_FIELDS}
        asked = self.cleaned_data.get("isolation_asked")
        data["connections"] = list(data["connections"] or []) if asked else None
        return data

    @staticmethod
    def initial_from(latest: Assessment | None) -> dict[str, Any]:
        """The latest assessment's answers, dated today, without today's urgent matters."""
        initial: dict[str, Any] = {"assessed_on": timezone.localdate()}
        if latest is not None:
            for name in ASSESSMENT_FIELDS:
                if name not in NOT_CARRIED_OVER and name != "assessed_on":
                    initial[name] = getattr(latest, name)
            initial["isolation_asked"] = latest.connections is not None
        return initial
