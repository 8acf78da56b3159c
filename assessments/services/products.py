"""Service products (jenis layanan) of a unit, and the products sampled for an assessment.

A unit's products belong to its agency, so the list carries over to the next round by itself;
each round samples N of them per unit (INSTRUMENTS.md §1: typically two, an administrative
product and a service one), chosen by the assessor or the coordinator, and per-product
indicators are answered for each sampled product.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.context import acting_user

from ..models import Answer, Assessment, ProductSample, ServiceProduct

DEFAULT_SAMPLE = 2


@transaction.atomic
def product_create(*, agency, name: str, kind: str, legal_basis: str = "",
                   by=None) -> ServiceProduct:
    product = ServiceProduct(agency=agency, name=(name or "").strip(), kind=kind,
                             legal_basis=(legal_basis or "").strip())
    product.full_clean()
    with acting_user(by):
        product.save()
    return product


def default_products(products, count: int) -> list:
    """``count`` products, alternating between kinds (administrative first, then services,
    then goods) so that a sample of two covers an administrative and a service product when
    the unit has both; within a kind by name."""
    order = [ServiceProduct.Kind.ADMINISTRATIVE, ServiceProduct.Kind.SERVICES,
             ServiceProduct.Kind.GOODS]
    queues = {kind: sorted((p for p in products if p.kind == kind),
                           key=lambda p: (p.name.casefold(), p.id)) for kind in order}
    chosen = []
    while len(chosen) < count and any(queues.values()):
        for kind in order:
            if queues[kind] and len(chosen) < count:
                chosen.append(queues[kind].pop(0))
    return chosen


@transaction.atomic
def products_sample(*, assessment_id: int, by=None, count: int = DEFAULT_SAMPLE,
                    products=None) -> list[ProductSample]:
    """Sample the assessment's products: the given ones (the assessor's or coordinator's
    choice), or ``count`` of the unit's active products by ``default_products``. A sample
    that already holds answers is kept (dropping it would drop what was observed)."""
    assessment = Assessment.objects.select_for_update(of=("self",)).get(id=assessment_id)
    available = list(ServiceProduct.objects.filter(agency_id=assessment.agency_id, active=True))
    if products is None:
        chosen = default_products(available, count)
    else:
        ids = {p.id for p in available}
        chosen = list(products)
        if any(p.id not in ids for p in chosen):
            raise ValidationError(_("Only the unit's own active service products can be "
                                    "sampled."))
    keep = {p.id for p in chosen}
    current = list(ProductSample.objects.filter(assessment=assessment))
    dropped = [s for s in current if s.product_id not in keep]
    if Answer.objects.filter(product_sample__in=dropped).exists():
        raise ValidationError(_("A sampled product that already has answers cannot be "
                                "dropped from the sample."))
    with acting_user(by):
        ProductSample.objects.filter(id__in=[s.id for s in dropped]).delete()
        existing = {s.product_id: s for s in current if s.product_id in keep}
        samples = []
        for order, product in enumerate(chosen, start=1):
            sample = existing.get(product.id) or ProductSample(
                assessment=assessment, product=product, chosen_by=by)
            sample.order = order
            sample.save()
            samples.append(sample)
    return samples
