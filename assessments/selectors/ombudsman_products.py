"""A government's record of the Ombudsman's products in a round, and the value it gives the
2025 indicator "tindak-lanjut-produk-ombudsman" (``compliance.scoring.follow_up_value``)."""
from dataclasses import dataclass

from django.utils import timezone

from compliance.scoring import follow_up_value

from ..models import OmbudsmanProduct

FOLLOW_UP_INDICATOR = "tindak-lanjut-produk-ombudsman"


@dataclass(frozen=True)
class FollowUp:
    due: int
    on_time: int
    value: int | None  # on the indicator's scale; None: no product due yet (not applicable)


def follow_up(*, government_id: int, round_id: int, scale_max: int = 3,
              today=None) -> FollowUp:
    """Products whose due date has passed (today included) count; one followed up by its
    due date counts as on time, whether or not an assessor has verified it yet."""
    today = today or timezone.localdate()
    products = list(OmbudsmanProduct.objects.filter(
        government_id=government_id, round_id=round_id, due_on__lte=today))
    on_time = sum(1 for product in products if product.on_time)
    return FollowUp(due=len(products), on_time=on_time,
                    value=follow_up_value(on_time, len(products), scale_max))
