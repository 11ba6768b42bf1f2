"""The public pages (no login): each municipality's window, places and groups (M1, M6)."""

from django.urls import path  # noqa: F401

app_name = "public"

urlpatterns: list = []  # type: ignore[type-arg]
