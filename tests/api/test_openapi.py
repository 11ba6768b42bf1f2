"""`GET /api/v1/openapi.json`: the API describes itself, error responses included."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

EXPECTED_OPERATIONS = {
    ("post", "/api/v1/auth/token"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users/me"),
    ("get", "/api/v1/users/{user_id}"),
    ("get", "/api/v1/prefectures"),
    ("get", "/api/v1/prefectures/{code}"),
    ("get", "/api/v1/municipalities"),
    ("get", "/api/v1/municipalities/{code}"),
    ("patch", "/api/v1/municipalities/{code}"),
    ("get", "/api/v1/municipalities/{code}/self-reliance-agency"),
    ("get", "/api/v1/postal-codes/{code}"),
    ("get", "/api/v1/agencies"),
    ("post", "/api/v1/agencies"),
    ("get", "/api/v1/agencies/{agency_id}"),
    ("patch", "/api/v1/agencies/{agency_id}"),
    ("put", "/api/v1/agencies/{agency_id}/hours"),
    ("get", "/api/v1/agencies/{agency_id}/compliance"),
    ("get", "/api/v1/agencies/{agency_id}/staff"),
    ("post", "/api/v1/agencies/{agency_id}/staff"),
    ("put", "/api/v1/agencies/{agency_id}/staff/{staff_id}"),
    ("get", "/api/v1/pairings"),
    ("post", "/api/v1/pairings"),
    ("delete", "/api/v1/pairings/{pairing_id}"),
    ("get", "/api/v1/persons"),
    ("post", "/api/v1/persons"),
    ("get", "/api/v1/persons/{person_id}"),
    ("patch", "/api/v1/persons/{person_id}"),
    ("get", "/api/v1/persons/{person_id}/duplicates"),
    ("get", "/api/v1/persons/{person_id}/indicators"),
    ("get", "/api/v1/households"),
    ("post", "/api/v1/households"),
    ("get", "/api/v1/households/{household_id}"),
    ("patch", "/api/v1/households/{household_id}"),
    ("post", "/api/v1/households/{household_id}/members"),
    ("delete", "/api/v1/households/{household_id}/members"),
    ("get", "/api/v1/cases"),
    ("get", "/api/v1/cases/{case_id}"),
    ("patch", "/api/v1/cases/{case_id}"),
    ("put", "/api/v1/cases/{case_id}/restriction"),
    ("get", "/api/v1/cases/{case_id}/flags"),
    ("post", "/api/v1/flags/{flag_id}/resolve"),
    ("get", "/api/v1/contacts"),
    ("post", "/api/v1/contacts"),
    ("get", "/api/v1/contacts/{contact_id}"),
    ("patch", "/api/v1/contacts/{contact_id}"),
    ("get", "/api/v1/assessments"),
    ("post", "/api/v1/assessments"),
    ("get", "/api/v1/assessments/{assessment_id}"),
    # consent and sharing (tsunagi/api/sharing.py)
    ("post", "/api/v1/consents"),
    ("get", "/api/v1/consents"),
    ("get", "/api/v1/consents/{consent_id}"),
    ("post", "/api/v1/consents/{consent_id}/withdraw"),
    ("post", "/api/v1/consents/explanations"),
    ("get", "/api/v1/consents/explanations"),
    ("get", "/api/v1/grants"),
    ("get", "/api/v1/grants/{grant_id}"),
    ("post", "/api/v1/grants/emergency"),
    ("post", "/api/v1/grants/consent"),
    ("post", "/api/v1/grants/{grant_id}/end"),
    ("post", "/api/v1/grants/{grant_id}/acknowledge"),
    ("get", "/api/v1/grants/{grant_id}/record"),
    ("get", "/api/v1/access-log"),
    ("get", "/api/v1/persons/{person_id}/disclosure"),
    # referrals and support meetings (tsunagi/api/referrals.py)
    ("post", "/api/v1/referrals"),
    ("get", "/api/v1/referrals"),
    ("get", "/api/v1/referrals/{referral_id}"),
    ("post", "/api/v1/referrals/{referral_id}/consent"),
    ("post", "/api/v1/referrals/{referral_id}/send"),
    ("post", "/api/v1/referrals/{referral_id}/receive"),
    ("post", "/api/v1/referrals/{referral_id}/accept"),
    ("post", "/api/v1/referrals/{referral_id}/decline"),
    ("post", "/api/v1/referrals/{referral_id}/first-contact"),
    ("post", "/api/v1/referrals/{referral_id}/close"),
    ("post", "/api/v1/referrals/{referral_id}/cancel"),
    ("patch", "/api/v1/referrals/{referral_id}"),
    ("get", "/api/v1/referrals/{referral_id}/letter"),
    ("get", "/api/v1/referrals/reminders"),
    ("get", "/api/v1/referrals/handovers"),
    ("get", "/api/v1/referrals/settings"),
    ("put", "/api/v1/referrals/settings"),
    # suggestions of the rules, dismissals, the rule table, introductions (api/suggestions.py)
    ("get", "/api/v1/persons/{person_id}/suggestions"),
    ("post", "/api/v1/persons/{person_id}/suggestions/dismissals"),
    ("post", "/api/v1/persons/{person_id}/suggestions/dismissals/{dismissal_id}/restore"),
    ("get", "/api/v1/referral-rules"),
    ("get", "/api/v1/introductions"),
    ("post", "/api/v1/introductions"),
    ("get", "/api/v1/introductions/{introduction_id}"),
    # referral statistics (tsunagi/api/referral_stats.py)
    ("get", "/api/v1/stats/referrals"),
    # case statistics of an area (tsunagi/api/stats.py)
    ("get", "/api/v1/stats/national-survey"),
    ("get", "/api/v1/stats/hikikomori"),
    ("get", "/api/v1/stats/dispatches"),
    ("get", "/api/v1/stats/referrals-area"),
    # support meetings (tsunagi/api/meetings.py)
    ("post", "/api/v1/meetings"),
    ("get", "/api/v1/meetings"),
    ("get", "/api/v1/meetings/{meeting_id}"),
    ("patch", "/api/v1/meetings/{meeting_id}"),
    ("post", "/api/v1/meetings/{meeting_id}/agenda"),
    ("put", "/api/v1/meetings/{meeting_id}/agenda/{item_id}/minutes"),
    ("post", "/api/v1/meetings/{meeting_id}/tasks"),
    ("post", "/api/v1/meetings/{meeting_id}/tasks/{task_id}/done"),
    ("get", "/api/v1/meetings/{meeting_id}/print"),
    # support plans and evaluations (tsunagi/api/plans.py)
    ("get", "/api/v1/plans"),
    ("post", "/api/v1/plans"),
    ("get", "/api/v1/plans/reviews"),
    ("get", "/api/v1/plans/{plan_id}"),
    ("patch", "/api/v1/plans/{plan_id}"),
    ("post", "/api/v1/plans/{plan_id}/approve"),
    ("post", "/api/v1/plans/{plan_id}/decide"),
    ("post", "/api/v1/plans/{plan_id}/evaluate"),
    ("post", "/api/v1/plans/{plan_id}/replan"),
    ("get", "/api/v1/plans/{plan_id}/print"),
    # supporters, training, roster, dispatch, visits, incidents (tsunagi/api/supporters.py)
    ("get", "/api/v1/trainings"),
    ("post", "/api/v1/trainings"),
    ("get", "/api/v1/trainings/{course_id}"),
    ("patch", "/api/v1/trainings/{course_id}"),
    ("post", "/api/v1/trainings/{course_id}/sessions"),
    ("post", "/api/v1/trainings/{course_id}/enrolments"),
    ("put", "/api/v1/trainings/{course_id}/sessions/{session_id}/attendance"),
    ("post", "/api/v1/trainings/{course_id}/enrolments/{enrolment_id}/complete"),
    ("get", "/api/v1/supporters"),
    ("post", "/api/v1/supporters"),
    ("get", "/api/v1/supporters/me"),
    ("get", "/api/v1/supporters/roster"),
    ("post", "/api/v1/supporters/roster/releases"),
    ("post", "/api/v1/supporters/roster/{entry_id}/confirm"),
    ("get", "/api/v1/supporters/{supporter_id}"),
    ("patch", "/api/v1/supporters/{supporter_id}"),
    ("post", "/api/v1/supporters/{supporter_id}/consent"),
    ("post", "/api/v1/supporters/{supporter_id}/withdraw"),
    ("post", "/api/v1/supporters/{supporter_id}/account"),
    ("get", "/api/v1/supporters/{supporter_id}/consent-form"),
    ("get", "/api/v1/dispatches"),
    ("post", "/api/v1/dispatches"),
    ("get", "/api/v1/dispatches/{dispatch_id}"),
    ("patch", "/api/v1/dispatches/{dispatch_id}"),
    ("get", "/api/v1/dispatches/{dispatch_id}/candidates"),
    ("post", "/api/v1/dispatches/{dispatch_id}/match"),
    ("put", "/api/v1/dispatches/{dispatch_id}/plan"),
    ("post", "/api/v1/dispatches/{dispatch_id}/consents"),
    ("post", "/api/v1/dispatches/{dispatch_id}/start"),
    ("post", "/api/v1/dispatches/{dispatch_id}/share"),
    ("post", "/api/v1/dispatches/{dispatch_id}/stop"),
    ("post", "/api/v1/dispatches/{dispatch_id}/end"),
    ("post", "/api/v1/dispatches/{dispatch_id}/cancel"),
    ("post", "/api/v1/dispatches/{dispatch_id}/guidance"),
    ("get", "/api/v1/dispatches/{dispatch_id}/print"),
    ("get", "/api/v1/visit-reports"),
    ("post", "/api/v1/visit-reports"),
    ("get", "/api/v1/visit-reports/{report_id}"),
    ("get", "/api/v1/incidents"),
    ("post", "/api/v1/incidents"),
    ("get", "/api/v1/incidents/{incident_id}"),
    ("post", "/api/v1/incidents/{incident_id}/acknowledge"),
    ("post", "/api/v1/incidents/{incident_id}/steps"),
    ("post", "/api/v1/incidents/{incident_id}/close"),
    ("get", "/api/v1/found-cases"),
    ("post", "/api/v1/found-cases"),
    ("get", "/api/v1/found-cases/{found_id}"),
    ("post", "/api/v1/found-cases/{found_id}/decision"),
    # the directory and HSDS (tsunagi/api/directory.py, tsunagi/api/hsds.py)
    ("get", "/api/v1/directory"),
    ("post", "/api/v1/directory"),
    ("get", "/api/v1/directory/stale"),
    ("get", "/api/v1/directory/matches"),
    ("get", "/api/v1/directory/{entry_id}"),
    ("patch", "/api/v1/directory/{entry_id}"),
    ("post", "/api/v1/directory/{entry_id}/verify"),
    ("post", "/api/v1/directory/{entry_id}/archive"),
    ("get", "/api/v1/hsds/export"),
    ("post", "/api/v1/hsds/import"),
    # municipal structures (tsunagi/api/oversight.py)
    ("get", "/api/v1/municipal-structures/progress"),
    ("get", "/api/v1/municipal-structures/national"),
    ("get", "/api/v1/municipal-structures/compliance"),
    ("get", "/api/v1/municipal-structures/{code}/lead-department"),
    ("put", "/api/v1/municipal-structures/{code}/lead-department"),
    ("get", "/api/v1/municipal-structures/{code}/surveys"),
    ("post", "/api/v1/municipal-structures/{code}/surveys"),
    ("get", "/api/v1/municipal-structures/{code}/platform"),
    ("post", "/api/v1/municipal-structures/{code}/platform"),
    ("patch", "/api/v1/municipal-structures/{code}/platform"),
}


@pytest.fixture
def schema() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict = response.json()
    return document


def test_the_schema_is_public_and_lists_every_operation(schema):
    operations = {(method, path) for path, item in schema["paths"].items() for method in item}

    assert operations == EXPECTED_OPERATIONS


def test_every_operation_documents_its_error_responses(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = {int(code) for code in operation["responses"]}
            assert any(400 <= c < 500 for c in codes), f"{method.upper()} {path}: {codes}"


def test_every_operation_but_the_token_one_documents_401(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if path != "/api/v1/auth/token":
                assert "401" in operation["responses"], f"{method.upper()} {path}"


def test_writes_document_their_field_errors(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("post", "put", "patch"):
                assert "422" in operation["responses"], f"{method.upper()} {path}"


def test_the_schema_tells_how_to_authenticate(schema):
    assert "Bearer" in schema["info"]["description"]
    assert "BearerToken" in schema["components"]["securitySchemes"]


def test_the_referral_letter_is_documented_as_a_pdf(schema):
    responses = schema["paths"]["/api/v1/referrals/{referral_id}/letter"]["get"]["responses"]

    assert "application/pdf" in responses["200"]["content"]
    assert {"401", "404", "409"} <= set(responses)


@pytest.mark.parametrize(
    "path", ["/api/v1/plans/{plan_id}/print", "/api/v1/meetings/{meeting_id}/print"]
)
def test_the_plan_and_the_minutes_are_documented_as_pdfs(schema, path):
    responses = schema["paths"][path]["get"]["responses"]

    assert "application/pdf" in responses["200"]["content"]
    assert {"401", "404"} <= set(responses)


def test_the_conflicts_document_both_versions(schema):
    plan = schema["paths"]["/api/v1/plans/{plan_id}"]["patch"]["responses"]
    minutes = schema["paths"]["/api/v1/meetings/{meeting_id}/agenda/{item_id}/minutes"]["put"]

    assert {"409", "422"} <= set(plan) and "409" in minutes["responses"]
    body = plan["409"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    fields = schema["components"]["schemas"][body]["properties"]
    assert {"current", "yours", "current_version"} <= set(fields)
