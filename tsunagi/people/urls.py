from django.urls import path

from . import print_views

app_name = "people"

urlpatterns = [
    path("cases/<int:pk>/print/intake/", print_views.intake_form, name="print_intake"),
    path("cases/<int:pk>/print/assessment/", print_views.assessment_sheet, name="print_assessment"),
]
