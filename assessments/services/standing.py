"""Carry a standing document forward once the operator confirms it is still valid: the
previous round's answer (when it fits the indicator's scale) and its evidence are copied to
the new round's answer. Nothing is copied without that confirmation."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.context import acting_user
from compliance.models import Indicator

from ..models import Evidence
from ..selectors.standing import standing_offers
from .answers import answer_save
from .evidence import _locked_assessment


def standing_confirm(*, assessment_id: int, indicator: Indicator, user) -> int:
    """Copy the offer for ``indicator``; returns the number of evidence items copied."""
    with transaction.atomic():
        assessment = _locked_assessment(assessment_id)
        offers = standing_offers(assessment, only_indicator_id=indicator.id)
        if not offers:
            raise ValidationError(_("There is nothing to carry forward for this indicator."))
        offer = offers[0]
        previous = offer.answer
        if previous is not None and (previous.not_applicable or (
                previous.value is not None and previous.value <= indicator.scale_max)):
            note = previous.note or _("Carried forward from %(round)s, confirmed still valid.") % {
                "round": offer.previous.round.name}
            answer_save(assessment_id=assessment.id, indicator=indicator, user=user,
                        value=previous.value, not_applicable=previous.not_applicable,
                        note=note[:1000], expected_version=0)
        copies = [Evidence(assessment=assessment, indicator=indicator, kind=item.kind,
                           file=item.file.name, original_name=item.original_name,
                           content_type=item.content_type, size=item.size, sha256=item.sha256,
                           url=item.url, uploaded_by=user) for item in offer.evidence]
        with acting_user(user):
            for copy in copies:
                copy.full_clean()
                copy.save()
    return len(copies)
