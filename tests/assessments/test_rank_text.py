"""One rank format, and a "most improved" list that holds gains only.

The literals come from the published tables in assessments/data (Sulawesi Tenggara 2021 and
the 2022 rows found): Muna Barat 34.19 (13th of 15 kabupaten) → 69.27 (1 of 15), Bombana
85.22 → 65.54, Kota Kendari 91 of 98 kota nationally in 2022."""
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from assessments.models import Round
from assessments.rank_text import parse_published_rank, rank_phrase

from .helpers import text_of


@pytest.mark.parametrize(("text", "level", "expected"), [
    ("1 of 15 kabupaten in the province", "kabupaten", (1, 15, "kabupaten", False)),
    ("91 of 98 kota nationally", "kota", (91, 98, "kota", True)),
    ("32 of 34 provinces", "provinsi", (32, 34, "provinsi", True)),
    ("13", "kabupaten", (13, None, "kabupaten", False)),
    ("249 dari 416 kabupaten nasional", "kabupaten", (249, 416, "kabupaten", True)),
    ("13/15", "kabupaten", (13, 15, "kabupaten", False)),
])
def test_published_ranks_are_read_into_parts(text, level, expected):
    parsed = parse_published_rank(text, level)
    assert (parsed.rank, parsed.total, parsed.group, parsed.national) == expected


def test_not_a_rank():
    assert parse_published_rank("tidak dinilai", "kabupaten") is None
    assert parse_published_rank("", "kabupaten") is None


def test_one_format_in_both_languages():
    with translation.override("id"):
        assert rank_phrase(13, 15, "kabupaten", "Sulawesi Tenggara") == \
            "13 dari 15 kabupaten di Sulawesi Tenggara"
        assert rank_phrase(249, 416, "kabupaten") == "249 dari 416 kabupaten nasional"
    with translation.override("en"):
        assert rank_phrase(13, 15, "kabupaten", "Sulawesi Tenggara") == \
            "13 of 15 kabupaten in Sulawesi Tenggara"
        assert rank_phrase(32, 34, "provinsi") == "32 of 34 provinces nationally"


@pytest.mark.django_db
def test_most_improved_lists_gains_only(client, sultra):
    round_ = Round.objects.get(year=2022)
    url = reverse("ranking-province", args=[round_.id, sultra.province_id])
    response = client.get(url, {"group": "kabupaten"})
    improved = [(row.government.name, str(row.change)) for row in response.context["improved"]]
    assert improved == [("Kabupaten Muna Barat", "35.08")]  # Bombana fell by 19.68
    page = text_of(response)
    assert "+-" not in page
    # 2021 was scored on the 2016 method, 2022 on the 2022 one: the list says so.
    assert "2021 dan 2022" in page and "metodologi yang berbeda" in page


@pytest.mark.django_db
def test_government_page_shows_the_official_rank_in_the_common_form(client, personas):
    from agencies.models import Government

    client.force_login(personas["leader"])
    muna_barat = Government.objects.get(name="Kabupaten Muna Barat")
    page = text_of(client.get(reverse("government-detail", args=[muna_barat.id])))
    assert "1 dari 15 kabupaten di Sulawesi Tenggara" in page  # 2022, published
    assert "13 dari 15 kabupaten di Sulawesi Tenggara" in page  # 2021, the full table
    assert "1 of 15 kabupaten in the province" not in page  # never the raw English text
    # 2022: only 2 of the 15 kabupaten are in the app; the page says so.
    assert "2 dari 15" in page
    kendari = Government.objects.get(name="Kota Kendari")
    client.force_login(personas["outsider"])
    page = text_of(client.get(reverse("government-detail", args=[kendari.id])))
    assert "91 dari 98 kota nasional" in page


@pytest.mark.django_db
def test_ranking_xlsx_holds_the_rows_shown_and_the_national_one_exists(client, sultra):
    round_ = Round.objects.get(year=2022)
    url = reverse("ranking-province-xlsx", args=[round_.id, sultra.province_id])
    response = client.get(url, {"group": "all", "zone": "yellow", "q": "kota"})
    names = {cell for sheet in load_workbook(BytesIO(response.content)).worksheets
             for row in sheet.iter_rows(values_only=True) for cell in row
             if isinstance(cell, str) and cell.startswith(("Kota ", "Kabupaten "))}
    assert names == {"Kota Kendari", "Kota Baubau"}
    national = client.get(reverse("ranking-national-xlsx", args=[round_.id]),
                          {"group": "kota"})
    assert national.status_code == 200
    assert national["Content-Disposition"].startswith('attachment; filename="ranking-2022-')
    page = client.get(reverse("ranking-province", args=[round_.id, sultra.province_id]),
                      {"group": "all", "zone": "yellow", "q": "kota"})
    assert "zone=yellow" in page.content.decode() and "q=kota" in page.content.decode()


@pytest.mark.django_db
def test_the_province_workbook_is_linked_for_those_who_may_download_it(client, personas,
                                                                       live_round):
    round_ = Round.objects.get(year=2021)
    url = reverse("ranking-province", args=[round_.id, live_round["government"].province_id])
    assert 'id="province-report"' not in client.get(url).content.decode()  # anonymous
    client.force_login(personas["leader"])
    assert 'id="province-report"' not in client.get(url).content.decode()
    for persona in ("assessor", "admin"):
        client.force_login(personas[persona])
        html = client.get(url).content.decode()
        # prepared in the background (the largest province takes many seconds)
        assert reverse("export-request-province", args=[
            round_.id, live_round["government"].province_id]) in html, persona
