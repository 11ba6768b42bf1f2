"""Writes of municipal structures: one function per change, each checking access, validating,
writing and logging in one transaction (rules M2-M4). History is kept: nothing is overwritten;
a new lead department or a platform change adds a dated row and closes the previous one."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access.policy import Action, Kind, require
from tsunagi.agencies.models import Agency
from tsunagi.agencies.services import EditConflict
from tsunagi.jurisdictions.models import Municipality
from tsunagi.web.text import normalize_text

from .models import LeadDepartment, MunicipalPlatform, NeedFound, NeedsSurvey, SurveyMethod
from .selectors import platform_probe, probe

KIND = Kind.MUNICIPAL_STRUCTURE
PLATFORM_FIELDS = (
    "name",
    "secretariat",
    "other_members",
    "existing_body",
    "joint_with_prefecture",
    "holds_meetings",
    "set_up_on",
)


def _no_nul(errors: dict[str, list[str]], data: dict[str, Any], *fields: str) -> None:
    """A NUL character (\\x00) cannot be stored: the field is refused (422 in the API) instead
    of reaching the database (forms refuse it already)."""
    for field in fields:
        value = data.get(field)
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and "\x00" in t for t in texts):
            errors.setdefault(field, []).append(
                _("Remove the control character (NUL) from the text.")
            )


def _refuse_nul(data: dict[str, Any], *fields: str) -> None:
    errors: dict[str, list[str]] = {}
    _no_nul(errors, data, *fields)
    if errors:
        raise ValidationError(errors)


def _required(errors: dict[str, list[str]], field: str, value: Any) -> None:
    if value in (None, "", []):
        errors.setdefault(field, []).append(_("This field is required."))


def _not_future(errors: dict[str, list[str]], field: str, value: date | None) -> None:
    if value is not None and value > timezone.localdate():
        errors.setdefault(field, []).append(_("The date cannot be in the future."))


def _log(action: str, request: HttpRequest | None, actor: Any, obj: Any) -> None:
    audit.record(
        action,
        actor=actor,
        request=request,
        obj=obj,
        detail={"municipality": obj.municipality.code},
    )


@transaction.atomic
def set_lead_department(
    user: Any,
    municipality: Municipality,
    *,
    name: str,
    contact: str = "",
    since: date | None = None,
    request: HttpRequest | None = None,
) -> LeadDepartment:
    """rule M4: name the lead department from `since`; the previous one is closed that day.
    Naming the same department and contact again changes nothing. Only the municipality's own
    officers name it (the prefecture follows, M5)."""
    require(user, Action.CHANGE, KIND, probe(municipality))
    _refuse_nul({"name": name, "contact": contact}, "name", "contact")
    name, contact = normalize_text(name or ""), normalize_text(contact or "")
    since = since or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _required(errors, "name", name)
    _not_future(errors, "since", since)
    current = (
        LeadDepartment.objects.select_for_update()
        .filter(municipality=municipality, until__isnull=True)
        .first()
    )
    if current is not None and since < current.since:
        errors.setdefault("since", []).append(
            _("The date must not be before the current department's start (%(date)s).")
            % {"date": current.since.isoformat()}
        )
    if errors:
        raise ValidationError(errors)
    if current is not None and current.name == name and current.contact == contact:
        return current
    if current is not None:
        current.until = since
        current.save(update_fields=["until"])
    lead = LeadDepartment(
        municipality=municipality, name=name, contact=contact, since=since, recorded_by=user
    )
    lead.full_clean()
    lead.save()
    _log("municipal_structure.lead_department_set", request, user, lead)
    return lead


def _survey_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    _required(errors, "method", data.get("method"))
    if data.get("method") and data["method"] not in SurveyMethod.values:
        errors.setdefault("method", []).append(_("Choose a method from the list."))
    if data.get("method") == SurveyMethod.OTHER and not data.get("method_detail"):
        errors.setdefault("method_detail", []).append(_("Describe the method."))
    _required(errors, "period_from", data.get("period_from"))
    start, end = data.get("period_from"), data.get("period_to")
    if start and end and end < start:
        errors.setdefault("period_to", []).append(
            _("The end of the period must not be before its start.")
        )
    for field in ("estimated_15_39", "estimated_40_64", "estimated_65_plus", "estimated_unknown"):
        value = data.get(field)
        if value is not None and value < 0:
            errors.setdefault(field, []).append(_("Enter a number of 0 or more."))
    unknown = [n for n in data.get("needs") or [] if n not in NeedFound.values]
    if unknown:
        errors.setdefault("needs", []).append(
            _("Unknown need: %(needs)s") % {"needs": ", ".join(map(str, unknown))}
        )
    return errors


@transaction.atomic
def record_survey(
    user: Any, municipality: Municipality, *, request: HttpRequest | None = None, **data: Any
) -> NeedsSurvey:
    """rule M2: record one needs survey (method, period, estimates by age band, needs found).
    Only the municipality's own officers record it (the prefecture follows, M5)."""
    require(user, Action.CHANGE, KIND, probe(municipality))
    _refuse_nul(data, "method", "method_detail", "needs_text", "needs")
    data["method_detail"] = normalize_text(data.get("method_detail") or "")
    data["needs_text"] = (data.get("needs_text") or "").replace("\r\n", "\n").strip()
    data["needs"] = list(dict.fromkeys(data.get("needs") or []))
    errors = _survey_errors(data)
    if errors:
        raise ValidationError(errors)
    survey = NeedsSurvey(municipality=municipality, recorded_by=user, **data)
    survey.full_clean()
    survey.save()
    _log("municipal_structure.survey_recorded", request, user, survey)
    return survey


