"""The record as a user outside the owning agency sees it through a grant (access.md).

`shared_record` builds plain dictionaries holding only the fields of the kinds the grants
permit; screens and the API render these, never the model objects, so nothing else can reach
the browser. Every record put in it is logged as read on the grant's ground (rule P3).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .kinds import InfoKind, shared_values
from .policy import Kind, Sight, sight


def _case_ids(seen: Sight, person: Any) -> list[int]:
    bound = {g.case_id for g in seen.grants}
    if None in bound or not bound:
        return list(person.cases.order_by("-opened_on").values_list("pk", flat=True))
    return sorted(c for c in bound if c is not None)


def shared_record(
    user: Any, person: Any, seen: Sight, request: HttpRequest | None = None
) -> dict[str, Any]:
    from tsunagi.people.models import Assessment, Case, Contact, Flag, HouseholdMember
    from tsunagi.people.services import log_reads, log_shared_read

    kinds = set(seen.kinds)
    case_ids = _case_ids(seen, person)
    record: dict[str, Any] = {
        "person": shared_values(person, kinds),
        "kinds": sorted(kinds),
        "cases": [],
        "household": [],
        "assessments": [],
        "contacts": [],
        "flags": [],
    }
    log_shared_read(user, Kind.PERSON, person, seen, request)
    if InfoKind.SITUATION in kinds:
        cases = list(Case.objects.filter(pk__in=case_ids).order_by("-opened_on"))
        record["cases"] = [shared_values(c, kinds) for c in cases]
        log_reads(user, Kind.CASE, cases, request, seen=seen)
        member = HouseholdMember.objects.filter(person=person).first()
        if member is not None:
            # Only how the others relate to the person: their own data is not the person's
            # to share.
            record["household"] = [
                {
                    "relationship": m.get_relationship_display(),
                    "lives_together": m.lives_together,
                    "is_main_carer": m.is_main_carer,
                }
                for m in member.household.members.exclude(person=person)
            ]
    if kinds & {InfoKind.SITUATION, InfoKind.ASSESSMENT, InfoKind.SPECIAL_CARE}:
        assessments = list(
            Assessment.objects.filter(case_id__in=case_ids).order_by("-assessed_on", "-pk")[:10]
        )
        record["assessments"] = [shared_values(a, kinds) for a in assessments]
        log_reads(user, Kind.ASSESSMENT, assessments, request, seen=seen)
    if InfoKind.PLAN in kinds:
        contacts = list(
            Contact.objects.filter(case_id__in=case_ids).order_by("-occurred_at", "-pk")[:50]
        )
        record["contacts"] = [shared_values(c, kinds) for c in contacts]
        log_reads(user, Kind.CONTACT, contacts, request, seen=seen)
    if InfoKind.SPECIAL_CARE in kinds:
        flags = list(Flag.objects.filter(case_id__in=case_ids, resolved_at__isnull=True))
        record["flags"] = [shared_values(f, kinds) for f in flags]
        log_reads(user, Kind.FLAG, flags, request, seen=seen)
    return record


def shown_name(
    user: Any, person: Any, request: HttpRequest | None = None, *, log: bool = True
) -> str | None:
    """The person's name as `user` may see it: at the owning agency, or under an active grant
    that shares identity (rule P1) — so a withdrawal hides it at once (rule P4). None otherwise.

    A name shown under a grant is a read of the person, logged on the grant's ground (rule P3)
    unless the caller logs the read itself; own-agency reads are the caller's to log (lists log
    them in one statement)."""
    from tsunagi.people.services import log_shared_read

    seen = sight(user, Kind.PERSON, person)
    if seen is None:
        return None
    if log and not seen.is_own:
        log_shared_read(user, Kind.PERSON, person, seen, request)
    return str(person.full_name)
