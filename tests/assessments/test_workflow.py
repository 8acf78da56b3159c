"""Submit, return, deadlines, the change history, and concurrent saves."""
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Assessment, ChecklistEvent
from assessments.services.answers import AnswerConflict, ChecklistLocked, answer_save
from assessments.services.workflow import ChecklistIncomplete, assessment_submit

from tests.checklists import checklist

from .helpers import answer_all


@pytest.mark.django_db
def test_incomplete_submission_lists_what_is_missing(client, personas, live_round):
    assessment = live_round["assessments"]["a"]
    first = checklist().order_by("component__number", "order").first()
    answer_save(assessment_id=assessment.id, indicator=first, user=personas["operator"],
                value=1, not_applicable=False, note="", expected_version=0)
    with pytest.raises(ChecklistIncomplete) as caught:
        assessment_submit(assessment_id=assessment.id, user=personas["operator"])
    assert len(caught.value.missing) == 47 and first not in caught.value.missing
    client.force_login(personas["operator"])
    client.cookies["django_language"] = "en"
    response = client.post(reverse("checklist-submit", args=[assessment.id]),
                           {"confirmed": "1"}, follow=True)
    text = response.content.decode()
    assert "47 indicators are not answered" in text and "a2" in text and "n3" in text
    assessment.refresh_from_db()
    assert assessment.status == "in_progress" and not ChecklistEvent.objects.exists()


@pytest.mark.django_db
def test_submit_locks_return_unlocks_and_history_is_shown(client, personas, live_round):
    assessment = live_round["assessments"]["a"]
    answer_all(assessment, personas["operator"])
    client.force_login(personas["operator"])
    url = reverse("checklist-submit", args=[assessment.id])
    client.post(url, {"confirmed": "1"})
    client.post(url, {"confirmed": "1"})  # a double click: one transition, one event
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert ChecklistEvent.objects.filter(kind="submitted").count() == 1
    indicator = checklist().first()
    with pytest.raises(ChecklistLocked):
        answer_save(assessment_id=assessment.id, indicator=indicator, user=personas["operator"],
                    value=0, not_applicable=False, note="", expected_version=1)
    # the operator cannot return it; the leader neither; a coordinator must give a reason
    return_url = reverse("checklist-return", args=[assessment.id])
    assert client.post(return_url, {"comment": "x"}).status_code == 403
    client.force_login(personas["leader"])
    assert client.post(return_url, {"comment": "x"}).status_code == 403
    client.force_login(personas["coordinator"])
    client.post(return_url, {"comment": "   "})
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    client.post(return_url, {"comment": "Lampirkan SK yang sudah ditandatangani."})
    assessment.refresh_from_db()
    assert assessment.status == "returned"
    page = client.get(reverse("checklist", args=[assessment.id]))
    text = page.content.decode()
    assert "Lampirkan SK yang sudah ditandatangani." in text
    assert [e.kind for e in page.context["checklist"].events] == ["submitted", "returned"]
    answer_save(assessment_id=assessment.id, indicator=indicator, user=personas["operator"],
                value=0, not_applicable=False, note="fixed", expected_version=1)


