"""Demo consent and sharing (issue 4): walkthrough A steps 4-6, walkthrough I's emergency sharing
and a small Article 9 support meeting, all through the services (so every row has its audit
events, as real use would).

- 山田 太郎 signs a consent naming 高知市's self-reliance agency for identity and situation (not
  his health, rule P1); the referral is sent, received and accepted by demo-sr-staff, who records
  the first contact (the closed loop).
- 山田 花子 gives a verbal consent for her own information to the community general support
  center (witnessed by the center's manager).
- walkthrough I's caller is shared with 高知市福祉事務所 under the life-protection ground (rule
  P5); the notice waits, unacknowledged, on demo-manager's home screen.
- an Article 9 support meeting of the center with the self-reliance agency, one case on its
  agenda.

Built once, after the casebook: running the demo again adds nothing (the son's consent is the
marker). `reset_sharing` removes these rows before the people they point at.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from tsunagi.access.models import Grant, GrantKind, LegalGround
from tsunagi.accounts.models import User
from tsunagi.agencies.models import Agency
from tsunagi.consent.models import Consent, Explanation
from tsunagi.meetings.models import AgendaItem, Meeting, MeetingKind
from tsunagi.people.models import Case, Flag, Person
from tsunagi.referrals.models import (
    Dismissal,
    Introduction,
    Referral,
    ReferralEvent,
    ReminderSettings,
)

from .cast import ADULT_CENTER, KOCHI_CITY_SELF_RELIANCE
from .specs import DEMO_SOURCE_PREFIX

STAFF = "demo-staff"
MANAGER = "demo-manager"
SR_STAFF = "demo-sr-staff"
HOUKATSU = "39.linked.houkatsu"
WELFARE_OFFICE = "39.linked.welfare-office"
MEETING_TITLE = "令和の支援会議（第9条）"
SON_PURPOSE = "生活困窮の相談（家計・就労）と、ひきこもり状態からの自立に向けた支援のため"


def _agency(key: str) -> Agency | None:
    return Agency.objects.filter(source=f"{DEMO_SOURCE_PREFIX}{key}").first()


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _scan() -> SimpleUploadedFile:
    """The signed paper, scanned: a one-page placeholder PDF."""
    return SimpleUploadedFile(
        "consent.pdf", b"%PDF-1.4\n% demo scan of a signed consent form\n", "application/pdf"
    )


def _yamada(center: Agency) -> tuple[Person, Person, Case] | None:
    son = Person.objects.filter(agency=center, family_name="山田", given_name="太郎").first()
    mother = Person.objects.filter(agency=center, family_name="山田", given_name="花子").first()
    if son is None or mother is None:
        return None
    case = Case.objects.filter(person=son, agency=center).order_by("pk").first()
    return (son, mother, case) if case is not None else None


def _urgent_case(center: Agency) -> Case | None:
    """Walkthrough I's case: the one with an open R8 flag for no food, not restricted."""
    flag = (
        Flag.objects.filter(
            agency=center, resolved_at__isnull=True, rule="R8", case__is_restricted=False
        )
        .select_related("case__person")
        .order_by("pk")
        .first()
    )
    return flag.case if flag is not None else None


def _agenda_case(center: Agency, *, besides: list[int]) -> Case | None:
    return (
        Case.objects.filter(agency=center, is_restricted=False, closed_on__isnull=True)
        .exclude(pk__in=besides)
        .exclude(number__startswith="DEMO-")
        .select_related("person")
        .order_by("pk")
        .first()
    )


