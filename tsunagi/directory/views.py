"""The officers' screens of the directory: list (filters, export), detail, add, change (with the
version: a stale save shows both versions and keeps what was typed), verify, archive.

Access goes through the access module with `Kind.DIRECTORY_ENTRY`: any member reads; the
prefecture's officers keep the prefecture's entries, a municipal officer their municipality's, an
agency's manager the entries about their agency. Entries are public information (no personal
data), so reads are not logged; changes are audited by the services and exports by the export.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagi.access.policy import (
    Action,
    Kind,
    agencies_with,
    can,
    is_operator,
    positions,
    prefectures_with,
    require,
)
from tsunagi.accounts.models import Role
from tsunagi.jurisdictions.models import Prefecture
from tsunagi.web.decorators import member_required
from tsunagi.web.export import FORMATS, export_response

from . import rules, selectors, services
from .forms import EntryForm, EntrySearchForm, HoursForm
from .models import Channel, DirectoryEntry

PAGE_SIZE = 50
# Fields shown side by side when someone else saved the entry meanwhile (nothing is lost).
CONFLICT_FIELDS = (
    "name",
    "lead_department",
    "address",
    "access",
    "phone",
    "email",
    "hours_note",
    "eligibility",
    "cost",
    "is_public",
)


def _apply_errors(form: Any, exc: ValidationError, hours_form: Any = None) -> None:
    for field, errors in exc.message_dict.items():
        if field == "hours" and hours_form is not None:
            hours_form.add_error(None, errors)
        else:
            form.add_error(field if field in form.fields else None, errors)


def _editable_prefectures(user: Any) -> QuerySet[Prefecture]:
    """The prefectures in which `user` may keep entries (for the form's choice)."""
    if is_operator(user):
        return Prefecture.objects.order_by("code")
    ids = prefectures_with(user, Role.PREFECTURAL_OFFICER)
    ids |= {
        p.prefecture_id
        for p in positions(user)
        if p.role in (Role.MUNICIPAL_OFFICER, Role.MANAGER) and p.prefecture_id is not None
    }
    return Prefecture.objects.filter(pk__in=ids).order_by("code")


def _defaults(user: Any) -> dict[str, Any]:
    """A municipal officer's new entry starts in their municipality; a manager's on the agency."""
    for p in positions(user):
        if p.role == Role.MUNICIPAL_OFFICER and p.municipality_id is not None:
            return {"prefecture": p.prefecture_id, "municipality": p.municipality_id}
    managed = sorted(agencies_with(user, Role.MANAGER))
    if managed and not prefectures_with(user, Role.PREFECTURAL_OFFICER):
        return {"agency": managed[0]}
    return {}


def _allowed_where(user: Any, form: EntryForm) -> bool:
    """rule-free access check before the service: may `user` keep an entry placed as typed?
    (Refused, the form says so next to the field and keeps what was typed.)"""
    data = form.cleaned_data
    probe = DirectoryEntry(
        prefecture=data.get("prefecture"),
        municipality=data.get("municipality"),
        agency=data.get("agency"),
    )
    if probe.prefecture_id is None or can(user, Action.CHANGE, Kind.DIRECTORY_ENTRY, probe):
        return True
    form.add_error(
        "municipality",
        _(
            "You may keep only the entries of your own municipality, prefecture or agency. "
            "Choose one of them."
        ),
    )
    return False


@member_required
def entry_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW, Kind.DIRECTORY_ENTRY)
    form = EntrySearchForm(request.GET)
    filters = form.filters()
    today = timezone.localdate()
    entries = selectors.entries(request.user, {**filters, "today": today})
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        return export_response(
            request,
            fmt=fmt,
            filename=_("directory"),
            headers=[
                _("kind"),
                _("name"),
                _("prefecture"),
                _("municipality"),
                _("lead department"),
                _("postal code"),
                _("address"),
                _("phone"),
                _("ways to get in touch"),
                _("cost"),
                _("staff can go with the person on a first visit (同行)"),
                _("welcomes people who cannot talk yet"),
                _("shown on the public pages"),
                _("last verified on"),
                _("Not verified for a year"),
            ],
            rows=(
                (
                    e.get_kind_display(),
                    e.name,
                    e.prefecture.name,
                    e.municipality.name if e.municipality else "",
                    e.lead_department,
                    e.postal_code,
                    e.address,
                    e.phone,
                    "・".join(str(Channel(c).label) for c in e.channels or []),
                    _("Free") if e.is_free else e.cost,
                    e.accompaniment,
                    e.welcomes_silent,
                    e.is_public,
                    e.verified_on.isoformat() if e.verified_on else "",
                    rules.stale(e, today),
                )
                for e in entries
            ),
            audit_action="directory_entry.exported",
        )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for e in page.object_list:
        e.is_stale = rules.stale(e, today)
    query = urlencode(form.query())
    context = {
        "form": form,
        "page": page,
        "querystring_base": (query + "&") if query else "",
        "export_query": query,
        "can_create": can(request.user, Action.CREATE, Kind.DIRECTORY_ENTRY),
    }
    template = (
        "directory/_results.html" if request.headers.get("HX-Request") else "directory/list.html"
    )
    return render(request, template, context)


@member_required
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "directory/detail.html",
        {
            "entry": entry,
            "hours": list(entry.hours.all()),
            "area": list(entry.area.all()),
            "channels": [Channel(c).label for c in entry.channels or [] if c in Channel.values],
            "stale": rules.stale(entry, today),
            "stale_reason": rules.stale_reason(entry, today) if rules.stale(entry, today) else "",
            "can_change": entry.is_active
            and can(request.user, Action.CHANGE, Kind.DIRECTORY_ENTRY, entry),
        },
    )


def _render_form(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "directory/form.html", context, status=status)


