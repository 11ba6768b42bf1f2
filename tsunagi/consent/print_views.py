"""The consent form (同意書) as a PDF: of a recorded consent, or blank to be signed.

Only staff who see the person at the owning agency print it (404 for anyone else, the same
answer as for a consent that does not exist). A print is logged as `consent.printed`
(access.md "every ... export and print").
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagi.access import audit
from tsunagi.access.kinds import InfoKind, normalise
from tsunagi.access.policy import Action, Kind, get_visible, require
from tsunagi.agencies.models import Agency, AgencyKind
from tsunagi.people.models import Person
from tsunagi.people.printing import Printed, PrintUnavailable
from tsunagi.web.decorators import member_required
from tsunagi.web.forms import JapaneseDateField, TsunagiForm

from . import printing, rules
from .models import Consent, Giver


class BlankFormParameters(TsunagiForm):
    """What the staff member has chosen before the consent is signed; all optional, blanks are
    left to be written by hand."""

    recipient_agency = forms.ModelChoiceField(
        label=gettext_lazy("receiving agency"), queryset=Agency.objects.none(), required=False
    )
    recipient_kind = forms.ChoiceField(
        label=gettext_lazy("or any agency of the kind"),
        choices=[("", ""), *AgencyKind.choices],
        required=False,
    )
    purpose = forms.CharField(label=gettext_lazy("purpose"), max_length=300, required=False)
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("kinds of information"), choices=InfoKind.choices, required=False
    )
    valid_until = JapaneseDateField(label=gettext_lazy("valid until"), required=False)
    given_by = forms.ChoiceField(
        label=gettext_lazy("consent given by"),
        choices=[("", ""), *Giver.choices],
        required=False,
    )
    representative_name = forms.CharField(
        label=gettext_lazy("representative's name"), max_length=100, required=False
    )
    representative_relationship = forms.CharField(
        label=gettext_lazy("representative's standing"), max_length=100, required=False
    )

    def __init__(self, *args: Any, person: Person, today: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.today = today
        field = self.fields["recipient_agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.exclude(pk=person.agency_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        until = data.get("valid_until")
        if until is not None and until < self.today:
            self.add_error("valid_until", _("The end of the period is in the past."))
        given_by = data.get("given_by") or ""
        if given_by:
            # rule P1: a parent consents only for a minor; a family member never for an adult
            problems = rules.giver_problems(
                given_by,
                age=rules.age_on(self.person.birth_date, self.person.estimated_age, self.today),
                representative_name="-",
                representative_relationship="-",
            )
            if "given_by" in problems:
                self.add_error("given_by", problems["given_by"])
        return data


def form_problems(form: Any) -> str:
    """The form's errors as one Japanese line: label: message."""
    return "　".join(
        f"{form.fields[name].label if name in form.fields else ''}："
        + " ".join(str(e) for e in errors)
        for name, errors in form.errors.items()
    )


def _person(request: HttpRequest, pk: int) -> Person:
    """The person, or 404 for anyone who does not see them at the owning agency."""
    person = get_visible(request.user, Kind.PERSON, Person.objects.select_related("agency"), pk=pk)
    require(request.user, Action.CREATE, Kind.CONSENT, Consent(agency=person.agency, person=person))
    return person


def _unavailable(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "title": _("The form cannot be printed"),
            "message": _(
                "This server cannot make PDF files: the WeasyPrint library could not be "
                "loaded. Nothing was printed. Please tell the operator of tsunagi."
            ),
        },
        status=503,
    )


def _bad_parameters(request: HttpRequest, form: BlankFormParameters) -> HttpResponse:
    problems = form_problems(form)
    return render(
        request,
        "web/error.html",
        {
            "title": _("The form cannot be printed"),
            "message": _("Some of the choices for the form are not valid: %(problems)s")
            % {"problems": problems},
        },
        status=400,
    )


def _answer(printed: Printed) -> HttpResponse:
    response = HttpResponse(printed.pdf, content_type="application/pdf")
    response["Content-Disposition"] = printed.content_disposition
    response["Cache-Control"] = "private, no-store"
    return response


@member_required
def consent_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The filled-in form of a recorded consent (for the person's copy, or to sign again)."""
    consent = get_visible(
        request.user,
        Kind.CONSENT,
        Consent.objects.select_related(
            "agency", "person", "recipient_agency", "witness", "recorded_by"
        ),
        pk=pk,
    )
    require(request.user, Action.VIEW, Kind.PERSON, consent.person)  # the owning agency only
    try:
        printed = printing.print_consent(
            request.user, printing.ConsentDraft.of(consent), form=printing.RECORDED
        )
    except PrintUnavailable:
        return _unavailable(request)
    audit.personal("consent.printed", request.user, consent, request, form=printing.RECORDED)
    return _answer(printed)


@member_required
def blank_form(request: HttpRequest, person_pk: int) -> HttpResponse:
    """The form to be signed, before the consent is recorded, filled with what was chosen."""
    person = _person(request, person_pk)
    form = BlankFormParameters(request.GET or None, person=person, today=timezone.localdate())
    if request.GET and not form.is_valid():
        return _bad_parameters(request, form)
    data = form.cleaned_data if request.GET else {}
    draft = printing.ConsentDraft(
        agency=person.agency,
        person=person,
        given_by=data.get("given_by") or "",
        representative_name=data.get("representative_name") or "",
        representative_relationship=data.get("representative_relationship") or "",
        recipient_agency=data.get("recipient_agency"),
        recipient_kind="" if data.get("recipient_agency") else data.get("recipient_kind") or "",
        purpose=data.get("purpose") or "",
        kinds=tuple(normalise(data.get("kinds") or [])),
        given_on=timezone.localdate(),
        valid_until=data.get("valid_until"),
        recorded_by=request.user,
    )
    try:
        printed = printing.print_consent(request.user, draft, form=printing.BLANK)
    except PrintUnavailable:
        return _unavailable(request)
    audit.personal(
        "consent.printed",
        request.user,
        person,
        request,
        form=printing.BLANK,
        recipient=draft.recipient_label,
        kinds=list(draft.kinds),
    )
    return _answer(printed)
