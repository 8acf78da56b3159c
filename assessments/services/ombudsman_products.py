"""A government's record of the Ombudsman's products in a round (corrective actions,
suggestions, recommendations) and their follow-up, and what it feeds: the 2025 indicator
"tindak-lanjut-produk-ombudsman" on the verified side of the government's units.

The coordinator keeps the record (``agencies.access.may_keep_ombudsman_products``) from the
draft through verification (``rules.ombudsman_products_lock_reason``); an assessor of the
government verifies each product during verification (``may_verify_ombudsman_products``,
``rules.ombudsman_verify_lock_reason``). Verifying a product, or the assessor's explicit "apply
to the indicator", writes the value ``selectors.ombudsman_products.follow_up`` gives into every
sampled unit of the government in the round that is not finalised, through the same writer as
the interviews (``services.fieldwork._set_verified``) and the stored verified score's
recomputation; finalised units keep theirs and are named. Every write is one transaction with
the round's state read again under a shared lock of its row, and the audit trail's actor set."""
from dataclasses import dataclass, field
from pathlib import PurePath
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.context import acting_user

from ..models import Assessment, OmbudsmanProduct, Round
from ..rules import ombudsman_products_lock_reason, ombudsman_verify_lock_reason
from ..selectors.instruments import follow_up_indicator
from ..selectors.ombudsman_products import FollowUp, follow_up
from .answers import lock_round_shared
from .evidence import validate_upload
from .fieldwork import EARLIEST, LATEST, _set_verified
from .scores import assessment_recompute_verified
from .verification import verification_lock_reason

REFERENCE_MAX = 120
URL_MAX = 500


class ProductsLocked(Exception):
    """The round's state does not allow this write now (its reason is the message)."""


@dataclass
class Fed:
    """What a verification or an "apply" wrote: the follow-up value and where it went."""

    follow_up: FollowUp
    applied: list = field(default_factory=list)  # agency names given the value
    skipped: list = field(default_factory=list)  # agency names left alone (finalised)


def _round(round_id) -> Round:
    """The round as it is now, its row shared-locked (a state change waits for this write)."""
    lock_round_shared(round_id)
    return Round.objects.get(id=round_id)


def _date_error(value, required_message):
    if value is None:
        return required_message
    if not EARLIEST <= value <= LATEST:
        return _("Enter a date between 2000 and 2100.")
    return None


def clean_product(*, kind, reference, issued_on, due_on, status, followed_up_on,
                  evidence_url) -> dict:
    """The product's fields checked together (every problem at once, by field), or a
    ValidationError; returns the cleaned values."""
    errors = {}
    reference = (reference or "").strip()
    evidence_url = (evidence_url or "").strip()
    if kind not in OmbudsmanProduct.Kind.values:
        errors["kind"] = _("Choose the kind of product.")
    if not reference:
        errors["reference"] = _("Enter the product's reference (the number of the Ombudsman's "
                                "letter or report).")
    elif len(reference) > REFERENCE_MAX or "\x00" in reference:
        errors["reference"] = _("The reference is too long (%(max)s characters at most).") % {
            "max": REFERENCE_MAX}
    for name, value, message in (
            ("issued_on", issued_on, _("Enter the date of the product.")),
            ("due_on", due_on, _("Enter the due date of the follow-up."))):
        problem = _date_error(value, message)
        if problem:
            errors[name] = problem
    if "issued_on" not in errors and "due_on" not in errors and due_on < issued_on:
        errors["due_on"] = _("The due date cannot be before the product's date.")
    if status not in OmbudsmanProduct.Status.values:
        errors["status"] = _("Choose the status.")
    elif status == OmbudsmanProduct.Status.FOLLOWED_UP:
        problem = _date_error(followed_up_on, _("Enter the date the product was followed up "
                                                "(required when its status is “followed "
                                                "up”)."))
        if problem:
            errors["followed_up_on"] = problem
        elif "issued_on" not in errors and followed_up_on < issued_on:
            errors["followed_up_on"] = _("The follow-up date cannot be before the product's "
                                         "date.")
    elif followed_up_on is not None:
        errors["followed_up_on"] = _("Leave the follow-up date empty while the product is not "
                                     "followed up, or set its status to “followed up”.")
    if evidence_url:
        try:
            URLValidator(schemes=["http", "https"])(evidence_url)
        except ValidationError:
            errors["evidence_url"] = _("Enter a web address starting with http:// or https://.")
        else:
            if len(evidence_url) > URL_MAX:
                errors["evidence_url"] = _("The web address is too long (500 characters at "
                                           "most).")
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "reference": reference, "issued_on": issued_on, "due_on": due_on,
            "status": status, "followed_up_on": followed_up_on, "evidence_url": evidence_url}