@member_required
def entry_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CREATE, Kind.DIRECTORY_ENTRY)
    prefectures = _editable_prefectures(request.user)
    initial = _defaults(request.user)
    prefecture = (
        prefectures.filter(pk=initial["prefecture"]).first()
        if "prefecture" in initial
        else prefectures.first()
    )
    form = EntryForm(
        request.POST or None, prefectures=prefectures, prefecture=prefecture, initial=initial
    )
    hours_form = HoursForm(request.POST or None)
    if request.method == "POST":
        valid = form.is_valid() & hours_form.is_valid()
        if valid and _allowed_where(request.user, form):
            try:
                entry = services.create_entry(
                    request.user,
                    data=form.data_for_service(),
                    area=list(form.cleaned_data["area"]),
                    hours=hours_form.periods(),
                    request=request,
                )
            except ValidationError as exc:
                _apply_errors(form, exc, hours_form)
            else:
                messages.success(request, _("The entry was added to the directory."))
                return redirect("directory:detail", pk=entry.pk)
    return _render_form(
        request,
        {"form": form, "hours_form": hours_form, "entry": None},
        status=400 if form.errors or hours_form.errors else 200,
    )


@member_required
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry(request.user, pk)
    require(request.user, Action.CHANGE, Kind.DIRECTORY_ENTRY, entry)
    prefectures = _editable_prefectures(request.user)
    if not prefectures.filter(pk=entry.prefecture_id).exists():
        prefectures = Prefecture.objects.filter(pk=entry.prefecture_id)
    form = EntryForm(
        request.POST or None,
        instance=DirectoryEntry.objects.get(pk=entry.pk),
        prefectures=prefectures,
    )
    hours_form = HoursForm(request.POST or None, initial_hours=list(entry.hours.all()))
    conflict = None
    if request.method == "POST":
        valid = form.is_valid() & hours_form.is_valid()
        if valid and _allowed_where(request.user, form):
            try:
                services.update_entry(
                    request.user,
                    entry,
                    data=form.data_for_service(),
                    area=list(form.cleaned_data["area"]),
                    hours=hours_form.periods(),
                    version=form.cleaned_data.get("version"),
                    request=request,
                )
            except services.EditConflict as exc:
                conflict = selectors.entry(request.user, exc.current.pk)
                form.add_error(
                    None,
                    _(
                        "Someone else saved this entry while you were editing. "
                        "Your changes are kept below; check the values saved meanwhile "
                        "and save again."
                    ),
                )
                data = form.data.copy()  # type: ignore[attr-defined]
                data["version"] = str(conflict.version)
                form.data = data
            except ValidationError as exc:
                _apply_errors(form, exc, hours_form)
            else:
                messages.success(request, _("The entry was saved."))
                return redirect("directory:detail", pk=entry.pk)
    conflict_rows = []
    if conflict is not None:
        typed = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        for name in CONFLICT_FIELDS:
            conflict_rows.append(
                {
                    "label": getattr(DirectoryEntry._meta.get_field(name), "verbose_name", name),
                    "theirs": getattr(conflict, name),
                    "yours": typed.get(name, form.data.get(name, "")),
                }
            )
    return _render_form(
        request,
        {
            "form": form,
            "hours_form": hours_form,
            "entry": entry,
            "conflict": conflict,
            "conflict_rows": conflict_rows,
            "conflict_hours": list(conflict.hours.all()) if conflict is not None else [],
        },
        status=409 if conflict is not None else (400 if form.errors or hours_form.errors else 200),
    )


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@member_required
@require_POST
def entry_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Verified today by me": the officer checked the entry (by phone, a visit)."""
    entry = selectors.entry(request.user, pk)
    require(request.user, Action.CHANGE, Kind.DIRECTORY_ENTRY, entry)
    try:
        services.verify_entry(request.user, entry, version=_version(request), request=request)
    except services.EditConflict:
        messages.error(
            request,
            _("Someone else changed this entry meanwhile. Check the values and verify again."),
        )
    else:
        messages.success(request, _("Recorded as verified today by you."))
    return redirect("directory:detail", pk=entry.pk)


@member_required
def entry_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the entry off the directory and the public pages (kept for the record)."""
    entry = selectors.entry(request.user, pk)
    require(request.user, Action.CHANGE, Kind.DIRECTORY_ENTRY, entry)
    if request.method == "POST":
        try:
            services.archive_entry(request.user, entry, version=_version(request), request=request)
        except services.EditConflict:
            messages.error(
                request,
                _("Someone else changed this entry meanwhile. Check the values and try again."),
            )
            return redirect("directory:detail", pk=entry.pk)
        messages.success(request, _("The entry was archived: it no longer appears anywhere."))
        return redirect("directory:list")
    return render(request, "directory/archive.html", {"entry": entry})


def stale_for_home(user: Any, limit: int = 20) -> tuple[list[DirectoryEntry], int]:
    """The entries `user` keeps that have not been verified for a year (home panel)."""
    if not can(user, Action.CREATE, Kind.DIRECTORY_ENTRY):
        return [], 0
    qs = selectors.stale_entries(user).filter(_kept_by(user))
    return list(qs[:limit]), qs.count()


def _kept_by(user: Any) -> Q:
    """The entries `user` keeps (not only sees): as the access module decides CHANGE."""
    if is_operator(user):
        return Q(pk__in=[])  # the operator keeps none of their own
    q = Q(prefecture__in=prefectures_with(user, Role.PREFECTURAL_OFFICER))
    towns = {
        p.municipality_id
        for p in positions(user)
        if p.role == Role.MUNICIPAL_OFFICER and p.municipality_id is not None
    }
    q |= Q(municipality__in=towns) | Q(agency__in=agencies_with(user, Role.MANAGER))
    return q
