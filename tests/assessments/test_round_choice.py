"""Which round the government pages show: the latest round with published figures by default,
a live round only as a labelled self-assessment projection beside it, ``?round=`` from the
government's own rounds (anything else falls back to the default, never a 500).

The story of issue 12: Muna Barat's 2026 round is verified and published (units 50.92 and
52.29, government 51.61); then the 2027 round opens and one operator answers one indicator.
The leader's dashboard must still show 2026's verified figures, not a government score of
about 1 that "needs +98 points".
"""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from assessments.models import Assessment, Round
from assessments.services.answers import answer_save
from compliance.models import Methodology
from tests.checklists import checklist

from ..conftest import (build_live_round, build_personas, build_sultra_from_scratch,
                        build_verified_round, build_world_once, fresh_personas)
from .helpers import publish

PROJECTION_ID = "Proyeksi penilaian mandiri"
PROJECTION_EN = "Self-assessment projection"


def text_of(response):
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def build_next_year(verified_round, personas):
    """2026 published; the 2027 round open for self-assessment with one answer in unit a."""
    publish(verified_round, personas)
    round_ = Round.objects.create(
        year=2027, name="Penilaian 2027", state=Round.State.SELF_ASSESSMENT,
        methodology=Methodology.objects.get(code="ombudsman-2022"),
        self_deadline=timezone.localdate() + timedelta(days=60))
    agencies = verified_round["agencies"]
    units = {key: Assessment.objects.create(round=round_, agency=agencies[key], sampled=True)
             for key in ("a", "b")}
    indicator = checklist().filter(active=True).order_by("component__number",
                                                               "order").first()
    answer_save(assessment_id=units["a"].id, indicator=indicator, user=personas["operator"],
                value=3, not_applicable=False, note="", expected_version=0)
    return {**verified_round, "published": verified_round["round"], "live": round_,
            "live_units": units}


@pytest.fixture(scope="module")
def next_year_world(django_db_setup, django_db_blocker):
    """Built once for the module (the tests only read it; each runs in a savepoint of it)."""
    def build():
        live_round = build_live_round(build_sultra_from_scratch())
        personas = build_personas(live_round)
        world = build_next_year(build_verified_round(live_round, personas), personas)
        return {"world": world, "personas": personas}

    yield from build_world_once(django_db_blocker, build)


@pytest.fixture
def next_year(next_year_world, db):
    return next_year_world["world"]


@pytest.fixture(name="personas")
def shared_personas(next_year_world, db):
    return fresh_personas(next_year_world["personas"])


def dashboard(client, world, **params):
    return client.get(reverse("government-dashboard", args=[world["government"].id]), params)


def heatmap_scores(response):
    """{unit name: score as printed} of the heat-map's rows."""
    html = response.content.decode()
    table = re.search(r'<table[^>]*id="heatmap".*?</table>', html, re.S).group(0)
    rows = re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a>.*?</th>\s*<td class="text-end">'
                      r'([^<]+)</td>', table, re.S)
    return {name: score.strip() for name, score in rows}


@pytest.mark.django_db
def test_a_new_round_does_not_replace_the_published_one_on_the_dashboard(client, personas,
                                                                         next_year):
    client.force_login(personas["leader"])
    response = dashboard(client, next_year)
    assert response.status_code == 200
    context = response.context
    assert context["round"].year == 2026
    assert context["use_verified"] is True
    assert heatmap_scores(response) == {"DPMPTSP Muna Barat": "50,92",
                                        "Disdukcapil Muna Barat": "52,29"}
    assert context["path"].score == Decimal("51.61")
    text = text_of(response)
    assert "Nilai pemerintah daerah adalah 51,61" in text
    # 2027 is beside it, labelled as a projection, with its mock score and a way to open it.
    projection = re.search(r'<section[^>]*id="projection-(\d+)".*?</section>',
                           response.content.decode(), re.S)
    assert projection and projection.group(1) == str(next_year["live"].id)
    assert PROJECTION_ID in projection.group(0) and "Penilaian 2027" in projection.group(0)
    assert f'?round={next_year["live"].id}' in projection.group(0)


@pytest.mark.django_db
def test_round_parameter_selects_the_projection_and_back(client, personas, next_year):
    client.force_login(personas["leader"])
    live, published = next_year["live"], next_year["published"]
    response = dashboard(client, next_year, round=str(live.id))
    assert response.context["round"] == live
    assert response.context["use_verified"] is False
    html = response.content.decode()
    heading = re.search(r'<h2[^>]*id="units-title"[^>]*>(.*?)</h2>', html, re.S).group(1)
    assert PROJECTION_ID in heading
    # the published round is offered beside it, never hidden
    assert f'id="projection-{live.id}"' not in html
    assert f'<option value="{published.id}"' in html
    beside = re.search(r'<section[^>]*id="published-beside".*?</section>', html, re.S).group(0)
    assert "51,61" in beside and f"?round={published.id}" in beside

    response = dashboard(client, next_year, round=str(published.id))
    assert response.context["round"] == published
    assert heatmap_scores(response)["DPMPTSP Muna Barat"] == "50,92"