def _platform_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field in ("name", "secretariat", "set_up_on"):
        _required(errors, field, data.get(field))
    _not_future(errors, "set_up_on", data.get("set_up_on"))
    return errors


def _clean_platform(data: dict[str, Any]) -> dict[str, Any]:
    _refuse_nul(data, "name", "secretariat", "existing_body", "other_members")
    out = dict(data)
    for field in ("name", "secretariat", "existing_body"):
        if field in out:
            out[field] = normalize_text(out[field] or "")
    if "other_members" in out:
        names = [normalize_text(n) for n in out["other_members"] or []]
        out["other_members"] = [n for n in dict.fromkeys(names) if n]
    return out


def _member_agencies(municipality: Municipality, ids: list[int] | None) -> list[Agency] | None:
    if ids is None:
        return None
    # Members come from the registry of the municipality's prefecture.
    found = {
        a.pk: a
        for a in Agency.objects.filter(
            pk__in=ids, is_active=True, prefecture_id=municipality.prefecture_id
        )
    }
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {"member_agency_ids": [_("Unknown agency: %(ids)s") % {"ids": ", ".join(missing)}]}
        )
    return [found[i] for i in dict.fromkeys(ids)]


@transaction.atomic
def set_up_platform(
    user: Any,
    municipality: Municipality,
    *,
    member_agency_ids: list[int] | None = None,
    request: HttpRequest | None = None,
    **data: Any,
) -> MunicipalPlatform:
    """rule M3: record the municipality's platform (a contact structure is enough). The
    municipality's officers record any; the prefecture's officers one set up jointly with the
    prefecture (`joint_with_prefecture`)."""
    joint = bool(data.get("joint_with_prefecture"))
    require(user, Action.CHANGE, KIND, platform_probe(municipality, joint=joint))
    data = _clean_platform(data)
    errors = _platform_errors(data)
    if MunicipalPlatform.objects.filter(municipality=municipality).exists():
        errors.setdefault("__all__", []).append(
            _("The platform is already recorded; change it instead.")
        )
    if errors:
        raise ValidationError(errors)
    members = _member_agencies(municipality, member_agency_ids) or []
    platform = MunicipalPlatform(
        municipality=municipality,
        recorded_by=user,
        valid_from=timezone.localdate(),
        version=1,
        **data,
    )
    platform.full_clean()
    platform.save()
    platform.member_agencies.set(members)
    _log("municipal_structure.platform_set_up", request, user, platform)
    return platform


@transaction.atomic
def change_platform(
    user: Any,
    municipality: Municipality,
    *,
    version: int | None = None,
    member_agency_ids: list[int] | None = None,
    request: HttpRequest | None = None,
    **changes: Any,
) -> MunicipalPlatform:
    """rule M3: a change adds a version from today and closes the previous one; a stale
    `version` changes nothing (EditConflict). The prefecture's officers change only a platform
    set up jointly with the prefecture, and it stays joint; the municipality's officers any."""
    current = (
        MunicipalPlatform.objects.select_for_update()
        .filter(municipality=municipality, valid_until__isnull=True)
        .first()
    )
    if current is None:
        require(user, Action.CHANGE, KIND, platform_probe(municipality, joint=True))
        from django.http import Http404

        raise Http404
    require(user, Action.CHANGE, KIND, current)
    joint = changes.get("joint_with_prefecture")
    if joint is None:
        joint = current.joint_with_prefecture
    require(user, Action.CHANGE, KIND, platform_probe(municipality, joint=bool(joint)))
    if version is not None and version != current.version:
        raise EditConflict(current)
    changes = _clean_platform({k: v for k, v in changes.items() if k in PLATFORM_FIELDS})
    data = {f: getattr(current, f) for f in PLATFORM_FIELDS} | changes
    errors = _platform_errors(data)
    if errors:
        raise ValidationError(errors)
    members = _member_agencies(municipality, member_agency_ids)
    if members is None:
        members = list(current.member_agencies.all())
    today = timezone.localdate()
    unchanged = all(getattr(current, f) == data[f] for f in PLATFORM_FIELDS) and {
        a.pk for a in members
    } == set(current.member_agencies.values_list("pk", flat=True))
    if unchanged:
        return current
    current.valid_until = today
    current.save(update_fields=["valid_until"])
    platform = MunicipalPlatform(
        municipality=municipality,
        recorded_by=user,
        valid_from=today,
        version=current.version + 1,
        **data,
    )
    platform.full_clean()
    platform.save()
    platform.member_agencies.set(members)
    _log("municipal_structure.platform_changed", request, user, platform)
    return platform
