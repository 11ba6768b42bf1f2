"""What is counted (product.md 9; the national support-status survey, 支援状況調査), by name.

Each measure is counted in the month the thing happened, per agency and the persons'
municipality of residence:

- new_cases (新規相談受付件数): cases opened (`Case.opened_on`).
- screening: cases screened in the month, by outcome (`Case.screening`, `screened_on`).
- plans (プラン作成件数): support plans decided in the month (`SupportPlan.decided_on`, 支援決定),
  key "first" for a case's first plan and "revised" for a re-plan (each version that reached the
  decision counts once; drafts never count).
- employment_target (就労支援対象者数): plans decided in the month with at least one item of an
  employment service (`plans.rules.EMPLOYMENT_SERVICES`).
- evaluated, found_work (就労者数), income_rose (増収者数), work_or_income (either, counted
  once), stepped_up (any step_* of the evaluation): evaluations, in the month evaluated.
- contacts, contacts_channel, contacts_initiator: contacts (延べ相談件数), with persons.
- persons_month: distinct persons with a contact in the month (月の実人数).
- persons_fy, persons_fy_sex, persons_fy_age, persons_fy_withdrawal: each person counted once a
  fiscal year per agency, in the month of their first contact of that fiscal year: the sum over
  the months of a fiscal year is the year's unique persons (実人数); age band at that month; the
  duration of withdrawal from the latest assessment's `withdrawn_since`.
- dispatches (by state now) and visits (by whom they met): supporter dispatches by the month
  requested and visit reports by the day of the visit.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

NEW_CASES = "new_cases"
SCREENING = "screening"
PLANS = "plans"
EMPLOYMENT_TARGET = "employment_target"
EVALUATED = "evaluated"
FOUND_WORK = "found_work"
INCOME_ROSE = "income_rose"
WORK_OR_INCOME = "work_or_income"
STEPPED_UP = "stepped_up"
CONTACTS = "contacts"
CONTACTS_CHANNEL = "contacts_channel"
CONTACTS_INITIATOR = "contacts_initiator"
PERSONS_MONTH = "persons_month"
PERSONS_FY = "persons_fy"
PERSONS_FY_SEX = "persons_fy_sex"
PERSONS_FY_AGE = "persons_fy_age"
PERSONS_FY_WITHDRAWAL = "persons_fy_withdrawal"
DISPATCHES = "dispatches"
VISITS = "visits"

FY_MEASURES = (PERSONS_FY, PERSONS_FY_SEX, PERSONS_FY_AGE, PERSONS_FY_WITHDRAWAL)

LABELS = {
    NEW_CASES: _("New consultations (新規相談受付件数)"),
    PLANS: _("Plans made (プラン作成件数)"),
    EMPLOYMENT_TARGET: _("Persons with employment support (就労支援対象者数)"),
    FOUND_WORK: _("Found work (就労者数)"),
    INCOME_ROSE: _("Income rose (増収者数)"),
    WORK_OR_INCOME: _("Found work or income rose"),
    EVALUATED: _("Plans evaluated"),
    STEPPED_UP: _("Evaluated with a step up"),
    CONTACTS: _("Contacts"),
    PERSONS_MONTH: _("Persons in the month"),
    PERSONS_FY: _("Unique persons (first contact of the fiscal year)"),
    DISPATCHES: _("Dispatches requested"),
    VISITS: _("Visits"),
}

AGE_BANDS = (
    ("0-19", _("Under 20")),
    ("20-29", _("20s")),
    ("30-39", _("30s")),
    ("40-49", _("40s")),
    ("50-64", _("50 to 64")),
    ("65-", _("65 and over")),
    ("", _("Unknown")),
)

WITHDRAWAL_BANDS = (
    ("lt6m", _("Less than 6 months")),
    ("6m-1y", _("6 months to 1 year")),
    ("1-3y", _("1 to 3 years")),
    ("3-5y", _("3 to 5 years")),
    ("5-10y", _("5 to 10 years")),
    ("10y-", _("10 years or more")),
    ("", _("Unknown")),
)


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    for limit, band in ((20, "0-19"), (30, "20-29"), (40, "30-39"), (50, "40-49"), (65, "50-64")):
        if age < limit:
            return band
    return "65-"


def withdrawal_band(months: int | None) -> str:
    if months is None or months < 0:
        return ""
    for limit, band in ((6, "lt6m"), (12, "6m-1y"), (36, "1-3y"), (60, "3-5y"), (120, "5-10y")):
        if months < limit:
            return band
    return "10y-"
