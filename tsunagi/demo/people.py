"""The people of the 高知県 demo (issue 3): persons, households, cases, contacts, assessments.

Two paths:

- `build_casebook`: a few dozen people written through `tsunagi.people.services`, so every
  record is validated and audited as if staff had typed it —
  * walkthrough A: the 山田 household at the adult hikikomori center (花子 82 telephones about
    太郎 52), the assessment from her words and its R2 / 8050 indicators;
  * walkthrough I: a caller who has not eaten for two days and does not want to live, with
    the open R8 flags;
  * a DV case restricted to the center's manager (demo-manager);
  * about twenty other invented people at the center and at 高知市's self-reliance agency:
    households, callers of every kind, assessments, a long-term accompaniment, a screening
    handed over to the welfare office, a resolved flag.
- `build_synthetic`: `--persons N` — N invented persons at demo-staff's agency, each with a
  case and a few contacts, written with `bulk_create` for the benchmark (100,000 in minutes).
  Person `i` depends only on (seed, i), so a larger N adds to a smaller one. The search keys
  that `Person.save()` computes are computed here with the same functions (`names.py`,
  `web/text.py`); a test checks they agree. Their case numbers begin with `DEMO-`, outside
  the yearly numbering of `open_case`.

Everything here belongs to demo agencies, so `reset_people` removes it by agency.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from faker import Faker
from faker.providers.person.ja_JP import Provider as JaPersons

from tsunagi.accounts.models import User
from tsunagi.agencies.models import Agency
from tsunagi.jurisdictions.models import Municipality
from tsunagi.people import services
from tsunagi.people.choices import (
    Channel,
    Connection,
    Employment,
    Finance,
    GoingOut,
    Housing,
    Informant,
    Initiator,
    Level,
    Problem,
    Relationship,
    Screening,
)
from tsunagi.people.models import (
    Assessment,
    Case,
    Contact,
    Flag,
    Household,
    HouseholdMember,
    Person,
)
from tsunagi.people.names import kana_key, name_key
from tsunagi.web.text import digits_only

from .cast import ADULT_CENTER, CHILD_CENTER, KOCHI_CITY, KOCHI_CITY_SELF_RELIANCE
from .specs import DEMO_SOURCE_PREFIX, Place, phone, postal_places, random_address

STAFF = "demo-staff"  # the adult center's coordinator
MANAGER = "demo-manager"  # the adult center's manager
SR_STAFF = "demo-sr-staff"  # 高知市's self-reliance agency
YAMADA_HOUSEHOLD = "山田 世帯"
SYNTHETIC_CASE_PREFIX = "DEMO-"
BATCH = 2000

# 高知市 and nearby municipalities where the demo's people live (most in 高知市).
HOMES = (KOCHI_CITY, KOCHI_CITY, KOCHI_CITY, KOCHI_CITY, "39204", "39205", "39211", "39386")
AREA_CODES = {"39211": "0887"}


def _agency(key: str) -> Agency:
    return Agency.objects.get(source=f"{DEMO_SOURCE_PREFIX}{key}")


def _years_ago(years: int, today: datetime.date, days: int = 40) -> datetime.date:
    """A date of birth that makes the person exactly `years` old today (birthday passed)."""
    day = today - datetime.timedelta(days=days)
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return (day - datetime.timedelta(days=1)).replace(year=day.year - years)


def _mobile(rng: random.Random) -> str:
    return (
        f"{rng.choice(('070', '080', '090'))}-{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}"
    )


def people_counts(agencies: Any) -> dict[str, int]:
    """How many people records the given agencies hold."""
    return {
        "persons": Person.objects.filter(agency__in=agencies).count(),
        "households": Household.objects.filter(agency__in=agencies).count(),
        "cases": Case.objects.filter(agency__in=agencies).count(),
        "contacts": Contact.objects.filter(agency__in=agencies).count(),
        "assessments": Assessment.objects.filter(agency__in=agencies).count(),
        "open flags": Flag.objects.filter(agency__in=agencies, resolved_at__isnull=True).count(),
    }


def reset_people(agencies: Any) -> Counter[str]:
    """Delete every people record of the given (demo) agencies, dependants first.

    Plain DELETE statements: the rows have no signals to run, and collecting 100,000 persons
    into memory first (what `QuerySet.delete()` does for rows with dependants) is slow.
    """
    removed: Counter[str] = Counter()
    ids = list(agencies.values_list("pk", flat=True))
    if not ids:
        return removed
    from .plans import reset_plans  # issue 6: plans and meeting tasks, before the meetings
    from .sharing import reset_sharing  # issue 4: consents and grants point at these people

    removed.update(reset_plans(ids))
    removed.update(reset_sharing(ids))
    case_ids = Case.objects.filter(agency_id__in=ids).values("pk")
    steps: list[tuple[str, Any]] = [
        ("flags", Flag.objects.filter(agency_id__in=ids)),
        ("assessments", Assessment.objects.filter(agency_id__in=ids)),
        ("contacts", Contact.objects.filter(agency_id__in=ids)),
        ("case assignments", Case.assigned_staff.through.objects.filter(case_id__in=case_ids)),
        ("cases", Case.objects.filter(agency_id__in=ids)),
        ("household members", HouseholdMember.objects.filter(household__agency_id__in=ids)),
        ("households", Household.objects.filter(agency_id__in=ids)),
        ("persons", Person.objects.filter(agency_id__in=ids)),
    ]
    for label, queryset in steps:
        removed[label] = queryset._raw_delete(queryset.db)
    # A contact of another agency that named one of these persons as its caller cannot exist
    # (callers are checked to be of the contact's agency), so nothing else points here.
    return +removed


# --- the casebook: through the services -------------------------------------------------------


@dataclass
class Member:
    relationship: str
    age: int
    sex: str
    given: str = ""  # Faker's when empty


@dataclass
class Story:
    """One invented person (and household) as staff would have recorded them."""

    agency: str  # agency key
    actor: str  # demo username
    age: int
    sex: str
    problems: list[str]
    summary: str
    channel: str = Channel.PHONE
    initiator: str = Initiator.PERSON
    caller: str | None = None  # the relationship of the household member who called
    initiator_name: str = ""
    members: list[Member] = field(default_factory=list)
    problem_notes: str = ""
    assessment: dict[str, Any] | None = None
    later: list[tuple[int, str, str]] = field(default_factory=list)  # (days after, channel, text)
    days_ago: int = 60
    screening: str = ""
    handed_to: str = ""
    accompaniment: bool = False
    urgent: list[str] = field(default_factory=list)
    resolve: str = ""  # resolve the flags raised, with this note
    avoided_contact: list[str] = field(default_factory=list)


P, C, By, R = Problem, Channel, Initiator, Relationship
STORIES: tuple[Story, ...] = (
    # --- at the adult hikikomori center ---
    Story(
        ADULT_CENTER,
        STAFF,
        45,
        "female",
        [P.HIKIKOMORI, P.CARE, P.INCOME],
        "母から娘について電話相談",
        initiator=By.FAMILY,
        caller=R.PARENT,
        members=[Member(R.PARENT, 74, "female")],
        problem_notes="娘が大学を中退してから約20年、ほとんど家から出ない。自分も年をとり先が心配。",
        assessment={
            "informant": Informant.FAMILY,
            "employment": Employment.UNEMPLOYED,
            "finance": Finance.TIGHT,
            "arrears": True,
            "household_member_needs_care": True,
            "going_out": GoingOut.HOME_ONLY,
            "connections": [Connection.FAMILY],
            "wishes": "（母の言葉）娘が誰かと話せる場所があれば",
        },
        later=[(14, C.HOME_VISIT, "自宅訪問。本人は自室から出てこず、母と面談")],
        days_ago=120,
    ),
    Story(
        ADULT_CENTER,
        STAFF,
        31,
        "male",
        [P.HIKIKOMORI, P.COMMUNITY],
        "本人からSNSで相談",
        channel=C.ONLINE,
        avoided_contact=["phone"],
        problem_notes="人と話すのが怖い。電話は出られないがメッセージなら話せる。",
        assessment={
            "informant": Informant.PERSON,
            "employment": Employment.UNEMPLOYED,
            "going_out": GoingOut.HOBBY_ONLY,
            "connections": [Connection.FAMILY, Connection.INFORMATION],
            "wishes": "同じような経験の人と少しずつ話してみたい",
        },
        later=[(10, C.ONLINE, "居場所の案内を送付"), (30, C.OFFICE_VISIT, "居場所の見学に同行")],
    ),
    Story(
        ADULT_CENTER,
        STAFF,
        24,
        "male",
        [P.HIKIKOMORI, P.JOB_SEARCH, P.FAMILY],
        "父から息子について来所相談",
        channel=C.OFFICE_VISIT,
        initiator=By.FAMILY,
        caller=R.PARENT,
        members=[Member(R.PARENT, 55, "male"), Member(R.PARENT, 53, "female")],
        problem_notes="就職活動がうまくいかず2年前から部屋にこもりがち。親子の会話がない。",
        assessment={
            "informant": Informant.FAMILY,
            "employment": Employment.UNEMPLOYED,
            "family_conflict": True,
            "going_out": GoingOut.NEIGHBOURHOOD,
            "connections": [Connection.FAMILY, Connection.INFORMATION, Connection.SERVICES],
        },
        later=[(21, C.ACCOMPANIMENT, "地域若者サポートステーションへ同行")],
    ),
    Story(
        ADULT_CENTER,
        STAFF,
        58,
        "male",
        [P.HIKIKOMORI, P.CARE, P.HEALTH],
        "民生委員から情報提供",
        initiator=By.WELFARE_COMMISSIONER,
        initiator_name="担当地区の民生委員",
        members=[Member(R.PARENT, 86, "female")],
        problem_notes="高齢の母と二人暮らし。母の通院の付き添いも難しくなっている様子。",
        assessment={
            "informant": Informant.AGENCY,
            "employment": Employment.UNEMPLOYED,
            "household_member_needs_care": True,
            "physical_health": Level.CONCERN,
            "going_out": GoingOut.NEIGHBOURHOOD,
            "connections": [],
        },
        days_ago=40,
    ),
    Story(
        ADULT_CENTER,
        STAFF,
        39,
        "female",
        [P.HIKIKOMORI, P.HEALTH],
        "本人から電話相談",
        accompaniment=True,
        screening=Screening.CONTINUING,
        problem_notes="月に一度、電話で話せるとほっとする。",
        assessment={
            "informant": Informant.PERSON,
            "employment": Employment.UNEMPLOYED,
            "mental_health": Level.CONCERN,
            "going_out": GoingOut.HOBBY_ONLY,
            "connections": [Connection.FAMILY, Connection.SERVICES, Connection.INFORMATION],
            "wishes": "今のペースで、話を聞いてもらえる関係を続けたい",
        },
        later=[(30 * k, C.PHONE, "定期の電話。体調は落ち着いている") for k in range(1, 6)],
        days_ago=200,
    ),
    Story(
        ADULT_CENTER,
        STAFF,
        44,
        "male",
        [P.HEALTH, P.HIKIKOMORI],
        "保健所から紹介",
        initiator=By.AGENCY,
        initiator_name="高知市保健所",
        channel=C.PHONE,
        problem_notes="精神科の受診が途切れている。家族の支援が得られない。",
        assessment={
            "informant": Informant.AGENCY,
            "employment": Employment.UNEMPLOYED,
            "mental_health": Level.SERIOUS,
            "depression": True,
            "mental_health_notes": "通院中断中",
            "going_out": GoingOut.ROOM_ONLY,
            "connections": [Connection.SERVICES],
        },
    ),
    # --- at 高知市's self-reliance agency ---
    Story(
        KOCHI_CITY_SELF_RELIANCE,
        SR_STAFF,
        35,
        "male",
        [P.RENT_ARREARS, P.JOB_SEARCH, P.HIKIKOMORI],
        "本人が家賃について来所相談",
        channel=C.OFFICE_VISIT,
        problem_notes="失業して家賃が払えない。2年ほどほとんど部屋から出ていない。今はプランは望まない。",
        screening=Screening.INFORMATION_ONLY,
        assessment={
            "informant": Informant.PERSON,
            "employment": Employment.UNEMPLOYED,
            "finance": Finance.SHORT,
            "arrears": True,
            "housing": Housing.RENTED,
            "going_out": GoingOut.NEIGHBOURHOOD,
            "wishes": "家賃のことだけ相談したい。計画を立てるのはまだ無理",
        },
    ),
    Story(
        KOCHI_CITY_SELF_RELIANCE,
        SR_STAFF,
        28,
        "female",
        [P.JOB_SEARCH, P.HIKIKOMORI],
        "本人から電話相談",
        screening=Screening.CONTINUING,
        problem_notes="働きたいが、外に出るのが怖い日がある。",
        assessment={
            "informant": Informant.PERSON,
            "employment": Employment.UNEMPLOYED_SEEKING,
            "finance": Finance.TIGHT,
            "going_out": GoingOut.HOBBY_ONLY,
            "connections": [Connection.FAMILY, Connection.INFORMATION],
            "wishes": "自分に合った働き方を少しずつ見つけたい",
        },
        later=[
            (7, C.OFFICE_VISIT, "就労準備支援の説明"),
            (20, C.ACCOMPANIMENT, "就労体験先へ同行"),
        ],
    ),
    Story(
        KOCHI_CITY_SELF_RELIANCE,
        SR_STAFF,
        46,
        "female",
        [P.CARE, P.CHILD_REARING, P.INCOME],
        "本人が来所相談",
        channel=C.OFFICE_VISIT,
        members=[Member(R.PARENT, 78, "male"), Member(R.CHILD, 12, "male")],
        problem_notes="父の介護と子育てでパートの時間が減り、生活が苦しい。",
        assessment={
            "informant": Informant.PERSON,
            "employment": Employment.PART_TIME,
            "finance": Finance.SHORT,
            "cares_for_elderly": True,
            "cares_for_children": True,
            "household_member_needs_care": True,
            "connections": [
                Connection.FAMILY,
                Connection.NEIGHBOURS,
                Connection.SERVICES,
                Connection.SOCIAL_ROLES,
            ],
            "wishes": "父の介護のことを誰かに一緒に考えてほしい",
        },
    ),
    Story(
        KOCHI_CITY_SELF_RELIANCE,
        SR_STAFF,
        68,
        "male",
        [P.DEBT, P.INCOME, P.TAX_ARREARS],
        "地域包括支援センターから紹介",
        initiator=By.AGENCY,
        initiator_name="高知市東部地域包括支援センター",
        members=[Member(R.SPOUSE, 66, "female")],
        problem_notes="年金だけでは返済が追いつかない。固定資産税も滞納。",
        assessment={
            "informant": Informant.PERSON,
            "employment": Employment.RETIRED,
            "finance": Finance.SHORT,
            "debt": True,
            "arrears": True,
            "housing": Housing.OWNED,
            "debt_notes": "消費者金融3社",
            "wishes": "家は手放したくない",
        },
    ),
    Story(
        KOCHI_CITY_SELF_RELIANCE,
        SR_STAFF,
        22,
        "male",
        [P.HOUSING, P.NO_FOOD, P.INCOME],
        "本人が来所相談",
        channel=C.OFFICE_VISIT,
        urgent=["no_food", "no_shelter"],
        problem_notes="寮を出され、ネットカフェで過ごしている。所持金がほとんどない。",
        resolve="一時生活支援事業のシェルターに入所し、食料を提供した。",
        days_ago=30,
        assessment={
            "informant": Informant.PERSON,
            "employment": Employment.UNEMPLOYED_SEEKING,
            "finance": Finance.NO_INCOME,
            "housing": Housing.NONE,
        },
    ),
    Story(
        KOCHI_CITY_SELF_RELIANCE,
        SR_STAFF,
        51,
        "female",
        [P.RENT_ARREARS, P.INCOME, P.HEALTH],
        "本人から電話相談",
        screening=Screening.HANDED_OVER,
        handed_to="高知市福祉事務所（生活保護）",
        problem_notes="病気で仕事を辞め、貯金が尽きた。",
    ),
)


class Casebook:
    """Writes the stories through the services, as the named demo users."""

    def __init__(self, rng: random.Random, fake: Faker, places: dict[str, list[Place]]):
        self.rng = rng
        self.fake = fake
        self.places = places
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.users = {
            u.username: u for u in User.objects.filter(username__in=[STAFF, MANAGER, SR_STAFF])
        }
        self.agencies = {key: _agency(key) for key in (ADULT_CENTER, KOCHI_CITY_SELF_RELIANCE)}
        self.municipalities = {m.code: m for m in Municipality.objects.filter(code__in=set(HOMES))}

    def at(self, days_ago: float, hour: int = 10) -> datetime.datetime:
        day = self.now - datetime.timedelta(days=days_ago)
        return day.replace(
            hour=hour, minute=self.rng.choice((0, 15, 30, 45)), second=0, microsecond=0
        )

    def home(self) -> dict[str, Any]:
        code = self.rng.choice(HOMES)
        postal, address = random_address(self.rng, "高知県", self.places.get(code, []))
        return {
            "municipality": self.municipalities[code],
            "postal_code": postal,
            "address": address,
        }

    def person(
        self,
        actor: User,
        agency: Agency,
        family: tuple[str, str],
        age: int,
        sex: str,
        home: dict[str, Any],
        given: tuple[str, str] | None = None,
        **extra: Any,
    ) -> Person:
        if given is None:
            pair = (
                self.fake.first_name_female_pair()
                if sex == "female"
                else self.fake.first_name_male_pair()
            )
            given = (pair[0], pair[1])
        data = {
            "family_name": family[0],
            "family_name_kana": family[1],
            "given_name": given[0],
            "given_name_kana": given[1],
            "sex": sex,
            "birth_date": _years_ago(age, self.today, self.rng.randint(1, 300)),
            **home,
            **extra,
        }
        try:
            return services.create_person(actor, agency, data)
        except services.PossibleDuplicates:  # an invented name met twice: a different person
            return services.create_person(actor, agency, data, allow_duplicate=True)

    def tell(self, story: Story) -> Case:
        actor = self.users[story.actor]
        agency = self.agencies[story.agency]
        last = self.fake.last_name_pair()
        family = (last[0], last[1])
        home = self.home()
        area = AREA_CODES.get(home["municipality"].code, "088")
        subject = self.person(
            actor, agency, family, story.age, story.sex, home,
            phone=phone(self.rng, area) if self.rng.random() < 0.5 else "",
            mobile=_mobile(self.rng) if story.age < 75 else "",
            avoided_contact=story.avoided_contact,
        )  # fmt: skip
        others = [
            (m, self.person(actor, agency, family, m.age, m.sex, home)) for m in story.members
        ]
        if others:
            services.create_household(
                actor, agency, f"{family[0]} 世帯",
                [(subject, Relationship.SELF), *((p, m.relationship) for m, p in others)],
            )  # fmt: skip
        caller = next((p for m, p in others if m.relationship == story.caller), None)
        contact = services.record_contact(
            actor,
            {
                "occurred_at": self.at(story.days_ago),
                "channel": story.channel,
                "initiator": story.initiator,
                "initiator_person": caller,
                "initiator_name": story.initiator_name,
                "duration_minutes": self.rng.choice((20, 30, 45, 60)),
                "summary": story.summary,
                "urgent": story.urgent,
            },
            person=subject,
            case_data={
                "problems": list(story.problems),
                "main_problem": story.problems[0],
                "problem_notes": story.problem_notes,
            },
        )
        case = contact.case
        for days_after, channel, text in story.later:
            services.record_contact(
                actor,
                {
                    "occurred_at": self.at(max(story.days_ago - days_after, 1), hour=14),
                    "channel": channel,
                    "initiator": Initiator.STAFF
                    if channel == Channel.HOME_VISIT
                    else Initiator.PERSON,
                    "duration_minutes": self.rng.choice((15, 30, 60, 90)),
                    "summary": text,
                },
                case=case,
            )
        if story.assessment is not None:
            assessed = self.today - datetime.timedelta(days=max(story.days_ago - 7, 0))
            services.record_assessment(actor, case, {"assessed_on": assessed, **story.assessment})
        changes: dict[str, Any] = {}
        if story.screening:
            changes.update(
                screening=story.screening, screened_on=case.opened_on, handed_to=story.handed_to
            )
        if story.accompaniment:
            changes["accompaniment"] = True
        if changes:
            case = services.update_case(actor, case, changes)
        if story.resolve:
            for flag in case.flags.filter(resolved_at__isnull=True):
                services.resolve_flag(actor, flag, story.resolve)
        return case

    # --- the walkthroughs ---

    def yamada(self) -> Case:
        """Walkthrough A, steps 1–2."""
        actor, center = self.users[STAFF], self.agencies[ADULT_CENTER]
        code = KOCHI_CITY
        postal, address = random_address(self.rng, "高知県", self.places.get(code, []))
        home = {
            "municipality": self.municipalities[code],
            "postal_code": postal,
            "address": address,
        }
        family = ("山田", "ヤマダ")
        mother = self.person(actor, center, family, 82, "female", home, ("花子", "ハナコ"),
                             phone=phone(self.rng, "088"), preferred_contact=["phone"])  # fmt: skip
        son = self.person(actor, center, family, 52, "male", home, ("太郎", "タロウ"),
                          avoided_contact=["phone", "home_visit"],
                          contact_notes="本人は電話に出ない。連絡は母を通じて。")  # fmt: skip
        services.create_household(
            actor,
            center,
            YAMADA_HOUSEHOLD,
            [(son, Relationship.SELF), (mother, Relationship.PARENT)],
        )
        contact = services.record_contact(
            actor,
            {
                "occurred_at": self.at(14, hour=10),
                "channel": Channel.PHONE,
                "initiator": Initiator.FAMILY,
                "initiator_person": mother,
                "duration_minutes": 40,
                "summary": "母から息子について電話相談",
                "notes": "息子は20年ほど家から出ていない（夜に近所へ出ることはある）。"
                "年金だけでは家賃が苦しく、母名義のカードの借金がある。",
            },
            person=son,
            case_data={
                "problems": [Problem.HIKIKOMORI, Problem.INCOME, Problem.DEBT, Problem.CARE],
                "main_problem": Problem.HIKIKOMORI,
                "problem_notes": "息子が20年家から出ない。年金だけでは家賃が苦しい。"
                "カードの借金がある。",
            },
        )
        services.record_assessment(
            actor,
            contact.case,
            {
                "assessed_on": self.today - datetime.timedelta(days=10),
                "informant": Informant.FAMILY,
                "employment": Employment.UNEMPLOYED,
                "employment_notes": "20代で退職してから働いていない",
                "finance": Finance.TIGHT,
                "monthly_income": 98000,
                "income_sources": "母の年金",
                "debt": True,
                "debt_notes": "母名義のカードローン（金額は不明）",
                "housing": Housing.RENTED,
                "household_member_needs_care": True,
                "care_notes": "母は足が弱り、通院に付き添いが必要",
                "withdrawn_since": _years_ago(20, self.today, 0).replace(month=4, day=1),
                "going_out": GoingOut.NEIGHBOURHOOD,
                "hikikomori_notes": "夜にだけ近所のコンビニへ出ることがある（母の話）",
                "connections": [Connection.FAMILY],
                "notes": "本人とは未面談。母の話から記入。",
            },
        )
        return contact.case

    def urgent_call(self) -> Case:
        """Walkthrough I: no food for two days, does not want to live — the R8 flags stay open."""
        actor, center = self.users[STAFF], self.agencies[ADULT_CENTER]
        last = self.fake.last_name_pair()
        subject = self.person(actor, center, (last[0], last[1]), 41, "male", self.home(),
                              mobile=_mobile(self.rng))  # fmt: skip
        contact = services.record_contact(
            actor,
            {
                "occurred_at": self.at(1, hour=16),
                "channel": Channel.PHONE,
                "initiator": Initiator.PERSON,
                "duration_minutes": 50,
                "summary": "本人から電話。2日間食べていない、生きていたくないと話す",
                "urgent": ["no_food", "suicidal"],
            },
            person=subject,
            case_data={
                "problems": [Problem.NO_FOOD, Problem.INCOME, Problem.HIKIKOMORI],
                "main_problem": Problem.NO_FOOD,
                "problem_notes": "仕事を失ってから部屋にこもっている。2日間何も食べていない。",
            },
        )
        return contact.case

    def dv_case(self) -> Case:
        """A DV case restricted to the manager, who is its only assigned staff."""
        manager, center = self.users[MANAGER], self.agencies[ADULT_CENTER]
        last = self.fake.last_name_pair()
        subject = self.person(manager, center, (last[0], last[1]), 38, "female", self.home(),
                              mobile=_mobile(self.rng), avoided_contact=["letter", "home_visit"],
                              contact_notes="住所は加害者に知られないよう厳重に管理")  # fmt: skip
        contact = services.record_contact(
            manager,
            {
                "occurred_at": self.at(5, hour=11),
                "channel": Channel.OFFICE_VISIT,
                "initiator": Initiator.AGENCY,
                "initiator_name": "高知県女性相談支援センター",
                "duration_minutes": 90,
                "summary": "配偶者からの暴力について関係機関から紹介",
            },
            person=subject,
            case_data={
                "problems": [Problem.DV_ABUSE, Problem.HOUSING, Problem.INCOME, Problem.HIKIKOMORI],
                "main_problem": Problem.DV_ABUSE,
                "problem_notes": "夫からの暴力を避けて家を出た。外に出るのが怖い。",
            },
        )
        services.record_assessment(
            manager,
            contact.case,
            {
                "informant": Informant.PERSON,
                "dv_abuse": True,
                "dv_notes": "配偶者からの身体的・精神的暴力。保護命令は未申立て。",
                "housing": Housing.WITH_OTHERS,
                "finance": Finance.NO_INCOME,
                "going_out": GoingOut.HOME_ONLY,
                "wishes": "安全な場所で落ち着いて暮らしたい",
            },
        )
        return services.set_restriction(manager, contact.case, True, [manager])


def build_casebook(seed: int, places: dict[str, list[Place]]) -> bool:
    """The walkthroughs' people and the other stories; False when they are already there."""
    center = _agency(ADULT_CENTER)
    if Household.objects.filter(agency=center, name=YAMADA_HOUSEHOLD).exists():
        return False
    rng = random.Random(f"{seed}:casebook")
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    book = Casebook(rng, fake, places)
    book.yamada()
    book.urgent_call()
    book.dv_case()
    for story in STORIES:
        book.tell(story)
    return True


