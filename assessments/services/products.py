"""Service products (jenis layanan) of a unit, and the products sampled for an assessment.

A unit's products belong to its agency, so the list carries over to the next round by itself;
each round samples N of them per unit (INSTRUMENTS.md §1: typically two, an administrative
product and a service one), chosen by the assessor or the coordinator, and per-product
indicators are answered for each sampled product. A product is retired (``active`` off),
never deleted: past rounds' samples point to it.

Who may call these is the views' business (``agencies.access``: ``may_keep_products``,
``may_sample_products``); the state rules (``sampling_lock_reason``) are checked here again
under the row lock.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.context import acting_user

from ..models import Answer, Assessment, Evidence, ProductSample, Round, ServiceProduct
from .scores import assessment_recompute_scores, assessment_recompute_verified

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


@transaction.atomic
def product_update(*, product_id: int, agency, name: str, kind: str, legal_basis: str = "",
                   active: bool = True, by=None) -> ServiceProduct:
    """Rename, reclassify or retire one of the unit's products (a retired product can no
    longer be sampled; the rounds that sampled it keep it)."""
    product = ServiceProduct.objects.select_for_update().get(id=product_id, agency=agency)
    product.name, product.kind = (name or "").strip(), kind
    product.legal_basis, product.active = (legal_basis or "").strip(), bool(active)
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
    that already holds answers or evidence is kept (dropping it would drop what was
    observed or attached)."""
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
    if (Answer.objects.filter(product_sample__in=dropped).exists()
            or Evidence.objects.filter(product_sample__in=dropped).exists()):
        raise ValidationError(_("A sampled product that already has answers or evidence "
                                "cannot be dropped from the sample."))
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


def sampling_lock_reason(assessment: Assessment) -> str | None:
    """Why the sample of this unit cannot change now, or None."""
    if assessment.round.is_official or assessment.round.state in (Round.State.PUBLISHED,
                                                                   Round.State.CLOSED):
        return _("The round is published; its sample is fixed.")
    if assessment.finalised_at is not None:
        return _("This unit has been finalised; its sample is fixed.")
    return None


class SamplingRefused(Exception):
    pass


def product_samples_set(*, assessment_id: int, product_ids, by=None) -> list[ProductSample]:
    """The sampling page's write: the chosen products (in the order given), while the round
    is under way and the unit not finalised; the stored scores follow (a per-product
    dimension is the mean over the samples)."""
    wanted = list(dict.fromkeys(int(product_id) for product_id in product_ids))
    if not wanted:
        raise ValidationError(_("Choose at least one service product."))
    with transaction.atomic():
        assessment = (Assessment.objects.select_for_update(of=("self",))
                      .select_related("round").get(id=assessment_id))
        reason = sampling_lock_reason(assessment)
        if reason:
            raise SamplingRefused(reason)
        found = ServiceProduct.objects.in_bulk(wanted)
        if len(found) != len(wanted):
            raise ValidationError(_("Only the unit's own active service products can be "
                                    "sampled."))
        samples = products_sample(assessment_id=assessment.id, by=by,
                                  products=[found[i] for i in wanted])
        assessment_recompute_scores(assessment=assessment)
        assessment_recompute_verified(assessment=assessment)
    return samples
