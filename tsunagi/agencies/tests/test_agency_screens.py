"""Agency screens: list and search, detail with J6, edit with conflicts, hours, staff, pairings."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.cast import Cast, make_cast
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.agencies.models import Agency, Pairing

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.smoke
def test_list_opens_on_the_users_prefecture_in_japanese(cast: Cast) -> None:
    page = client_for(cast.users[Role.STAFF]).get("/agencies/").content.decode()
    assert "機関一覧" in page
    assert "高知県ひきこもり地域支援センター" in page
    assert "東京都の自立相談支援機関" not in page


def test_search_by_reading_in_hiragana_and_partial_for_htmx(cast: Cast) -> None:
    client = client_for(cast.users[Role.STAFF])
    response = client.get("/agencies/", {"q": "こうちけんひきこもり"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "高知県ひきこもり地域支援センター" in body
    assert "<html" not in body  # only the results fragment
    assert (
        "該当する機関はありません" in client.get("/agencies/", {"q": "存在しない"}).content.decode()
    )


def test_list_exports_csv_and_excel_and_logs_the_export(cast: Cast) -> None:
    client = client_for(cast.users[Role.STAFF])
    csv = client.get("/agencies/", {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("名称,種別")
    assert "高知県ひきこもり地域支援センター" in text
    xlsx = client.get("/agencies/", {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="agency.exported").count() == 2


def test_detail_shows_j6_verdict_with_reason(cast: Cast) -> None:
    page = client_for(cast.users[Role.STAFF]).get(f"/agencies/{cast.center.pk}/").content.decode()
    assert "不適合" in page and "J6" in page
    assert "土佐 花子" in page  # staff visible to the agency's own staff


@pytest.mark.parametrize("who", ["supporter", "nobody"])
def test_those_without_the_registry_are_refused(cast: Cast, who: str) -> None:
    user = cast.nobody if who == "nobody" else cast.users[Role.SUPPORTER]
    client = client_for(user)
    assert client.get("/agencies/").status_code in (403, 404)
    assert client.get(f"/agencies/{cast.center.pk}/").status_code in (403, 404)


def test_staff_of_another_agency_does_not_see_our_staff_list(cast: Cast) -> None:
    page = client_for(cast.outsider).get(f"/agencies/{cast.center.pk}/").content.decode()
    assert "土佐 花子" not in page


def test_login_required(cast: Cast) -> None:
    response = Client().get("/agencies/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_cannot_edit_but_manager_can(cast: Cast) -> None:
    url = f"/agencies/{cast.center.pk}/edit/"
    assert client_for(cast.users[Role.STAFF]).get(url).status_code == 403
    manager = client_for(cast.users[Role.MANAGER])
    form = manager.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "area"}
    data.update({"prefecture": cast.center.prefecture_id, "phone": "０８８－８２３－９７１１",
                 "area": [m.pk for m in cast.center.area.all()]})  # fmt: skip
    response = manager.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    cast.center.refresh_from_db()
    assert cast.center.phone == "088-823-9711"


def test_edit_conflict_keeps_what_the_user_typed(cast: Cast) -> None:
    url = f"/agencies/{cast.center.pk}/edit/"
    manager = client_for(cast.users[Role.MANAGER])
    form = manager.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "area"}
    data.update({"prefecture": cast.center.prefecture_id, "address": "私の入力",
                 "version": form.fields["version"].initial})  # fmt: skip
    Agency.objects.filter(pk=cast.center.pk).update(version=5, address="他の人の入力")
    response = manager.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "私の入力" in page and "他の人の入力" in page
    cast.center.refresh_from_db()
    assert cast.center.address == "他の人の入力"


def test_bad_postal_code_is_explained_in_japanese_and_input_kept(cast: Cast) -> None:
    url = f"/agencies/{cast.center.pk}/edit/"
    manager = client_for(cast.users[Role.MANAGER])
    form = manager.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "area"}
    data.update({"prefecture": cast.center.prefecture_id, "postal_code": "12", "address": "丸ノ内"})
    page = manager.post(url, data).content.decode()
    assert "郵便番号は7桁の数字で入力してください" in page
    assert 'value="丸ノ内"' in page


def test_hours_form_refuses_closing_before_opening(cast: Cast) -> None:
    url = f"/agencies/{cast.center.pk}/hours/"
    manager = client_for(cast.users[Role.MANAGER])
    page = manager.post(url, {"d0_1_opens": "17:00", "d0_1_closes": "09:00"}).content.decode()
    assert "閉所時刻" in page or "終了" in page or "後" in page
    assert cast.center.opening_hours.count() == 5  # nothing replaced
    manager.post(url, {f"d{d}_1_opens": "08:30" for d in range(5)}
                 | {f"d{d}_1_closes": "17:15" for d in range(5)})  # fmt: skip
    assert cast.center.opening_hours.first().opens.strftime("%H:%M") == "08:30"  # type: ignore[union-attr]


def test_manager_adds_a_staff_member(cast: Cast) -> None:
    manager = client_for(cast.users[Role.MANAGER])
    response = manager.post(f"/agencies/{cast.center.pk}/staff/new/", {
        "name": "四万十 次郎", "name_kana": "しまんと じろう", "is_coordinator": "on",
        "qualifications": ["psychiatric_social_worker"], "is_active": "on",
    })  # fmt: skip
    assert response.status_code == 302
    page = manager.get(f"/agencies/{cast.center.pk}/").content.decode()
    assert "四万十 次郎" in page
    assert "適合" in page  # now 2 coordinators, 2 professionals, 5 × 8 h


def test_j3_prefectural_officer_pairs_agencies_on_screen(cast: Cast) -> None:
    officer = client_for(cast.users[Role.PREFECTURAL_OFFICER])
    response = officer.post("/agencies/pairings/?prefecture=39", {
        "hikikomori_agency": cast.center.pk, "self_reliance_agency": cast.self_reliance.pk,
    })  # fmt: skip
    assert response.status_code == 302
    assert Pairing.objects.filter(hikikomori_agency=cast.center).exists()
    page = client_for(cast.users[Role.STAFF]).get("/agencies/pairings/").content.decode()
    assert "高知市自立相談支援機関" in page
    assert "ペアリングを追加" not in page and "追加" not in page.split("</table>")[-1]