# --- synthetic persons in bulk ----------------------------------------------------------------

_LAST = list(JaPersons.last_name_pairs)
_FIRST = {
    "female": list(JaPersons.first_name_female_pairs),
    "male": list(JaPersons.first_name_male_pairs),
}
_SUMMARIES = (
    "本人から電話相談", "家族から電話相談", "来所相談", "自宅訪問", "関係機関から情報提供",
    "定期の電話連絡", "居場所への同行", "メールで近況の連絡", "面談の日程調整",
)  # fmt: skip
_NOTES = (
    "仕事が見つからず、家にいることが多い。", "家族との関係に悩んでいる。",
    "家賃の支払いが苦しい。", "外に出るのが怖い日がある。", "親の介護が負担になっている。",
    "", "",
)  # fmt: skip
_CHANNELS = [c.value for c in Channel]
_CHANNEL_WEIGHTS = [40, 15, 15, 5, 5, 10, 10]
_INITIATORS = [i.value for i in Initiator]
_INITIATOR_WEIGHTS = [45, 30, 10, 5, 3, 5, 2]
_PROBLEMS = [p.value for p in Problem]
_SCREENINGS = [s.value for s in Screening]


def synthetic_count(agency: Agency) -> int:
    return Case.objects.filter(agency=agency, number__startswith=SYNTHETIC_CASE_PREFIX).count()


