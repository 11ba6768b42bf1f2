"""What each audit action code means, in the user's language. New capabilities add their codes."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
    "consent.recorded": _("Consent recorded"),
    "consent.withdrawn": _("Consent withdrawn"),
    "consent.viewed": _("Consent viewed"),
    "consent.listed": _("Consents listed"),
    "consent.printed": _("Consent form printed"),
    "consent.scan_viewed": _("Scan of a signed consent viewed"),
    "explanation.recorded": _("Explanation of information sharing recorded"),
    "explanation.listed": _("Explanations of information sharing listed"),
    "grant.made": _("Information shared under consent"),
    "grant.emergency": _("Information shared in an emergency"),
    "grant.meeting": _("Information shared with a support meeting"),
    "grant.dispatch": _("Information shared with a dispatched supporter"),
    "grant.ended": _("Sharing ended"),
    "grant.acknowledged": _("Sharing without consent seen by the manager"),
    "grant.viewed": _("Grant viewed"),
    "grant.listed": _("Grants listed"),
    "referral.drafted": _("Referral drafted"),
    "referral.consent_confirmed": _("Consent for the referral confirmed"),
    "referral.sent": _("Referral sent"),
    "referral.received": _("Referral received"),
    "referral.accepted": _("Referral accepted"),
    "referral.declined": _("Referral declined"),
    "referral.first_contact": _("First contact after the referral recorded"),
    "referral.closed": _("Referral closed"),
    "referral.cancelled": _("Referral cancelled"),
    "referral.viewed": _("Referral viewed"),
    "referral.listed": _("Referrals listed"),
    "referral.changed": _("Referral changed"),
    "referral.letter_printed": _("Referral letter printed"),
    "referral.reminders_set": _("Referral reminder settings changed"),
    "referral.stats_exported": _("Referral statistics exported"),
    "introduction.recorded": _("Introduction recorded"),
    "introduction.viewed": _("Introduction viewed"),
    "introduction.listed": _("Introductions listed"),
    "suggestion.dismissed": _("Suggestion set aside"),
    "suggestion.restored": _("Suggestion shown again"),
    "suggestion.listed": _("Suggestions shown"),
    "meeting.created": _("Support meeting created"),
    "meeting.changed": _("Support meeting members or attendees changed"),
    "meeting.printed": _("Minutes of a support meeting printed"),
    "meeting.task_added": _("Follow-up task added"),
    "meeting.task_done": _("Follow-up task done"),
    "agenda.minutes": _("Minutes of an agenda case recorded"),
    "plan.created": _("Support plan written"),
    "plan.changed": _("Support plan changed"),
    "plan.approved": _("Support plan approved at the meeting"),
    "plan.decided": _("Support decision recorded"),
    "plan.evaluated": _("Support plan evaluated"),
    "plan.replanned": _("New version of the support plan"),
    "plan.viewed": _("Support plan viewed"),
    "plan.printed": _("Support plan printed"),
    "evaluation.viewed": _("Evaluation viewed"),
    "agenda.added": _("Case put on a support meeting's agenda"),
    "disclosure.viewed": _("Disclosure report viewed"),
    "disclosure.printed": _("Disclosure report printed"),
    "disclosure.exported": _("Disclosure report exported"),
    "demo.built": _("Demo data built"),
    "demo.reset": _("Demo data reset"),
}


def action_label(code: str) -> str:
    """The label of an action code; an unknown code is shown as it is."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


# The grounds of the access log (access.md "What is logged"): own agency, or the grant used.
GROUND_LABELS: dict[str, Promise] = {
    "own_agency": _("Own agency"),
    "consent": pgettext_lazy("ground", "Consent"),
    "meeting": pgettext_lazy("ground", "Support meeting"),
    "emergency": pgettext_lazy("ground", "Emergency"),
    "dispatch": pgettext_lazy("ground", "Dispatch"),
}


def ground_label(code: str) -> str:
    """How a ground reads: 自機関 / 同意 #12 / 支援会議 #3 / 緊急 #5 / 派遣 #9."""
    if not code:
        return ""
    kind, _sep, number = code.partition(":")
    label = GROUND_LABELS.get(kind)
    if label is None:
        return code
    return f"{label} #{number}" if number else str(label)
