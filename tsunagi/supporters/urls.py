"""Screens of the supporters capability (rules S1-S8). URL names are fixed; views live in three
modules: the prefecture's (training), the municipality's (dispatch), the supporter's (phone).
"""

from django.urls import URLPattern, URLResolver, path

from .views import dispatch, phone, training

app_name = "supporters"

urlpatterns: list[URLPattern | URLResolver] = [
    path("courses/", training.courses, name="courses"),
    path("courses/new/", training.course_new, name="course_new"),
    path("courses/<int:pk>/", training.course_detail, name="course"),
    path("courses/<int:pk>/edit/", training.course_edit, name="course_edit"),
    path("courses/<int:pk>/sessions/new/", training.session_add, name="session_add"),
    path("courses/<int:pk>/enrol/", training.enrol, name="enrol"),
    path("sessions/<int:session_pk>/attendance/", training.attendance, name="attendance"),
    path("enrolments/<int:enrolment_pk>/complete/", training.complete, name="complete"),
    path("", training.supporter_list, name="list"),
    path("new/", training.supporter_new, name="new"),
    path("<int:pk>/", training.supporter_detail, name="detail"),
    path("<int:pk>/edit/", training.supporter_edit, name="edit"),
    path("<int:pk>/consent/", training.supporter_consent, name="consent"),
    path("<int:pk>/consent/print/", training.consent_form, name="consent_form"),
    path("<int:pk>/withdraw/", training.supporter_withdraw, name="withdraw"),
    path("<int:pk>/account/", training.supporter_account, name="account"),
    path("roster/give/", training.roster_give, name="roster_give"),
    path("roster/releases/", training.releases, name="releases"),
    path("roster/", dispatch.roster, name="roster"),
    path("roster/<int:entry_pk>/confirm/", dispatch.roster_confirm, name="roster_confirm"),
    path("dispatches/", dispatch.dispatch_list, name="dispatches"),
    path("dispatches/new/", dispatch.dispatch_new, name="dispatch_new"),
    path("dispatches/<int:pk>/", dispatch.dispatch_detail, name="dispatch"),
    path("dispatches/<int:pk>/edit/", dispatch.dispatch_edit, name="dispatch_edit"),
    path("dispatches/<int:pk>/match/", dispatch.dispatch_match, name="match"),
    path("dispatches/<int:pk>/plan/", dispatch.dispatch_plan, name="dispatch_plan"),
    path("dispatches/<int:pk>/consents/", dispatch.dispatch_consents, name="dispatch_consents"),
    path("dispatches/<int:pk>/steps/<slug:step>/", dispatch.dispatch_step, name="dispatch_step"),
    path("dispatches/<int:pk>/stop/", dispatch.dispatch_stop, name="dispatch_stop"),
    path("dispatches/<int:pk>/print/", dispatch.dispatch_print, name="dispatch_print"),
    path("dispatches/<int:pk>/guidance/", dispatch.guidance_add, name="guidance_add"),
    path("incidents/", dispatch.incident_list, name="incidents"),
    path("incidents/<int:pk>/", dispatch.incident_detail, name="incident"),
    path("incidents/<int:pk>/steps/", dispatch.incident_step, name="incident_step"),
    path("incidents/<int:pk>/close/", dispatch.incident_close, name="incident_close"),
    path("found/", dispatch.found_list, name="found_cases"),
    path("found/<int:pk>/", dispatch.found_detail, name="found_case"),
    path("mine/", phone.mine, name="mine"),
    path("mine/<int:pk>/", phone.mine_dispatch, name="mine_dispatch"),
    path("mine/<int:pk>/visits/new/", phone.visit_new, name="visit_new"),
    path("mine/<int:pk>/incidents/new/", phone.incident_new, name="incident_new"),
    path("mine/found/new/", phone.found_new, name="found_new"),
    path("me/", phone.me, name="me"),
]
