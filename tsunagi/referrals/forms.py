"""Forms of the referral screens: drafting and changing one, the inputs some steps need (the
consent to attach, the kind of reason and the reason, the person at the receiving agency, how
the answer of a receiver without an account came), and the agency's reminder settings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagi.agencies.models import Agency
from tsunagi.web.forms import JapaneseDateField, TsunagiForm, _choice, _choices
from tsunagi.web.templatetags.wareki import wareki

from .models import AnswerChannel, DeclineReason, ReminderSettings

NEW_PERSON = "new"


class AgencyChoiceField(forms.ModelChoiceField):
    """An agency with its kind; one nobody works for in tsunagi is marked: it gets a letter."""

    by_letter: frozenset[int] = frozenset()

    def label_from_instance(self, obj: Any) -> str:
        label = f"{obj.name}（{obj.get_kind_display()}）"
        if obj.pk in self.by_letter:
            label += " — " + str(_("referral letter (紹介状)"))
        return label


def _wishes_field() -> forms.CharField:
    return forms.CharField(
        label=_("the person's wishes, in their words"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Rule R1: needed before sending, as the person said it."),
    )


def _heard_on_field() -> JapaneseDateField:
    return JapaneseDateField(
        label=_("wishes heard on"),
        required=False,
        help_text=_("The day the person said it (令和7年4月1日, R7.4.1 or 2025-04-01)."),
    )


def _support_ends_field() -> JapaneseDateField:
    return JapaneseDateField(
        label=_("our support ends on"),
        required=False,
        help_text=_(
            "For a hand-over only: the day your agency's support ends. The days until the "
            "receiving agency's first contact are counted as the gap (rule R5)."
        ),
    )


def _purpose_field() -> forms.CharField:
    return forms.CharField(
        label=_("purpose and what is asked of the receiving agency"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what is asked of the receiving agency.")},
    )


class ReferralForm(TsunagiForm):
    """紹介（つなぎ）の下書き: the receiving agency and what is asked of it."""

    to_agency = AgencyChoiceField(
        label=_("receiving agency"),
        queryset=Agency.objects.none(),
        empty_label=_("Choose the receiving agency"),
        error_messages={"required": _("Choose the receiving agency.")},
    )
    purpose = _purpose_field()
    wishes = _wishes_field()
    wishes_heard_on = _heard_on_field()
    support_ends_on = _support_ends_field()
    rule = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        agencies: QuerySet[Agency],
        by_letter: Iterable[int] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = cast(AgencyChoiceField, self.fields["to_agency"])
        field.queryset = agencies
        field.by_letter = frozenset(by_letter)


class ReferralEditForm(TsunagiForm):
    """What may change until the referral is sent (services.EDITABLE)."""

    purpose = _purpose_field()
    wishes = _wishes_field()
    wishes_heard_on = _heard_on_field()
    support_ends_on = _support_ends_field()
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def referral_data(self) -> dict[str, Any]:
        keys = ("purpose", "wishes", "wishes_heard_on", "support_ends_on")
        return {k: self.cleaned_data[k] for k in keys}


class ConsentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        period = f"{wareki(obj.given_on)}〜{wareki(obj.valid_until)}"
        return f"{obj.recipient_label}: {obj.kinds_label}（{period}）"


class ConsentChoiceForm(TsunagiForm):
    """The person's consent that names the receiving agency (rule P1)."""

    consent = ConsentChoiceField(
        label=_("consent"),
        queryset=None,
        empty_label=_("Choose the consent"),
        error_messages={"required": _("Choose the person's consent that names this agency.")},
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, consents: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "consent").queryset = consents


def _channel_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("how the answer came"),
        choices=AnswerChannel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the answer came.")},
    )


class AnswerForm(TsunagiForm):
    """An answer of a receiver without an account, recorded by the referring agency: how it
    came (phone, the returned letter slip, …)."""

    answered_via = _channel_field()


class ReasonForm(TsunagiForm):
    """Cancelling needs the reason, in words."""

    reason = forms.CharField(
        label=_("reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the reason.")},
    )


class DeclineForm(TsunagiForm):
    """Declining: the kind of reason (counted in the statistics) and the reason in words (kept);
    for a receiver without an account also how its answer came."""

    category = forms.ChoiceField(
        label=_("kind of reason"),
        choices=[("", _("Choose the kind of reason")), *DeclineReason.choices],
        error_messages={"required": _("Choose the kind of reason.")},
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the reason.")},
    )
    answered_via = _channel_field()

    def __init__(self, *args: Any, on_behalf: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not on_behalf:
            del self.fields["answered_via"]


class AccompanimentForm(TsunagiForm):
    """同行: whether the referring agency's staff went with the person to the first meeting."""

    accompanied = forms.BooleanField(
        label=_("accompanied to the first meeting (同行)"), required=False
    )
    accompaniment_notes = forms.CharField(
        label=_("accompaniment: notes"),
        max_length=200,
        required=False,
        help_text=_("For example who went with the person."),
    )


class LetterFirstContactForm(AccompanimentForm):
    """The first contact of a receiver without an account, as the referring agency was told."""

    occurred_on = JapaneseDateField(
        label=_("day of the first contact"),
        error_messages={"required": _("Enter the day of the first contact.")},
    )
    answered_via = _channel_field()
    field_order = ["occurred_on", "answered_via", "accompanied", "accompaniment_notes"]


class AcceptForm(TsunagiForm):
    """Who the referred person is in the receiving agency's OWN records: one of the candidates
    found inside the agency, or a new registration from the identity received."""

    person = forms.ChoiceField(
        label=_("the person in your agency's records"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a person or register a new one.")},
    )

    def __init__(
        self, *args: Any, candidates: list[tuple[str, str]], may_register: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = list(candidates)
        if may_register:
            choices.append((NEW_PERSON, str(_("Register as a new person"))))
        _choices(self, "person").choices = choices
        if may_register and not candidates:
            self.fields["person"].initial = NEW_PERSON


def _days_field(label: Any, help_text: Any) -> forms.IntegerField:
    message = _("Enter a whole number from 1 to 365.")
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=1,
        max_value=365,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={k: message for k in ("required", "invalid", "min_value", "max_value")},
    )


class ReminderSettingsForm(TsunagiForm):
    """After how many days the agency's referrals show a reminder (business days) and a
    hand-over counts as waiting too long (calendar days, rule R5)."""

    days_to_receive = _days_field(
        ReminderSettings._meta.get_field("days_to_receive").verbose_name,
        _("Business days: weekends, national holidays and 29 December–3 January do not count."),
    )
    days_to_answer = _days_field(
        ReminderSettings._meta.get_field("days_to_answer").verbose_name,
        _("Business days, counted from the day it was received."),
    )
    days_to_first_contact = _days_field(
        ReminderSettings._meta.get_field("days_to_first_contact").verbose_name,
        _("Business days, counted from the day it was accepted."),
    )
    handover_days = _days_field(
        ReminderSettings._meta.get_field("handover_days").verbose_name,
        _("Calendar days after the referring agency's support ends (rule R5)."),
    )
