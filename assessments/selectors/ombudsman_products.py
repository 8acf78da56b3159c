"""A government's record of the Ombudsman's products in a round, and the value it gives the
2025 indicator "tindak-lanjut-produk-ombudsman" (``compliance.scoring.follow_up_value``)."""
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404
from django.utils import timezone

from compliance.scoring import follow_up_value

from ..models import Answer, Assessment, OmbudsmanProduct, Round
from .instruments import FOLLOW_UP_INDICATOR, asks_follow_up, follow_up_indicator  # noqa: F401


@dataclass(frozen=True)
class FollowUp:
    due: int
    on_time: int
    value: int | None  # on the indicator's scale; None: no product due yet (not applicable)


def summarise(products, today: date, scale_max: int = 3) -> FollowUp:
    """Products whose due date has passed (today included) count; one followed up by its
    due date counts as on time, whether or not an assessor has verified it yet."""
    due = [product for product in products if product.due_on <= today]
    on_time = sum(1 for product in due if product.on_time)
    return FollowUp(due=len(due), on_time=on_time,
                    value=follow_up_value(on_time, len(due), scale_max))


def follow_up(*, government_id: int, round_id: int, scale_max: int = 3,
              today=None) -> FollowUp:
    """The follow-up of the government's products in the round as of ``today`` (the value
    the indicator gets: ``summarise``)."""
    return summarise(OmbudsmanProduct.objects.filter(government_id=government_id,
                                                     round_id=round_id),
                     today or timezone.localdate(), scale_max)


def follow_up_rounds(government) -> list[Round]:
    """The rounds in which the government has units and whose instrument asks for the
    follow-up of the Ombudsman's products, newest first (one query): the only rounds the
    products page is offered for."""
    has_unit = Assessment.objects.filter(round=OuterRef("pk"), agency__government=government)
    return list(Round.objects.filter(Exists(has_unit), asks_follow_up(), is_official=False)
                .select_related("methodology").order_by("-year", "-created_at", "-id"))


def follow_up_round_or_404(government, round_id) -> Round:
    """One of ``follow_up_rounds``: any other round (none of the government's units, an
    instrument without the indicator, imported results) is not found."""
    round_ = next((r for r in follow_up_rounds(government) if r.id == round_id), None)
    if round_ is None:
        raise Http404
    return round_


@dataclass
class ProductRow:
    product: OmbudsmanProduct
    is_due: bool  # its due date has passed (today included): it counts
    overdue: bool  # due, and not followed up
    late: bool  # followed up after its due date
    days_overdue: int = 0


def product_rows(products, today: date) -> list[ProductRow]:
    rows = []
    for product in products:
        followed = product.status == OmbudsmanProduct.Status.FOLLOWED_UP
        overdue = not followed and product.due_on < today
        rows.append(ProductRow(
            product=product, is_due=product.due_on <= today, overdue=overdue,
            late=followed and product.followed_up_on is not None
            and product.followed_up_on > product.due_on,
            days_overdue=(today - product.due_on).days if overdue else 0))
    return rows


@dataclass
class UnitValue:
    """A sampled unit and the follow-up indicator's verified value it holds now."""

    assessment: Assessment
    value: int | None
    not_applicable: bool

    @property
    def finalised(self):
        return self.assessment.finalised_at is not None


def unit_values(government, round_, indicator) -> list[UnitValue]:
    """The government's sampled units in the round with the verified value of the follow-up
    indicator each holds (one query): verified figures, for those who may see them before
    publication."""
    answers = Answer.objects.filter(assessment=OuterRef("pk"), indicator=indicator,
                                    product_sample__isnull=True)
    units = (Assessment.objects.filter(round=round_, agency__government=government, sampled=True)
             .select_related("agency")
             .annotate(follow_up_value=Subquery(answers.values("verified_value")[:1]),
                       follow_up_na=Subquery(answers.values("verified_not_applicable")[:1]))
             .order_by("agency__name", "id"))
    return [UnitValue(assessment=unit, value=unit.follow_up_value,
                      not_applicable=bool(unit.follow_up_na)) for unit in units]


def products_page(*, government, round_, today=None, with_units=False) -> dict:
    """Everything the products page shows, in a fixed number of queries: the products by due
    date, the follow-up they give the indicator now, and (``with_units``) each sampled unit's
    verified value of it."""
    today = today or timezone.localdate()
    indicator = follow_up_indicator(round_.instrument_id)
    scale_max = indicator.scale_max if indicator else 3
    products = list(OmbudsmanProduct.objects.filter(government=government, round=round_)
                    .select_related("verified_by").order_by("due_on", "reference", "id"))
    rows = product_rows(products, today)
    summary = summarise(products, today, scale_max)
    return {
        "rows": rows, "summary": summary, "indicator": indicator, "scale_max": scale_max,
        "today": today, "not_yet_due": len(rows) - summary.due,
        "overdue_count": sum(1 for row in rows if row.overdue),
        "unverified_count": sum(1 for row in rows if row.product.verified_at is None),
        "units": unit_values(government, round_, indicator) if with_units and indicator
        else [],
    }
