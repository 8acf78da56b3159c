"""Zone colours are never the only signal (WCAG 1.4.1): wherever a zone colour class is
rendered (a badge, a table row's edge, a heat-map cell), the zone's name is in the same element,
in the reader's language."""
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from assessments.models import Round

from .helpers import fill, publish

ZONE_CLASS = re.compile(r"^(?:zone|cell|row-zone)-(red|yellow|green)$")
NAMES = {"id": {"red": "Merah", "yellow": "Kuning", "green": "Hijau"},
         "en": {"red": "Red", "yellow": "Yellow", "green": "Green"}}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class ZoneElements(HTMLParser):
    """Collects every element with a zone colour class and the text inside it."""

    def __init__(self):
        super().__init__()
        self.open = []  # (tag, record or None)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        zones = [m.group(1) for m in map(ZONE_CLASS.match, classes) if m]
        record = None
        if zones:
            record = {"tag": tag, "class": " ".join(classes), "zone": zones[0], "text": []}
            self.found.append(record)
        self.open.append((tag, record))

    def handle_endtag(self, tag):
        while self.open:
            open_tag, _record = self.open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _tag, record in self.open:
            if record is not None:
                record["text"].append(data)


def zone_elements(response):
    parser = ZoneElements()
    parser.feed(response.content.decode())
    return [{**r, "text": " ".join("".join(r["text"]).split())} for r in parser.found]


def assert_zones_are_named(response, language, expect_classes):
    assert response.status_code == 200
    elements = zone_elements(response)
    missing = [e for e in elements if NAMES[language][e["zone"]] not in e["text"]]
    assert not missing, [(e["tag"], e["class"], e["text"][:80]) for e in missing[:5]]
    seen = {c.split("-")[0] for e in elements for c in e["class"].split()
            if ZONE_CLASS.match(c)}
    assert expect_classes <= seen, (expect_classes, seen)
    return elements


@pytest.fixture(params=["id", "en"])
def language(request, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = request.param
    return request.param


@pytest.mark.django_db
def test_province_ranking_names_every_zone(client, sultra, language):
    round_ = Round.objects.get(year=2021)
    response = client.get(reverse("ranking-province", args=[round_.id, sultra.province_id]),
                          {"group": "all"})
    elements = assert_zones_are_named(response, language, {"zone", "row"})
    assert {e["zone"] for e in elements} >= {"red", "yellow"}


@pytest.mark.django_db
def test_public_results_round_names_every_zone(client, sultra, language):
    round_ = Round.objects.get(year=2021)
    response = client.get(reverse("public-round", args=[round_.id]),
                          {"province": sultra.province_id, "group": "all"})
    assert_zones_are_named(response, language, {"zone", "row"})


@pytest.mark.django_db
def test_dashboard_heat_map_cells_and_badges_name_their_zone(client, personas, live_round,
                                                             language):
    fill(live_round["assessments"]["a"], personas["operator"], weak=("sarana", "kompetensi"))
    fill(live_round["assessments"]["b"], personas["operator"], weak=("sarana",))
    client.force_login(personas["leader"])
    response = client.get(reverse("government-dashboard", args=[live_round["government"].id]))
    elements = assert_zones_are_named(response, language, {"zone", "cell"})
    cells = [e for e in elements if e["class"].startswith("text-center cell-")]
    assert len(cells) == 2 * 14  # every scored cell of both units
    assert {e["zone"] for e in cells} >= {"red", "green"}
    # the number stays first and visible; the zone name follows it
    assert all(re.match(r"^\d+ \w+$", e["text"]) for e in cells), cells[:3]


@pytest.mark.django_db
def test_rapor_and_comparison_name_every_zone(client, personas, verified_round, language):
    publish(verified_round, personas)
    client.force_login(personas["leader"])
    unit = verified_round["assessments"]["a"]
    rapor = client.get(reverse("rapor", args=[unit.id]))
    assert_zones_are_named(rapor, language, {"zone", "row"})
    comparison = client.get(reverse("comparison", args=[verified_round["government"].id,
                                                        verified_round["round"].id]))
    assert_zones_are_named(comparison, language, {"zone", "row"})
