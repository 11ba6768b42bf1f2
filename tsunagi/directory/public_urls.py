"""The public pages (no login): each municipality's window, places and groups (M1, M6)."""

from django.urls import URLPattern, URLResolver, path

from . import public_views

app_name = "public"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", public_views.search, name="search"),
    path("p/<str:code>/", public_views.prefecture, name="prefecture"),
    path("m/<str:code>/", public_views.municipality, name="municipality"),
    path("m/<str:code>/leaflet.pdf", public_views.leaflet, name="leaflet"),
]
