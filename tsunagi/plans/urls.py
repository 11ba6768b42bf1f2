from django.urls import path

from . import print_views, views

app_name = "plans"

urlpatterns: list = [
    path("cases/<int:case_pk>/", views.case_plans, name="case"),
    path("cases/<int:case_pk>/new/", views.plan_new, name="new"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/steps/<slug:step>/", views.plan_step, name="step"),
    path("<int:pk>/evaluate/", views.plan_evaluate, name="evaluate"),
    path("<int:pk>/print/", print_views.plan_print, name="print"),
    path("<int:pk>/evaluation/print/", print_views.evaluation_print, name="print_evaluation"),
    path("reviews/", views.reviews, name="reviews"),
]