def synthetic_person(
    seed: int, i: int, agency: Agency, homes: Sequence[tuple[Municipality, list[Place]]]
) -> tuple[Person, random.Random]:
    """Person number `i`: the same for the same seed whatever N is."""
    rng = random.Random(f"{seed}:person:{i}")
    sex = rng.choice(("female", "male", "male", ""))
    last, last_kana, _ = rng.choice(_LAST)
    first, first_kana, _ = rng.choice(_FIRST[sex or rng.choice(("female", "male"))])
    municipality, places = rng.choice(homes)
    postal, address = random_address(rng, "", places)
    today = timezone.localdate()
    person = Person(
        agency=agency,
        family_name=last,
        given_name=first,
        family_name_kana=last_kana,
        given_name_kana=first_kana,
        sex=sex,
        birth_date=today - datetime.timedelta(days=rng.randint(18 * 365, 85 * 365)),
        municipality=municipality,
        postal_code=postal,
        address=address,
        phone=phone(rng, "088") if rng.random() < 0.5 else "",
        mobile=_mobile(rng) if rng.random() < 0.7 else "",
    )
    with_search_keys(person)
    return person, rng


def with_search_keys(person: Person) -> Person:
    """The keys `Person.save()` computes, for rows written with `bulk_create` (no save())."""
    person.name_key = name_key(person.family_name, person.given_name)
    person.given_key = name_key(person.given_name)
    person.kana_key = kana_key(person.family_name_kana, person.given_name_kana)
    person.given_kana_key = kana_key(person.given_name_kana)
    person.phone_digits = digits_only(person.phone)
    person.mobile_digits = digits_only(person.mobile)
    return person


