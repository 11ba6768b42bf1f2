from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("", views.audit_log, name="log"),
    path("disclosure/<int:person_pk>/", views.disclosure, name="disclosure"),
]

# printed disclosure report (開示報告書, rule P3)
from . import print_views  # noqa: E402

urlpatterns += [
    path("disclosure/<int:person_pk>/print/", print_views.disclosure_pdf, name="disclosure_pdf"),
]
