"""The demo's municipal structures in 高知県 (issue 9, rules M2-M5): every one of the 34
municipalities has named a lead department, exactly 7 have surveyed needs and exactly 10 have a
platform (three through an existing council, one set up jointly with the prefecture). The
dates spread over the last two years so the prefecture's history shows the growth.

Deterministic: the same municipalities in code order always get the same records; dates are
counted back from the first of the current month. Idempotent: a record whose source exists is
not made again. `reset_oversight` removes exactly what this made (source `demo:oversight:...`).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from django.utils import timezone

from tsunagi.agencies.models import Agency
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.oversight.models import (
    LeadDepartment,
    MunicipalPlatform,
    NeedFound,
    NeedsSurvey,
    SurveyMethod,
)

from .cast import KOCHI

PREFIX = "demo:oversight:"
# Positions in code order (0 = 高知市) of the municipalities with a survey and with a platform.
SURVEYED = (0, 1, 4, 6, 11, 19, 27)
WITH_PLATFORM = (0, 1, 2, 4, 6, 9, 13, 19, 25, 30)
EXISTING_BODY = {2: "地域福祉推進協議会", 9: "地域ケア会議", 25: "要保護児童対策地域協議会"}
JOINT = 30  # set up jointly with the prefecture (M3)
METHODS = (
    SurveyMethod.WELFARE_COMMISSIONERS,
    SurveyMethod.RESIDENTS,
    SurveyMethod.AGENCIES,
    SurveyMethod.WELFARE_COMMISSIONERS,
    SurveyMethod.AGENCIES,
    SurveyMethod.WELFARE_COMMISSIONERS,
    SurveyMethod.OTHER,
)
NEEDS = (
    [NeedFound.PLACE_TO_BE, NeedFound.FAMILY_SUPPORT, NeedFound.AGEING_PARENTS],
    [NeedFound.WORK, NeedFound.PLACE_TO_BE],
    [NeedFound.OUTREACH, NeedFound.FAMILY_SUPPORT],
    [NeedFound.AGEING_PARENTS, NeedFound.MONEY],
    [NeedFound.WINDOW_KNOWN, NeedFound.PLACE_TO_BE],
    [NeedFound.HEALTH, NeedFound.OUTREACH],
    [NeedFound.SCHOOL, NeedFound.FAMILY_SUPPORT],
)


def _months_ago(anchor: date, months: int) -> date:
    index = anchor.year * 12 + anchor.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


# Population of 高知県's municipalities for the per-100,000 figures of the statistics: rounded
# figures of the 2020 census, as the demo's stand-in (a real installation imports the census
# with `tsunagi import_population FILE --as-of 2020-10-01`). Only municipalities without a
# population get them.
POPULATION_FILE = Path(__file__).parent / "data" / "kochi_population.csv"
POPULATION_AS_OF = date(2020, 10, 1)


def _population(prefecture: Prefecture) -> int:
    from tsunagi.jurisdictions.services import import_population

    missing = set(
        Municipality.objects.filter(prefecture=prefecture, population__isnull=True).values_list(
            "code", flat=True
        )
    )
    rows = [
        line
        for line in POPULATION_FILE.read_text(encoding="utf-8").splitlines()[1:]
        if line.split(",")[0] in missing
    ]
    return import_population("\n".join(rows), POPULATION_AS_OF).updated if rows else 0


def build_oversight(seed: int) -> Counter[str]:
    """Create the demo structures that do not exist yet. `seed` is unused: the pattern is fixed
    so walkthrough H can count on 34/34, 7/34 and 10/34."""
    created: Counter[str] = Counter()
    prefecture = Prefecture.objects.filter(code=KOCHI).first()
    if prefecture is None:
        return created
    filled = _population(prefecture)
    if filled:
        created["municipal populations"] += filled
    towns = list(
        Municipality.objects.filter(prefecture=prefecture, abolished_on__isnull=True).order_by(
            "code"
        )
    )
    anchor = timezone.localdate().replace(day=1)
    done = set(
        LeadDepartment.objects.filter(source__startswith=PREFIX).values_list("source", flat=True)
    )
    done |= set(
        NeedsSurvey.objects.filter(source__startswith=PREFIX).values_list("source", flat=True)
    )
    done |= set(
        MunicipalPlatform.objects.filter(source__startswith=PREFIX).values_list("source", flat=True)
    )
    for i, town in enumerate(towns):
        source = f"{PREFIX}lead:{town.code}"
        if (
            source not in done
            and not LeadDepartment.objects.filter(municipality=town, until__isnull=True).exists()
        ):
            # Twenty had named one more than two years ago; the rest one by one since.
            since = _months_ago(anchor, 30 if i < 20 else 23 - (i - 20) * 3 // 2)
            kind = "市" if town.name.endswith("市") else "町村"
            LeadDepartment.objects.create(
                municipality=town,
                name="健康福祉課" if kind == "町村" else "健康福祉部 地域共生社会推進課",
                contact=f"088-{800 + i:03d}-{1000 + i * 7:04d}",
                since=since,
                source=source,
            )
            created["lead departments"] += 1
    for n, position in enumerate(SURVEYED):
        if position >= len(towns):
            continue
        town, source = towns[position], f"{PREFIX}survey:{towns[position].code}"
        if source in done:
            continue
        start = _months_ago(anchor, 22 - n * 3)
        NeedsSurvey.objects.create(
            municipality=town,
            method=METHODS[n],
            method_detail="保健師による訪問時の聞き取り"
            if METHODS[n] == SurveyMethod.OTHER
            else "",
            period_from=start,
            period_to=_months_ago(anchor, 20 - n * 3) if n < 6 else None,
            estimated_15_39=30 + n * 11,
            estimated_40_64=45 + n * 13,
            estimated_65_plus=5 + n * 2,
            estimated_unknown=n,
            needs=[str(x) for x in NEEDS[n]],
            needs_text="家族からの相談が多く、本人が通える居場所が求められている。",
            is_published=n % 2 == 0,
            source=source,
        )
        created["needs surveys"] += 1
    agencies = list(Agency.objects.filter(prefecture=prefecture, source__startswith="demo:"))
    for n, position in enumerate(WITH_PLATFORM):
        if position >= len(towns):
            continue
        town, source = towns[position], f"{PREFIX}platform:{towns[position].code}"
        if source in done:
            continue
        set_up = _months_ago(anchor, 21 - n * 2)
        platform = MunicipalPlatform.objects.create(
            municipality=town,
            name=f"{town.name}ひきこもり支援プラットフォーム",
            secretariat="健康福祉課" if not town.name.endswith("市") else "地域共生社会推進課",
            other_members=["民生委員児童委員協議会", "社会福祉協議会"],
            existing_body=(
                f"{town.name}{EXISTING_BODY[position]}" if position in EXISTING_BODY else ""
            ),
            joint_with_prefecture=position == JOINT,
            holds_meetings=n % 3 != 2,
            set_up_on=set_up,
            valid_from=set_up,
            source=source,
        )
        serving = [
            a
            for a in agencies
            if a.operator_municipality_id == town.pk or a.municipality_id == town.pk
        ]
        platform.member_agencies.set(serving[:4])
        created["municipal platforms"] += 1
    return created


def reset_oversight() -> Counter[str]:
    removed: Counter[str] = Counter()
    for model, label in (
        (MunicipalPlatform, "municipal platforms"),
        (NeedsSurvey, "needs surveys"),
        (LeadDepartment, "lead departments"),
    ):
        removed[label] += (
            model.objects.filter(source__startswith=PREFIX).delete()[1].get(model._meta.label, 0)
        )
    return +removed


def oversight_counts() -> dict[str, int]:
    return {
        "lead departments": LeadDepartment.objects.filter(source__startswith=PREFIX).count(),
        "needs surveys": NeedsSurvey.objects.filter(source__startswith=PREFIX).count(),
        "municipal platforms": MunicipalPlatform.objects.filter(source__startswith=PREFIX).count(),
    }
