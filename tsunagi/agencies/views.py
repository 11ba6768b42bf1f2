"""Screens of the agency registry: parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tsunagi.access.policy import Action, Kind, can, get_visible, prefectures_with, require, scope
from tsunagi.accounts.models import Role
from tsunagi.jurisdictions.models import Prefecture
from tsunagi.web.decorators import member_required
from tsunagi.web.export import FORMATS, export_response
from tsunagi.web.forms import _choice

from . import selectors, services
from .forms import (
    AgencyForm,
    AgencySearchForm,
    NetworkForm,
    OpeningHoursForm,
    PairingForm,
    StaffMemberForm,
)
from .models import Agency, Network, Pairing, StaffMember

PAGE_SIZE = 50


def _apply_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@member_required
def agency_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, Kind.AGENCY)
    params = request.GET.copy()
    if "prefecture" not in params:
        params["prefecture"] = selectors.default_prefecture_code(request.user)
    form = AgencySearchForm(params)
    form.is_valid()
    filters = {k: form.cleaned_data.get(k) or "" for k in ("q", "kind", "prefecture")}
    agencies = selectors.agency_list(request.user, **filters)
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        return export_response(
            request,
            fmt=fmt,
            filename=_("agencies"),
            headers=[
                _("name"),
                _("kind"),
                _("prefecture"),
                _("municipality"),
                _("address"),
                _("phone"),
                _("age band"),
                _("active"),
            ],
            rows=(
                (
                    a.name,
                    a.get_kind_display(),
                    a.prefecture.name,
                    a.municipality.name if a.municipality else "",
                    a.address,
                    a.phone,
                    a.get_age_band_display(),
                    a.is_active,
                )
                for a in agencies.iterator()
            ),
            audit_action="agency.exported",
        )
    page = Paginator(agencies, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "querystring_base": urlencode({k: v for k, v in filters.items() if v}) + "&",
        "export_query": urlencode({k: v for k, v in filters.items() if v}),
        "can_create": can(request.user, Action.CREATE, Kind.AGENCY),
    }
    template = (
        "agencies/_results.html" if request.headers.get("HX-Request") else "agencies/list.html"
    )
    return render(request, template, context)


@member_required
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = selectors.agency_detail(request.user, pk)
    hours = list(agency.opening_hours.all())
    return render(
        request,
        "agencies/detail.html",
        {
            "agency": agency,
            "hours": hours,
            "staff": selectors.staff_of(request.user, agency),
            "compliance": selectors.compliance(agency),
            "pairings": selectors.pairings_of(request.user, agency),
            "networks": scope(request.user, Kind.NETWORK, Network.objects.all())
            .filter(Q(members=agency) | Q(convenor=agency))
            .select_related("convenor")
            .prefetch_related("members")
            .distinct(),
            "can_change": can(request.user, Action.CHANGE, Kind.AGENCY, agency),
            "can_change_staff": can(
                request.user, Action.CHANGE, Kind.STAFF, StaffMember(agency=agency)
            ),
            "can_change_network": can(
                request.user, Action.CHANGE, Kind.NETWORK, Network(convenor=agency)
            ),
        },
    )


@member_required
def agency_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CREATE, Kind.AGENCY)
    prefs = prefectures_with(request.user, Role.PREFECTURAL_OFFICER)
    prefecture = Prefecture.objects.filter(pk__in=prefs).first() if prefs else None
    form = AgencyForm(request.POST or None, prefecture=prefecture)
    if not can(request.user, Action.CHANGE, Kind.AGENCY, Agency(prefecture_id=0)) and prefs:
        _choice(form, "prefecture").queryset = Prefecture.objects.filter(pk__in=prefs)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("area", "version")}
        try:
            agency = services.create_agency(
                request.user, data=data, area=list(form.cleaned_data["area"]), request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The agency was registered."))
            return redirect("agencies:detail", pk=agency.pk)
    return render(request, "agencies/form.html", {"form": form, "agency": None})


@member_required
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agency = selectors.agency_detail(request.user, pk)
    require(request.user, Action.CHANGE, Kind.AGENCY, agency)
    form = AgencyForm(request.POST or None, instance=Agency.objects.get(pk=pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("area", "version")}
        try:
            services.update_agency(
                request.user,
                agency,
                data=data,
                area=list(form.cleaned_data["area"]),
                version=form.cleaned_data.get("version"),
                request=request,
            )
        except services.EditConflict as exc:
            conflict = exc.current
            form.add_error(
                None,
                _(
                    "Someone else saved this agency while you were editing. "
                    "Your changes are kept below; check the current values and "
                    "save again."
                ),
            )
            data = form.data.copy()  # type: ignore[attr-defined]
            data["version"] = str(conflict.version)
            form.data = data
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The agency was saved."))
            return redirect("agencies:detail", pk=agency.pk)
    return render(
        request, "agencies/form.html", {"form": form, "agency": agency, "conflict": conflict}
    )


@member_required
def agency_hours(request: HttpRequest, pk: int) -> HttpResponse:
    agency = selectors.agency_detail(request.user, pk)
    require(request.user, Action.CHANGE, Kind.AGENCY, agency)
    form = OpeningHoursForm(request.POST or None, initial_hours=list(agency.opening_hours.all()))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_opening_hours(request.user, agency, form.periods(), request=request)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The opening hours were saved."))
            return redirect("agencies:detail", pk=agency.pk)
    return render(request, "agencies/hours.html", {"form": form, "agency": agency})


@member_required
def staff_edit(request: HttpRequest, pk: int, staff_pk: int | None = None) -> HttpResponse:
    agency = selectors.agency_detail(request.user, pk)
    staff = None
    if staff_pk is not None:
        staff = get_visible(
            request.user, Kind.STAFF, StaffMember.objects.filter(agency=agency), pk=staff_pk
        )
    require(request.user, Action.CHANGE, Kind.STAFF, staff or StaffMember(agency=agency))
    form = StaffMemberForm(request.POST or None, instance=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_staff_member(
                request.user, agency, data=form.cleaned_data, staff=staff, request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The staff member was saved."))
            return redirect("agencies:detail", pk=agency.pk)
    return render(
        request, "agencies/staff_form.html", {"form": form, "agency": agency, "staff": staff}
    )


@member_required
def network_edit(request: HttpRequest, pk: int, network_pk: int | None = None) -> HttpResponse:
    agency = selectors.agency_detail(request.user, pk)
    network = None
    if network_pk is not None:
        network = get_visible(
            request.user, Kind.NETWORK, Network.objects.filter(convenor=agency), pk=network_pk
        )
    require(request.user, Action.CHANGE, Kind.NETWORK, network or Network(convenor=agency))
    initial = {}
    if network:
        initial = {
            "name": network.name,
            "kind": network.kind,
            "notes": network.notes,
            "members": list(network.members.all()),
        }
    form = NetworkForm(request.POST or None, convenor=agency, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_network(
                request.user,
                convenor=agency,
                data=form.cleaned_data,
                members=list(form.cleaned_data["members"]),
                network=network,
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The network was saved."))
            return redirect("agencies:detail", pk=agency.pk)
    return render(
        request, "agencies/network_form.html", {"form": form, "agency": agency, "network": network}
    )


@member_required
def pairing_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, Kind.PAIRING)
    prefecture = request.GET.get("prefecture", selectors.default_prefecture_code(request.user))
    pairings = selectors.pairing_list(request.user, prefecture)
    officer_prefs = prefectures_with(request.user, Role.PREFECTURAL_OFFICER)
    form = None
    if can(request.user, Action.CHANGE, Kind.PAIRING):
        form = PairingForm(
            request.POST or None,
            prefecture_ids=officer_prefs
            or set(Prefecture.objects.filter(code=prefecture).values_list("pk", flat=True)),
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.add_pairing(
                    request.user,
                    hikikomori_agency=form.cleaned_data["hikikomori_agency"],
                    self_reliance_agency=form.cleaned_data["self_reliance_agency"],
                    note=form.cleaned_data["note"],
                    request=request,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The pairing was added."))
                return redirect(f"{request.path}?prefecture={prefecture}")
    return render(
        request,
        "agencies/pairings.html",
        {
            "pairings": pairings,
            "form": form,
            "prefecture": prefecture,
            "prefectures": Prefecture.objects.all(),
        },
    )


@member_required
def pairing_delete(request: HttpRequest, pairing_pk: int) -> HttpResponse:
    pairing = get_visible(
        request.user,
        Kind.PAIRING,
        Pairing.objects.select_related("prefecture", "hikikomori_agency", "self_reliance_agency"),
        pk=pairing_pk,
    )
    require(request.user, Action.CHANGE, Kind.PAIRING, pairing)
    if request.method == "POST":
        services.remove_pairing(request.user, pairing, request=request)
        messages.success(request, _("The pairing was removed."))
        return redirect(f"/agencies/pairings/?prefecture={pairing.prefecture.code}")
    return render(request, "agencies/pairing_delete.html", {"pairing": pairing})
