"""Every shipped methodology and band says how strong its public record is (docs/methodology.md,
"Status"): the published 2016 and 2022 bands and the PEKPPP grades are confirmed, the 2025
bands are an assumption until the Ombudsman publishes them."""
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from compliance.models import Band, Methodology, RuleStatus
from compliance.specs import methodology_spec

# (methodology status, status of every band, first year, last year)
EXPECTED = {
    "ombudsman-2016": ("confirmed", {"confirmed"}, 2016, 2021),
    "ombudsman-2022": ("confirmed", {"confirmed"}, 2022, 2024),
    "ombudsman-2025": ("single_source", {"assumption"}, 2025, None),
    "pekppp": ("confirmed", {"confirmed"}, None, None),
}


def test_the_status_values_are_the_agreed_ones():
    assert RuleStatus.values == ["confirmed", "single_source", "assumption"]


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_methodology_and_band_carries_its_status_and_a_source(code):
    methodology = Methodology.objects.get(code=code)
    status, band_statuses, first, last = EXPECTED[code]
    assert (methodology.status, methodology.first_year, methodology.last_year) == (
        status, first, last)
    assert methodology.source_note
    bands = list(methodology.bands.all())
    assert {band.status for band in bands} == band_statuses
    assert all(band.source_note for band in bands)


@pytest.mark.django_db
def test_the_2025_methodology_says_its_bands_are_assumed_and_pekppp_has_no_zones():
    specs = {code: methodology_spec(Methodology.objects.get(code=code).id)
             for code in EXPECTED}
    assert {code: spec.bands_assumed for code, spec in specs.items()} == {
        "ombudsman-2016": False, "ombudsman-2022": False, "ombudsman-2025": True,
        "pekppp": False}
    assert {code: spec.has_zones for code, spec in specs.items()} == {
        "ombudsman-2016": True, "ombudsman-2022": True, "ombudsman-2025": True,
        "pekppp": False}
    pekppp = specs["pekppp"]
    band = pekppp.band(D("94.75"))  # Madiun 2025: index 4.74 → A
    assert (band.category, band.zone, pekppp.label(band, "id")) == ("A", "", "Pelayanan Prima")


@pytest.mark.django_db
def test_the_database_refuses_an_unknown_status_or_zone():
    methodology = Methodology.objects.get(code="pekppp")
    with pytest.raises(IntegrityError), transaction.atomic():
        Methodology.objects.filter(id=methodology.id).update(status="probably")
    with pytest.raises(IntegrityError), transaction.atomic():
        Band.objects.filter(methodology=methodology, category="A").update(zone="blue")
