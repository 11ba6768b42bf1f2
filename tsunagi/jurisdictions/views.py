"""Screens of the jurisdiction registry."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagi.access.policy import Action, Kind, can, get_visible, require, scope
from tsunagi.agencies.selectors import default_prefecture_code, responsible_self_reliance_agency
from tsunagi.web.decorators import member_required
from tsunagi.web.export import FORMATS, export_response
from tsunagi.web.forms import TsunagiForm

from . import services
from .models import LocalGovernmentKind, Municipality, Prefecture


class MunicipalityForm(TsunagiForm):
    has_welfare_office = forms.BooleanField(
        label=gettext_lazy("runs a welfare office"), required=False
    )
    population = forms.IntegerField(label=gettext_lazy("population"), required=False, min_value=0)


@member_required
def municipality_list(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("prefecture") or default_prefecture_code(request.user) or "01"
    prefecture = get_visible(request.user, Kind.PREFECTURE, Prefecture.objects.all(), code=code)
    municipalities = (
        scope(request.user, Kind.MUNICIPALITY, Municipality.objects.all())
        .filter(prefecture=prefecture)
        .prefetch_related("wards")
        .order_by("code")
    )
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        return export_response(
            request,
            fmt=fmt,
            filename=prefecture.name + "_" + _("municipalities"),
            headers=[
                _("local government code"),
                _("name"),
                _("district (郡)"),
                _("name (kana)"),
                _("kind"),
                _("runs a welfare office"),
                _("population"),
                _("abolished on"),
            ],
            rows=(
                (
                    m.lg_code,
                    m.name,
                    m.district,
                    m.name_kana,
                    m.get_kind_display(),
                    m.has_welfare_office,
                    m.population,
                    m.abolished_on,
                )
                for m in municipalities
            ),
            audit_action="municipality.exported",
        )
    counts = {kind: 0 for kind in LocalGovernmentKind.values}
    for m in municipalities:
        counts[m.kind] += 1
    return render(
        request,
        "jurisdictions/list.html",
        {
            "prefecture": prefecture,
            "prefectures": Prefecture.objects.all(),
            "municipalities": municipalities,
            "counts": [(label, counts[k]) for k, label in LocalGovernmentKind.choices if counts[k]],
            "can_change": can(
                request.user, Action.CHANGE, Kind.MUNICIPALITY, municipalities.first()
            ),
        },
    )


@member_required
def municipality_detail(request: HttpRequest, code: str) -> HttpResponse:
    municipality = get_visible(
        request.user,
        Kind.MUNICIPALITY,
        Municipality.objects.select_related("prefecture").prefetch_related("wards"),
        code=code,
    )
    can_change = can(request.user, Action.CHANGE, Kind.MUNICIPALITY, municipality)
    form = None
    if can_change:
        form = MunicipalityForm(
            request.POST or None,
            initial={
                "has_welfare_office": municipality.has_welfare_office,
                "population": municipality.population,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.update_municipality(
                    request.user,
                    municipality,
                    has_welfare_office=form.cleaned_data["has_welfare_office"],
                    population=form.cleaned_data["population"],
                    request=request,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The municipality was saved."))
                return redirect("jurisdictions:detail", code=code)
    elif request.method == "POST":
        require(request.user, Action.CHANGE, Kind.MUNICIPALITY, municipality)
    return render(
        request,
        "jurisdictions/detail.html",
        {
            "municipality": municipality,
            "form": form,
            "self_reliance": responsible_self_reliance_agency(municipality),
            "agencies": scope(request.user, Kind.AGENCY, municipality.served_by.all()).order_by(
                "kind", "name"
            ),
        },
    )
