"""The public pages (no login, `/public/`): where a withdrawn person or their family can ask for
help (rule M1: each municipality's hikikomori consultation window) and the places and groups
open to the public (rules M6, R6), found by postal code or by municipality, and a printable A4
leaflet per municipality (M1: publicity to every household).

Always in Japanese (lang="ja"), one column on a phone, no login, no form that needs a session,
and no personal data: only entries marked public, never who verified them. The pages are
rendered once per municipality and kept in the shared cache (`caching`), invalidated when an
entry changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.web.decorators import public
from tsunagi.web.text import to_halfwidth

from . import caching, selectors
from .forms import PublicSearchForm
from .inputs import has_nul
from .models import GROUP_KINDS, PLACE_KINDS, Channel, DirectoryEntry, EntryKind

PUBLIC_CACHE_CONTROL = f"public, max-age={caching.TIMEOUT}"


# --- what a withdrawn person or their family needs to know about an entry --------------------


@dataclass
class PublicEntry:
    """An entry as the public pages and the leaflet show it (public facts only)."""

    entry: DirectoryEntry
    hours: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    cost: str = ""
    accompaniment: str = ""
    silent: str = ""
    eligibility: str = ""

    @property
    def tel(self) -> str:
        return "".join(ch for ch in self.entry.phone if ch.isdigit())


def hours_lines(entry: DirectoryEntry) -> list[str]:
    """Opening hours as lines, consecutive days with the same periods joined:
    「月曜日〜金曜日 9:00〜17:00」."""
    by_day: dict[int, list[str]] = {}
    labels: dict[int, str] = {}
    for h in entry.hours.all():
        by_day.setdefault(h.weekday, []).append(
            f"{h.opens.hour}:{h.opens:%M}〜{h.closes.hour}:{h.closes:%M}"
        )
        labels[h.weekday] = str(h.get_weekday_display())
    lines = []
    days = sorted(by_day)
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1 and by_day[runs[-1][-1]] == by_day[day]:
            runs[-1].append(day)
        else:
            runs.append([day])
    for run in runs:
        when = labels[run[0]] if len(run) == 1 else f"{labels[run[0]]}〜{labels[run[-1]]}"
        lines.append(f"{when} {'、'.join(by_day[run[0]])}")
    return lines


def eligibility_text(entry: DirectoryEntry) -> str:
    parts = []
    if entry.min_age is not None and entry.max_age is not None:
        parts.append(_("Ages %(low)d to %(high)d") % {"low": entry.min_age, "high": entry.max_age})
    elif entry.min_age is not None:
        parts.append(_("Aged %(low)d or over") % {"low": entry.min_age})
    elif entry.max_age is not None:
        parts.append(_("Aged up to %(high)d") % {"high": entry.max_age})
    if entry.residence_required:
        parts.append(_("For residents of the area served"))
    if entry.eligibility:
        parts.append(entry.eligibility)
    return "。".join(parts)


def public_entry(entry: DirectoryEntry) -> PublicEntry:
    return PublicEntry(
        entry=entry,
        hours=hours_lines(entry),
        channels=[str(Channel(c).label) for c in entry.channels or [] if c in Channel.values],
        cost=_("Free of charge")
        if entry.is_free and not entry.cost
        else (entry.cost or _("Ask when you get in touch")),
        accompaniment=_("Yes: staff can go with you the first time")
        if entry.accompaniment
        else _("Please ask"),
        silent=_("Yes: you may just be there without talking")
        if entry.welcomes_silent
        else _("Please ask"),
        eligibility=eligibility_text(entry),
    )


@dataclass
class TownDirectory:
    municipality: Municipality
    windows: list[PublicEntry]
    places: list[PublicEntry]
    groups: list[PublicEntry]

    @property
    def empty(self) -> bool:
        return not (self.windows or self.places or self.groups)


def town_directory(municipality: Municipality) -> TownDirectory:
    """Rules M1, M6, R6: the town's window(s), then places, then family and peer groups."""
    found = [public_entry(e) for e in selectors.public_entries(municipality)]
    return TownDirectory(
        municipality=municipality,
        windows=[p for p in found if p.entry.kind == EntryKind.WINDOW],
        places=[p for p in found if p.entry.kind in PLACE_KINDS],
        groups=[p for p in found if p.entry.kind in GROUP_KINDS],
    )


