from django.urls import path  # noqa: F401

app_name = "figures"

urlpatterns: list = []  # type: ignore[type-arg]