@pytest.mark.django_db
def test_deadline_passed_locks_answers_and_the_page_says_so(client, personas, live_round):
    round_ = live_round["round"]
    round_.self_deadline = timezone.localdate() - timedelta(days=1)
    round_.save()
    assessment = live_round["assessments"]["a"]
    with pytest.raises(ChecklistLocked):
        answer_save(assessment_id=assessment.id, indicator=checklist().first(),
                    user=personas["operator"], value=1, not_applicable=False, note="",
                    expected_version=0)
    client.force_login(personas["operator"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("checklist", args=[assessment.id]))
    assert "deadline" in page.context["lock_reason"] and not page.context["can_edit"]
    assert "has passed" in page.content.decode()
    response = client.post(reverse("answer-save", args=[assessment.id,
                                                        checklist().first().id]),
                           {"value": "1", "version": "0"}, HTTP_HX_REQUEST="true")
    assert "has passed" in response.content.decode()
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_on_the_deadline_day_itself_answers_are_still_saved(client, personas, live_round):
    round_ = live_round["round"]
    round_.self_deadline = timezone.localdate()
    round_.save()
    assessment = live_round["assessments"]["a"]
    indicator = checklist().get(code="sarana-1")
    client.force_login(personas["operator"])
    page = client.get(reverse("checklist", args=[assessment.id]))
    assert page.context["lock_reason"] is None and page.context["can_edit"]
    client.post(reverse("answer-save", args=[assessment.id, indicator.id]),
                {"value": "2", "version": "0"}, HTTP_HX_REQUEST="true")
    assert Answer.objects.get(assessment=assessment, indicator=indicator).value == 2


@pytest.mark.django_db
def test_change_history_shows_who_when_old_and_new(client, personas, live_round):
    assessment = live_round["assessments"]["a"]
    indicator = checklist().get(code="sarana-1")
    url = reverse("answer-save", args=[assessment.id, indicator.id])
    client.force_login(personas["operator"])
    client.post(url, {"value": "1", "note": "kursi kurang", "version": "0"})
    client.post(url, {"value": "3", "note": "kursi ditambah", "version": "1"})
    for name in ("coordinator", "assessor"):
        client.force_login(personas[name])
        response = client.get(reverse("checklist-history", args=[assessment.id]))
        assert response.status_code == 200
        rows = [r for r in response.context["rows"] if r.what == "answer"]
        assert len(rows) == 2
        newest = rows[0]
        assert newest.user == personas["operator"]
        assert [(old, new) for _f, old, new in newest.changes] == [(1, 3), ("kursi kurang",
                                                                          "kursi ditambah")]
    client.force_login(personas["outsider"])
    assert client.get(reverse("checklist-history", args=[assessment.id])).status_code == 404


@pytest.mark.django_db
def test_two_operators_on_different_indicators_both_keep_their_work(personas, live_round):
    assessment = live_round["assessments"]["a"]
    one, two = checklist().all()[:2]
    # both loaded the page at version 0 of each indicator
    answer_save(assessment_id=assessment.id, indicator=one, user=personas["operator"], value=1,
                not_applicable=False, note="A", expected_version=0)
    answer_save(assessment_id=assessment.id, indicator=two, user=personas["operator"], value=2,
                not_applicable=False, note="B", expected_version=0)
    assert dict(Answer.objects.values_list("note", "value")) == {"A": 1, "B": 2}
    assessment.refresh_from_db()
    assert assessment.answered_count == 2


@pytest.mark.django_db
def test_second_save_of_the_same_indicator_is_told_it_changed(personas, live_round):
    assessment = live_round["assessments"]["a"]
    indicator = checklist().first()
    answer_save(assessment_id=assessment.id, indicator=indicator, user=personas["operator"],
                value=1, not_applicable=False, note="first", expected_version=0)
    with pytest.raises(AnswerConflict) as caught:
        answer_save(assessment_id=assessment.id, indicator=indicator, user=personas["operator"],
                    value=3, not_applicable=False, note="second", expected_version=0)
    assert caught.value.current.note == "first"
    assert Answer.objects.get().note == "first"


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="real concurrent writers need PostgreSQL (SQLite locks the file)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_on_postgresql(standard):
    """Eight threads save at once: different indicators all land; on one indicator exactly one
    of the writers that loaded version 0 wins and the others are told."""
    from tests.conftest import make_user
    from agencies.models import Agency, Government, Level, Province, Role
    from assessments.models import Round
    from compliance.models import Methodology

    province = Province.objects.create(name="P")
    government = Government.objects.create(province=province, level=Level.KOTA, name="Kota X")
    agency = Agency.objects.create(government=government, name="Dinas X")
    round_ = Round.objects.create(year=2026, name="R", state="self_assessment",
                                  methodology=Methodology.objects.get(code="ombudsman-2022"))
    assessment = Assessment.objects.create(round=round_, agency=agency, sampled=True)
    user = make_user("op", Role.OPERATOR, agency=agency)
    indicators = list(checklist().all()[:8])
    results = []
    barrier = threading.Barrier(8)

    def save(indicator, note):
        from django.db import connections

        try:
            barrier.wait()
            answer_save(assessment_id=assessment.id, indicator=indicator, user=user, value=1,
                        not_applicable=False, note=note, expected_version=0)
            results.append("ok")
        except AnswerConflict:
            results.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(ind, str(i)))
               for i, ind in enumerate(indicators)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("ok") == 8 and Answer.objects.count() == 8
    assessment.refresh_from_db()
    assert assessment.answered_count == 8

    results.clear()
    barrier = threading.Barrier(8)
    target = indicators[0]
    Answer.objects.filter(indicator=target).delete()
    threads = [threading.Thread(target=save, args=(target, f"w{i}")) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # exactly one of the eight writers that loaded "no answer yet" may win
    assert results.count("ok") == 1 and results.count("conflict") == 7
    assert Answer.objects.filter(indicator=target).count() == 1


@pytest.mark.django_db
def test_the_operators_home_shows_a_returned_checklist_with_the_comment(client, personas,
                                                                          live_round):
    from assessments.models import Assessment
    from assessments.services.workflow import assessment_return

    assessment = live_round["assessments"]["a"]
    Assessment.objects.filter(id=assessment.id).update(status=Assessment.Status.SUBMITTED)
    assessment_return(assessment_id=assessment.id, user=personas["coordinator"],
                      comment="Lampirkan SK standar pelayanan yang ditandatangani")
    client.force_login(personas["operator"])
    html = client.get("/").content.decode()
    assert "Dikembalikan" in html
    assert "Lampirkan SK standar pelayanan yang ditandatangani" in html


@pytest.mark.django_db
def test_times_are_shown_in_the_governments_zone_with_its_label(client, personas, live_round):
    """Sulawesi Tenggara keeps WITA (UTC+8): a return at 06:30 UTC reads 14:30 WITA."""
    from datetime import datetime, timezone as dt_timezone

    from assessments.models import ChecklistEvent

    assessment = live_round["assessments"]["a"]
    assert live_round["government"].province.time_zone == "Asia/Makassar"
    event = ChecklistEvent.objects.create(assessment=assessment, kind="returned",
                                          actor=personas["coordinator"], comment="Perbaiki")
    ChecklistEvent.objects.filter(id=event.id).update(
        at=datetime(2026, 11, 30, 6, 30, tzinfo=dt_timezone.utc))
    client.force_login(personas["operator"])
    html = client.get(f"/checklists/{assessment.id}/").content.decode()
    assert "30 November 2026 14:30 WITA" in html
    assert "13:30" not in html  # never the server's WIB
