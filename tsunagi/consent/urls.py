from django.urls import path

from . import views

app_name = "consent"

urlpatterns: list = [
    path("persons/<int:person_pk>/", views.consent_list, name="list"),
    path("persons/<int:person_pk>/new/", views.consent_record, name="record"),
    path("persons/<int:person_pk>/explanation/", views.explain, name="explain"),
    path("persons/<int:person_pk>/emergency/", views.emergency, name="emergency"),
    path("persons/<int:person_pk>/shared/", views.shared, name="shared"),
    path("<int:pk>/", views.consent_detail, name="detail"),
    path("<int:pk>/withdraw/", views.consent_withdraw, name="withdraw"),
    path("<int:pk>/scan/", views.consent_scan, name="scan"),
    path("<int:pk>/share/", views.share, name="share"),
    path("grants/", views.grant_list, name="grants"),
    path("grants/<int:pk>/", views.grant_detail, name="grant"),
    path("grants/<int:pk>/end/", views.grant_end, name="grant_end"),
    path("grants/<int:pk>/acknowledge/", views.grant_acknowledge, name="grant_acknowledge"),
]

# printed forms (同意書)
from . import print_views  # noqa: E402

urlpatterns += [
    path("<int:pk>/print/", print_views.consent_form, name="print"),
    path("blank-form/<int:person_pk>/", print_views.blank_form, name="blank_form"),
]
