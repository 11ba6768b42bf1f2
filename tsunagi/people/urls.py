from django.urls import path

from . import print_views, views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/household/new/", views.household_create, name="household_create"),
    path("<int:person_pk>/contacts/new/", views.contact_create, name="person_contact"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/members/add/", views.member_add, name="member_add"),
    path(
        "households/<int:pk>/members/<int:person_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/reopen/", views.case_reopen, name="case_reopen"),
    path("cases/<int:pk>/restriction/", views.case_restriction, name="case_restriction"),
    path("cases/<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("cases/<int:pk>/assessments/", views.assessment_list, name="assessments"),
    path("cases/<int:pk>/assessments/new/", views.assessment_create, name="assessment_create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("flags/<int:pk>/resolve/", views.flag_resolve, name="flag_resolve"),
    path("cases/<int:pk>/print/intake/", print_views.intake_form, name="print_intake"),
    path("cases/<int:pk>/print/assessment/", print_views.assessment_sheet, name="print_assessment"),
]
