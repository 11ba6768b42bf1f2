"""The audit log screen: managers see their agency's events, auditors the body they audit, the
operator the installation's events that concern no personal record."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagi.consent.templatetags.consent_tags import ground_label
from tsunagi.web.decorators import member_required
from tsunagi.web.export import FORMATS, export_response
from tsunagi.web.forms import JapaneseDateField, TsunagiForm

from . import selectors
from .models import AuditEvent, GrantKind
from .policy import OWN_AGENCY, Action, Kind, get_visible, require


class AuditFilterForm(TsunagiForm):
    action = forms.CharField(label=gettext_lazy("action"), required=False)
    user = forms.CharField(label=gettext_lazy("user name"), required=False)
    date_from = JapaneseDateField(label=gettext_lazy("from"), required=False)
    date_to = JapaneseDateField(label=gettext_lazy("until"), required=False)
    person = forms.IntegerField(label=gettext_lazy("person no."), required=False, min_value=1)
    ground = forms.ChoiceField(
        label=gettext_lazy("ground"),
        required=False,
        choices=[
            ("", "—"),
            (OWN_AGENCY, gettext_lazy("Own agency")),
            *[(k.value, k.label) for k in GrantKind],
        ],
    )


def _narrow(events: QuerySet[AuditEvent], person: int | None, ground: str) -> QuerySet[AuditEvent]:
    """The person and ground filters, on the events the selector already allowed."""
    if person:
        events = events.filter(subject_id=person)
    if ground == OWN_AGENCY:
        events = events.filter(grant=OWN_AGENCY)
    elif ground:
        events = events.filter(grant__startswith=f"{ground}:")
    return events


@member_required
def audit_log(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, Kind.AUDIT_EVENT)
    form = AuditFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    person, ground = filters.pop("person", None), filters.pop("ground", "")
    events = selectors.audit_events(request.user, **{k: v for k, v in filters.items() if v})
    events = _narrow(events, person, ground).select_related("actor_agency")
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        return export_response(
            request,
            fmt=fmt,
            filename=_("audit-log"),
            headers=[
                _("time"),
                _("user name"),
                _("agency"),
                _("user's agency"),
                _("action"),
                _("action code"),
                _("record kind"),
                _("record"),
                _("ground"),
                _("reason"),
                _("IP address"),
            ],
            rows=(
                (
                    e.at.isoformat(),
                    e.actor_username,
                    e.agency.name if e.agency else "",
                    e.actor_agency.name if e.actor_agency else "",
                    e.action_label,
                    e.action,
                    e.record_kind,
                    e.record_id,
                    ground_label(e.grant),
                    e.reason,
                    e.ip_address,
                )
                for e in events[:100_000]
            ),
            audit_action="audit.exported",
        )
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    query = urlencode(
        {
            k: request.GET[k]
            for k in ("action", "user", "date_from", "date_to", "person", "ground")
            if request.GET.get(k)
        }
    )
    return render(
        request,
        "access/log.html",
        {
            "form": form,
            "page": page,
            "querystring_base": query + "&" if query else "",
            "export_query": query,
        },
    )


@member_required
def disclosure(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Rule P3: every agency and user who saw or changed the person's record, when, and on what
    ground; for answering a disclosure request. Only the owning agency's staff open it."""
    from tsunagi.people.models import Person
    from tsunagi.people.services import log_read

    person = get_visible(request.user, Kind.PERSON, Person.objects.all(), pk=person_pk)
    events = selectors.disclosure(request.user, person).select_related("actor_agency", "agency")
    if request.GET.get("format") in FORMATS:
        return export_response(
            request,
            fmt=request.GET["format"],
            filename=_("disclosure-%(id)s") % {"id": person.pk},
            headers=[
                _("time"),
                _("user's agency"),
                _("user name"),
                _("action"),
                _("record kind"),
                _("record"),
                _("ground"),
                _("reason"),
            ],
            rows=(
                (
                    e.at.isoformat(),
                    e.actor_agency.name if e.actor_agency else "",
                    e.actor_username,
                    e.action_label,
                    e.record_kind,
                    e.record_id,
                    ground_label(e.grant),
                    e.reason,
                )
                for e in events
            ),
            audit_action="disclosure.exported",
            agency=person.agency,
        )
    log_read(request.user, Kind.PERSON, person, request, shown_in="disclosure")
    agencies = sorted({e.actor_agency.name for e in events if e.actor_agency})
    return render(
        request,
        "access/disclosure.html",
        {"person": person, "events": events, "agencies": agencies},
    )
