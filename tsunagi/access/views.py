"""The audit log screen: managers see their agency's events, auditors the body they audit, the
operator the installation's events that concern no personal record."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagi.web.decorators import member_required
from tsunagi.web.export import FORMATS, export_response
from tsunagi.web.forms import JapaneseDateField, TsunagiForm

from . import selectors
from .policy import Action, Kind, require


class AuditFilterForm(TsunagiForm):
    action = forms.CharField(label=gettext_lazy("action"), required=False)
    user = forms.CharField(label=gettext_lazy("user name"), required=False)
    date_from = JapaneseDateField(label=gettext_lazy("from"), required=False)
    date_to = JapaneseDateField(label=gettext_lazy("until"), required=False)


@member_required
def audit_log(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, Kind.AUDIT_EVENT)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(request.user, **{k: v for k, v in filters.items() if v})
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
                    e.action_label,
                    e.action,
                    e.record_kind,
                    e.record_id,
                    e.grant,
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
            for k in ("action", "user", "date_from", "date_to")
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