def _check_reference(government, round_, reference, exclude_id=None):
    taken = OmbudsmanProduct.objects.filter(government=government, round=round_,
                                            reference__iexact=reference)
    if exclude_id is not None:
        taken = taken.exclude(id=exclude_id)
    if taken.exists():
        raise _reference_taken(government, round_, reference)


def _reference_taken(government, round_, reference):
    return ValidationError({"reference": _(
        "A product with the reference “%(reference)s” is already recorded for %(government)s "
        "in %(round)s; correct that one instead, or enter another reference.") % {
            "reference": reference, "government": government.name, "round": round_.name}})


def _check_upload(upload):
    """The evidence checks of the checklist's files (type, declared type, first bytes, size),
    their refusal put on the file's field."""
    if upload is None:
        return
    try:
        validate_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"evidence_file": exc.messages}) from exc


def _checked(upload, **fields) -> dict:
    """The fields and the file checked together: every refusal at once."""
    errors, values = {}, None
    try:
        values = clean_product(**fields)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        _check_upload(upload)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    return values


def _store_file(product, upload):
    """Under a generated name (the original name is the user's, not the storage's)."""
    extension = PurePath(upload.name or "").suffix.lower()
    product.evidence_file.save(f"{uuid4().hex}{extension}", upload, save=False)


def _save(product, government, round_, user, upload=None):
    stored = None
    if upload is not None:
        _store_file(product, upload)
        stored = product.evidence_file.name
    try:
        product.full_clean(exclude=["government", "round", "verified_by"], validate_unique=False,
                           validate_constraints=False)
        with acting_user(user), transaction.atomic():  # a savepoint: a race on the reference
            product.save()
    except IntegrityError as exc:
        if stored:
            product.evidence_file.storage.delete(stored)
        raise _reference_taken(government, round_, product.reference) from exc
    except Exception:
        if stored:
            product.evidence_file.storage.delete(stored)
        raise
    return product


def _open_round(round_id, lock_reason):
    """The round, locked, if ``lock_reason`` (one of the state rules) finds no reason."""
    round_ = _round(round_id)
    reason = lock_reason(round_)
    if reason:
        raise ProductsLocked(reason)
    return round_


def _writable_round(round_id):
    return _open_round(round_id, ombudsman_products_lock_reason)


def ombudsman_product_add(*, government, round_id: int, user, kind, reference, issued_on,
                          due_on, status, followed_up_on=None, evidence_url="",
                          evidence_upload=None) -> OmbudsmanProduct:
    values = _checked(evidence_upload, kind=kind, reference=reference, issued_on=issued_on,
                      due_on=due_on, status=status, followed_up_on=followed_up_on,
                      evidence_url=evidence_url)
    with transaction.atomic():
        round_ = _writable_round(round_id)
        _check_reference(government, round_, values["reference"])
        product = OmbudsmanProduct(government=government, round=round_, **values)
        return _save(product, government, round_, user, evidence_upload)


def _product(product_id, government, round_):
    product = (OmbudsmanProduct.objects.select_for_update()
               .filter(id=product_id, government=government, round=round_).first())
    if product is None:
        raise ValidationError(_("This product is not recorded for this government in this "
                                "round."))
    return product


