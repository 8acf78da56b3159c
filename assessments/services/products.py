"""A unit's service products (kept by its operators) and the products sampled for one round
(chosen by the government's coordinator or the assessor).

The list belongs to the agency, so it carries over from round to round by itself; a product
is retired (``active`` off), never deleted, because past rounds' samples point to it. Who may
call these is the views' business (``agencies.access``: ``may_keep_products``,
``may_sample_products``); the state rules are here, checked again under the row lock."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.context import acting_user

from ..models import Answer, Assessment, ProductSample, Round, ServiceProduct
from .scores import assessment_recompute_scores, assessment_recompute_verified

NAME_MAX = 200
LEGAL_BASIS_MAX = 300


def default_sample_size() -> int:
    """How many products a round samples per unit unless someone chooses otherwise: two (the
    Ombudsman's practice, single source: INSTRUMENTS.md §1), a setting."""
    return getattr(settings, "PRODUCT_SAMPLE_SIZE", 2)


def _clean(name, kind, legal_basis):
    name = (name or "").strip()
    legal_basis = (legal_basis or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Enter the service product's name.")
    elif len(name) > NAME_MAX or "\x00" in name:
        errors["name"] = _("The name is too long (%(max)s characters at most).") % {
            "max": NAME_MAX}
    if kind not in ServiceProduct.Kind.values:
        errors["kind"] = _("Choose the kind of product.")
    if len(legal_basis) > LEGAL_BASIS_MAX or "\x00" in legal_basis:
        errors["legal_basis"] = _("The legal basis is too long (%(max)s characters at most).") % {
            "max": LEGAL_BASIS_MAX}
    if errors:
        raise ValidationError(errors)
    return name, legal_basis


def product_create(*, agency, user, name: str, kind: str, legal_basis: str = "") -> ServiceProduct:
    name, legal_basis = _clean(name, kind, legal_basis)
    product = ServiceProduct(agency=agency, name=name, kind=kind, legal_basis=legal_basis)
    try:
        with transaction.atomic(), acting_user(user):
            product.save()
    except IntegrityError as exc:
        raise ValidationError({"name": _("This unit already has a product of that name.")}) \
            from exc
    return product


def product_update(*, product_id: int, agency, user, name: str, kind: str, legal_basis: str,
                   active: bool) -> ServiceProduct:
    name, legal_basis = _clean(name, kind, legal_basis)
    try:
        with transaction.atomic():
            product = ServiceProduct.objects.select_for_update().get(id=product_id, agency=agency)
            product.name, product.kind, product.legal_basis = name, kind, legal_basis
            product.active = bool(active)
            with acting_user(user):
                product.save()
    except IntegrityError as exc:
        raise ValidationError({"name": _("This unit already has a product of that name.")}) \
            from exc
    return product


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


def product_samples_set(*, assessment_id: int, product_ids, user) -> list[ProductSample]:
    """Make the unit's sample exactly these products (in the order given). A sampled product
    that already holds answers cannot be taken out: its answers would go with it."""
    wanted = []
    for product_id in product_ids:
        if product_id not in wanted:
            wanted.append(int(product_id))
    if not wanted:
        raise ValidationError(_("Choose at least one service product."))
    with transaction.atomic():
        assessment = (Assessment.objects.select_for_update(of=("self",))
                      .select_related("round").get(id=assessment_id))
        reason = sampling_lock_reason(assessment)
        if reason:
            raise SamplingRefused(reason)
        products = {p.id: p for p in ServiceProduct.objects.filter(
            agency_id=assessment.agency_id, active=True, id__in=wanted)}
        if len(products) != len(wanted):
            raise ValidationError(_("Choose among the unit's active service products."))
        current = {s.product_id: s for s in ProductSample.objects.select_for_update()
                   .filter(assessment=assessment)}
        dropped = [s for product_id, s in current.items() if product_id not in products]
        answered = set(Answer.objects.filter(product_sample__in=dropped)
                       .values_list("product_sample__product__name", flat=True))
        if answered:
            raise SamplingRefused(_(
                "These products already have answers and cannot be taken out of the sample: "
                "%(names)s.") % {"names": ", ".join(sorted(answered))})
        with acting_user(user):
            for sample in dropped:
                sample.delete()
            result = []
            for order, product_id in enumerate(wanted, start=1):
                sample = current.get(product_id)
                if sample is None:
                    sample = ProductSample(assessment=assessment, product_id=product_id,
                                           chosen_by=user)
                if sample.order != order or sample.pk is None:
                    sample.order = order
                    sample.save()
                result.append(sample)
        # A per-product dimension is the mean over the samples: the stored scores follow.
        assessment_recompute_scores(assessment=assessment)
        assessment_recompute_verified(assessment=assessment)
    return result