def build_synthetic(seed: int, persons: int, places: dict[str, list[Place]]) -> Counter[str]:
    """Up to `persons` synthetic persons at demo-staff's agency, each with a case and 1–4
    contacts, in batches of `BATCH` (bulk_create, no per-row audit: one demo.built event)."""
    created: Counter[str] = Counter()
    center = _agency(ADULT_CENTER)
    staff = User.objects.filter(username__in=[STAFF, MANAGER]).order_by("username")
    staff_ids = list(staff.values_list("pk", flat=True))
    start = synthetic_count(center)
    if persons <= start or not staff_ids:
        return created
    municipalities = Municipality.objects.filter(code__in=set(HOMES)).order_by("code")
    homes = [
        (m, places.get(m.code, [])) for m in municipalities for _ in range(HOMES.count(m.code))
    ]
    now = timezone.now()
    today = timezone.localdate()
    for first in range(start, persons, BATCH):
        numbers = range(first, min(first + BATCH, persons))
        drawn = [synthetic_person(seed, i, center, homes) for i in numbers]
        saved = Person.objects.bulk_create([p for p, _ in drawn])
        cases = []
        plans = []
        for i, (person, rng) in zip(numbers, drawn, strict=True):
            opened = today - datetime.timedelta(days=rng.randint(0, 3 * 365))
            problems = rng.sample(_PROBLEMS, rng.randint(1, 4))
            cases.append(
                Case(
                    agency=center,
                    person_id=person.pk,
                    number=f"{SYNTHETIC_CASE_PREFIX}{i + 1:06d}",
                    opened_on=opened,
                    problems=problems,
                    main_problem=problems[0],
                    problem_notes=rng.choice(_NOTES),
                    screening=rng.choice(_SCREENINGS),
                    accompaniment=rng.random() < 0.1,
                    created_by_id=staff_ids[0],
                )
            )
            plans.append((rng, opened))
        saved_cases = Case.objects.bulk_create(cases)
        contacts = []
        for case, (rng, opened) in zip(saved_cases, plans, strict=True):
            span = max((today - opened).days, 1)
            for k in range(rng.randint(1, 4)):
                when = now - datetime.timedelta(
                    days=span - rng.randint(0, span) if k else (today - opened).days,
                    minutes=rng.randint(0, 600),
                )
                contacts.append(
                    Contact(
                        agency=center,
                        case_id=case.pk,
                        occurred_at=when,
                        channel=rng.choices(_CHANNELS, _CHANNEL_WEIGHTS)[0],
                        initiator=rng.choices(_INITIATORS, _INITIATOR_WEIGHTS)[0],
                        staff_id=rng.choice(staff_ids),
                        duration_minutes=rng.choice((10, 15, 20, 30, 45, 60)),
                        summary=rng.choice(_SUMMARIES),
                        created_by_id=staff_ids[0],
                    )
                )
        Contact.objects.bulk_create(contacts, batch_size=BATCH)
        created["persons"] += len(saved)
        created["cases"] += len(saved_cases)
        created["contacts"] += len(contacts)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, so the planner uses the indexes
            for model in (Person, Case, Contact):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    return created


