"""Forms of the consent and sharing screens: every text width-normalised, dates in either
calendar (令和7年4月1日, R7.4.1, 2025-04-01). The services validate; these only parse."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagi.access.kinds import InfoKind
from tsunagi.access.models import EMERGENCY_GROUNDS, GrantKind
from tsunagi.access.services import DEFAULT_EMERGENCY_HOURS, MAX_EMERGENCY_HOURS
from tsunagi.agencies.models import Agency, AgencyKind
from tsunagi.meetings.models import Meeting, MeetingKind
from tsunagi.web.forms import JapaneseDateField, TsunagiForm, _choice
from tsunagi.web.wareki import format_wareki

from .models import Giver, Method

# The four ordinary kinds; special-care information is asked for separately (access.md).
ORDINARY_KINDS = [(k.value, k.label) for k in InfoKind if k != InfoKind.SPECIAL_CARE]
DATE_HELP = _("令和/平成 or the Western year: 令和7年4月1日, R7.4.1, 2025-04-01.")


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return f"{obj.name}（{obj.prefecture.name}）" if obj.prefecture_id else obj.name


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Meeting) -> str:
        return f"{format_wareki(obj.held_on)} {obj.title}（{obj.agency.name}）"


# How far back a support coordination meeting is still offered as a consent's recipient.
RECENT_MEETING_DAYS = 90


def coordination_meetings(agency_id: int) -> QuerySet[Meeting]:
    """Support coordination meetings the agency sits at, upcoming or of the last 90 days."""
    since = timezone.localdate() - timedelta(days=RECENT_MEETING_DAYS)
    return (
        Meeting.objects.filter(kind=MeetingKind.COORDINATION, members=agency_id, held_on__gte=since)
        .select_related("agency")
        .order_by("held_on", "pk")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


def other_agencies(own_agency_id: int) -> QuerySet[Agency]:
    """The registry, without the owning agency (nobody shares with itself)."""
    return (
        Agency.objects.exclude(pk=own_agency_id)
        .select_related("prefecture")
        .order_by("prefecture__code", "name")
    )


class ConsentForm(TsunagiForm):
    """Rule P1: who consents, to which agency, for what purpose, which kinds, how long, how."""

    given_by = forms.ChoiceField(
        label=_("consent given by"),
        choices=Giver.choices,
        initial=Giver.SUBJECT,
        widget=forms.RadioSelect,
        help_text=_(
            "A family member who calls is not the person: an adult consents themself, or through "
            "a guardian appointed by the court."
        ),
    )
    representative_name = forms.CharField(
        label=_("representative's name"), max_length=100, required=False
    )
    representative_relationship = forms.CharField(
        label=_("representative's standing"),
        max_length=100,
        required=False,
        help_text=_("For example: 成年後見人, 母."),
    )
    recipient_agency = AgencyChoiceField(
        label=_("receiving agency"), queryset=Agency.objects.none(), required=False
    )
    recipient_kind = forms.ChoiceField(
        label=_("or any agency of the kind"),
        choices=[("", "—"), *AgencyKind.choices],
        required=False,
        help_text=_("Only when the consent names a kind of agency rather than one agency."),
    )
    recipient_meeting = MeetingChoiceField(
        label=_("or the members of a support coordination meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label="—",
        help_text=_(
            "The person agrees that the member agencies of this meeting (支援調整会議) share the "
            "information, for the meeting. Upcoming meetings and those of the last 90 days."
        ),
    )
    purpose = forms.CharField(label=_("purpose"), max_length=300)
    kinds = forms.MultipleChoiceField(
        label=_("kinds of information"),
        choices=ORDINARY_KINDS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    special_care = forms.BooleanField(
        label=_("Special-care information (health, disability, DV, criminal record)"),
        required=False,
        help_text=_(
            "要配慮個人情報. Tick only when the person agreed to share it too; without it the "
            "receiving agency sees the situation but not the diagnosis."
        ),
    )
    given_on = JapaneseDateField(label=_("given on"), help_text=DATE_HELP)
    valid_until = JapaneseDateField(label=_("valid until"), help_text=DATE_HELP)
    method = forms.ChoiceField(label=_("method"), choices=Method.choices, widget=forms.RadioSelect)
    scan = forms.FileField(label=_("scan of the signed form"), required=False)
    witness = StaffChoiceField(label=_("witness"), queryset=Agency.objects.none(), required=False)
    notes = forms.CharField(
        label=_("notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, agency_id: int, staff: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "recipient_agency").queryset = other_agencies(agency_id)
        _choice(self, "recipient_meeting").queryset = coordination_meetings(agency_id)
        _choice(self, "witness").queryset = staff

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        named = [
            k for k in ("recipient_agency", "recipient_kind", "recipient_meeting") if data.get(k)
        ]
        if len(named) > 1:
            # rule P1: the consent names whom the information goes to, in one way
            self.add_error(
                named[-1],
                _(
                    "Name one recipient: an agency, a kind of agency, or a support coordination "
                    "meeting."
                ),
            )
        return data

    @property
    def needs_representative(self) -> bool:
        given_by = self["given_by"].value()
        return bool(given_by) and given_by != Giver.SUBJECT

    def consent_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("special_care", "scan")}
        kinds = list(data.get("kinds") or [])
        if self.cleaned_data.get("special_care"):
            kinds.append(InfoKind.SPECIAL_CARE.value)
        data["kinds"] = kinds
        return data


class WithdrawForm(TsunagiForm):
    note = forms.CharField(
        label=_("how the withdrawal was expressed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("For example: 本人から電話で撤回の申し出."),
    )


class ExplanationForm(TsunagiForm):
    """Rule P2: the explanation at intake and whether the person understood and agreed."""

    explained_on = JapaneseDateField(label=_("explained on"), help_text=DATE_HELP)
    understood = forms.BooleanField(
        label=_("the person understood and agreed"), required=False, initial=True
    )
    agreed_handling = forms.CharField(
        label=_("how the information is to be handled, as agreed with the person"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Needed when the person did not agree."),
    )


class ShareForm(TsunagiForm):
    """Rule P1: co-support with an agency the consent names, for kinds the consent names."""

    receiving_agency = AgencyChoiceField(
        label=_("receiving agency"), queryset=Agency.objects.none()
    )
    kinds = forms.MultipleChoiceField(
        label=_("kinds of information"), widget=forms.CheckboxSelectMultiple
    )
    purpose = forms.CharField(label=_("purpose"), max_length=200, required=False)

    def __init__(self, *args: Any, consent: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = other_agencies(consent.agency_id)
        if consent.recipient_agency_id:
            agencies = agencies.filter(pk=consent.recipient_agency_id)
        else:
            agencies = agencies.filter(kind=consent.recipient_kind)
        _choice(self, "receiving_agency").queryset = agencies
        labels = dict(InfoKind.choices)
        kinds = self.fields["kinds"]
        assert isinstance(kinds, forms.MultipleChoiceField)
        kinds.choices = [(k, labels[k]) for k in consent.kinds if k in labels]


class EmergencyForm(TsunagiForm):
    """Rule P5: sharing without consent, on a legal ground, with a reason, for hours."""

    receiving_agency = AgencyChoiceField(
        label=_("receiving agency"), queryset=Agency.objects.none()
    )
    legal_ground = forms.ChoiceField(
        label=_("legal ground"),
        choices=[("", "—")] + [(g.value, g.label) for g in EMERGENCY_GROUNDS],
    )
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the information must be shared now, without the person's consent."),
    )
    hours = forms.IntegerField(
        label=_("hours"),
        min_value=1,
        max_value=MAX_EMERGENCY_HOURS,
        initial=DEFAULT_EMERGENCY_HOURS,
        help_text=_("Between 1 and 24 hours; the access ends by itself."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("kinds of information"),
        choices=list(InfoKind.choices),
        widget=forms.CheckboxSelectMultiple,
        initial=[InfoKind.IDENTITY.value, InfoKind.SITUATION.value],
    )

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "receiving_agency").queryset = other_agencies(agency_id)


class EndGrantForm(TsunagiForm):
    reason = forms.CharField(label=_("why the sharing ends"), max_length=200)


class GrantFilterForm(TsunagiForm):
    direction = forms.ChoiceField(
        label=_("direction"),
        choices=[("", _("given and received")), ("given", _("given")), ("received", _("received"))],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("ground"), choices=[("", "—"), *GrantKind.choices], required=False
    )
    active = forms.BooleanField(label=_("in force only"), required=False)
