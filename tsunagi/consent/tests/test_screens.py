"""The consent and sharing screens as each member of the cast sees them: the center's staff and
manager, the receiving agency's staff, and an outsider and `nobody`, who see nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.cast import make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, receiver, scan
from tsunagi.access.models import AuditEvent, Grant
from tsunagi.access.services import share_in_emergency, share_under_consent
from tsunagi.accounts.models import Role
from tsunagi.consent.models import Consent, Explanation
from tsunagi.consent.services import withdraw_consent
from tsunagi.people import services as people_services

pytestmark = pytest.mark.django_db

HOUSING = "年金だけでは家賃が払えない"
DIAGNOSIS = "うつ病の診断あり、月に一度通院"


class Story:
    def __init__(self) -> None:
        self.cast = make_cast()
        self.staff = self.cast.users[Role.STAFF]
        self.manager = self.cast.users[Role.MANAGER]
        _household, self.mother, self.son, self.case = yamada_household(
            self.staff, self.cast.center
        )
        people_services.record_assessment(
            self.staff,
            self.case,
            {
                "informant": "family",
                "housing": "rented",
                "housing_notes": HOUSING,
                "mental_health_notes": DIAGNOSIS,
            },
        )
        self.sr = receiver(self.cast)
        self.outsider = self.cast.outsider
        self.nobody = self.cast.nobody

    def consent(self, kinds: list[str] | None = None) -> Consent:
        return make_consent(
            self.staff, self.son, self.cast.self_reliance, kinds or ["identity", "situation"],
            case=self.case,
        )  # fmt: skip

    def shared(self, kinds: list[str] | None = None) -> tuple[Consent, Grant]:
        consent = self.consent(kinds)
        grant = share_under_consent(
            self.staff, consent, receiving_agency=self.cast.self_reliance, case=self.case
        )
        return consent, grant


@pytest.fixture
def story() -> Story:
    return Story()


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response: Any) -> str:
    return str(response.content.decode())


def refused(response: Any) -> bool:
    # `nobody` has no role at all (403 page); everyone else gets "not found".
    return response.status_code in (403, 404)


# --- the done criterion: situation without special care --------------------------------------


def test_p1_shared_page_shows_the_housing_situation_and_not_the_diagnosis(story: Story) -> None:
    consent, grant = story.shared(["identity", "situation"])
    response = login(story.sr).get(f"/consent/persons/{story.son.pk}/shared/")
    assert response.status_code == 200
    page = html(response)
    assert HOUSING in page and "賃貸住宅" in page
    assert DIAGNOSIS not in page and "うつ病" not in page
    assert f"同意 #{grant.pk}" in page and f"#{consent.pk}" in page
    # Read on the grant's ground, by the receiving agency.
    read = AuditEvent.objects.filter(action="person.viewed", grant=grant.code).get()
    assert read.actor_agency_id == story.cast.self_reliance.pk


def test_p1_special_care_shows_the_diagnosis_only_when_consented(story: Story) -> None:
    story.shared(["identity", "situation", "special_care"])
    page = html(login(story.sr).get(f"/consent/persons/{story.son.pk}/shared/"))
    assert DIAGNOSIS in page


def test_p4_shared_page_refused_after_withdrawal(story: Story) -> None:
    consent, _grant = story.shared()
    client = login(story.sr)
    assert client.get(f"/consent/persons/{story.son.pk}/shared/").status_code == 200
    withdraw_consent(story.staff, consent, note="本人から電話で撤回")
    assert client.get(f"/consent/persons/{story.son.pk}/shared/").status_code == 404


def test_shared_page_for_the_owner_goes_to_the_record_and_nobody_else_sees_it(
    story: Story,
) -> None:
    story.shared()
    url = f"/consent/persons/{story.son.pk}/shared/"
    assert login(story.staff).get(url).status_code == 302
    assert login(story.outsider).get(url).status_code == 404
    assert refused(login(story.nobody).get(url))
    assert login(story.sr).get(f"/consent/persons/{story.mother.pk}/shared/").status_code == 404


# --- the consent form -----------------------------------------------------------------------


def _form_data(story: Story, **changes: Any) -> dict[str, Any]:
    data = {
        "given_by": "subject",
        "recipient_agency": story.cast.self_reliance.pk,
        "purpose": "家計と就労の相談のため",
        "kinds": ["identity", "situation"],
        "given_on": "R7.4.1",
        "valid_until": "令和8年3月31日",
        "method": "signed_paper",
        "case": story.case.pk,
    }
    data.update(changes)
    return data


def test_consent_form_records_a_signed_consent_with_its_scan(story: Story) -> None:
    client = login(story.staff)
    url = f"/consent/persons/{story.son.pk}/new/?case={story.case.pk}"
    page = html(client.get(url))
    assert 'id="representative" hidden' in page
    assert "要配慮" in page
    response = client.post(url, {**_form_data(story), "scan": scan()})
    consent = Consent.objects.get(person=story.son)
    assert response.status_code == 302 and response["Location"] == f"/consent/{consent.pk}/"
    assert consent.kinds == ["identity", "situation"] and consent.scan
    assert consent.given_on == datetime.date(2025, 4, 1)
    assert consent.case == story.case


def test_consent_form_keeps_what_was_typed_and_says_what_is_wrong(story: Story) -> None:
    client = login(story.staff)
    url = f"/consent/persons/{story.son.pk}/new/"
    response = client.post(
        url,
        _form_data(
            story,
            purpose="家計相談のための情報提供",
            method="verbal",
            valid_until="R7.3.1",
            special_care="on",
        ),
    )
    assert response.status_code == 200
    page = html(response)
    assert "家計相談のための情報提供" in page  # typed values kept
    assert "立会人" in page or "witness" in page
    form = response.context["form"]
    assert "witness" in form.errors and "valid_until" in form.errors
    assert form["special_care"].value()
    assert not Consent.objects.exists()


def test_consent_form_shows_the_representative_fields_when_someone_else_consents(
    story: Story,
) -> None:
    client = login(story.staff)
    url = f"/consent/persons/{story.son.pk}/new/"
    partial = client.get(url, {"part": "representative", "given_by": "legal_representative"})
    assert "hidden" not in html(partial).split(">", 1)[0]
    response = client.post(url, {**_form_data(story, given_by="parent_of_minor"), "scan": scan()})
    form = response.context["form"]
    # the son is 52: a parent cannot consent for him (rule P1)
    assert "given_by" in form.errors and "representative_name" in form.errors
    assert 'id="representative" hidden' not in html(response)


def test_consent_form_is_the_owning_agencys(story: Story) -> None:
    url = f"/consent/persons/{story.son.pk}/new/"
    assert login(story.manager).get(url).status_code == 200
    assert login(story.sr).get(url).status_code == 404
    assert login(story.outsider).get(url).status_code == 404
    assert refused(login(story.nobody).get(url))


# --- consent detail, withdrawal, scan ------------------------------------------------------


def test_p4_withdrawal_confirms_what_it_will_do_then_both_sides_see_it(story: Story) -> None:
    consent, grant = story.shared()
    client = login(story.staff)
    confirm = client.get(f"/consent/{consent.pk}/withdraw/")
    assert confirm.status_code == 200
    assert story.cast.self_reliance.name in html(confirm)
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None  # nothing yet
    response = client.post(f"/consent/{consent.pk}/withdraw/", {"note": "本人から電話で撤回"})
    assert response.status_code == 302
    assert Grant.objects.get(pk=grant.pk).status == "withdrawn"
    for user in (story.staff, story.sr):
        page = html(login(user).get(f"/consent/{consent.pk}/"))
        assert "撤回" in page and 'id="withdrawn"' in page
    assert "本人から電話で撤回" not in html(login(story.sr).get(f"/consent/{consent.pk}/"))
    assert login(story.sr).get(f"/consent/{consent.pk}/withdraw/").status_code == 404


def test_consent_detail_is_refused_to_outsiders(story: Story) -> None:
    consent = story.consent()
    assert login(story.manager).get(f"/consent/{consent.pk}/").status_code == 200
    assert login(story.outsider).get(f"/consent/{consent.pk}/").status_code == 404
    assert refused(login(story.nobody).get(f"/consent/{consent.pk}/"))
    # the receiving agency sees a consent only once a grant rests on it
    assert login(story.sr).get(f"/consent/{consent.pk}/").status_code == 404


def test_scan_download_is_logged_and_kept_at_the_owning_agency(story: Story) -> None:
    consent, _grant = story.shared()
    response = login(story.staff).get(f"/consent/{consent.pk}/scan/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="consent.scan_viewed", record_id=str(consent.pk))
    assert login(story.sr).get(f"/consent/{consent.pk}/scan/").status_code == 404
    assert login(story.outsider).get(f"/consent/{consent.pk}/scan/").status_code == 404


# --- the P2 explanation and the case panel ------------------------------------------------


def test_p2_case_panel_shows_the_finding_until_the_explanation_is_recorded(story: Story) -> None:
    client = login(story.staff)
    page = html(client.get(f"/people/cases/{story.case.pk}/"))
    assert 'id="p2-finding"' in page and "P2" in page
    url = f"/consent/persons/{story.son.pk}/explanation/?case={story.case.pk}"
    bad = client.post(url, {"explained_on": "R7.4.1", "case": story.case.pk})
    assert bad.status_code == 200 and "agreed_handling" in bad.context["form"].errors
    good = client.post(url, {"explained_on": "R7.4.1", "understood": "on", "case": story.case.pk})
    assert good.status_code == 302 and Explanation.objects.filter(person=story.son).exists()
    assert 'id="p2-finding"' not in html(client.get(f"/people/cases/{story.case.pk}/"))
    assert login(story.outsider).get(url).status_code == 404


def test_case_panel_lists_consents_with_status_and_grants(story: Story) -> None:
    consent, grant = story.shared()
    withdraw_consent(story.staff, consent)
    page = html(login(story.staff).get(f"/people/cases/{story.case.pk}/"))
    assert story.cast.self_reliance.name in page and "撤回" in page
    assert f"同意 #{grant.pk}" in page


def test_consent_list_for_staff_only(story: Story) -> None:
    story.shared()
    url = f"/consent/persons/{story.son.pk}/"
    assert story.cast.self_reliance.name in html(login(story.staff).get(url))
    assert login(story.sr).get(url).status_code == 404
    assert login(story.outsider).get(url).status_code == 404
    assert refused(login(story.nobody).get(url))


# --- emergency sharing and the manager's notice (P5) ----------------------------------------


def test_p5_emergency_form_checks_hours_and_keeps_the_reason(story: Story) -> None:
    url = f"/consent/persons/{story.son.pk}/emergency/?case={story.case.pk}"
    client = login(story.staff)
    assert "法的根拠" in html(client.get(url)) or "legal" in html(client.get(url))
    response = client.post(
        url,
        {
            "receiving_agency": story.cast.self_reliance.pk,
            "legal_ground": "life_body_property",
            "reason": "二日食べておらず命に関わる",
            "hours": "30",
            "kinds": ["identity", "situation"],
        },
    )
    assert response.status_code == 200 and "hours" in response.context["form"].errors
    assert "二日食べておらず命に関わる" in html(response)
    assert not Grant.objects.exists()
    assert login(story.outsider).get(url).status_code == 404


def test_p5_manager_sees_the_notice_and_acknowledges_it(story: Story) -> None:
    client = login(story.staff)
    response = client.post(
        f"/consent/persons/{story.son.pk}/emergency/",
        {
            "receiving_agency": story.cast.self_reliance.pk,
            "legal_ground": "life_body_property",
            "reason": "二日食べておらず命に関わる",
            "hours": "4",
            "kinds": ["identity", "situation"],
        },
    )
    grant = Grant.objects.get(kind="emergency")
    assert response.status_code == 302 and grant.reason == "二日食べておらず命に関わる"
    home = html(login(story.manager).get("/"))
    assert f'id="notice-{grant.pk}"' in home and "二日食べておらず" in home
    assert f'id="notice-{grant.pk}"' not in html(client.get("/"))  # staff get no notice
    assert client.post(f"/consent/grants/{grant.pk}/acknowledge/").status_code == 403
    manager = login(story.manager)
    assert (
        manager.post(f"/consent/grants/{grant.pk}/acknowledge/", {"next": "home"}).status_code
        == 302
    )
    assert Grant.objects.get(pk=grant.pk).acknowledged_by == story.manager
    assert f'id="notice-{grant.pk}"' not in html(manager.get("/"))
    assert login(story.outsider).post(f"/consent/grants/{grant.pk}/acknowledge/").status_code == 404


# --- grants given and received --------------------------------------------------------------


def test_receiver_lists_received_grants_with_a_link_to_the_shared_record(story: Story) -> None:
    _consent, grant = story.shared()
    page = html(login(story.sr).get("/consent/grants/"))
    assert f"/consent/persons/{story.son.pk}/shared/" in page and "山田 太郎" in page
    given = html(login(story.staff).get("/consent/grants/", {"direction": "given"}))
    assert f"/consent/grants/{grant.pk}/" in given
    assert f"/consent/grants/{grant.pk}/" not in html(login(story.outsider).get("/consent/grants/"))
    assert refused(login(story.nobody).get("/consent/grants/"))


def test_grant_detail_end_and_refusals(story: Story) -> None:
    _consent, grant = story.shared()
    url = f"/consent/grants/{grant.pk}/"
    assert "共有を終了" in html(login(story.staff).get(url)) or "End" in html(
        login(story.staff).get(url)
    )
    assert f"/consent/persons/{story.son.pk}/shared/" in html(login(story.sr).get(url))
    assert login(story.outsider).get(url).status_code == 404
    assert refused(login(story.nobody).get(url))
    assert login(story.sr).post(f"{url}end/", {"reason": "x"}).status_code == 404
    bad = login(story.staff).post(f"{url}end/", {"reason": ""})
    assert bad.status_code == 400
    assert login(story.staff).post(f"{url}end/", {"reason": "支援終了"}).status_code == 302
    assert Grant.objects.get(pk=grant.pk).status == "ended"
    assert login(story.sr).get(f"/consent/persons/{story.son.pk}/shared/").status_code == 404


def test_share_under_consent_screen(story: Story) -> None:
    consent = story.consent()
    url = f"/consent/{consent.pk}/share/"
    assert login(story.sr).get(url).status_code == 404
    assert login(story.outsider).get(url).status_code == 404
    response = login(story.staff).post(
        url,
        {
            "receiving_agency": story.cast.self_reliance.pk,
            "kinds": ["situation"],
            "purpose": "共同支援",
        },
    )
    grant = Grant.objects.get(consent=consent)
    assert response.status_code == 302 and grant.kinds == ["situation"]
    # a kind the consent does not name is not even offered
    bad = login(story.staff).post(
        url, {"receiving_agency": story.cast.self_reliance.pk, "kinds": ["special_care"]}
    )
    assert bad.status_code == 200 and "kinds" in bad.context["form"].errors


def test_emergency_grant_shows_in_the_access_log_with_its_ground(story: Story) -> None:
    grant = share_in_emergency(
        story.staff, story.son, receiving_agency=story.cast.self_reliance,
        legal_ground="life_body_property", reason="命に関わる", hours=2,
    )  # fmt: skip
    login(story.sr).get(f"/consent/persons/{story.son.pk}/shared/")
    page = html(login(story.manager).get("/audit/", {"ground": "emergency"}))
    assert f"緊急 #{grant.pk}" in page and story.cast.self_reliance.name in page
    assert timezone.now() < grant.ends_at
