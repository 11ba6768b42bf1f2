from django.urls import include, path

from tsunagi.api.app import api
from tsunagi.web import views as web_views

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("accounts/", include("tsunagi.accounts.urls")),
    path("agencies/", include("tsunagi.agencies.urls")),
    path("jurisdictions/", include("tsunagi.jurisdictions.urls")),
    path("audit/", include("tsunagi.access.urls")),
    path("people/", include("tsunagi.people.urls")),
    path("consent/", include("tsunagi.consent.urls")),
    path("referrals/", include("tsunagi.referrals.urls")),
    path("meetings/", include("tsunagi.meetings.urls")),
    path("plans/", include("tsunagi.plans.urls")),
    path("supporters/", include("tsunagi.supporters.urls")),
    path("directory/", include("tsunagi.directory.urls")),
    path("public/", include("tsunagi.directory.public_urls")),
    path("oversight/", include("tsunagi.oversight.urls")),
    path("statistics/", include("tsunagi.figures.urls")),
    path("", include("tsunagi.web.urls")),
]
