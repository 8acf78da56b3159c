"""The database refuses to change a closed round's interview answers, sampled products and
Ombudsman products (assessments/migrations/0014), on SQLite and on PostgreSQL alike, while the
same writes in a round that is not closed go through."""
from datetime import date

import pytest
from django.db import IntegrityError, transaction

from assessments.models import Assessment, OmbudsmanProduct, ProductSample, Round
from assessments.models_fieldwork import Interview, InterviewAnswer
from compliance.models import Methodology


REFUSED = "round is closed"


@pytest.fixture
def two_rounds(field_round):
    """Field round rows of every new guarded table in the live round (to be closed) and in a
    second round that stays open."""
    closing = field_round["round"]
    other = Round.objects.create(
        year=2027, name="Penilaian 2027", state=Round.State.SELF_ASSESSMENT,
        methodology=Methodology.objects.get(code="ombudsman-2022"),
        instrument=field_round["instrument"])
    agency = field_round["agencies"]["a"]
    open_assessment = Assessment.objects.create(round=other, agency=agency, sampled=True)
    izin, konsultasi = field_round["products"]["a"]
    rows = {}
    for key, round_, assessment in (("closed", closing, field_round["assessments"]["a"]),
                                    ("open", other, open_assessment)):
        sample = ProductSample.objects.create(assessment=assessment, product=izin, order=1)
        interview = Interview.objects.create(assessment=assessment, role="head",
                                             interviewed_on=date(2026, 6, 15))
        answer = InterviewAnswer.objects.create(interview=interview,
                                                indicator=field_round["indicators"]["IN1"],
                                                value=2)
        product = OmbudsmanProduct.objects.create(
            government=field_round["government"], round=round_, kind="corrective_action",
            reference="TK-1", issued_on=date(2026, 1, 10), due_on=date(2026, 3, 1))
        rows[key] = {"assessment": assessment, "round": round_, "sample": sample,
                     "interview": interview, "answer": answer, "product": product}
    Round.objects.filter(pk=closing.pk).update(state=Round.State.CLOSED)
    return {**field_round, "rows": rows, "konsultasi": konsultasi}


def writes(rows, field_round):
    """(table, operation, write) for each new guarded table: one insert, update, delete each."""
    konsultasi = field_round["konsultasi"]
    in2 = field_round["indicators"]["IN2"]
    return [
        ("productsample", "insert", lambda: ProductSample.objects.create(
            assessment=rows["assessment"], product=konsultasi, order=2)),
        ("productsample", "update", lambda: ProductSample.objects.filter(
            pk=rows["sample"].pk).update(order=3)),
        ("productsample", "delete", lambda: ProductSample.objects.filter(
            pk=rows["sample"].pk).delete()),
        ("interviewanswer", "insert", lambda: InterviewAnswer.objects.create(
            interview=rows["interview"], indicator=in2, value=1)),
        ("interviewanswer", "update", lambda: InterviewAnswer.objects.filter(
            pk=rows["answer"].pk).update(value=0)),
        ("interviewanswer", "delete", lambda: InterviewAnswer.objects.filter(
            pk=rows["answer"].pk).delete()),
        ("ombudsmanproduct", "insert", lambda: OmbudsmanProduct.objects.create(
            government=field_round["government"], round=rows["round"], kind="suggestion",
            reference="S-9", issued_on=date(2026, 2, 1), due_on=date(2026, 4, 1))),
        ("ombudsmanproduct", "update", lambda: OmbudsmanProduct.objects.filter(
            pk=rows["product"].pk).update(status="followed_up",
                                          followed_up_on=date(2026, 2, 20))),
        ("ombudsmanproduct", "delete", lambda: OmbudsmanProduct.objects.filter(
            pk=rows["product"].pk).delete()),
    ]


@pytest.mark.django_db
def test_a_closed_round_refuses_every_write_to_the_new_guarded_tables(two_rounds):
    rows = two_rounds["rows"]["closed"]
    refused = []
    for table, operation, write in writes(rows, two_rounds):
        try:
            with transaction.atomic():
                write()
        except IntegrityError as error:
            assert REFUSED in str(error), (table, operation, error)
            refused.append((table, operation))
    assert refused == [
        ("productsample", "insert"), ("productsample", "update"), ("productsample", "delete"),
        ("interviewanswer", "insert"), ("interviewanswer", "update"),
        ("interviewanswer", "delete"),
        ("ombudsmanproduct", "insert"), ("ombudsmanproduct", "update"),
        ("ombudsmanproduct", "delete"),
    ]
    assert ProductSample.objects.get(pk=rows["sample"].pk).order == 1
    assert InterviewAnswer.objects.get(pk=rows["answer"].pk).value == 2
    assert OmbudsmanProduct.objects.get(pk=rows["product"].pk).status == "open"
    assert ProductSample.objects.filter(assessment=rows["assessment"]).count() == 1
    assert InterviewAnswer.objects.filter(interview=rows["interview"]).count() == 1


@pytest.mark.django_db
def test_the_same_writes_in_a_round_that_is_not_closed_go_through(two_rounds):
    rows = two_rounds["rows"]["open"]
    for _table, _operation, write in writes(rows, two_rounds):
        with transaction.atomic():
            write()
    assert list(ProductSample.objects.filter(assessment=rows["assessment"])
                .values_list("product__name", "order")) == [("Konsultasi", 2)]
    assert list(InterviewAnswer.objects.filter(interview=rows["interview"])
                .values_list("indicator__code", "value")) == [("IN2", 1)]
    assert list(OmbudsmanProduct.objects.filter(round=rows["round"])
                .values_list("reference", flat=True)) == ["S-9"]

