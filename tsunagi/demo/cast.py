"""The demo cast: one account for every role of access.md, all in 高知県.

Plain data without Django imports, so README tooling and tests can list the accounts without
a database. `builders.build_foundation` creates exactly these users and memberships.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

DEFAULT_SEED = 20250401
DEMO_PASSWORD = "tsunagi-demo-2025"
DEMO_USER_PREFIX = "demo-"
DEMO_EMAIL_DOMAIN = "demo.tsunagi.invalid"

KOCHI = "39"
KOCHI_CITY = "39201"  # 高知市, a 中核市 with a welfare office

# Keys of the 高知県 agencies the cast belongs to, and their names (the builders use the same).
PREFECTURAL_OFFICE = "39.office.pref"
KOCHI_CITY_OFFICE = f"39.office.{KOCHI_CITY}"
ADULT_CENTER = "39.center.adult"
CHILD_CENTER = "39.center.child"
KOCHI_CITY_SELF_RELIANCE = f"39.sr.{KOCHI_CITY}"
KOCHI_CITY_STATION = f"39.station.{KOCHI_CITY}"

AGENCY_NAMES = {
    PREFECTURAL_OFFICE: "高知県 地域福祉部 地域福祉政策課",
    KOCHI_CITY_OFFICE: "高知市 健康福祉部",
    ADULT_CENTER: "高知県ひきこもり地域支援センター",
    CHILD_CENTER: "高知県子どものひきこもり地域支援センター",
    KOCHI_CITY_SELF_RELIANCE: "高知市生活支援相談センター",
    KOCHI_CITY_STATION: "高知市ひきこもり支援ステーション",
}

# Role → (Japanese, English) as access.md names them; keys are `accounts.models.Role` values.
ROLE_LABELS: dict[str, tuple[str, str]] = {
    "staff": ("相談支援員 / コーディネーター", "Consultation staff / coordinator"),
    "manager": ("主任 / 管理者", "Agency manager"),
    "dispatch_coordinator": ("派遣調整担当", "Dispatch coordinator"),
    "supporter": ("サポーター", "Supporter"),
    "municipal_officer": ("市区町村担当", "Municipal officer"),
    "prefectural_officer": ("都道府県担当", "Prefectural officer"),
    "auditor": ("監査", "Auditor"),
    "operator": ("運用管理者", "Operator"),
}

INSTALLATION_LABEL = "（システム全体 / installation）"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    agency_key: str | None  # None for the operator, who belongs to no agency
    full_name: str
    full_name_kana: str
    staff_title: str = ""  # when set, the user is linked to a StaffMember row of the agency
    qualifications: tuple[str, ...] = ()
    is_coordinator: bool = False

    @property
    def password(self) -> str:
        return DEMO_PASSWORD

    @property
    def email(self) -> str:
        return f"{self.username}@{DEMO_EMAIL_DOMAIN}"

    @property
    def role_ja(self) -> str:
        return ROLE_LABELS[self.role][0]

    @property
    def role_en(self) -> str:
        return ROLE_LABELS[self.role][1]

    @property
    def agency_name(self) -> str:
        return AGENCY_NAMES[self.agency_key] if self.agency_key else INSTALLATION_LABEL


CAST: tuple[DemoAccount, ...] = (
    DemoAccount(
        "demo-staff",
        "staff",
        ADULT_CENTER,
        "坂本 美咲",
        "サカモト ミサキ",
        staff_title="ひきこもり支援コーディネーター",
        qualifications=("social_worker",),
        is_coordinator=True,
    ),
    DemoAccount(
        "demo-manager",
        "manager",
        ADULT_CENTER,
        "濱田 健一",
        "ハマダ ケンイチ",
        staff_title="センター長",
        qualifications=("psychiatric_social_worker",),
        is_coordinator=True,
    ),
    DemoAccount(
        "demo-sr-staff",
        "staff",
        KOCHI_CITY_SELF_RELIANCE,
        "岡林 香織",
        "オカバヤシ カオリ",
        staff_title="相談支援員",
        qualifications=("social_worker",),
    ),
    DemoAccount(
        "demo-sr-manager",
        "manager",
        KOCHI_CITY_SELF_RELIANCE,
        "西村 大輔",
        "ニシムラ ダイスケ",
        staff_title="主任相談支援員",
        qualifications=("social_worker", "psychiatric_social_worker"),
    ),
    DemoAccount(
        "demo-child-staff",
        "staff",
        CHILD_CENTER,
        "片岡 さくら",
        "カタオカ サクラ",
        staff_title="相談員",
        qualifications=("certified_psychologist",),
    ),
    DemoAccount(
        "demo-coordinator",
        "dispatch_coordinator",
        KOCHI_CITY_OFFICE,
        "山崎 由美",
        "ヤマサキ ユミ",
        staff_title="ひきこもりサポーター派遣調整担当",
        qualifications=("public_health_nurse",),
    ),
    DemoAccount("demo-supporter", "supporter", KOCHI_CITY_OFFICE, "中平 翔太", "ナカヒラ ショウタ"),
    DemoAccount(
        "demo-municipal",
        "municipal_officer",
        KOCHI_CITY_OFFICE,
        "武田 真理子",
        "タケダ マリコ",
        staff_title="地域共生社会推進課 係長",
    ),
    DemoAccount(
        "demo-prefectural",
        "prefectural_officer",
        PREFECTURAL_OFFICE,
        "川村 亮",
        "カワムラ リョウ",
        staff_title="主査",
    ),
    DemoAccount("demo-auditor", "auditor", ADULT_CENTER, "森 尚子", "モリ ナオコ"),
    DemoAccount("demo-operator", "operator", None, "田中 誠", "タナカ マコト"),
)


def demo_accounts() -> list[DemoAccount]:
    """The demo accounts (one per role of access.md), for the command's table, README and tests."""
    return list(CAST)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def accounts_table() -> str:
    """The demo accounts as a plain-text table (user name, password, role in Japanese and
    English, agency), aligned for a terminal; `tsunagi demo` prints it and README shows it."""
    header = ("ユーザー名 / username", "パスワード / password", "役割", "role", "所属 / agency")
    rows = [(a.username, a.password, a.role_ja, a.role_en, a.agency_name) for a in CAST]
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)
