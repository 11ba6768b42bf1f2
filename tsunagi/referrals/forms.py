"""Forms of the referral screens: drafting one, and the inputs some steps need (the consent to
attach, a reason, the person at the receiving agency)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagi.agencies.models import Agency
from tsunagi.web.forms import TsunagiForm, _choice, _choices
from tsunagi.web.templatetags.wareki import wareki

NEW_PERSON = "new"


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class ReferralForm(TsunagiForm):
    """紹介（つなぎ）の下書き: the receiving agency and what is asked of it."""

    to_agency = AgencyChoiceField(
        label=_("receiving agency"),
        queryset=Agency.objects.none(),
        empty_label=_("Choose the receiving agency"),
    )
    purpose = forms.CharField(
        label=_("purpose and what is asked of the receiving agency"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    wishes = forms.CharField(
        label=_("the person's wishes, in their words"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Rule R1: needed before sending, as the person said it."),
    )
    rule = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "to_agency").queryset = agencies


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


class ReasonForm(TsunagiForm):
    """Declining or cancelling needs the reason, in words."""

    reason = forms.CharField(
        label=_("reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the reason.")},
    )


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