@pytest.mark.django_db
def test_round_selector_is_a_get_form_of_the_governments_rounds(client, personas, next_year):
    other = Round.objects.create(year=2028, name="Penilaian Kendari 2028",
                                 state=Round.State.SELF_ASSESSMENT,
                                 methodology=next_year["live"].methodology)
    Assessment.objects.create(round=other, agency=Agency.objects.create(
        government=next_year["kendari"], name="Dinas Sosial Kendari", kind=AgencyKind.SOSIAL))
    client.force_login(personas["leader"])
    html = dashboard(client, next_year).content.decode()
    form = re.search(r'<form[^>]*id="round-choice".*?</form>', html, re.S).group(0)
    assert 'method="get"' in form and 'name="round"' in form
    assert re.search(r'<label[^>]*for="round-select"', form)
    assert 'type="submit"' in form  # works without JavaScript
    options = re.findall(r'<option value="(\d+)"', form)
    assert options == [str(next_year["live"].id), str(next_year["published"].id)]
    assert f'value="{next_year["published"].id}" selected' in form


@pytest.mark.parametrize("value", ["", "abc", "-1", "0", "1.5", "99999999999999999999999",
                                   "1 OR 1=1", "\x00", "%", "[]"])
@pytest.mark.django_db
def test_unknown_round_values_fall_back_to_the_published_round(client, personas, next_year,
                                                                value):
    client.force_login(personas["leader"])
    response = dashboard(client, next_year, round=value)
    assert response.status_code == 200
    assert response.context["round"].year == 2026
    detail = client.get(reverse("government-detail", args=[next_year["government"].id]),
                        {"round": value})
    assert detail.status_code == 200
    assert detail.context["round"].year == 2026


@pytest.mark.django_db
def test_another_governments_round_is_not_a_choice(client, personas, next_year):
    other = Round.objects.create(year=2028, name="Penilaian Kendari 2028",
                                 state=Round.State.SELF_ASSESSMENT,
                                 methodology=next_year["live"].methodology)
    Assessment.objects.create(round=other, agency=Agency.objects.create(
        government=next_year["kendari"], name="Dinas Sosial Kendari", kind=AgencyKind.SOSIAL))
    client.force_login(personas["leader"])
    response = dashboard(client, next_year, round=str(other.id))
    assert response.context["round"].year == 2026
    assert "Penilaian Kendari 2028" not in response.content.decode()


@pytest.mark.django_db
def test_projection_is_labelled_in_english(client, personas, next_year):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(personas["leader"])
    text = text_of(dashboard(client, next_year))
    assert PROJECTION_EN in text
    assert "The government's score is 51.61" in text


@pytest.mark.django_db
def test_government_page_shows_the_published_units_and_the_projection_beside(client, personas,
                                                                             next_year):
    client.force_login(personas["coordinator"])
    url = reverse("government-detail", args=[next_year["government"].id])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["round"].year == 2026
    html = response.content.decode()
    units = re.search(r'<table[^>]*id="round-units".*?</table>', html, re.S).group(0)
    assert "50,92" in units and "52,29" in units
    live = next_year["live"]
    projection = re.search(rf'<section[^>]*id="live-round-{live.id}".*?</section>', html,
                           re.S).group(0)
    assert PROJECTION_ID in projection
    assert re.search(r'<form[^>]*id="round-choice"[^>]*method="get"', html)

    response = client.get(url, {"round": live.id})
    assert response.context["round"] == live
    assert 'id="round-units"' not in response.content.decode()


@pytest.mark.django_db
def test_queries_do_not_grow_with_units_in_the_published_round_and_the_projection(
        client, personas, next_year, django_assert_num_queries):
    """Small case: two units in each round; large case: ten more units in both, answered and
    verified. The dashboard and the government page cost the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.models import Answer, ComponentScore
    from assessments.services.scores import assessment_recompute_scores

    government = next_year["government"]
    client.force_login(personas["leader"])
    pages = [reverse("government-dashboard", args=[government.id]),
             reverse("government-detail", args=[government.id])]
    small = []
    for url in pages:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        small.append(len(queries))
    indicators = list(checklist().filter(active=True))
    for index in range(10):
        agency = Agency.objects.create(government=government, name=f"Puskesmas {index}",
                                       kind=AgencyKind.PUSKESMAS)
        for round_ in (next_year["published"], next_year["live"]):
            unit = Assessment.objects.create(round=round_, agency=agency, sampled=True)
            Answer.objects.bulk_create([Answer(assessment=unit, indicator=indicator, value=2,
                                               verified_value=1) for indicator in indicators])
            assessment_recompute_scores(assessment=unit)
    assert ComponentScore.objects.filter(assessment__agency__name="Puskesmas 3").count() == 28
    for url, count in zip(pages, small):
        with django_assert_num_queries(count):
            response = client.get(url)
        assert response.status_code == 200
    assert len(response.context["round_units"]) == 12


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "\x00", "published"])
@pytest.mark.django_db
def test_progress_board_chooses_only_among_open_rounds(client, personas, next_year, value):
    """The board follows the work of an open round; a published round, or anything else, is
    not one of its choices."""
    if value == "published":
        value = str(next_year["published"].id)
    client.force_login(personas["coordinator"])
    response = client.get(reverse("progress-board", args=[next_year["government"].id]),
                          {"round": value})
    assert response.status_code == 200
    assert response.context["board"].round == next_year["live"]
