from django.urls import path

from . import views

app_name = "meetings"

urlpatterns: list = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/agenda/add/", views.agenda_add, name="agenda_add"),
]
