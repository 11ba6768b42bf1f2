from django.urls import path

from . import dashboard_views, print_views, stats_views, suggestion_views, views

app_name = "referrals"

urlpatterns: list = [
    path("", views.referral_list, name="list"),
    path("cases/<int:case_pk>/new/", views.referral_new, name="new"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/edit/", views.referral_edit, name="edit"),
    path("<int:pk>/steps/<slug:step>/", views.referral_step, name="step"),
    path("<int:pk>/letter/", print_views.referral_letter, name="letter"),
    # suggestions of the rules (R2–R8, J4, J5) and introductions (R3a)
    path("cases/<int:case_pk>/suggestions/", suggestion_views.panel, name="suggestions"),
    path("cases/<int:case_pk>/suggestions/dismiss/", suggestion_views.dismiss, name="dismiss"),
    path("dismissals/<int:pk>/restore/", suggestion_views.restore, name="restore"),
    path(
        "cases/<int:case_pk>/introductions/new/",
        suggestion_views.introduction_new,
        name="introduction_new",
    ),
    path("introductions/", suggestion_views.introduction_list, name="introductions"),
    path("introductions/<int:pk>/", suggestion_views.introduction_detail, name="introduction"),
    path("rules/", suggestion_views.rules_help, name="rules"),
    # reminders in business days and hand-overs waiting (R5), the agency's settings
    path("waiting/", dashboard_views.waiting, name="waiting"),
    path("settings/", dashboard_views.reminder_settings, name="settings"),
    # statistics of the agency's referrals, introductions and dismissed suggestions
    path("stats/", stats_views.referral_stats, name="stats"),
]
