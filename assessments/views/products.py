"""A unit's service products (kept by its operators), the round's sample of them (chosen by the
coordinator or the assessor), and the operator's per-product answers. Rights:
``may_keep_products``, ``may_sample_products`` and ``may_answer`` in the access policy."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agencies.access import (agency_or_404, may_answer, may_keep_products, may_sample_products,
                             require)
from compliance.models import Indicator

from ..forms import AnswerForm
from ..forms_fieldwork import ProductForm, SampleForm
from ..lookups import assessment_or_404
from ..models import Answer, ProductSample, ServiceProduct
from ..rules import checklist_lock_reason
from ..selectors.checklist import IndicatorLine, evidence_by_indicator
from ..selectors.instruments import indicator_code, product_indicators
from ..services.answers import AnswerConflict, ChecklistLocked, answer_save
from ..services.products import (DEFAULT_SAMPLE, SamplingRefused, default_products,
                                 product_create, product_samples_set, product_update,
                                 sampling_lock_reason)
from .checklist import value_options


def _errors(exc):
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _form_errors(form):
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def product_list(request, agency_id):
    agency = agency_or_404(request.user, agency_id)
    can_keep = may_keep_products(request.user, agency)
    if request.method == "POST":
        require(can_keep)
        form = ProductForm(request.POST)
        if form.is_valid():
            try:
                product_create(agency=agency, by=request.user,
                               name=form.cleaned_data["name"], kind=form.cleaned_data["kind"],
                               legal_basis=form.cleaned_data["legal_basis"])
                messages.success(request, _("Service product added."))
            except ValidationError as exc:
                messages.error(request, _errors(exc))
        else:
            messages.error(request, _form_errors(form))
        return redirect("products", agency_id=agency.id)
    return render(request, "assessments/fieldwork/products.html", {
        "agency": agency, "can_keep": can_keep, "kinds": ServiceProduct.Kind.choices,
        "products": list(ServiceProduct.objects.filter(agency=agency)
                         .order_by("-active", "name", "id")),
    })


@login_required
@require_POST
def product_update_view(request, agency_id, product_id):
    agency = agency_or_404(request.user, agency_id)
    require(may_keep_products(request.user, agency))
    product = get_object_or_404(ServiceProduct, id=product_id, agency=agency)
    form = ProductForm(request.POST)
    if form.is_valid():
        try:
            product_update(product_id=product.id, agency=agency, by=request.user,
                           **form.cleaned_data)
            messages.success(request, _("Service product saved."))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    else:
        messages.error(request, _form_errors(form))
    return redirect(reverse("products", args=[agency.id]) + f"#product-{product.id}")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def product_sample_view(request, pk):
    assessment = assessment_or_404(request.user, pk)
    require(may_sample_products(request.user, assessment))
    products = list(ServiceProduct.objects.filter(agency=assessment.agency, active=True))
    if request.method == "POST":
        form = SampleForm(request.POST, products=products)
        if form.is_valid():
            try:
                product_samples_set(assessment_id=assessment.id, by=request.user,
                                    product_ids=form.cleaned_data["products"])
                messages.success(request, _("The sample is saved."))
            except (ValidationError, SamplingRefused) as exc:
                messages.error(request, _errors(exc))
        else:
            messages.error(request, _form_errors(form))
        return redirect("product-sample", pk=assessment.id)
    sampled = list(ProductSample.objects.filter(assessment=assessment)
                   .select_related("product", "chosen_by").order_by("order", "id"))
    # Nothing sampled yet: the default choice is ticked (one product of each kind, by name).
    ticked = [s.product for s in sampled] or default_products(products, DEFAULT_SAMPLE)
    return render(request, "assessments/fieldwork/sample.html", {
        "assessment": assessment, "products": products, "samples": sampled,
        "sampled_ids": {p.id for p in ticked},
        "sample_size": DEFAULT_SAMPLE, "lock_reason": sampling_lock_reason(assessment),
    })


def _sample_or_404(assessment, sample_id):
    sample = (ProductSample.objects.select_related("product")
              .filter(id=sample_id, assessment=assessment).first())
    if sample is None:
        raise Http404
    return sample


@login_required
@require_safe
def checklist_product(request, pk, sample_id):
    """The per-product indicators for one sampled product, with their guidance, the answers
    and the evidence attached for this product."""
    assessment = assessment_or_404(request.user, pk)
    sample = _sample_or_404(assessment, sample_id)
    indicators = product_indicators(assessment.round.instrument_id)
    answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment,
                                                                product_sample=sample)}
    evidence = evidence_by_indicator(assessment, product_sample_id=sample.id)
    lock_reason = checklist_lock_reason(assessment)
    return render(request, "assessments/fieldwork/checklist_product.html", {
        "assessment": assessment, "sample": sample, "lock_reason": lock_reason,
        "can_edit": may_answer(request.user, assessment) and not lock_reason,
        "lines": [(indicator, answers.get(indicator.id), value_options(indicator.scale_max),
                   IndicatorLine(indicator=indicator, answer=answers.get(indicator.id),
                                 evidence=evidence.get(indicator.id, [])))
                  for indicator in indicators],
        "others": list(ProductSample.objects.filter(assessment=assessment)
                       .select_related("product").order_by("order", "id")),
    })


@login_required
@require_POST
def product_answer_save(request, pk, sample_id, indicator_id):
    assessment = assessment_or_404(request.user, pk)
    require(may_answer(request.user, assessment))
    sample = _sample_or_404(assessment, sample_id)
    indicator = get_object_or_404(Indicator.objects.select_related("component"),
                                  id=indicator_id, active=True, per_product=True,
                                  instrument_id=assessment.round.instrument_id)
    form = AnswerForm(request.POST, scale_max=indicator.scale_max)
    if not form.is_valid():
        messages.error(request, f"{indicator_code(indicator)}: {_form_errors(form)}")
    else:
        try:
            answer_save(assessment_id=assessment.id, indicator=indicator, user=request.user,
                        value=form.cleaned_data["value"],
                        not_applicable=form.cleaned_data["not_applicable"],
                        note=form.cleaned_data["note"],
                        expected_version=form.cleaned_data["version"],
                        product_sample_id=sample.id)
            messages.success(request, _("Saved."))
        except AnswerConflict:
            messages.error(request, _(
                "This answer was changed by someone else after you opened the page; their "
                "version is shown. Enter yours again to replace it."))
        except (ChecklistLocked, ValidationError) as exc:
            messages.error(request, f"{indicator_code(indicator)}: {_errors(exc)}")
    return redirect(reverse("checklist-product", args=[assessment.id, sample.id])
                    + f"#indicator-{indicator.id}")
