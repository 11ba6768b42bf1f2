from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "tsunagi.people"
    verbose_name = _("People, households and cases")
