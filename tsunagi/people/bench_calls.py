"""The people app's calls for `make bench` (issue 3): the name search and the case page of
walkthrough A's 山田 household, on the screens and the API, at 10,000 and 100,000 persons
(`tsunagi demo --persons N`, which puts them all in demo-staff's agency)."""

from __future__ import annotations

from urllib.parse import quote

from tsunagi.bench.harness import register

STAFF = "demo-staff"
SEARCH = quote("やまだ")  # kana: finds 山田 written in any script (ﾔﾏﾀﾞ, ヤマダ, やまだ)
SEARCH_FULL_NAME = quote("山田 太")  # family name and the start of the given name


def yamada_case() -> int:
    """The case of 山田 太郎 of walkthrough A (the demo's, not a synthetic namesake)."""
    from tsunagi.demo.people import YAMADA_HOUSEHOLD
    from tsunagi.people.models import Case

    case = (
        Case.objects.filter(
            person__membership__household__name=YAMADA_HOUSEHOLD,
            person__given_name="太郎",
            person__agency__memberships__user__username=STAFF,
        )
        .order_by("pk")
        .first()
    )
    if case is None:
        raise LookupError("no case of 山田 太郎 (walkthrough A): run `tsunagi demo`")
    return case.pk


def yamada_person() -> int:
    from tsunagi.people.models import Case

    return Case.objects.values_list("person_id", flat=True).get(pk=yamada_case())


register("people.search", f"/people/?q={SEARCH}", user=STAFF)
register("people.search_full_name", f"/people/?q={SEARCH_FULL_NAME}", user=STAFF)
register("people.case", lambda: f"/people/cases/{yamada_case()}/", user=STAFF)
register("people.person", lambda: f"/people/{yamada_person()}/", user=STAFF)
register("people.print_intake", lambda: f"/people/cases/{yamada_case()}/print/intake/", user=STAFF)
register("api.persons.search", f"/api/v1/persons?q={SEARCH}", user=STAFF)
register("api.persons.detail", lambda: f"/api/v1/persons/{yamada_person()}", user=STAFF)
register("api.cases.detail", lambda: f"/api/v1/cases/{yamada_case()}", user=STAFF)
