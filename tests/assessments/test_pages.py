"""The foundation's pages: government history, province rankings, the checklist."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agencies.models import Government, Level, Province
from assessments.models import Answer, GovernmentResult, Round
from compliance.models import Methodology
from tests.checklists import checklist

from .helpers import text_of


@pytest.fixture(autouse=True)
def indonesian():
    with translation.override("id"):
        yield


@pytest.mark.django_db
def test_leader_sees_muna_barat_history_and_live_score(client, personas, live_round):
    from assessments.services.answers import answer_save

    assessment = live_round["assessments"]["a"]
    for indicator in checklist().all()[:10]:
        answer_save(assessment_id=assessment.id, indicator=indicator, user=personas["operator"],
                    value=3, not_applicable=False, note="", expected_version=0)
    client.force_login(personas["leader"])
    response = client.get(reverse("government-detail", args=[live_round["government"].id]),
                          HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    text = text_of(response)
    assert "34,19" in text and "69,27" in text and "+35,08" in text
    assert "Kualitas Sedang" in text and "Kepatuhan Rendah" in text
    assert "13 dari 15 kabupaten di Sulawesi Tenggara" in text  # 2021
    assert "1 dari 15 kabupaten di Sulawesi Tenggara" in text  # 2022, the published rank
    assert "1 of 15 kabupaten in the province" not in text  # one format, one language
    assessment.refresh_from_db()
    # Live score: mean of the two sampled units (one is still empty, so it is not assessed).
    assert re.search(r"\b" + f"{assessment.self_score:.2f}".replace(".", ",") + r"\b", text)


@pytest.mark.django_db
def test_government_page_is_404_outside_scope_and_login_required(client, personas, live_round):
    url = reverse("government-detail", args=[live_round["government"].id])
    assert client.get(url).status_code == 302
    client.force_login(personas["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(personas["operator"])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(("group", "count", "mubar_rank"), [
    ("kabupaten", 15, 13), ("all", 18, 16), ("kota", 2, None), ("provinsi", 1, None)])
@pytest.mark.django_db
def test_province_ranking_peer_groups_are_public(client, sultra, group, count, mubar_rank):
    round_ = Round.objects.get(year=2021)
    response = client.get(reverse("ranking-province", args=[round_.id, sultra.province_id]),
                          {"group": group})
    assert response.status_code == 200
    rows = response.context["ranking"].rows
    assert len(rows) == count
    ranks = {row.government.name: row.rank for row in rows}
    assert ranks.get("Kabupaten Muna Barat") == mubar_rank
    html = response.content.decode()
    assert html.count('class="badge zone zone-') == count  # colour plus a text label per row


@pytest.mark.django_db
def test_unknown_group_falls_back_and_unpublished_round_is_hidden(client, personas, live_round):
    round_ = Round.objects.get(year=2021)
    province = live_round["government"].province
    response = client.get(reverse("ranking-province", args=[round_.id, province.id]),
                          {"group": "'; drop table x"})
    assert response.context["ranking"].group == "kabupaten"
    live_url = reverse("ranking-province", args=[live_round["round"].id, province.id])
    assert client.get(live_url).status_code == 404
    client.force_login(personas["leader"])
    assert client.get(live_url).status_code == 404
    client.force_login(personas["assessor"])  # unpublished rankings: administrators only
    assert client.get(live_url).status_code == 404
    client.force_login(personas["admin"])
    assert client.get(live_url).status_code == 200


@pytest.mark.django_db
def test_ranking_xlsx_download(client, sultra):
    from io import BytesIO

    from openpyxl import load_workbook

    round_ = Round.objects.get(year=2021)
    response = client.get(reverse("ranking-province-xlsx", args=[round_.id, sultra.province_id]),
                          {"group": "all"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    from tests.workbooks import table

    rows = table(load_workbook(BytesIO(response.content)).active)
    assert len(rows) == 19
    mubar = next(row for row in rows if row[1] == "Kabupaten Muna Barat")
    assert mubar[0] == 16 and mubar[4] == 34.19


def build_province(name, size, rounds):
    province = Province.objects.create(name=name)
    for index in range(size):
        government = Government.objects.create(province=province, level=Level.KABUPATEN,
                                               name=f"Kabupaten {name} {index:03d}")
        for offset, round_ in enumerate(rounds):
            GovernmentResult.objects.create(round=round_, government=government,
                                            score=(index * 7 + offset * 3) % 100, zone="red")
    return province


@pytest.mark.django_db
def test_ranking_page_query_count_does_not_grow_with_rows(client, standard,
                                                          django_assert_num_queries):
    methodology = Methodology.objects.get(code="ombudsman-2022")
    rounds = [Round.objects.create(year=year, name=f"R{year}", methodology=methodology,
                                   state=Round.State.PUBLISHED, is_official=True)
              for year in (2022, 2023)]
    small = build_province("Kecil", 3, rounds)
    large = build_province("Besar", 30, rounds)
    url_small = reverse("ranking-province", args=[rounds[1].id, small.id])
    url_large = reverse("ranking-province", args=[rounds[1].id, large.id])
    client.get(url_small)  # warm the methodology cache
    with CaptureQueriesContext(connection) as small_queries:
        assert len(client.get(url_small).context["ranking"].rows) == 3
    assert len(small_queries) <= 6
    with django_assert_num_queries(len(small_queries)):
        assert len(client.get(url_large).context["ranking"].rows) == 30


@pytest.mark.django_db
def test_operator_fills_checklist_with_htmx(client, personas, live_round):
    assessment = live_round["assessments"]["a"]
    client.force_login(personas["operator"])
    page = client.get(reverse("checklist", args=[assessment.id]))
    assert page.status_code == 200
    text = text_of(page)
    assert "a. Dasar hukum — Legal basis" in text and "n. Evaluasi kinerja pelaksana" in text
    assert text.index("a. Dasar hukum") < text.index("b. Persyaratan") < text.index("n. Evaluasi")
    assert text.count("wajib dipublikasikan") == 6 or text.count("must be published") == 6
    assert "0 dari 48" in text or "0 of 48" in text
    indicator = checklist().get(code="persyaratan-1")
    url = reverse("answer-save", args=[assessment.id, indicator.id])
    response = client.post(url, {"value": "3", "note": "SK nomor 12/2026", "version": "0"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = text_of(response)
    assert "1 dari 48" in body or "1 of 48" in body
    assert 'hx-swap-oob="true"' in response.content.decode()
    answer = Answer.objects.get(assessment=assessment, indicator=indicator)
    assert (answer.value, answer.note, answer.version) == (3, "SK nomor 12/2026", 1)
    assessment.refresh_from_db()
    assert assessment.answered_count == 1 and assessment.self_score is not None
    assert assessment.status == "in_progress"


@pytest.mark.django_db
def test_stale_save_is_refused_and_keeps_the_typed_text(client, personas, live_round):
    assessment = live_round["assessments"]["a"]
    indicator = checklist().get(code="prosedur-1")
    url = reverse("answer-save", args=[assessment.id, indicator.id])
    client.force_login(personas["operator"])
    client.post(url, {"value": "2", "note": "first", "version": "0"}, HTTP_HX_REQUEST="true")
    response = client.post(url, {"value": "1", "note": "my long note", "version": "0"},
                           HTTP_HX_REQUEST="true")
    answer = Answer.objects.get(assessment=assessment, indicator=indicator)
    assert (answer.value, answer.note, answer.version) == (2, "first", 1)
    html = response.content.decode()
    # The response never replaces the inputs (the typed text stays in the browser's form, see
    # tests/browser/test_checklist_autosave.py); it says what is saved, offers Retry and brings
    # the version up to date, so that Retry replaces the other version.
    assert 'data-answer-state="conflict"' in html and "Coba lagi" in html
    assert "2 · first" in text_of(response)
    assert 'name="version" id="version-%d" value="1" hx-swap-oob="true"' % indicator.id in html
    assert 'name="note"' not in html and 'name="value"' not in html


@pytest.mark.django_db
def test_out_of_scale_value_is_refused_without_saving(client, personas, live_round):
    assessment = live_round["assessments"]["a"]
    indicator = checklist().get(code="biaya-1")
    client.force_login(personas["operator"])
    for bad in ("4", "-1", "NaN", "1e9", "x"):
        response = client.post(reverse("answer-save", args=[assessment.id, indicator.id]),
                               {"value": bad, "version": "0"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "alert-danger" in response.content.decode()
    assert not Answer.objects.filter(assessment=assessment).exists()


@pytest.mark.django_db
def test_only_the_agencys_operators_may_answer(client, personas, live_round):
    assessment = live_round["assessments"]["a"]
    indicator = checklist().first()
    url = reverse("answer-save", args=[assessment.id, indicator.id])
    data = {"value": "1", "version": "0"}
    expected = {"operator_b": 404, "outsider": 404, "coordinator": 403, "leader": 403,
                "assessor": 403, "admin": 403}
    for name, status in expected.items():
        client.force_login(personas[name])
        assert client.post(url, data).status_code == status, name
    client.logout()
    assert client.post(url, data).status_code == 302
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_most_improved_national_and_filters_keep_ranks(client, sultra):
    round_ = Round.objects.get(year=2022)
    url = reverse("ranking-province", args=[round_.id, sultra.province_id])
    response = client.get(url, {"group": "kabupaten"})
    (best, *rest) = response.context["improved"]
    assert (best.government.name, str(best.change), best.previous_rank, best.rank) == (
        "Kabupaten Muna Barat", "35.08", 13, 1)
    assert "+35,08" in text_of(response) and "#13 → #1" in text_of(response)
    # Bombana fell from 85.22 (#1) to 65.54: a decline is not listed as an improvement.
    assert rest == [] and "+-" not in text_of(response)
    filtered = client.get(url, {"group": "all", "zone": "yellow", "q": "kota"})
    assert [(r.government.name, r.rank) for r in filtered.context["rows"]] == [
        ("Kota Kendari", 3), ("Kota Baubau", 4)]  # behind Muna Barat and Bombana
    ignored = client.get(url, {"group": "all", "zone": "purple", "q": "x" * 500})
    assert ignored.status_code == 200 and ignored.context["zone"] == ""
    national = client.get(reverse("ranking-national", args=[Round.objects.get(year=2021).id]),
                          {"group": "all"})
    assert national.context["ranking"].group == "kabupaten"
    assert len(national.context["rows"]) == 15


@pytest.mark.django_db
def test_the_assessors_government_page_shows_which_units_are_verified(client, personas,
                                                                     live_round):
    from assessments.models import Assessment

    Round.objects.filter(id=live_round["round"].id).update(state=Round.State.VERIFICATION)
    unit = live_round["assessments"]["a"]
    Assessment.objects.filter(id=unit.id).update(verified_count=12)
    url = reverse("government-detail", args=[live_round["government"].id])
    client.force_login(personas["assessor"])
    html = client.get(url).content.decode()
    assert f'data-verified="{unit.id}">12<' in html
    client.force_login(personas["leader"])  # verification is not public yet
    assert "data-verified=" not in client.get(url).content.decode()
