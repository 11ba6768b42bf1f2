from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "tsunagi.directory"
    verbose_name = _("Directory of windows and places")

    def ready(self) -> None:
        # a change of an entry clears the cached public pages, whoever makes it (screens, API,
        # an HSDS import, the demo)
        from . import caching  # noqa: F401
