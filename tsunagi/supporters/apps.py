from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportersConfig(AppConfig):
    name = "tsunagi.supporters"
    verbose_name = _("Hikikomori supporters")
