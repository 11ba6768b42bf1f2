"""Screens of the suggestions panel, of introductions (紹介, rule R3a) and of the rules help page.

The panel is loaded into the case page with htmx (a plain link opens it as a page of its own):
each suggestion of the rules (R2, R3a, R3b, R6, R7, R8, J4, J5) with its rule ID, its reason in
Japanese and the agencies resolved from the registry (J2, J3, J4), the way to act on it, and
setting it aside with a reason. Suggestions, dismissals and introductions are the owning
agency's own work on its case: another agency gets 404, even under a grant.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagi.access import audit
from tsunagi.access.policy import OWN_AGENCY, Action, Kind, can, get_visible, require, scope
from tsunagi.agencies.models import GOVERNMENT_OFFICE_KINDS, Agency, AgencyKind
from tsunagi.people import services as people_services
from tsunagi.people.models import Case
from tsunagi.people.views.common import _apply_errors, _get_case
from tsunagi.web.decorators import member_required
from tsunagi.web.forms import JapaneseDateField, TsunagiForm

from . import selectors, services, suggestions
from .models import Dismissal, Introduction, IntroductionTarget, Referral, ReminderSettings
from .suggestion_forms import DismissForm, IntroductionForm

PAGE_SIZE = 20


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _slug(code: str) -> str:
    return code.replace(":", "-").replace("_", "-")


def _dismiss_form(code: str, data: Any = None) -> DismissForm:
    return DismissForm(data, initial={"code": code}, auto_id=f"id_%s_{_slug(code)}")


def _case_url(case: Case, anchor: str) -> str:
    return reverse("people:case", args=[case.pk]) + anchor


# --- the suggestions panel -------------------------------------------------------------------


def _introduce_place(
    case: Case, s: suggestions.Suggestion, entry: Any, may: dict[str, bool]
) -> tuple[str, str] | None:
    """Rule R6: an introduction to a place of the directory, recorded by its name."""
    if not may["introduce"]:
        return None
    query = {"rule": s.rule, "kind": IntroductionTarget.PLACE, "name": entry.name}
    url = reverse("referrals:introduction_new", args=[case.pk]) + "?" + urlencode(query)
    return str(_("Record an introduction (information only)")), url


def _act(
    case: Case, s: suggestions.Suggestion, agency: Agency | None, may: dict[str, bool]
) -> tuple[str, str] | None:
    """The link that acts on a suggestion for one agency: a referral drafted with the rule and
    the agency, or an introduction recorded with them (rule R3a), as the action asks."""
    if s.action == suggestions.INTRODUCE:
        if not may["introduce"]:
            return None
        query: dict[str, str] = {
            "rule": s.rule,
            "kind": suggestions.introduction_target(s.rule, agency.kind if agency else None),
        }
        if agency is not None:
            query["to"] = str(agency.pk)
        url = reverse("referrals:introduction_new", args=[case.pk]) + "?" + urlencode(query)
        return str(_("Record an introduction (information only)")), url
    if agency is None or not may["refer"]:
        return None
    if s.action == suggestions.INVITE:
        # rule R3b: the hikikomori agency joins the plan's support coordination meeting
        from tsunagi.plans.models import SupportPlan
        from tsunagi.plans.selectors import current_plan_q

        plan = case.plans.filter(current_plan_q()).order_by("-number").first()
        if isinstance(plan, SupportPlan):
            url = reverse("meetings:new") + "?" + urlencode({"plan": plan.pk, "invite": agency.pk})
            return str(_("Invite to the support coordination meeting")), url
    url = (
        reverse("referrals:new", args=[case.pk])
        + "?"
        + urlencode({"rule": s.rule, "to": str(agency.pk)})
    )
    return str(_("Draft a referral")), url


def _panel_context(
    request: HttpRequest,
    case: Case,
    bound: DismissForm | None = None,
    notice: str = "",
    error: str = "",
) -> dict[str, Any]:
    """The panel's suggestions, each with its agencies and links, and its dismissal form; its
    showing is logged as a read of the case's suggestions (rule P3)."""
    user = request.user
    panel = selectors.suggestions_for(user, case)
    audit.personal(
        "suggestion.listed",
        user,
        case,
        request,
        ground=OWN_AGENCY,
        actor_agency_id=case.agency_id,
        codes=[item.code for item in panel.active],
        dismissed=[item.code for item in panel.dismissed],
    )
    is_open = case.closed_on is None
    may = {
        "refer": is_open
        and can(user, Action.CREATE, Kind.REFERRAL, Referral(agency_id=case.agency_id, case=case)),
        "introduce": is_open
        and can(
            user,
            Action.CREATE,
            Kind.INTRODUCTION,
            Introduction(agency_id=case.agency_id, case=case),
        ),
        "dismiss": can(
            user, Action.CREATE, Kind.DISMISSAL, Dismissal(agency_id=case.agency_id, case=case)
        ),
    }
    bound_code = bound.data.get("code") if bound is not None else None
    rows: list[dict[str, Any]] = []
    for item in panel.active:
        s = item.suggestion
        agencies = [{"resolved": r, "act": _act(case, s, r.agency, may)} for r in item.agencies]
        # an introduction may also name a group or place outside the registry (family
        # association, peer group): rule R3a allows either
        general = _act(case, s, None, may) if s.action == suggestions.INTRODUCE else None
        places = [{"match": m, "act": _introduce_place(case, s, m.entry, may)} for m in item.places]
        form = None
        if may["dismiss"]:
            form = bound if bound is not None and bound_code == item.code else None
            form = form or _dismiss_form(item.code)
        rows.append(
            {
                "item": item,
                "s": s,
                "slug": _slug(item.code),
                "agencies": agencies,
                "places": places,
                "general": general,
                "form": form,
            }
        )
    dismissed = [
        {
            "item": item,
            "s": item.suggestion,
            "dismissal": item.dismissal,
            "may_restore": item.dismissal is not None
            and can(user, Action.CHANGE, Kind.DISMISSAL, item.dismissal),
        }
        for item in panel.dismissed
    ]
    if bound is not None and bound.errors and bound_code not in {r["s"].code for r in rows}:
        error = (
            error
            or " ".join(str(m) for m in bound.errors.get("code", []))
            or str(_("This suggestion no longer applies."))
        )
    return {"case": case, "rows": rows, "dismissed": dismissed, "notice": notice, "error": error}


