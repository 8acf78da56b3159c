"""A government's Ombudsman products in a round and their follow-up (the 2025 indicator
"tindak-lanjut-produk-ombudsman"). Outside the government's scope: 404; a round whose
instrument does not ask for the indicator: 404. Reading is ``may_read_ombudsman_products``,
keeping the record ``may_keep_ombudsman_products`` (the coordinator), verifying and writing
the indicator ``may_verify_ombudsman_products`` (the government's assessors); the round's state
is the services' to check at the write, and the page says it beside the forms.

Invalid input re-renders the form with its translated errors and what was entered (status
400); nothing is saved."""
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agencies.access import (government_or_404, may_keep_ombudsman_products,
                             may_read_ombudsman_products, may_see_unpublished,
                             may_verify_ombudsman_products, require)

from ..forms_ombudsman import OmbudsmanProductForm
from ..models import OmbudsmanProduct
from ..rules import ombudsman_products_lock_reason, ombudsman_verify_lock_reason
from ..selectors.ombudsman_products import follow_up_round_or_404, products_page
from ..services.ombudsman_products import (ProductsLocked, follow_up_apply,
                                           ombudsman_product_add, ombudsman_product_delete,
                                           ombudsman_product_edit, ombudsman_product_verify)
from .actions import add_service_errors


def _scoped(request, pk, round_id, rule):
    """The government in scope (else 404), the right (else 403), the round (else 404)."""
    government = government_or_404(request.user, pk)
    require(rule(request.user, government.id))
    return government, follow_up_round_or_404(government, round_id)


def _product_or_404(government, round_, product_id):
    return get_object_or_404(OmbudsmanProduct, id=product_id, government=government,
                             round=round_)


def _page_url(government, round_, anchor=""):
    return reverse("ombudsman-products", args=[government.id, round_.id]) + (
        f"#{anchor}" if anchor else "")


def _rights(user, government, round_) -> dict:
    keep_lock = ombudsman_products_lock_reason(round_)
    verify_lock = ombudsman_verify_lock_reason(round_)
    keeper = may_keep_ombudsman_products(user, government.id)
    verifier = may_verify_ombudsman_products(user, government.id)
    return {
        "can_keep": keeper and not keep_lock, "keep_lock": keep_lock if keeper else "",
        "can_verify": verifier and not verify_lock,
        "verify_lock": verify_lock if verifier else "",
        "sees_units": may_see_unpublished(user, government.id),
    }


def _render(request, government, round_, *, form=None, status=200):
    rights = _rights(request.user, government, round_)
    if form is None and rights["can_keep"]:
        form = OmbudsmanProductForm(auto_id="id_new_%s")
    return render(request, "assessments/ombudsman/products.html", {
        "government": government, "round": round_, "form": form if rights["can_keep"] else None,
        **rights,
        **products_page(government=government, round_=round_, with_units=rights["sees_units"]),
    }, status=status)


