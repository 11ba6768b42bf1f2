"""The officers' screens of the directory (included at /directory/)."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "directory"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.entry_list, name="list"),
    path("new/", views.entry_create, name="new"),
    path("<int:pk>/", views.entry_detail, name="detail"),
    path("<int:pk>/edit/", views.entry_edit, name="edit"),
    path("<int:pk>/verify/", views.entry_verify, name="verify"),
    path("<int:pk>/archive/", views.entry_archive, name="archive"),
]
