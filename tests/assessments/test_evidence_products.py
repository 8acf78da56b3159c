"""Evidence of a per-product indicator belongs to one sampled product: attached on that
product's page, shown there beside the product's answer (and on no other product's page nor on
the unit's checklist), counted against that product's answer only, and it keeps the product in
the sample."""
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from assessments.models import Evidence
from assessments.selectors.checklist import summary
from assessments.services.answers import answer_save
from assessments.services.evidence import evidence_add_link
from assessments.services.products import product_samples_set

from .helpers import sample_two

pytestmark = pytest.mark.django_db
URL = "https://arsip.example.org/sk-persyaratan-izin.pdf"


def product_page(world, sample):
    return reverse("checklist-product", args=[world["assessments"]["a"].id, sample.id])


def test_the_service_attaches_per_product_evidence_to_one_sampled_product(field_round):
    izin, konsultasi = sample_two(field_round)
    unit, operator = field_round["assessments"]["a"], field_round["personas"]["operator"]
    pr1, in3 = field_round["indicators"]["PR1"], field_round["indicators"]["IN3"]
    evidence = evidence_add_link(assessment_id=unit.id, indicator=pr1, user=operator, url=URL,
                                 product_sample_id=izin.id)
    assert (evidence.indicator_id, evidence.product_sample_id) == (pr1.id, izin.id)
    refusals = [
        # a per-product indicator without its product
        dict(indicator=pr1, product_sample_id=None),
        # a per-unit indicator with a product
        dict(indicator=in3, product_sample_id=izin.id),
        # a product sampled for another unit
        dict(indicator=pr1, product_sample_id=sample_two(field_round, key="b")[0].id),
    ]
    for refused in refusals:
        with pytest.raises(ValidationError):
            evidence_add_link(assessment_id=unit.id, user=operator, url=URL, **refused)
    assert list(Evidence.objects.values_list("indicator__code", "product_sample__product__name")
                ) == [("PR1", "Izin usaha")]
    # The product now holds evidence: it cannot be dropped from the sample.
    with translation.override("en"), pytest.raises(ValidationError, match="or evidence"):
        product_samples_set(assessment_id=unit.id, by=field_round["personas"]["coordinator"],
                            product_ids=[konsultasi.product_id])


def test_the_operator_attaches_on_the_products_page_and_sees_it_only_there(
        field_round, client):
    izin, konsultasi = sample_two(field_round)
    unit, operator = field_round["assessments"]["a"], field_round["personas"]["operator"]
    pr1 = field_round["indicators"]["PR1"]
    client.force_login(operator)
    page = client.get(product_page(field_round, izin)).content.decode()
    assert f'name="product_sample" value="{izin.id}"' in page
    response = client.post(reverse("evidence-add", args=[unit.id, pr1.id]),
                           {"url": URL, "product_sample": str(izin.id)})
    assert response.status_code == 302
    assert response["Location"] == product_page(field_round, izin) + f"#indicator-{pr1.id}"
    (evidence,) = Evidence.objects.all()
    assert (evidence.indicator_id, evidence.product_sample_id) == (pr1.id, izin.id)
    assert URL in client.get(product_page(field_round, izin)).content.decode()
    assert URL not in client.get(product_page(field_round, konsultasi)).content.decode()
    assert URL not in client.get(reverse("checklist", args=[unit.id])).content.decode()
    # The assessor reads it beside the product's answer (no form to attach or remove).
    client.force_login(field_round["personas"]["assessor"])
    page = client.get(product_page(field_round, izin)).content.decode()
    assert URL in page and "product_sample" not in page
    # Removing it goes back to the product's page.
    client.force_login(operator)
    response = client.post(reverse("evidence-remove", args=[unit.id, evidence.id]))
    assert response["Location"] == product_page(field_round, izin) + f"#indicator-{pr1.id}"
    assert not Evidence.objects.exists()
    # With htmx (the page's own forms), the block comes back in place, with the result beside
    # it: the product's evidence and nothing of the unit's checklist figures.
    response = client.post(reverse("evidence-add", args=[unit.id, pr1.id]),
                           {"url": URL, "product_sample": str(konsultasi.id)},
                           HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert response.status_code == 200 and fragment.startswith(f'<div id="evidence-{pr1.id}"')
    assert URL in fragment and f'name="product_sample" value="{konsultasi.id}"' in fragment
    assert "hx-swap-oob" not in fragment
    assert Evidence.objects.get().product_sample_id == konsultasi.id


def test_a_sample_of_another_unit_or_no_id_at_all_is_not_found(field_round, client):
    sample_two(field_round)
    other = sample_two(field_round, key="b")[0]
    unit, pr1 = field_round["assessments"]["a"], field_round["indicators"]["PR1"]
    client.force_login(field_round["personas"]["operator"])
    for hostile in (str(other.id), "x1", "-1", "١"):
        response = client.post(reverse("evidence-add", args=[unit.id, pr1.id]),
                               {"url": URL, "product_sample": hostile})
        assert response.status_code == 404, hostile
    # Without the product, a per-product indicator's evidence is refused with the reason.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("evidence-add", args=[unit.id, pr1.id]), {"url": URL},
                           follow=True)
    assert "This indicator is answered per sampled service product." in \
        response.content.decode()
    assert not Evidence.objects.exists()


def test_a_claim_counts_as_evidenced_only_with_its_own_products_evidence(field_round):
    izin, konsultasi = sample_two(field_round)
    unit, operator = field_round["assessments"]["a"], field_round["personas"]["operator"]
    pr1 = field_round["indicators"]["PR1"]
    for sample in (izin, konsultasi):
        answer_save(assessment_id=unit.id, indicator=pr1, user=operator, value=3,
                    not_applicable=False, note="", expected_version=0,
                    product_sample_id=sample.id)
    assert summary(unit)["without_evidence_count"] == 2
    evidence_add_link(assessment_id=unit.id, indicator=pr1, user=operator, url=URL,
                      product_sample_id=izin.id)
    assert summary(unit)["without_evidence_count"] == 1
