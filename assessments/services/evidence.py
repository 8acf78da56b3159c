"""Evidence files and links for one indicator: the unit's answer, or, for a per-product
indicator, the answer for one sampled product (the same target rule as the answers,
``check_answer_target``).

Files are checked three ways before they are stored — extension, declared content type and the
file's own first bytes — and stored under a generated name with their SHA-256. They are never
served from a public URL; see the scoped download view."""
import hashlib
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from audit.context import acting_user
from compliance.models import Indicator

from ..models import Assessment, Evidence
from ..rules import checklist_lock_reason
from .answers import ChecklistLocked, check_answer_target, lock_round_shared

PDF = b"%PDF-"
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"
ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# extension -> (allowed declared content types, magic prefix)
ALLOWED = {
    ".pdf": ({"application/pdf"}, PDF),
    ".png": ({"image/png"}, PNG),
    ".jpg": ({"image/jpeg"}, JPEG),
    ".jpeg": ({"image/jpeg"}, JPEG),
    ".doc": ({"application/msword"}, OLE),
    ".xls": ({"application/vnd.ms-excel"}, OLE),
    ".ppt": ({"application/vnd.ms-powerpoint"}, OLE),
    **{ext: ({mime}, ZIP) for ext, mime in OOXML_TYPES.items()},
    ".odt": ({"application/vnd.oasis.opendocument.text"}, ZIP),
    ".ods": ({"application/vnd.oasis.opendocument.spreadsheet"}, ZIP),
}
MAX_PER_INDICATOR = 20


def allowed_extensions():
    return ", ".join(sorted(ALLOWED))


def validate_upload(upload) -> None:
    """Refuse anything that is not a document or image of an allowed type and size."""
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(_("The file is larger than %(limit)s.") % {
            "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)})
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in ALLOWED:
        raise ValidationError(_("Files of this type cannot be attached. Allowed: %(types)s.") % {
            "types": allowed_extensions()})
    types, magic = ALLOWED[extension]
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if declared not in types:
        raise ValidationError(_("The file's type (%(type)s) does not match its extension.") % {
            "type": declared or "?"})
    upload.seek(0)
    head = upload.read(len(magic))
    upload.seek(0)
    if head != magic:
        raise ValidationError(_("The file's content does not match its extension."))
    if magic == ZIP:
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            raise ValidationError(_("The file's content does not match its extension.")) from exc
        finally:
            upload.seek(0)
        if "[Content_Types].xml" not in names and "mimetype" not in names:
            raise ValidationError(_("The file's content does not match its extension."))


def _locked_assessment(assessment_id):
    assessment = (Assessment.objects.select_for_update(of=("self",))
                  .select_related("round").get(id=assessment_id))
    lock_round_shared(assessment.round_id)  # the round row is shared, not taken
    reason = checklist_lock_reason(assessment)
    if reason:
        raise ChecklistLocked(reason)
    return assessment


def _check_room(assessment, indicator, product_sample_id=None):
    check_answer_target(assessment, indicator, None, product_sample_id)
    if Evidence.objects.filter(assessment=assessment, indicator=indicator,
                               product_sample_id=product_sample_id).count() >= \
            MAX_PER_INDICATOR:
        raise ValidationError(_("An indicator holds at most %(max)s pieces of evidence.") % {
            "max": MAX_PER_INDICATOR})


def _safe_name(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/\\|?*')
    return cleaned[-200:] or "file"


def evidence_add_file(*, assessment_id: int, indicator: Indicator, user, upload,
                      product_sample_id: int | None = None) -> Evidence:
    validate_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        assessment = _locked_assessment(assessment_id)
        _check_room(assessment, indicator, product_sample_id)
        evidence = Evidence(
            assessment=assessment, indicator=indicator, product_sample_id=product_sample_id,
            kind=Evidence.Kind.FILE,
            original_name=_safe_name(upload.name), size=upload.size, sha256=digest.hexdigest(),
            content_type=(upload.content_type or "").split(";")[0][:120], uploaded_by=user)
        evidence.file.save("upload", upload, save=False)
        try:
            evidence.full_clean()
            with acting_user(user):
                evidence.save()
        except Exception:
            evidence.file.delete(save=False)
            raise
    return evidence


def evidence_add_link(*, assessment_id: int, indicator: Indicator, user, url: str,
                      product_sample_id: int | None = None) -> Evidence:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValidationError(_("Enter a web address starting with http:// or https://.")) \
            from exc
    if len(url) > 500:
        raise ValidationError(_("The web address is too long (500 characters at most)."))
    with transaction.atomic():
        assessment = _locked_assessment(assessment_id)
        _check_room(assessment, indicator, product_sample_id)
        evidence = Evidence(assessment=assessment, indicator=indicator,
                            product_sample_id=product_sample_id, kind=Evidence.Kind.LINK,
                            url=url, uploaded_by=user)
        evidence.full_clean()
        with acting_user(user):
            evidence.save()
    return evidence


def evidence_remove(*, assessment_id: int, evidence_id: int, user) -> Indicator:
    """Remove a piece of evidence from the checklist. The stored file stays, so the audit
    history can still name what was there."""
    with transaction.atomic():
        assessment = _locked_assessment(assessment_id)
        evidence = Evidence.objects.select_related("indicator").get(id=evidence_id,
                                                                    assessment=assessment)
        indicator = evidence.indicator
        with acting_user(user):
            evidence.delete()
    return indicator
