from django.urls import path  # noqa: F401

app_name = "supporters"

urlpatterns: list = []  # type: ignore[type-arg]
