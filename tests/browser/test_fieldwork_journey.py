"""A unit on a 2022-style instrument walked through the browser: the coordinator samples two
service products, the operator answers the per-product indicators for each, the assessor
records the four sources from the work queue (interviews, observations, no survey with its
reason, complaint records), verifies the rest and finalises; the score carries the
"without survey" flag."""
import re
from decimal import Decimal

from playwright.sync_api import expect

from assessments.models import Answer, Assessment, ProductSample

from ..assessments.fieldwork_fixtures import to_verification
from .helpers import log_in

DAY = "2026-06-15"


def test_products_sampled_operator_answers_assessor_sources_finalise(live_server, page,
                                                                      field_round):
    base = live_server.url
    unit = field_round["assessments"]["a"]
    ind = field_round["indicators"]
    per_product = [ind["PR1"], ind["PR2"], ind["PR3"]]

    # The coordinator samples the unit's two products.
    log_in(page, base, "coordinator")
    page.goto(f"{base}/checklists/{unit.id}/")
    page.locator("#choose-sample").click()
    for product in field_round["products"]["a"]:
        page.locator(f"#sample-{product.id}").check()
    page.locator("#sample-save").click()
    expect(page.locator("#current-sample li")).to_have_count(2)

    # The operator answers the per-product indicators of each sampled product.
    page.context.clear_cookies()
    log_in(page, base, "operator")
    page.goto(f"{base}/checklists/{unit.id}/")
    expect(page.locator("#sample-list li")).to_have_count(2)
    for position, values in ((0, (3, 3, 2)), (1, (3, 2, 2))):
        page.locator("#sample-list .product-link").nth(position).click()
        expect(page.locator(".guidance").first).to_contain_text("Panduan PR1")
        for indicator, value in zip(per_product, values):
            page.locator(f"#pv-{indicator.id}-{value}").check()
            page.locator(f"#product-save-{indicator.id}").click()
            expect(page.locator(f"#pv-{indicator.id}-{value}")).to_be_checked()
        page.goto(f"{base}/checklists/{unit.id}/")
    expect(page.locator("#sample-list")).to_contain_text("3")
    assert Answer.objects.filter(assessment=unit, product_sample__isnull=False,
                                 value__isnull=False).count() == 6

    # Verification: the assessor works from the queue.
    to_verification(field_round["round"])
    page.context.clear_cookies()
    log_in(page, base, "assessor")
    page.locator("#nav-queue").click()
    expect(page.locator("#queue-table")).not_to_contain_text("Kendari")
    page.locator(f"#queue-{unit.id} a").click()
    expect(page.locator("h1")).to_contain_text(re.compile("Wawancara|Interviews"))

    for role, in1, in2 in (("head", 3, 3), ("section_head", 2, 3),
                           ("complaint_officer", 2, None), ("front_line", 1, None)):
        form = page.locator(f"#interview-{role}")
        form.locator("input[name=interviewed_on]").fill(DAY)
        form.locator(f"select[name=value_{ind['IN1'].id}]").select_option(str(in1))
        if in2 is not None:
            form.locator(f"select[name=value_{ind['IN2'].id}]").select_option(str(in2))
        page.locator(f"#interview-save-{role}").click()
        expect(page.locator(f"#interview-{role} legend .badge")).to_be_visible()
    expect(page.locator("#source-progress")).to_contain_text("4")

    samples = list(ProductSample.objects.filter(assessment=unit).order_by("order"))
    for sample, values in ((samples[0], (3, 3, 2)), (samples[1], (3, 2, 1))):
        form = page.locator(f"#product-{sample.id}")
        form.locator("input[name=observed_on]").fill(DAY)
        if sample.order == 1:
            form.locator("input[name=unannounced]").check()
        for indicator, value in zip(per_product, values):
            form.locator(f"select[name=value_{indicator.id}]").select_option(str(value))
        page.locator(f"#observation-save-{sample.id}").click()
        expect(page.locator(f"#product-{sample.id} legend")).to_contain_text("3")

    page.locator("#cp-channel").select_option("sp4n_lapor")
    page.locator("#cp-received").fill("12")
    page.locator("#cp-resolved").fill("10")
    page.locator("#cp-median").fill("4,5")
    page.locator("#complaint-save").click()
    expect(page.locator("#complaint-table")).to_contain_text("SP4N-LAPOR!")
    for code, value in (("PG1", 3), ("PG2", 2)):
        indicator = ind[code]
        page.locator(f"#vv-{indicator.id}-{value}").check()
        page.locator(f"#verify-save-{indicator.id}").click()
        expect(page.locator(f"#verify-{indicator.id}")).to_contain_text(
            re.compile("Tersimpan|Saved"))

    # No survey yet: the unit cannot be finalised.
    page.goto(f"{base}/verify/{unit.id}/")
    page.locator(f"#vv-{ind['IN3'].id}-3").check()
    page.locator(f"#verify-save-{ind['IN3'].id}").click()
    expect(page.locator(f"#verify-{ind['IN3'].id}")).to_contain_text(
        re.compile("Tersimpan|Saved"))
    page.goto(f"{base}/verify/{unit.id}/finalise/confirm/")
    expect(page.locator("#cannot-confirm")).to_contain_text(re.compile("survei|survey"))
    expect(page.locator("#confirm-form")).to_have_count(0)

    # The reason there is no survey: then the unit is finalised, flagged.
    page.goto(f"{base}/verify/{unit.id}/sources/#survey")
    page.locator("#sv-reason").fill("Unit belum melaksanakan SKM tahun ini")
    page.locator("#survey-save").click()
    expect(page.locator("#survey-state .without-survey")).to_be_visible()
    page.goto(f"{base}/verify/{unit.id}/")
    expect(page.locator("#verify-summary .without-survey")).to_be_visible()
    page.locator("#finalise-unit").click()
    expect(page.locator("#without-survey")).to_contain_text("Unit belum melaksanakan SKM")
    page.locator("#confirm").click()
    expect(page.locator("#verify-summary")).to_contain_text(re.compile("finali", re.I))

    unit = Assessment.objects.get(pk=unit.pk)
    assert unit.finalised_at is not None
    # Input (2 + 3 + 3) / 9, Proses mean of 8/9 and 6/9, Pengaduan 5/6, no survey:
    # (1942.22 + 2517.67 + 1795.00) / 75.76 = 82.56.
    assert unit.verified_score == Decimal("82.56")
