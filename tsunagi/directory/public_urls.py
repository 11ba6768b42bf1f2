"""The public pages (no login): each municipality's window, places and groups (M1, M6)."""

from django.urls import URLPattern, URLResolver

app_name = "public"

urlpatterns: list[URLPattern | URLResolver] = []
