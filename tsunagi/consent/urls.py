from django.urls import path  # noqa: F401

app_name = "consent"

urlpatterns: list = []

# printed forms (同意書)
from . import print_views  # noqa: E402

urlpatterns += [
    path("<int:pk>/print/", print_views.consent_form, name="print"),
    path("blank-form/<int:person_pk>/", print_views.blank_form, name="blank_form"),
]
