"""Forms of the meeting screens: convening a meeting, its members and attendees, putting a case
on its agenda (with the person's consent at a support coordination meeting, rule P1), the
minutes and decision per case, and follow-up tasks. The services validate; these only parse."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagi.access.kinds import InfoKind
from tsunagi.access.policy import CASEWORKERS
from tsunagi.accounts.models import Membership
from tsunagi.agencies.models import Agency
from tsunagi.consent.models import Consent
from tsunagi.people.models import Case
from tsunagi.web.forms import JapaneseDateField, TsunagiForm, _choice
from tsunagi.web.text import to_halfwidth
from tsunagi.web.wareki import format_wareki

from .models import AgendaDecision, AgendaItem, MeetingKind
from .services import DEFAULT_AGENDA_KINDS

_TIME = re.compile(r"^(?:(午前|午後))?\s*(\d{1,2})(?:[:時]\s*(\d{1,2})?分?)?$")


class JapaneseTimeField(forms.Field):
    """14:00, １４：００, 14時, 14時30分, 午後2時 → a time of day."""

    widget = forms.TextInput
    default_error_messages = {"invalid": _("Enter a time such as 14:00 or 14時30分.")}

    def to_python(self, value: Any) -> time | None:
        if value in self.empty_values:
            return None
        if isinstance(value, time):
            return value
        match = _TIME.match(to_halfwidth(str(value)).strip().replace(" ", ""))
        if match is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        half, hour, minute = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        if half == "午後" and hour < 12:
            hour += 12
        if hour > 23 or minute > 59:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return time(hour, minute)

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%H:%M") if isinstance(value, time) else value


class AgencyChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UserChoices(forms.ModelMultipleChoiceField):
    """Users of the member agencies, each with the agencies they work for."""

    workplaces: dict[int, str] = {}

    def label_from_instance(self, obj: Any) -> str:
        where = self.workplaces.get(obj.pk)
        return f"{obj.get_full_name()}（{where}）" if where else str(obj.get_full_name())


def staff_of(agencies: Any) -> tuple[QuerySet[Any], dict[int, str]]:
    """Staff and managers of the agencies, and for each the names of those they work for."""
    rows = (
        Membership.objects.filter(
            agency__in=agencies, is_active=True, role__in=CASEWORKERS, user__is_active=True
        )
        .select_related("agency")
        .order_by("agency__name")
    )
    where: dict[int, list[str]] = {}
    for m in rows:
        where.setdefault(m.user_id, []).append(m.agency.name)  # type: ignore[union-attr]
    users = (
        get_user_model().objects.filter(pk__in=where).order_by("full_name", "username").distinct()
    )
    return users, {pk: "、".join(names) for pk, names in where.items()}


def _set_users(form: forms.BaseForm, name: str, agencies: Any) -> None:
    users, where = staff_of(agencies)
    field = form.fields[name]
    assert isinstance(field, UserChoices)
    field.queryset = users
    field.workplaces = where


class MeetingForm(TsunagiForm):
    """支援調整会議 / 支援会議（法第9条）: when, where, for what, and who sits at it."""

    agency = forms.ModelChoiceField(label=_("convening agency"), queryset=Agency.objects.none())
    kind = forms.ChoiceField(label=_("kind"), choices=MeetingKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("title"), max_length=200)
    held_on = JapaneseDateField(
        label=_("date"), help_text=_("For example 令和7年4月1日, R7.4.1 or 2025-04-01.")
    )
    starts_at = JapaneseTimeField(
        label=_("starts at"), required=False, help_text=_("For example 14:00 or 14時30分.")
    )
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    online = forms.BooleanField(label=_("online"), required=False)
    purpose = forms.CharField(
        label=_("purpose"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    members = AgencyChoices(
        label=_("member agencies"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Your agency is a member in any case."),
    )
    attendees = UserChoices(
        label=_("attendees"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Staff of the member agencies who attend."),
    )
    other_attendees = forms.CharField(
        label=_("other attendees (without an account)"),
        max_length=300,
        required=False,
        help_text=_("For example: 民生委員 1名、ハローワーク担当者."),
    )
    share_days_after = forms.IntegerField(
        label=_("members may see agenda cases for this many days after the meeting"),
        min_value=0,
        max_value=90,
        initial=14,
    )

    def __init__(
        self,
        *args: Any,
        workplaces: QuerySet[Agency],
        others: QuerySet[Agency],
        attendee_agencies: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "agency").queryset = workplaces
        _choice(self, "members").queryset = others
        _set_users(self, "attendees", attendee_agencies)
        self.only_workplace = workplaces.first() if workplaces.count() == 1 else None
        if self.only_workplace is not None:
            # one workplace: it convenes; the field is not asked
            self.fields["agency"].required = False
            self.fields["agency"].widget = forms.HiddenInput()

    def convening_agency(self) -> Agency | None:
        return self.cleaned_data.get("agency") or self.only_workplace

    def meeting_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        keys = ("kind", "title", "held_on", "starts_at", "purpose", "share_days_after")
        return {k: data.get(k) for k in keys} | {
            "place": data.get("place") or "",
            "online": bool(data.get("online")),
            "other_attendees": data.get("other_attendees") or "",
        }


class MeetingEditForm(TsunagiForm):
    """The member agencies and who attends (the convening agency stays a member)."""

    members = AgencyChoices(
        label=_("member agencies"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Your agency is a member in any case. An agency with a case on the agenda stays a "
            "member."
        ),
    )
    attendees = UserChoices(
        label=_("attendees"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Staff of the member agencies who attend."),
    )
    other_attendees = forms.CharField(
        label=_("other attendees (without an account)"), max_length=300, required=False
    )

    def __init__(
        self, *args: Any, others: QuerySet[Agency], attendee_agencies: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "members").queryset = others
        _set_users(self, "attendees", attendee_agencies)


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.person.full_name}"


class ConsentChoiceField(forms.ModelChoiceField):
    """The person's consent: whose, to whom, which kinds, until when."""

    def label_from_instance(self, obj: Any) -> str:
        return str(
            _("%(name)s: consent #%(pk)s to %(to)s (%(kinds)s), until %(until)s")
            % {
                "name": obj.person.full_name,
                "pk": obj.pk,
                "to": obj.recipient_label,
                "kinds": obj.kinds_label,
                "until": format_wareki(obj.valid_until),
            }
        )