def _town(code: str) -> Municipality:
    value = to_halfwidth(code).strip()
    if has_nul(value) or not value.isdigit() or len(value) not in (5, 6):
        raise Http404
    lookup = {"code": value} if len(value) == 5 else {"lg_code": value}
    town = (
        Municipality.objects.select_related("prefecture")
        .filter(abolished_on__isnull=True, **lookup)
        .first()
    )
    if town is None:
        raise Http404
    return town


def _page(html: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(html, status=status)
    if status == 200:
        response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return response


def _render(template: str, context: dict[str, Any]) -> str:
    with translation.override("ja"):
        return render_to_string(template, context)


def _prefectures() -> list[Prefecture]:
    return list(Prefecture.objects.order_by("code"))


# --- the pages ------------------------------------------------------------------------------


@public
def search(request: HttpRequest) -> HttpResponse:
    """Search by postal code or municipality name; or choose the prefecture, then the town."""
    if not (request.GET.get("postal_code") or request.GET.get("municipality")):
        html = caching.cached(
            ("search",),
            lambda: _render(
                "public/search.html",
                {"form": PublicSearchForm(), "prefectures": _prefectures()},
            ),
        )
        return _page(html)
    with translation.override("ja"):
        form = PublicSearchForm(request.GET)
        found = None
        if form.is_valid():
            # the form refuses what cannot be searched (too long, a NUL character): the page
            # answers 400 with the form and its messages, never a 500
            try:
                found = selectors.search_public(
                    postal_code=form.cleaned_data.get("postal_code") or None,
                    municipality=form.cleaned_data.get("municipality") or None,
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
        if found is None or found.municipality is None:
            if not form.errors:
                form.add_error(None, _("Enter a postal code or the name of a municipality."))
            html = render_to_string(
                "public/search.html", {"form": form, "prefectures": _prefectures()}
            )
            return _page(html, status=400)
    return HttpResponseRedirect(reverse("public:municipality", args=[found.municipality.code]))


@public
def prefecture(request: HttpRequest, code: str) -> HttpResponse:
    """The municipalities of a prefecture, each linking to its page."""
    value = to_halfwidth(code).strip().zfill(2)
    if has_nul(value) or not value.isdigit() or len(value) != 2:
        raise Http404  # checked before the database sees it (a NUL would be a 500)
    pref = Prefecture.objects.filter(code=value).first()
    if pref is None:
        raise Http404

    def make() -> str:
        towns = list(
            Municipality.objects.filter(prefecture=pref, abolished_on__isnull=True).order_by("code")
        )
        with_window = selectors.municipalities_with_window(pref.pk)
        groups = [
            (district, list(items))
            for district, items in groupby(towns, key=lambda m: m.district or "")
        ]
        return _render(
            "public/prefecture.html",
            {"prefecture": pref, "groups": groups, "with_window": with_window},
        )

    return _page(caching.cached(("prefecture", pref.code), make))


@public
def municipality(request: HttpRequest, code: str) -> HttpResponse:
    """Rule M1: the town's hikikomori consultation window; M6/R6: places and groups."""
    town = _town(code)

    def make() -> str:
        return _render("public/municipality.html", {"d": town_directory(town)})

    return _page(caching.cached(("municipality", town.code), make))


@public
def leaflet(request: HttpRequest, code: str) -> HttpResponse:
    """The A4 leaflet of the municipality (M1: publicity to every household), a PDF."""
    from tsunagi.people.printing import PrintUnavailable

    from .printing import leaflet_filename, leaflet_pdf

    town = _town(code)
    try:
        pdf = caching.cached(("leaflet", town.code), lambda: leaflet_pdf(town))
    except PrintUnavailable:
        with translation.override("ja"):
            message = _(
                "The leaflet cannot be made on this server right now. "
                "Please use this page or ask the municipality."
            )
            html = render_to_string(
                "public/unavailable.html", {"message": message, "municipality": town}
            )
        return HttpResponse(html, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = leaflet_filename(town)
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return response
