from django.urls import path  # noqa: F401

app_name = "oversight"

urlpatterns: list = []  # type: ignore[type-arg]
