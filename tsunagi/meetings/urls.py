from django.urls import path

from . import print_views, views

app_name = "meetings"

urlpatterns: list = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/agenda/add/", views.agenda_add, name="agenda_add"),
    path("<int:pk>/agenda/<int:item_pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/tasks/add/", views.task_add, name="task_add"),
    path("tasks/<int:task_pk>/done/", views.task_done, name="task_done"),
    path("<int:pk>/print/", print_views.minutes_print, name="print"),
]
