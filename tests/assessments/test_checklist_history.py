"""The checklist's change history: every change of an answer or its evidence, from the audit
trail, with who, when, old and new; a 0 is a value like any other."""
import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.checklists import checklist

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


def save(client, assessment, indicator, version, **data):
    url = reverse("answer-save", args=[assessment.id, indicator.id])
    response = client.post(url, {"note": "", "version": str(version), **data})
    assert response.status_code == 302
    return response


# --- an answer set to 0 ----------------------------------------------------------------------

BEFORE_ZERO = {  # what the operator saved first (None: nothing, the 0 is the first save)
    "from-one": {"value": "1"},
    "from-not-applicable": {"not_applicable": "on"},
    "from-empty": None,
}


@pytest.mark.parametrize("case", BEFORE_ZERO)
def test_an_answer_set_to_zero_is_a_change_to_zero(client, personas, live_round, case):
    assessment = live_round["assessments"]["a"]
    indicator = checklist().get(code="sarana-1")
    english(client).force_login(personas["operator"])
    version = 0
    if BEFORE_ZERO[case] is not None:
        save(client, assessment, indicator, version, **BEFORE_ZERO[case])
        version = 1
    save(client, assessment, indicator, version, value="0")

    response = client.get(reverse("checklist-history", args=[assessment.id]))
    newest = response.context["rows"][0]
    old = {"from-one": 1, "from-not-applicable": None, "from-empty": None}[case]
    assert ("value", old, 0) in newest.changes
    shown = {"from-one": "1", "from-not-applicable": "—", "from-empty": "—"}[case]
    text = text_of(response)
    assert f"value: <del>{shown}</del> → <ins>0</ins>" in text
    assert "no change" not in text


# --- who did what, evidence, bulk changes -----------------------------------------------------

def test_evidence_added_and_removed_and_a_bulk_change_are_in_the_history(client, personas,
                                                                         live_round):
    from assessments.models import Answer, Evidence

    assessment = live_round["assessments"]["a"]
    indicator = checklist().get(code="persyaratan-1")
    english(client).force_login(personas["operator"])
    client.post(reverse("evidence-add", args=[assessment.id, indicator.id]),
                {"url": "https://example.org/sop.pdf"})
    evidence = Evidence.objects.get()
    client.post(reverse("evidence-remove", args=[assessment.id, evidence.id]))
    save(client, assessment, indicator, 0, value="1", note="SOP ada")
    save(client, assessment, indicator, 1, value="1", note="SOP ada")  # saved again as it was
    Answer.objects.filter(assessment=assessment).update(note="SOP diperbarui")  # no request

    client.force_login(personas["coordinator"])
    response = client.get(reverse("checklist-history", args=[assessment.id]))
    rows = response.context["rows"]
    assert [(r.what, r.action, r.user, r.actor) for r in rows] == [
        ("answer", "update", None, "system"),
        ("answer", "update", personas["operator"], f"user:{personas['operator'].pk}:operator"),
        ("answer", "insert", personas["operator"], f"user:{personas['operator'].pk}:operator"),
        ("evidence", "delete", personas["operator"], f"user:{personas['operator'].pk}:operator"),
        ("evidence", "insert", personas["operator"], f"user:{personas['operator'].pk}:operator"),
    ]
    assert [r.changes for r in rows] == [
        [("note", "SOP ada", "SOP diperbarui")],
        [],
        [("value", None, 1), ("note", None, "SOP ada")],
        [("evidence", None, "https://example.org/sop.pdf")],
        [("evidence", None, "https://example.org/sop.pdf")],
    ]
    assert {r.indicator.code for r in rows} == {"persyaratan-1"}
    text = text_of(response)
    assert "Evidence removed: https://example.org/sop.pdf" in text
    assert "Evidence added: https://example.org/sop.pdf" in text
    assert "no change" in text  # the save that changed nothing
    assert ">system</td>" in text


# --- the assessor's side: only for whom may read verified figures ----------------------------

def verified_history(live_round, personas):
    """The operator answers g1; the assessor verifies it with a finding (round in verification)."""
    from assessments.models import Round
    from assessments.services.answers import answer_save
    from assessments.services.verification import answer_verify

    assessment = live_round["assessments"]["a"]
    indicator = checklist().get(code="sarana-1")
    answer_save(assessment_id=assessment.id, indicator=indicator, user=personas["operator"],
                value=2, not_applicable=False, note="kursi ada", expected_version=0)
    Round.objects.filter(id=live_round["round"].id).update(state=Round.State.VERIFICATION)
    answer_verify(assessment_id=assessment.id, indicator=indicator, user=personas["assessor"],
                  verified_value=0, verified_not_applicable=False,
                  finding="SK belum ditandatangani", expected_version=0)
    return assessment