def build_people(seed: int, persons: int = 0) -> Counter[str]:
    """Issue 3: the casebook (once) and `persons` synthetic persons; what was created."""
    demo = Agency.objects.filter(
        Q(source=f"{DEMO_SOURCE_PREFIX}{ADULT_CENTER}")
        | Q(source=f"{DEMO_SOURCE_PREFIX}{KOCHI_CITY_SELF_RELIANCE}")
        | Q(source=f"{DEMO_SOURCE_PREFIX}{CHILD_CENTER}")
    )
    before = people_counts(demo)
    places = postal_places(["高知県"])
    build_casebook(seed, places)
    from .sharing import build_sharing  # issue 4

    shared = build_sharing(seed)
    from .referrals import build_referrals  # issue 5

    shared += build_referrals(seed, places)
    from .plans import build_plans  # issue 6

    shared += build_plans(seed)
    build_synthetic(seed, persons, places)
    after = people_counts(demo)
    return +Counter({k: after[k] - before[k] for k in after}) + shared


def people_summary() -> list[str]:
    """Where to look in the demo's people, for the command's output."""
    lines = []
    yamada = (
        Case.objects.filter(
            agency__source=f"{DEMO_SOURCE_PREFIX}{ADULT_CENTER}",
            person__family_name="山田",
            person__given_name="太郎",
        )
        .order_by("pk")
        .first()
    )
    if yamada is not None:
        lines.append(
            f"walkthrough A: 山田 太郎 (52) and 花子 (82), case {yamada.number}: "
            f"/people/cases/{yamada.pk}/ (log in as {STAFF})"
        )
    flag = (
        Flag.objects.filter(
            agency__source=f"{DEMO_SOURCE_PREFIX}{ADULT_CENTER}",
            resolved_at__isnull=True,
            case__is_restricted=False,
        )
        .select_related("case")
        .order_by("pk")
        .first()
    )
    if flag is not None:
        flagged = flag.case
        lines.append(
            f"walkthrough I: open R8 flags on case {flagged.number}: /people/cases/{flagged.pk}/"
        )
    restricted = Case.objects.filter(
        agency__source=f"{DEMO_SOURCE_PREFIX}{ADULT_CENTER}", is_restricted=True
    ).first()
    if restricted is not None:
        lines.append(
            f"a DV case restricted to {MANAGER}: case {restricted.number} (not visible to {STAFF})"
        )
    from .plans import plans_summary  # issue 6
    from .referrals import referrals_summary  # issue 5
    from .sharing import sharing_summary  # issue 4

    return (
        lines
        + sharing_summary()
        + referrals_summary()
        + plans_summary()
        + [
            "walkthrough F (supporters): the prefecture's courses and roster at /supporters/ "
            "(demo-prefectural), 高知市's dispatches at /supporters/dispatches/ "
            "(demo-coordinator), the supporter's phone view at /supporters/mine/ "
            "(demo-supporter)",
            "walkthrough H: the prefecture's progress at /oversight/ (demo-prefectural): "
            "34/34 windows, 7/34 surveys, 10/34 platforms",
            "public pages without login: /public/ (高知市: /public/m/39201/, leaflet "
            "/public/m/39201/leaflet.pdf); open-data export: /api/v1/hsds/export",
            "statistics: /statistics/ (national survey figures, hikikomori figures, "
            "dispatches; small counts shown as <5 to officers)",
        ]
    )
