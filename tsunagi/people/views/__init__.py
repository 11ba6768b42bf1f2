"""Screens of persons, households, cases, contacts, assessments and flags.

Each view parses, asks the access module (through `get_visible`/`require`), calls one service or
selector and renders. Every screen that shows a personal record writes it to the access log
(`services.log_read`), and every screen of a case shows its open flags (`people/_flags.html`,
rule R8).
"""

from .assessments import assessment_create, assessment_detail, assessment_list
from .cases import case_detail, case_edit, case_reopen, case_restriction
from .contacts import contact_create, contact_edit
from .flags import flag_resolve
from .households import (
    household_create,
    household_detail,
    household_edit,
    member_add,
    member_remove,
)
from .persons import person_create, person_detail, person_edit, person_list

__all__ = [
    "assessment_create",
    "assessment_detail",
    "assessment_list",
    "case_detail",
    "case_edit",
    "case_reopen",
    "case_restriction",
    "contact_create",
    "contact_edit",
    "flag_resolve",
    "household_create",
    "household_detail",
    "household_edit",
    "member_add",
    "member_remove",
    "person_create",
    "person_detail",
    "person_edit",
    "person_list",
]