def _submit(request, form, save):
    """The service's product for a valid form, or None with every refusal on the form."""
    valid = form.is_valid()
    if getattr(request, "upload_too_large", False):
        form.add_error("evidence_file", _("The file is larger than %(limit)s.") % {
            "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)})
        valid = False
    if not valid:
        return None
    try:
        return save(form.values(), form.cleaned_data.get("evidence_file"))
    except ValidationError as exc:
        add_service_errors(form, exc)
    except ProductsLocked as exc:
        form.add_error(None, str(exc))
    return None


def _keep_file_note(request, form):
    """A browser never sends a chosen file again: say so when the form comes back."""
    if request.FILES.get("evidence_file") and "evidence_file" not in form.errors:
        form.add_error("evidence_file", _("Choose the file again: a file is not kept when the "
                                          "form is sent back."))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def products_view(request, pk, round_id):
    if request.method != "POST":
        government, round_ = _scoped(request, pk, round_id, may_read_ombudsman_products)
        return _render(request, government, round_)
    government, round_ = _scoped(request, pk, round_id, may_keep_ombudsman_products)
    form = OmbudsmanProductForm(request.POST, request.FILES, auto_id="id_new_%s")
    product = _submit(request, form, lambda values, upload: ombudsman_product_add(
        government=government, round_id=round_.id, user=request.user,
        evidence_upload=upload, **values))
    if product is not None:
        messages.success(request, _("The product “%(reference)s” is recorded.") % {
            "reference": product.reference})
        return redirect(_page_url(government, round_, f"product-{product.id}"))
    _keep_file_note(request, form)
    return _render(request, government, round_, form=form, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def product_edit_view(request, pk, round_id, product_id):
    government, round_ = _scoped(request, pk, round_id, may_keep_ombudsman_products)
    product = _product_or_404(government, round_, product_id)
    lock = ombudsman_products_lock_reason(round_)
    status = 200
    if request.method == "POST":
        form = OmbudsmanProductForm(request.POST, request.FILES, product=product)
        saved = _submit(request, form, lambda values, upload: ombudsman_product_edit(
            product_id=product.id, government=government, round_id=round_.id,
            user=request.user, evidence_upload=upload,
            remove_file=form.cleaned_data.get("remove_file", False), **values))
        if saved is not None:
            messages.success(request, _("The product “%(reference)s” is saved.") % {
                "reference": saved.reference})
            return redirect(_page_url(government, round_, f"product-{saved.id}"))
        _keep_file_note(request, form)
        status = 400
    else:
        form = OmbudsmanProductForm(initial=OmbudsmanProductForm.initial_for(product),
                                    product=product)
    return render(request, "assessments/ombudsman/edit.html", {
        "government": government, "round": round_, "product": product, "form": form,
        "keep_lock": lock, "can_keep": not lock}, status=status)


@login_required
@require_POST
def product_delete_view(request, pk, round_id, product_id):
    government, round_ = _scoped(request, pk, round_id, may_keep_ombudsman_products)
    product = _product_or_404(government, round_, product_id)
    try:
        reference = ombudsman_product_delete(product_id=product.id, government=government,
                                             round_id=round_.id, user=request.user)
    except (ValidationError, ProductsLocked) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(_page_url(government, round_, f"product-{product.id}"))
    messages.success(request, _("The product “%(reference)s” is deleted.") % {
        "reference": reference})
    return redirect(_page_url(government, round_, "products"))


def fed_message(fed) -> str:
    """What the verification wrote, and where it did not."""
    if fed.follow_up.value is None:
        value = _("not applicable (no product is due yet)")
    else:
        value = str(fed.follow_up.value)
    text = ngettext("Follow-up indicator: %(value)s, written into %(count)s unit.",
                    "Follow-up indicator: %(value)s, written into %(count)s units.",
                    len(fed.applied)) % {"value": value, "count": len(fed.applied)}
    if fed.skipped:
        text += " " + ngettext(
            "Skipped (finalised, its verified score is fixed): %(names)s.",
            "Skipped (finalised, their verified scores are fixed): %(names)s.",
            len(fed.skipped)) % {"names": ", ".join(fed.skipped)}
    return text


def _fed(request, government, round_, anchor, write):
    try:
        fed = write()
    except (ValidationError, ProductsLocked) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, fed_message(fed))
    return redirect(_page_url(government, round_, anchor))


@login_required
@require_POST
def product_verify_view(request, pk, round_id, product_id):
    government, round_ = _scoped(request, pk, round_id, may_verify_ombudsman_products)
    product = _product_or_404(government, round_, product_id)
    return _fed(request, government, round_, f"product-{product.id}",
                lambda: ombudsman_product_verify(product_id=product.id, government=government,
                                                 round_id=round_.id, user=request.user))


@login_required
@require_POST
def follow_up_apply_view(request, pk, round_id):
    government, round_ = _scoped(request, pk, round_id, may_verify_ombudsman_products)
    return _fed(request, government, round_, "follow-up",
                lambda: follow_up_apply(government=government, round_id=round_.id,
                                        user=request.user))


@login_required
@require_safe
def product_evidence_view(request, pk, round_id, product_id):
    """The evidence file, as an attachment the browser must not sniff or cache."""
    government, round_ = _scoped(request, pk, round_id, may_read_ombudsman_products)
    product = _product_or_404(government, round_, product_id)
    if not product.evidence_file:
        raise Http404
    try:
        handle = product.evidence_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    extension = PurePath(product.evidence_file.name).suffix.lower()
    name = f"{slugify(product.reference) or 'bukti'}{extension}"
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
