from django.urls import path

from . import views

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list, name="list"),
    path("new/", views.agency_create, name="create"),
    path("pairings/", views.pairing_list, name="pairings"),
    path("pairings/<int:pairing_pk>/delete/", views.pairing_delete, name="pairing_delete"),
    path("<int:pk>/", views.agency_detail, name="detail"),
    path("<int:pk>/edit/", views.agency_edit, name="edit"),
    path("<int:pk>/hours/", views.agency_hours, name="hours"),
    path("<int:pk>/staff/new/", views.staff_edit, name="staff_create"),
    path("<int:pk>/staff/<int:staff_pk>/", views.staff_edit, name="staff_edit"),
    path("<int:pk>/networks/new/", views.network_edit, name="network_create"),
    path("<int:pk>/networks/<int:network_pk>/", views.network_edit, name="network_edit"),
]
