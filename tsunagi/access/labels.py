"""What each audit action code means, in the user's language. New capabilities add their codes."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    "login.succeeded": _("Logged in"),
    "login.failed": _("Login failed"),
    "login.refused_locked": _("Login refused (locked)"),
    "logout": _("Logged out"),
    "password.changed": _("Password changed"),
    "token.issued": _("API token issued"),
    "user.created": _("User created"),
    "membership.granted": _("Role granted"),
    "membership.role_changed": _("Role changed"),
    "membership.ended": _("Role ended"),
    "agency.created": _("Agency registered"),
    "agency.changed": _("Agency changed"),
    "agency.hours_changed": _("Opening hours changed"),
    "agency.exported": _("Agency list exported"),
    "staff.created": _("Staff member added"),
    "staff.changed": _("Staff member changed"),
    "pairing.added": _("Pairing added"),
    "pairing.removed": _("Pairing removed"),
    "network.created": _("Network created"),
    "network.changed": _("Network changed"),
    "municipality.changed": _("Municipality changed"),
    "municipality.exported": _("Municipality list exported"),
    "audit.exported": _("Audit log exported"),
    "person.created": _("Person registered"),
    "person.changed": _("Person changed"),
    "person.viewed": _("Person viewed"),
    "person.listed": _("Persons listed"),
    "household.created": _("Household registered"),
    "household.changed": _("Household changed"),
    "household.member_added": _("Household member added"),
    "household.member_changed": _("Household member changed"),
    "household.member_removed": _("Household member removed"),
    "household.viewed": _("Household viewed"),
    "household.listed": _("Households listed"),
    "case.opened": _("Case opened"),
    "case.changed": _("Case changed"),
    "case.restricted": _("Case restricted to assigned staff"),
    "case.unrestricted": _("Case restriction lifted"),
    "case.viewed": _("Case viewed"),
    "case.listed": _("Cases listed"),
    "case.printed": _("Case form printed"),
    "contact.recorded": _("Contact recorded"),
    "contact.changed": _("Contact changed"),
    "contact.viewed": _("Contact viewed"),
    "contact.listed": _("Contacts listed"),
    "assessment.recorded": _("Assessment recorded"),
    "assessment.viewed": _("Assessment viewed"),
    "assessment.listed": _("Assessments listed"),
    "flag.raised": _("Flag raised"),
    "flag.resolved": _("Flag resolved"),
    "flag.viewed": _("Flag viewed"),
    "flag.listed": _("Flags listed"),
    "demo.built": _("Demo data built"),
    "demo.reset": _("Demo data reset"),
}


def action_label(code: str) -> str:
    """The label of an action code; an unknown code is shown as it is."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
