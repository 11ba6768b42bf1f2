"""The closed lists of the intake form (相談受付・申込票) and the assessment sheet."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    """As the person states it; never required."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other / as the person describes")
    UNSTATED = "", _("Not stated")


class ContactMethod(models.TextChoices):
    """Ways to reach a person: preferred and avoided (a withdrawn person may not want a call)."""

    PHONE = "phone", _("Phone call")
    SMS = "sms", _("Text message (SMS)")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    HOME_VISIT = "home_visit", _("Home visit")
    OFFICE_VISIT = "office_visit", _("Visit to the office")
    VIA_FAMILY = "via_family", _("Through the family")
    ONLINE = "online", _("SNS / online")


class Relationship(models.TextChoices):
    """続柄, relative to the household's reference person (the person consulted about)."""

    SELF = "self", _("Reference person")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    SPOUSE = "spouse", _("Spouse or partner")
    SIBLING = "sibling", _("Sibling")
    GRANDPARENT = "grandparent", _("Grandparent")
    GRANDCHILD = "grandchild", _("Grandchild")
    PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    OTHER = "other", _("Other (not related)")


class Channel(models.TextChoices):
    """How a contact (相談) happened."""

    PHONE = "phone", _("Phone")
    OFFICE_VISIT = "office_visit", _("Visit to the office")
    HOME_VISIT = "home_visit", _("Home visit / outreach")
    ACCOMPANIMENT = "accompaniment", _("Accompaniment")
    MAIL = "mail", _("Mail")
    EMAIL = "email", _("E-mail")
    ONLINE = "online", _("SNS / online")


class Initiator(models.TextChoices):
    """Who made the contact."""

    PERSON = "person", _("The person")
    FAMILY = "family", _("A family member")
    AGENCY = "agency", _("Another agency")
    WELFARE_COMMISSIONER = "welfare_commissioner", _("Welfare commissioner (民生委員)")
    SUPPORTER = "supporter", _("A supporter")
    STAFF = "staff", _("Our staff (outreach)")
    OTHER = "other", _("Other")


class Problem(models.TextChoices):
    """The problem checklist of the national intake form (相談受付・申込票)."""

    HEALTH = "health", _("Illness, health or disability")
    HOUSING = "housing", _("Housing")
    INCOME = "income", _("Income and living costs")
    RENT_ARREARS = "rent_arrears", _("Rent or housing-loan arrears")
    TAX_ARREARS = "tax_arrears", _("Tax, social insurance or utility arrears")
    DEBT = "debt", _("Debt")
    JOB_SEARCH = "job_search", _("Looking for work")
    WORK_TROUBLE = "work_trouble", _("Trouble at work")
    COMMUNITY = "community", _("Relations with the community")
    FAMILY = "family", _("Family relations")
    CHILD_REARING = "child_rearing", _("Child-rearing")
    CARE = "care", _("Care of a family member")
    HIKIKOMORI = "hikikomori", _("Hikikomori or school refusal")
    DV_ABUSE = "dv_abuse", _("DV or abuse")
    NO_FOOD = "no_food", _("No food")
    OTHER = "other", _("Other")


class Screening(models.TextChoices):
    """The screening outcome of a case (スクリーニング) in the national standard process."""

    PENDING = "", _("Not screened yet")
    INFORMATION_ONLY = "information_only", _("Information or advice only, closed")
    HANDED_OVER = "handed_over", _("Handed to another system or agency")
    CONTINUING = "continuing", _("Kept for continuing support")


class Informant(models.TextChoices):
    """Whose words an assessment rests on (scenario A: filled from what the mother says)."""

    PERSON = "person", _("The person")
    FAMILY = "family", _("A family member")
    AGENCY = "agency", _("Another agency")
    STAFF = "staff", _("Staff observation")


class Employment(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    FULL_TIME = "full_time", _("Working full time")
    PART_TIME = "part_time", _("Working part time or irregularly")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    UNEMPLOYED_SEEKING = "unemployed_seeking", _("Not working, looking for work")
    UNEMPLOYED = "unemployed", _("Not working, not looking")
    STUDENT = "student", _("Student")
    RETIRED = "retired", _("Retired / pension")


UNEMPLOYED = (Employment.UNEMPLOYED, Employment.UNEMPLOYED_SEEKING)


class Level(models.TextChoices):
    """A plain three-step scale for health and similar items."""

    UNKNOWN = "", _("Unknown")
    NONE = "none", _("No concern")
    CONCERN = "concern", _("Some concern")
    SERIOUS = "serious", _("Serious concern / under treatment")


class Finance(models.TextChoices):
    """Household finance (世帯の家計)."""

    UNKNOWN = "", _("Unknown")
    STABLE = "stable", _("Makes ends meet")
    TIGHT = "tight", _("Tight, barely makes ends meet")
    SHORT = "short", _("Cannot make ends meet")
    NO_INCOME = "no_income", _("No income")


class Housing(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    OWNED = "owned", _("Owned home")
    RENTED = "rented", _("Rented home")
    PUBLIC = "public", _("Public housing")
    WITH_OTHERS = "with_others", _("Staying with acquaintances")
    AT_RISK = "at_risk", _("At risk of losing the home")
    NONE = "none", _("No home (homeless, internet café, etc.)")
    INSTITUTION = "institution", _("Institution or hospital")


class Disability(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    NONE = "none", _("None apparent")
    POSSIBLE = "possible", _("Possible, not diagnosed")
    CERTIFIED = "certified", _("Certified or diagnosed")


class GoingOut(models.TextChoices):
    """How far the person goes out: the national survey's four levels of hikikomori (広義)."""

    NOT_WITHDRAWN = "", _("Not withdrawn / unknown")
    HOBBY_ONLY = "hobby_only", _("Goes out only for hobbies")
    NEIGHBOURHOOD = "neighbourhood", _("Goes out to a nearby convenience store and the like")
    HOME_ONLY = "home_only", _("Leaves the room but not the house")
    ROOM_ONLY = "room_only", _("Hardly leaves the room")


class Connection(models.TextChoices):
    """The six kinds of social isolation (社会的孤立) of seed 003: a tick means still connected."""

    FAMILY = "family", _("Family")
    NEIGHBOURS = "neighbours", _("Neighbours and community")
    GROUPS = "groups", _("Groups and organisations")
    INFORMATION = "information", _("Information")
    SERVICES = "services", _("Services and systems")
    SOCIAL_ROLES = "social_roles", _("Social roles")


class Urgency(models.TextChoices):
    """What a contact or assessment can report as urgent (rule R8)."""

    NO_FOOD = "no_food", _("No food today")
    NO_SHELTER = "no_shelter", _("No place to stay tonight")
    SUICIDAL = "suicidal", _("Speaks of not wanting to live")


class FlagKind(models.TextChoices):
    URGENT_NEED = "urgent_need", _("Urgent need (food or shelter)")
    SUICIDE_RISK = "suicide_risk", _("Suicide risk")
    # rule P4: a copy received under a consent that has since been withdrawn
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
