from django.urls import URLPattern, URLResolver

app_name = "supporters"

urlpatterns: list[URLPattern | URLResolver] = []