def build_sharing(seed: int) -> Counter[str]:
    """Create the consents, the referral, the emergency grant and the meeting once."""
    from tsunagi.access import services as access
    from tsunagi.consent import services as consents
    from tsunagi.meetings import services as meetings
    from tsunagi.referrals import services as referrals

    created: Counter[str] = Counter()
    center, sr_agency = _agency(ADULT_CENTER), _agency(KOCHI_CITY_SELF_RELIANCE)
    staff, manager, sr = _user(STAFF), _user(MANAGER), _user(SR_STAFF)
    if None in (center, sr_agency, staff, manager, sr):
        return created
    assert center is not None and sr_agency is not None
    yamada = _yamada(center)
    if yamada is None:
        return created
    son, mother, case = yamada
    if Consent.objects.filter(person=son, recipient_agency=sr_agency).exists():
        return created  # already built
    today = timezone.localdate()

    # rule P2: the explanation at intake, for both members of the household
    for person in (mother, son):
        consents.record_explanation(
            staff, person, {"explained_on": today - datetime.timedelta(days=7)}, case=None
        )
        created["explanations"] += 1

    # walkthrough A step 4: the mother's consent for her own information
    houkatsu = _agency(HOUKATSU)
    if houkatsu is not None:
        consents.record_consent(
            staff,
            mother,
            {
                "given_by": "subject",
                "recipient_agency": houkatsu,
                "purpose": "介護保険サービスの利用と通院の付き添いについての相談のため",
                "kinds": ["identity", "situation"],
                "given_on": today - datetime.timedelta(days=7),
                "valid_until": today + datetime.timedelta(days=365),
                "method": "verbal",
                "witness": manager,
                "notes": "電話で本人（母）に説明し、口頭で同意を得た。",
            },
        )
        created["consents"] += 1

    # walkthrough A steps 5-6: the son's consent, the referral and its closed loop
    consent = consents.record_consent(
        staff,
        son,
        {
            "given_by": "subject",
            "recipient_agency": sr_agency,
            "purpose": SON_PURPOSE,
            "kinds": ["identity", "situation"],  # not his health information
            "given_on": today - datetime.timedelta(days=3),
            "valid_until": today + datetime.timedelta(days=365),
            "method": "signed_paper",
        },
        case=case,
        scan=_scan(),
    )
    created["consents"] += 1
    referral = referrals.draft_referral(
        staff,
        case,
        to_agency=sr_agency,
        purpose="家計と就労についての相談をお願いします。本人は「自分のペースで働き口を探したい」"
        "と話しています。",
        rule="R2",
        consent=consent,
        wishes="自分のペースで働き口を探したい。母の年金だけでは苦しいので、お金のことも相談したい。",
        wishes_heard_on=today - datetime.timedelta(days=3),
    )
    referral = referrals.send_referral(staff, referral)
    referral = referrals.receive_referral(sr, referral)
    referral = referrals.accept_referral(sr, referral)
    referrals.record_first_contact(
        sr,
        referral,
        {
            "occurred_at": timezone.now() - datetime.timedelta(days=1),
            "channel": "home_visit",
            "initiator": "agency",
            "summary": "センターの坂本さんと同行して自宅で初回面談",
        },
    )
    created["referrals"] += 1

    # walkthrough I: sharing without consent to protect life (rule P5), notice not yet seen
    office, urgent = _agency(WELFARE_OFFICE), _urgent_case(center)
    if office is not None and urgent is not None:
        access.share_in_emergency(
            staff,
            urgent.person,
            receiving_agency=office,
            legal_ground=LegalGround.LIFE_BODY_PROPERTY,
            reason="2日間食事をとっておらず「生きていたくない」と話す。本人と連絡が途切れ、"
            "同意を得る時間がないため、生活保護の緊急の相談に必要な情報を共有する。",
            hours=24,
            case=urgent,
        )
        created["emergency grants"] += 1

    # an Article 9 support meeting with one case on its agenda (rule P5)
    besides = [case.pk] + ([urgent.pk] if urgent is not None else [])
    agenda_case = _agenda_case(center, besides=besides)
    if agenda_case is not None:
        meeting = meetings.create_meeting(
            manager,
            center,
            {
                "kind": MeetingKind.ARTICLE_9,
                "title": MEETING_TITLE,
                "held_on": today + datetime.timedelta(days=7),
                "place": "高知県ひきこもり地域支援センター 相談室",
                "purpose": "地域で孤立している世帯への支援の方針と役割分担を話し合うため",
            },
            members=[sr_agency],
        )
        meetings.add_agenda_item(manager, meeting, agenda_case)
        created["meetings"] += 1
    return created


def reset_sharing(agency_ids: list[int]) -> Counter[str]:
    """Delete the consent and sharing rows of the demo agencies (dependants first); scans too."""
    removed: Counter[str] = Counter()
    if not agency_ids:
        return removed
    mine = Q(agency_id__in=agency_ids)
    for consent in Consent.objects.filter(mine).exclude(scan=""):
        consent.scan.delete(save=False)
    referrals = Referral.objects.filter(mine | Q(to_agency_id__in=agency_ids))
    steps: list[tuple[str, Any]] = [
        ("referral steps", ReferralEvent.objects.filter(referral__in=referrals)),
        ("introductions", Introduction.objects.filter(mine)),
        ("dismissed suggestions", Dismissal.objects.filter(mine)),
        ("reminder settings", ReminderSettings.objects.filter(agency_id__in=agency_ids)),
        ("referrals", referrals),
        ("agenda items", AgendaItem.objects.filter(meeting__agency_id__in=agency_ids)),
        ("grants", Grant.objects.filter(mine)),
        (
            "meeting members",
            Meeting.members.through.objects.filter(meeting__agency_id__in=agency_ids),
        ),
        ("meetings", Meeting.objects.filter(mine)),
        ("consents", Consent.objects.filter(mine)),
        ("explanations", Explanation.objects.filter(mine)),
    ]
    for label, queryset in steps:
        removed[label] = queryset._raw_delete(queryset.db)
    return +removed


def sharing_summary() -> list[str]:
    """Where to look in the demo's consent and sharing, for the command's output."""
    lines = []
    referral = (
        Referral.objects.filter(agency__source=f"{DEMO_SOURCE_PREFIX}{ADULT_CENTER}")
        .select_related("consent")
        .order_by("pk")
        .first()
    )
    if referral is not None and referral.consent_id is not None:
        lines.append(
            f"walkthrough A steps 4-6: 山田 太郎's consent /consent/{referral.consent_id}/ "
            f"(print: /consent/{referral.consent_id}/print/), the referral accepted by {SR_STAFF}; "
            f"disclosure report: /audit/disclosure/{referral.person_id}/"
        )
    notice = Grant.objects.filter(
        agency__source=f"{DEMO_SOURCE_PREFIX}{ADULT_CENTER}",
        kind=GrantKind.EMERGENCY,
        acknowledged_at__isnull=True,
    ).first()
    if notice is not None:
        lines.append(
            f"walkthrough I: emergency sharing with 高知市福祉事務所, notice waiting for {MANAGER}"
        )
    return lines
