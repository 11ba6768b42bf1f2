"""The foundation's calls for `make bench` (issue 2): health, login, agencies, the API."""

from tsunagi.bench.harness import register

STAFF = "demo-staff"
KOCHI = "39"


def first_kochi_agency() -> str:
    """The detail page of the first agency of 高知県 in the current data."""
    from tsunagi.agencies.models import Agency

    agency = Agency.objects.filter(prefecture__code=KOCHI).order_by("pk").first()
    if agency is None:
        raise LookupError("no agency in prefecture 39 (高知県)")
    return f"/agencies/{agency.pk}/"


register("healthz", "/healthz")
register("accounts.login_page", "/accounts/login/")
register("agencies.list", "/agencies/", user=STAFF)
register("agencies.search", "/agencies/?q=高知", user=STAFF)
register("agencies.detail", first_kochi_agency, user=STAFF)
register("api.agencies", f"/api/v1/agencies?prefecture={KOCHI}", user=STAFF)
register("api.municipalities", "/api/v1/municipalities?prefecture=13", user=STAFF)
register("api.prefectures", "/api/v1/prefectures", user=STAFF)