def ombudsman_product_edit(*, product_id: int, government, round_id: int, user, kind,
                           reference, issued_on, due_on, status, followed_up_on=None,
                           evidence_url="", evidence_upload=None,
                           remove_file=False) -> OmbudsmanProduct:
    """Correct a product. A change to a verified product clears its verification (the
    assessor verifies it again); saving it unchanged keeps it. A removed or replaced file
    stays in the storage, so that the audit trail can still name what was there."""
    values = _checked(evidence_upload, kind=kind, reference=reference, issued_on=issued_on,
                      due_on=due_on, status=status, followed_up_on=followed_up_on,
                      evidence_url=evidence_url)
    with transaction.atomic():
        round_ = _writable_round(round_id)
        product = _product(product_id, government, round_)
        _check_reference(government, round_, values["reference"], exclude_id=product.id)
        changed = any(getattr(product, name) != value for name, value in values.items())
        changed = changed or evidence_upload is not None or bool(
            remove_file and product.evidence_file)
        for name, value in values.items():
            setattr(product, name, value)
        if remove_file and evidence_upload is None:
            product.evidence_file = ""
        if changed:
            product.verified_by, product.verified_at = None, None
        return _save(product, government, round_, user, evidence_upload)


def ombudsman_product_delete(*, product_id: int, government, round_id: int, user) -> str:
    """Delete a product entered by mistake: only one no assessor has verified (a verified one
    is corrected instead, which clears the verification). Returns its reference."""
    with transaction.atomic():
        round_ = _writable_round(round_id)
        product = _product(product_id, government, round_)
        if product.verified_at is not None:
            raise ValidationError(_("An assessor has verified this product, so it cannot be "
                                    "deleted; correct it instead (that clears the "
                                    "verification)."))
        reference = product.reference
        with acting_user(user):
            product.delete()
    return reference


def _verifiable_round(round_id):
    return _open_round(round_id, ombudsman_verify_lock_reason)


def _feed(government, round_, user, today) -> Fed:
    """Write the follow-up value into every sampled unit of the government in the round that
    is not finalised (no product due: verified not applicable)."""
    indicator = follow_up_indicator(round_.instrument_id)
    if indicator is None:
        raise ValidationError(_("This round's instrument has no indicator for the follow-up of "
                                "the Ombudsman's products."))
    result = Fed(follow_up=follow_up(government_id=government.id, round_id=round_.id,
                                     scale_max=indicator.scale_max, today=today))
    value = result.follow_up.value
    units = (Assessment.objects.select_for_update(of=("self",))
             .filter(round=round_, agency__government=government, sampled=True)
             .select_related("agency", "round").order_by("id"))
    for assessment in units:
        if verification_lock_reason(assessment):
            result.skipped.append(assessment.agency.name)
            continue
        with acting_user(user):
            _set_verified(assessment, indicator, None, value, value is None, user)
            assessment_recompute_verified(assessment=assessment)
        result.applied.append(assessment.agency.name)
    result.applied.sort()
    result.skipped.sort()
    return result


def ombudsman_product_verify(*, product_id: int, government, round_id: int, user,
                             today=None) -> Fed:
    """The assessor has checked the product against its evidence: mark it verified and write
    the follow-up value into the government's open units."""
    with transaction.atomic():
        round_ = _verifiable_round(round_id)
        product = _product(product_id, government, round_)
        if product.verified_at is None:
            product.verified_by, product.verified_at = user, timezone.now()
            with acting_user(user):
                product.save(update_fields=["verified_by", "verified_at"])
        return _feed(government, round_, user, today)


def follow_up_apply(*, government, round_id: int, user, today=None) -> Fed:
    """Write the follow-up value as the record gives it now into the government's open units
    (after a correction, a product falling due, or a unit added to the sample)."""
    with transaction.atomic():
        round_ = _verifiable_round(round_id)
        return _feed(government, round_, user, today)
