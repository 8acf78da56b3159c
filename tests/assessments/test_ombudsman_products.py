"""Follow-up of the Ombudsman's products per government, and the value it gives the 2025
indicator (the app's rule, an assumption: all on time → 3, two thirds → 2, one third → 1)."""
from datetime import date

import pytest
from django.db import IntegrityError, transaction

from assessments.models import OmbudsmanProduct
from assessments.selectors.ombudsman_products import follow_up
from compliance.scoring import follow_up_value

TODAY = date(2026, 6, 30)


@pytest.mark.parametrize("on_time,due,expected", [
    (0, 0, None), (0, 3, 0), (1, 3, 1), (2, 3, 2), (3, 3, 3),
    (1, 4, 0), (2, 4, 1), (3, 4, 2), (4, 4, 3), (5, 6, 2),
])
def test_follow_up_value_table(on_time, due, expected):
    assert follow_up_value(on_time, due) == expected


def test_follow_up_value_refuses_impossible_counts():
    with pytest.raises(ValueError):
        follow_up_value(4, 3)


@pytest.mark.django_db
def test_a_governments_products_feed_the_indicator(live_round):
    government, round_ = live_round["government"], live_round["round"]

    def product(reference, due, followed=None):
        return OmbudsmanProduct.objects.create(
            government=government, round=round_, kind="corrective_action",
            reference=reference, issued_on=date(2026, 1, 10), due_on=due,
            status="followed_up" if followed else "open", followed_up_on=followed)

    product("TK-1", date(2026, 3, 1), date(2026, 2, 20))  # on time
    product("TK-2", date(2026, 3, 1), date(2026, 4, 2))  # late
    product("TK-3", date(2026, 5, 1))  # never
    product("TK-4", date(2026, 9, 1))  # not due yet: not counted
    result = follow_up(government_id=government.id, round_id=round_.id, today=TODAY)
    assert (result.due, result.on_time, result.value) == (3, 1, 1)
    other = live_round["kendari"]
    assert follow_up(government_id=other.id, round_id=round_.id, today=TODAY).value is None


@pytest.mark.django_db
def test_the_database_refuses_a_followed_up_product_without_its_date(live_round):
    with pytest.raises(IntegrityError), transaction.atomic():
        OmbudsmanProduct.objects.create(
            government=live_round["government"], round=live_round["round"],
            kind="suggestion", reference="S-1", issued_on=date(2026, 1, 1),
            due_on=date(2026, 2, 1), status="followed_up")
    with pytest.raises(IntegrityError), transaction.atomic():
        OmbudsmanProduct.objects.create(
            government=live_round["government"], round=live_round["round"],
            kind="suggestion", reference="S-2", issued_on=date(2026, 3, 1),
            due_on=date(2026, 2, 1))