class AgendaForm(TsunagiForm):
    case = CaseChoiceField(
        label=_("case"), queryset=Case.objects.none(), empty_label=_("Choose a case")
    )
    consent = ConsentChoiceField(
        label=_("the person's consent to this meeting"),
        queryset=Consent.objects.none(),
        required=False,
        empty_label=_("Choose the consent"),
        help_text=_(
            "A consent in force that names this meeting or every other member agency (rule P1)."
        ),
    )
    kinds = forms.MultipleChoiceField(
        label=_("kinds of information shared"),
        choices=InfoKind.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[k.value for k in DEFAULT_AGENDA_KINDS],
        error_messages={"required": _("Choose at least one kind of information.")},
    )

    def __init__(
        self,
        *args: Any,
        cases: QuerySet[Case],
        consents: QuerySet[Consent] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "case").queryset = cases
        self.coordination = consents is not None
        if consents is None:
            del self.fields["consent"]
            return
        _choice(self, "consent").queryset = consents
        # rule P1: only kinds the consent names; none ticked shares all of them
        kinds = self.fields["kinds"]
        kinds.required = False
        kinds.initial = []
        kinds.help_text = _("Only kinds the consent names. None ticked: every kind it names.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        consent, case = data.get("consent"), data.get("case")
        if consent is not None and case is not None and consent.person_id != case.person_id:
            self.add_error("consent", _("Choose a consent of this case's person."))
        return data


class MinutesForm(TsunagiForm):
    """議事録 and the decision for one agenda case."""

    minutes = forms.CharField(label=_("minutes"), widget=forms.Textarea(attrs={"rows": 10}))
    decision = forms.ChoiceField(
        label=_("decision"), choices=[("", "—"), *AgendaDecision.choices], required=False
    )
    decision_notes = forms.CharField(
        label=_("decision: notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ItemChoiceField(forms.ModelChoiceField):
    labels: dict[int, str] = {}

    def label_from_instance(self, obj: Any) -> str:
        return self.labels.get(obj.pk, str(_("agenda item %(pk)s") % {"pk": obj.pk}))


class AssigneeChoiceField(forms.ModelChoiceField):
    workplaces: dict[int, str] = {}

    def label_from_instance(self, obj: Any) -> str:
        where = self.workplaces.get(obj.pk)
        return f"{obj.get_full_name()}（{where}）" if where else str(obj.get_full_name())


class TaskForm(TsunagiForm):
    """A follow-up task the meeting decided: what, which member agency (and who), by when."""

    what = forms.CharField(label=_("task"), max_length=300)
    agency = forms.ModelChoiceField(
        label=_("responsible agency"),
        queryset=Agency.objects.none(),
        empty_label=_("Choose a member agency"),
    )
    assignee = AssigneeChoiceField(
        label=_("responsible person"), queryset=get_user_model().objects.none(), required=False
    )
    due_on = JapaneseDateField(
        label=_("due on"), required=False, help_text=_("For example 令和7年4月1日 or R7.4.1.")
    )
    item = ItemChoiceField(
        label=_("for the case"), queryset=AgendaItem.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        members: QuerySet[Agency],
        items: QuerySet[AgendaItem],
        item_labels: dict[int, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, prefix="task", **kwargs)
        _choice(self, "agency").queryset = members
        users, where = staff_of(members)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, AssigneeChoiceField)
        assignee.queryset = users
        assignee.workplaces = where
        item = self.fields["item"]
        assert isinstance(item, ItemChoiceField)
        item.queryset = items
        item.labels = item_labels

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency, assignee = data.get("agency"), data.get("assignee")
        if (
            agency is not None
            and assignee is not None
            and not Membership.objects.filter(
                user=assignee, agency=agency, is_active=True, role__in=CASEWORKERS
            ).exists()
        ):
            self.add_error("assignee", _("The responsible person must work for that agency."))
        return data
