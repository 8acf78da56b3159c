"""Published results for everyone: the public pages (/results/) and the read-only JSON API
(/api/v1/). No login, only published rounds, allow-listed parameters, constant query counts."""
import csv
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agencies.models import Government, Level, Province
from assessments.models import GovernmentResult, Round
from compliance.models import Methodology

DATA = Path(__file__).resolve().parents[2] / "assessments" / "data"
API = "/api/v1/rankings"
SULTRA = "Sulawesi Tenggara"


def text_of(response):
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def names(rows):
    return [row.government.name for row in rows]


def api(client, **params):
    return client.get(API, params)


@pytest.fixture(autouse=True)
def indonesian():
    with translation.override("id"):
        yield


@pytest.fixture
def round_2021(sultra):
    return Round.objects.get(year=2021)


def published_kabupaten_2021():
    with (DATA / "sultra_2021.csv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["level"] == "kabupaten"]
    return sorted(rows, key=lambda row: int(row["published_rank_kabupaten_in_province"]))


# --- public pages ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_results_index_lists_published_rounds_and_provinces_to_anonymous(client, live_round):
    response = client.get(reverse("public-results"))
    assert response.status_code == 200
    rounds = [round_ for round_, _provinces in response.context["rounds"]]
    assert [round_.year for round_ in rounds] == [2022, 2021]  # not the live 2026 round
    for _round, provinces in response.context["rounds"]:
        assert [p["name"] for p in provinces] == [SULTRA]
    html = response.content.decode()
    province_id = live_round["government"].province_id
    assert f'{reverse("public-round", args=[rounds[1].id])}?province={province_id}' in html
    assert "Penilaian 2026" not in html


@pytest.mark.django_db
def test_round_page_shows_the_published_province_table(client, sultra, round_2021):
    response = client.get(reverse("public-round", args=[round_2021.id]),
                          {"province": sultra.province_id, "group": "kabupaten"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert names(rows) == [row["name"] for row in published_kabupaten_2021()]
    assert [row.rank for row in rows] == list(range(1, 16))
    text = text_of(response)
    assert "34,19" in text and "Muna Barat" in text and SULTRA in text
    html = response.content.decode()
    assert html.count('class="badge zone zone-') == 15  # colour plus a text label per row


@pytest.mark.django_db
def test_round_page_all_governments_and_previous_score(client, sultra, round_2021):
    response = client.get(reverse("public-round", args=[round_2021.id]),
                          {"province": sultra.province_id, "group": "all"})
    ranks = {row.government.name: row.rank for row in response.context["rows"]}
    assert len(ranks) == 18 and ranks["Kabupaten Muna Barat"] == 16
    round_2022 = Round.objects.get(year=2022)
    response = client.get(reverse("public-round", args=[round_2022.id]),
                          {"province": sultra.province_id})
    mubar = next(row for row in response.context["rows"] if row.government == sultra)
    assert mubar.rank == 1 and mubar.previous_score is not None
    text = text_of(response)
    assert "69,27" in text and "▲ +35,08" in text


@pytest.mark.django_db
def test_national_page_is_the_default(client, sultra, round_2021):
    response = client.get(reverse("public-round", args=[round_2021.id]))
    assert response.status_code == 200
    assert response.context["ranking"].province is None
    assert response.context["ranking"].group == "kabupaten"
    assert len(response.context["rows"]) == 15


@pytest.mark.django_db
def test_zone_filter_and_search_keep_the_ranks(client, sultra, round_2021):
    url = reverse("public-round", args=[round_2021.id])
    province = sultra.province_id
    response = client.get(url, {"province": province, "zone": "red"})
    rows = response.context["rows"]
    assert [row.rank for row in rows] == [9, 10, 11, 12, 13, 14, 15]
    assert {row.zone for row in rows} == {"red"}
    response = client.get(url, {"province": province, "q": "  MUNA  "})
    assert [(row.government.name, row.rank) for row in response.context["rows"]] == [
        ("Kabupaten Muna", 12), ("Kabupaten Muna Barat", 13)]
    response = client.get(url, {"province": province, "group": "all", "q": "mubar"})
    assert [row.rank for row in response.context["rows"]] == [16]  # short name, rank of 18
    response = client.get(url, {"province": province, "zone": "green", "q": "muna"})
    assert response.context["rows"] == []
    assert "Tidak ada" in text_of(response) or "No government" in text_of(response)


@pytest.mark.parametrize("params", [
    {"province": "abc"}, {"province": "999999"}, {"province": "9" * 40},
    {"group": "'; drop table x"}, {"group": "all"}, {"zone": "purple"}, {"zone": "RED"},
    {"q": "x" * 5000}, {"q": "\x00"}, {"province": "\x00", "group": "\x00", "zone": "\x00"},
])
@pytest.mark.django_db
def test_bad_page_parameters_fall_back_to_defaults(client, round_2021, params):
    response = client.get(reverse("public-round", args=[round_2021.id]), params)
    assert response.status_code == 200
    filters = response.context["filters"]
    assert filters["province"] is None and filters["group"] == "kabupaten"
    assert filters["zone"] == "" and len(filters["q"]) <= 100


@pytest.mark.django_db
def test_long_search_is_cut_to_100_characters(client, round_2021):
    response = client.get(reverse("public-round", args=[round_2021.id]),
                          {"q": "Kabupaten Muna Barat" + " " * 3 + "x" * 200})
    assert len(response.context["filters"]["q"]) == 100
    assert response.context["rows"] == []


@pytest.mark.django_db
def test_unpublished_and_unknown_rounds_are_404_for_everyone(client, personas, live_round):
    province = live_round["government"].province_id
    url = reverse("public-round", args=[live_round["round"].id])
    for persona in ("anonymous", "leader", "assessor", "admin"):
        client.logout()
        if personas[persona] is not None:
            client.force_login(personas[persona])
        assert client.get(url, {"province": province}).status_code == 404, persona
    assert client.get(reverse("public-round", args=[10 ** 12])).status_code == 404
    assert client.get("/results/" + "9" * 30 + "/").status_code == 404


def build_province(name, size, rounds):
    province = Province.objects.create(name=name)
    for index in range(size):
        government = Government.objects.create(province=province, level=Level.KABUPATEN,
                                               name=f"Kabupaten {name} {index:03d}")
        for offset, round_ in enumerate(rounds):
            GovernmentResult.objects.create(round=round_, government=government,
                                            score=(index * 7 + offset * 3) % 100, zone="red")
    return province


@pytest.fixture
def two_sizes(standard):
    methodology = Methodology.objects.get(code="ombudsman-2022")
    rounds = [Round.objects.create(year=year, name=f"R{year}", methodology=methodology,
                                   state=Round.State.PUBLISHED, is_official=True)
              for year in (2022, 2023)]
    return {"rounds": rounds, "small": build_province("Kecil", 3, rounds),
            "large": build_province("Besar", 30, rounds)}


@pytest.mark.django_db
def test_round_page_query_count_does_not_grow_with_rows(client, two_sizes,
                                                        django_assert_num_queries):
    url = reverse("public-round", args=[two_sizes["rounds"][1].id])
    small = {"province": two_sizes["small"].id, "zone": "red"}
    large = {"province": two_sizes["large"].id, "zone": "red"}
    client.get(url, small)  # warm the methodology cache
    with CaptureQueriesContext(connection) as small_queries:
        assert len(client.get(url, small).context["rows"]) == 3
    assert len(small_queries) <= 6
    with django_assert_num_queries(len(small_queries)):
        assert len(client.get(url, large).context["rows"]) == 30
    with django_assert_num_queries(len(small_queries)):  # national
        assert len(client.get(url).context["rows"]) == 33


# --- JSON API: rankings -----------------------------------------------------------------------

@pytest.mark.django_db
def test_api_sultra_2021_kabupaten_is_the_published_order(client, sultra):
    response = api(client, year=2021, group="kabupaten", province=SULTRA)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=300"}
    data = response.json()
    assert {key: data[key] for key in ("year", "group", "province", "count", "page",
                                       "page_size")} == {
        "year": 2021, "group": "kabupaten", "province": SULTRA, "count": 15, "page": 1,
        "page_size": 100}
    published = published_kabupaten_2021()
    assert [(r["rank"], r["name"], r["score"]) for r in data["results"]] == [
        (int(p["published_rank_kabupaten_in_province"]), p["name"], p["score"])
        for p in published]
    mubar = data["results"][12]
    assert mubar == {
        "rank": 13, "government_id": sultra.id, "name": "Kabupaten Muna Barat",
        "level": "kabupaten", "province": SULTRA, "score": "34.19", "category": None,
        "zone": "red", "label": "Kepatuhan Rendah", "previous_score": None, "change": None}
    assert [r["zone"] for r in data["results"]] == [p["published_zone"] for p in published]


@pytest.mark.django_db
def test_api_all_governments_needs_a_province(client, sultra):
    data = api(client, year=2021, group="all", province="sulawesi tenggara").json()
    assert data["count"] == 18
    mubar = next(row for row in data["results"] if row["name"] == "Kabupaten Muna Barat")
    assert mubar["rank"] == 16
    by_id = api(client, year=2021, group="all", province=sultra.province_id).json()
    assert by_id["results"] == data["results"]
    response = api(client, year=2021, group="all")
    assert response.status_code == 400 and "error" in response.json()


@pytest.mark.django_db
def test_api_national_when_no_province(client, sultra):
    data = api(client, year=2021, group="kabupaten").json()
    assert data["province"] is None and data["count"] == 15
    assert api(client, year=2021).json() == data  # kabupaten is the default group
    assert api(client, year=2021, group="kota").json()["count"] == 2
    assert api(client, year=2021, group="provinsi").json()["count"] == 1


@pytest.mark.django_db
def test_api_previous_score_and_change(client, sultra):
    data = api(client, year=2022, province=SULTRA).json()
    assert data["methodology"] == "ombudsman-2022"
    mubar = data["results"][0]
    assert (mubar["name"], mubar["rank"], mubar["score"], mubar["category"], mubar["zone"],
            mubar["previous_score"], mubar["change"]) == (
        "Kabupaten Muna Barat", 1, "69.27", "C", "yellow", "34.19", "35.08")
    bombana = data["results"][1]
    assert bombana["change"] == "-19.68"


@pytest.mark.django_db
def test_api_prefers_the_round_run_in_the_app_over_the_import(client, sultra):
    official = Round.objects.get(year=2022)
    computed = Round.objects.create(year=2022, name="Penilaian 2022", state=Round.State.PUBLISHED,
                                    methodology=official.methodology)
    GovernmentResult.objects.create(round=computed, government=sultra, score="70.00",
                                    category="C", zone="yellow",
                                    source=GovernmentResult.Source.COMPUTED)
    data = api(client, year=2022).json()
    assert data["round"] == "Penilaian 2022"
    assert [(r["name"], r["score"]) for r in data["results"]] == [
        ("Kabupaten Muna Barat", "70.00")]
    computed.state = Round.State.VERIFICATION  # not published: the import again
    computed.save()
    assert api(client, year=2022).json()["count"] == 2


@pytest.mark.django_db
def test_api_unpublished_and_unknown_years_are_404(client, live_round):
    GovernmentResult.objects.create(round=live_round["round"], government=live_round["government"],
                                    score="90.00", zone="green")
    for year in (2026, 1999, 2100, 999999999):
        response = api(client, year=year)
        assert response.status_code == 404, year
        assert response.json()["error"]
        assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("params", [
    {}, {"year": ""}, {"year": "abc"}, {"year": "20.21"}, {"year": "-2021"}, {"year": "+2021"},
    {"year": " 2021"}, {"year": "２０２１"}, {"year": "9" * 40}, {"year": "2021\x00"},
    {"year": "2021", "group": "regency"}, {"year": "2021", "group": "ALL"},
    {"year": "2021", "group": "all"},
    {"year": "2021", "province": "Atlantis"}, {"year": "2021", "province": "999999"},
    {"year": "2021", "province": "x" * 500}, {"year": "2021", "province": "Sulawesi\x00"},
    {"year": "2021", "page": "0"}, {"year": "2021", "page": "abc"}, {"year": "2021", "page": "2"},
    {"year": "2021", "page": "9" * 40}, {"year": "2021", "page_size": "501"},
    {"year": "2021", "page_size": "0"}, {"year": "2021", "page_size": "1e3"},
    {"year": "2021", "page_size": "9" * 40},
])
@pytest.mark.django_db
def test_api_bad_parameters_are_400_json(client, sultra, params):
    response = client.get(API, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "public" not in response.get("Cache-Control", "")
    body = response.json()
    assert list(body) == ["error"] and body["error"]


@pytest.mark.django_db
def test_api_pagination(client, sultra):
    full = api(client, year=2021, province=SULTRA).json()["results"]
    pages = [api(client, year=2021, province=SULTRA, page=page, page_size=6).json()
             for page in (1, 2, 3)]
    assert [len(page["results"]) for page in pages] == [6, 6, 3]
    assert {page["count"] for page in pages} == {15}
    assert [page["page"] for page in pages] == [1, 2, 3]
    assert [row for page in pages for row in page["results"]] == full
    assert api(client, year=2021, page=4, page_size=6).status_code == 400
    assert api(client, year=2021, page_size=500).json()["page_size"] == 500
    empty = api(client, year=2021, province=SULTRA, group="provinsi", page=1).json()
    assert empty["count"] == 1
    Province.objects.create(name="Papua Pegunungan")
    empty = api(client, year=2021, province="Papua Pegunungan").json()
    assert (empty["count"], empty["page"], empty["results"]) == (0, 1, [])


@pytest.mark.django_db
def test_api_only_get_and_head(client, sultra):
    response = client.head(API, {"year": 2021})
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    history = reverse("api-government-history", args=[sultra.id])
    for url in (f"{API}?year=2021", history):
        for method in ("post", "put", "patch", "delete", "options"):
            response = getattr(client, method)(url)
            assert response.status_code == 405, (url, method)
            assert response["Allow"] == "GET, HEAD"
            assert response.json()["error"]


@pytest.mark.django_db
def test_api_post_is_405_even_with_csrf_checks(sultra):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(f"{API}?year=2021")
    assert response.status_code == 405


@pytest.mark.django_db
def test_api_rankings_query_count_does_not_grow_with_rows(client, two_sizes,
                                                          django_assert_num_queries):
    small = {"year": 2023, "province": "Kecil", "page_size": 500}
    large = {"year": 2023, "province": "Besar", "page_size": 500}
    api(client, **small)  # warm the methodology cache
    with CaptureQueriesContext(connection) as small_queries:
        assert api(client, **small).json()["count"] == 3
    assert len(small_queries) <= 6  # with the count of the peer group (partial-data notice)
    with django_assert_num_queries(len(small_queries)):
        assert api(client, **large).json()["count"] == 30
    with django_assert_num_queries(len(small_queries) - 1):  # national: no province to read
        assert api(client, year=2023).json()["count"] == 33


# --- JSON API: a government's history ---------------------------------------------------------

@pytest.mark.django_db
def test_api_history_of_muna_barat(client, live_round):
    sultra = live_round["government"]
    # A result in an unpublished round stays hidden.
    GovernmentResult.objects.create(round=live_round["round"], government=sultra,
                                    score="90.00", zone="green")
    response = client.get(reverse("api-government-history", args=[sultra.id]))
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age=300" in response["Cache-Control"]
    data = response.json()
    assert data["government"] == {"id": sultra.id, "name": "Kabupaten Muna Barat",
                                  "level": "kabupaten", "province": SULTRA}
    first, second = data["results"]
    assert first == {
        "year": 2021, "round": Round.objects.get(year=2021).name,
        "methodology": "ombudsman-2016", "score": "34.19",
        "not_assessed": False, "not_assessed_reason": None, "category": None, "zone": "red",
        "label": "Kepatuhan Rendah",
        "peer_rank": 13,
        "peer_count": 15, "province_rank": 16, "province_count": 18, "published_rank": "13",
        "change": None, "methodology_changed": False}
    assert (second["year"], second["methodology"], second["score"], second["category"],
            second["zone"], second["peer_rank"], second["change"],
            second["methodology_changed"]) == (
        2022, "ombudsman-2022", "69.27", "C", "yellow", 1, "35.08", True)
    assert second["peer_count"] == 2  # only the 2022 rows that could be found
    assert second["published_rank"] == "1 of 15 kabupaten in the province"


@pytest.mark.django_db
def test_api_history_404s(client, sultra):
    unassessed = Government.objects.create(province=sultra.province, level=Level.KABUPATEN,
                                           name="Kabupaten Baru")
    for government_id in (unassessed.id, 10 ** 8, "abc", "9" * 40, "-1"):
        response = client.get(f"/api/v1/governments/{government_id}/history")
        assert response.status_code == 404, government_id
        assert response.json()["error"]


@pytest.mark.django_db
def test_api_history_query_count_is_constant(client, sultra, django_assert_num_queries):
    url = reverse("api-government-history", args=[sultra.id])
    client.get(url)  # warm the methodology cache
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    province = sultra.province
    for index in range(20):
        government = Government.objects.create(province=province, level=Level.KABUPATEN,
                                               name=f"Kabupaten Tambahan {index:02d}")
        for round_ in Round.objects.all():
            GovernmentResult.objects.create(round=round_, government=government,
                                            score=index, zone="red")
    with django_assert_num_queries(len(before)):
        assert client.get(url).json()["results"][0]["peer_count"] == 35
