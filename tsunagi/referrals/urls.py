from django.urls import path

from . import views

app_name = "referrals"

urlpatterns: list = [
    path("", views.referral_list, name="list"),
    path("cases/<int:case_pk>/new/", views.referral_new, name="new"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/steps/<slug:step>/", views.referral_step, name="step"),
]
