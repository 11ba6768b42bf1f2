from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("", views.progress, name="progress"),
    path("national/", views.national, name="national"),
    path("compliance/", views.compliance, name="compliance"),
    path("municipalities/<str:code>/", views.municipality, name="municipality"),
]