def history_as(client, persona, assessment):
    english(client).force_login(persona)
    response = client.get(reverse("checklist-history", args=[assessment.id]))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("name", ["assessor", "admin"])
def test_assessors_see_verified_values_and_findings_before_publication(client, personas,
                                                                       live_round, name):
    assessment = verified_history(live_round, personas)
    response = history_as(client, personas[name], assessment)
    verified, answered = response.context["rows"]
    assert (verified.user, answered.user) == (personas["assessor"], personas["operator"])
    assert verified.changes == [("verified value", None, 0),
                                ("finding", "", "SK belum ditandatangani")]
    assert answered.changes == [("value", None, 2), ("note", None, "kursi ada")]
    assert "verified value: <del>—</del> → <ins>0</ins>" in text_of(response)


@pytest.mark.parametrize("name", ["operator", "coordinator", "leader"])
def test_others_see_no_verified_value_or_finding_until_publication(client, personas,
                                                                   live_round, name):
    from assessments.models import Round

    assessment = verified_history(live_round, personas)
    response = history_as(client, personas[name], assessment)
    assert [(r.user, r.changes) for r in response.context["rows"]] == [
        (personas["operator"], [("value", None, 2), ("note", None, "kursi ada")])]
    text = text_of(response)
    assert "SK belum ditandatangani" not in text and "verified value" not in text

    Round.objects.filter(id=live_round["round"].id).update(state=Round.State.PUBLISHED)
    response = history_as(client, personas[name], assessment)
    assert [r.user for r in response.context["rows"]] == [personas["assessor"],
                                                           personas["operator"]]
    assert "SK belum ditandatangani" in text_of(response)


# --- the cost of the page ---------------------------------------------------------------------

QUERIES = 7  # session, user, assessment, memberships, entries, their users, their indicators


def test_history_costs_the_same_queries_for_few_and_many_entries(client, personas, live_round,
                                                                 django_assert_num_queries):
    from assessments.models import Round
    from assessments.services.answers import answer_save
    from assessments.services.evidence import evidence_add_link, evidence_remove
    from assessments.services.verification import answer_verify

    from ..conftest import make_user

    few, many = live_round["assessments"]["a"], live_round["assessments"]["b"]
    indicators = list(checklist().filter(active=True).order_by("id"))
    answer_save(assessment_id=few.id, indicator=indicators[0], user=personas["operator"],
                value=1, not_applicable=False, note="", expected_version=0)
    agency_b = live_round["agencies"]["b"]
    second = make_user("operator_b2", "operator", agency=agency_b)
    for indicator in indicators[:30]:
        answer_save(assessment_id=many.id, indicator=indicator, user=personas["operator_b"],
                    value=1, not_applicable=False, note="", expected_version=0)
    for indicator in indicators[:15]:
        answer_save(assessment_id=many.id, indicator=indicator, user=second, value=0,
                    not_applicable=False, note="diperiksa ulang", expected_version=1)
    for n, indicator in enumerate(indicators[:6]):
        evidence = evidence_add_link(assessment_id=many.id, indicator=indicator, user=second,
                                     url=f"https://example.org/{n}")
        if n % 2:
            evidence_remove(assessment_id=many.id, evidence_id=evidence.id, user=second)
    Round.objects.filter(id=live_round["round"].id).update(state=Round.State.VERIFICATION)
    for indicator in indicators[:10]:
        answer_verify(assessment_id=many.id, indicator=indicator, user=personas["assessor"],
                      verified_value=1, verified_not_applicable=False, finding="",
                      expected_version=0)

    sizes = {}
    for name in ("assessor", "coordinator"):
        for assessment in (few, many):
            client.force_login(personas[name])
            with django_assert_num_queries(QUERIES):
                response = client.get(reverse("checklist-history", args=[assessment.id]))
            sizes[name, assessment.id] = len(response.context["rows"])
    assert sizes == {("assessor", few.id): 1, ("assessor", many.id): 30 + 15 + 6 + 3 + 10,
                     ("coordinator", few.id): 1, ("coordinator", many.id): 30 + 15 + 6 + 3}