def _render_panel(
    request: HttpRequest, case: Case, status: int = 200, **extra: Any
) -> HttpResponse:
    context = _panel_context(request, case, **extra)
    if _is_htmx(request):
        return render(request, "referrals/_suggestions.html", context)
    people_services.log_read(request.user, Kind.CASE, case, request)
    return render(request, "referrals/suggestions.html", context, status=status)


@member_required
def panel(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The suggestions of the rules for the case (the htmx panel, or a page of its own)."""
    case = _get_case(request, case_pk)
    return _render_panel(request, case)


@member_required
def dismiss(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Set a suggestion aside for the case with the reason; the typed reason stays on errors."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = _get_case(request, case_pk)
    code = request.POST.get("code", "")
    require(
        request.user,
        Action.CREATE,
        Kind.DISMISSAL,
        Dismissal(agency_id=case.agency_id, case=case, code=code),
    )
    form = _dismiss_form(code, request.POST)
    if form.is_valid():
        try:
            services.dismiss_suggestion(
                request.user,
                case,
                form.cleaned_data["code"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            done = _("The suggestion was set aside.")
            if _is_htmx(request):
                return _render_panel(request, case, notice=done)
            messages.success(request, done)
            return redirect(_case_url(case, "#suggestions"))
    # htmx swaps only successful answers: the form with its errors comes back as 200
    return _render_panel(request, case, status=400, bound=form)


@member_required
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a set-aside suggestion again (the dismissal stays on record and in the count)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    dismissal = get_visible(request.user, Kind.DISMISSAL, Dismissal.objects.all(), pk=pk)
    case = _get_case(request, dismissal.case_id)
    try:
        services.restore_suggestion(request.user, dismissal, request=request)
    except ValidationError as exc:
        problem = " ".join(exc.messages)
        if _is_htmx(request):
            return _render_panel(request, case, error=problem)
        messages.error(request, problem)
    else:
        done = _("The suggestion is shown again.")
        if _is_htmx(request):
            return _render_panel(request, case, notice=done)
        messages.success(request, done)
    return redirect(_case_url(case, "#suggestions"))


# --- introductions (rule R3a) ------------------------------------------------------------------


def _introducible(case: Case, chosen: str | None) -> QuerySet[Agency]:
    """The agencies of the registry in the person's prefecture (the agency's own when the
    address has none), never the own agency nor a government office; and the one a suggestion
    named, wherever it is."""
    municipality = case.person.municipality
    prefecture_id = municipality.prefecture_id if municipality else case.agency.prefecture_id
    where = Q(prefecture_id=prefecture_id)
    if chosen and chosen.isdigit():
        where |= Q(pk=int(chosen))
    return (
        Agency.objects.filter(where, is_active=True)
        .exclude(pk=case.agency_id)
        .exclude(kind__in=GOVERNMENT_OFFICE_KINDS)
    )


@member_required
def introduction_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    """紹介: record that the person (or family) was given information about an agency or a
    group. Rule R3a: no personal data passes, so no consent is asked."""
    case = _get_case(request, case_pk)
    require(
        request.user,
        Action.CREATE,
        Kind.INTRODUCTION,
        Introduction(agency_id=case.agency_id, case=case),
    )
    chosen = request.POST.get("to_agency") or request.GET.get("to")
    kind = request.GET.get("kind", "")
    initial = {
        "to_agency": request.GET.get("to"),
        "target_kind": kind if kind in IntroductionTarget.values else "",
        "rule": request.GET.get("rule", "")[:10],
        "to_name": request.GET.get("name", "")[:200],
    }
    form = IntroductionForm(
        request.POST or None, agencies=_introducible(case, chosen), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            intro = services.record_introduction(
                request.user, case, form.introduction_data(), request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The introduction to %(target)s was recorded.") % {"target": intro.target_label},
            )
            return redirect(_case_url(case, "#introductions"))
    people_services.log_read(request.user, Kind.CASE, case, request)
    rule = suggestions.rule_for(form["rule"].value() or "") or next(
        (r for r in suggestions.RULES if r.id == (form["rule"].value() or "")), None
    )
    return render(
        request,
        "referrals/introduction_form.html",
        {"form": form, "case": case, "rule": rule},
        status=400 if form.errors else 200,
    )


def _introductions() -> QuerySet[Introduction]:
    return Introduction.objects.select_related(
        "agency", "case", "person", "to_agency", "created_by"
    )


def log_listed(request: HttpRequest, rows: list[Introduction]) -> None:
    """Every introduction shown in a list is read, own agency's (rule P3), in one statement."""
    people_services.log_reads(
        request.user, Kind.INTRODUCTION, rows, request, action="introduction.listed"
    )


