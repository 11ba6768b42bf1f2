from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "tsunagi.meetings"
    verbose_name = _("Support meetings")
