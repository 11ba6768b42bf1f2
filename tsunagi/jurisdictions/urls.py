from django.urls import path

from . import views

app_name = "jurisdictions"
urlpatterns = [
    path("", views.municipality_list, name="list"),
    path("<str:code>/", views.municipality_detail, name="detail"),
]