class PeriodForm(TsunagiForm):
    """The period of the list: the day the information was given, in either calendar."""

    since = JapaneseDateField(label=gettext_lazy("given from"), required=False)
    until = JapaneseDateField(label=gettext_lazy("given until"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end cannot be before the start."))
        return data


@member_required
def introduction_list(request: HttpRequest) -> HttpResponse:
    """The introductions the user's agencies recorded, newest first, by period."""
    require(request.user, Action.VIEW, Kind.INTRODUCTION)
    period = PeriodForm(request.GET or None)
    found = scope(request.user, Kind.INTRODUCTION, _introductions()).order_by("-given_on", "-id")
    query: dict[str, str] = {}
    case_pk = request.GET.get("case", "")
    if case_pk.isdigit():
        found = found.filter(case_id=int(case_pk))
        query["case"] = case_pk
    if period.is_bound and period.is_valid():
        since, until = period.cleaned_data.get("since"), period.cleaned_data.get("until")
        if since:
            found = found.filter(given_on__gte=since)
            query["since"] = since.isoformat()
        if until:
            found = found.filter(given_on__lte=until)
            query["until"] = until.isoformat()
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    log_listed(request, rows)
    return render(
        request,
        "referrals/introductions.html",
        {
            "period": period,
            "page": page,
            "rows": rows,
            "case_filter": query.get("case", ""),
            "querystring_base": urlencode(query) + "&" if query else "",
        },
        status=400 if period.errors else 200,
    )


@member_required
def introduction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    intro = get_visible(request.user, Kind.INTRODUCTION, _introductions(), pk=pk)
    audit.personal(
        "introduction.viewed",
        request.user,
        intro,
        request,
        ground=OWN_AGENCY,
        actor_agency_id=intro.agency_id,
    )
    rule = next((r for r in suggestions.RULES if r.id == intro.rule), None)
    return render(request, "referrals/introduction_detail.html", {"intro": intro, "rule": rule})


# --- the rules help page ---------------------------------------------------------------------


def how_resolved(target: str) -> str:
    """How a suggestion's target is found in the registry (J1–J4, R6, R7), for the help page."""
    if target == suggestions.SELF_RELIANCE:
        return _(
            "J2: the self-reliance agency of the welfare-office municipality that covers the "
            "person's address (every city and special ward has one); for a town or village "
            "without a welfare office, the prefecture's agency for its area."
        )
    if target == suggestions.HIKIKOMORI:
        return _(
            "J1, J4: the hikikomori agencies (center, station, municipal programme) whose area "
            "covers the address, for the person's age band (under 18, or 18 and over); "
            "J3: at a self-reliance agency, also the hikikomori agencies the prefecture paired "
            "with it."
        )
    if target == suggestions.ADULT_CENTER:
        return _("J4, J5: the adult hikikomori center (18 and over) that covers the address.")
    if target == suggestions.PLACES:
        kinds = "、".join(str(AgencyKind(k).label) for k in selectors.PLACE_KINDS)
        return _(
            "R6: the places of the directory (居場所, work experience, volunteering…) that fit "
            "what the assessment and the person's wishes say (cannot talk yet, only in the "
            "morning, near home, with staff on the first visit), best first; when the directory "
            "has none, agencies that keep places (%(kinds)s) covering the address."
        ) % {"kinds": kinds}
    return _(
        "One whose area includes the address; else one located in the municipality; else one "
        "serving the whole prefecture."
    )


@member_required
def rules_help(request: HttpRequest) -> HttpResponse:
    """Every rule behind the suggestions, as the table `suggestions.RULES` holds it."""
    rows = [
        {
            "rule": rule,
            "action": suggestions.ACTION_LABELS[rule.action],
            "targets": [
                {"label": selectors.target_label(t), "how": how_resolved(t)} for t in rule.targets
            ],
        }
        for rule in suggestions.RULES
    ]
    return render(
        request,
        "referrals/rules.html",
        {"rows": rows, "defaults": ReminderSettings.DEFAULTS},
    )
