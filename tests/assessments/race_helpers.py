"""The small world of the race tests (one round, two governments, four sampled units) and the
pieces the races share: tests/assessments/test_races.py interleaves two actors
deterministically, test_races_threads.py with real concurrent transactions on PostgreSQL
(``Gate``), test_rollback.py and test_round_create_race.py reuse the world and the gate."""
import threading
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from agencies.models import Agency, AgencyKind, Government, Level, Province, Role
from assessments.models import Answer, Assessment, Round, RoundGovernment
from assessments.services.answers import answer_save
from assessments.services.verification import answer_verify
from audit.models import AuditEntry
from compliance.models import Methodology
from tests.checklists import checklist

from ..conftest import make_user


def answer_entries():
    """The audit trail's entries of answers in this world (entries committed by earlier
    transactional tests are of other rows)."""
    ids = [str(pk) for pk in Answer.objects.values_list("pk", flat=True)]
    return AuditEntry.objects.filter(table_name="assessments_answer", row_id__in=ids).count()


def build_world(state=Round.State.SELF_ASSESSMENT):
    province = Province.objects.create(name="Provinsi Uji")
    round_ = Round.objects.create(
        year=2026, name="Penilaian Uji", state=state,
        methodology=Methodology.objects.get(code="ombudsman-2022"),
        self_deadline=timezone.localdate() + timedelta(days=30))
    governments, units = [], []
    for name in ("Kabupaten Satu", "Kabupaten Dua"):
        government = Government.objects.create(province=province, level=Level.KABUPATEN,
                                               name=name)
        governments.append(government)
        RoundGovernment.objects.create(round=round_, government=government)
        for short, kind in (("DPMPTSP", AgencyKind.DPMPTSP),
                            ("Disdukcapil", AgencyKind.DISDUKCAPIL)):
            agency = Agency.objects.create(government=government, name=f"{short} {name}",
                                           short_name=short, kind=kind)
            units.append(Assessment.objects.create(round=round_, agency=agency, sampled=True))
    unit = units[0]
    return SimpleNamespace(
        round=round_, unit=unit, units=units, governments=governments,
        indicator=checklist().filter(active=True).order_by("component__number",
                                                                 "order").first(),
        operator=make_user("operator", Role.OPERATOR, agency=unit.agency),
        operator_2=make_user("operator_2", Role.OPERATOR, agency=unit.agency),
        assessor=make_user("assessor", Role.ASSESSOR, government=governments[0]),
        assessor_2=make_user("assessor_2", Role.ASSESSOR, government=governments[0]),
        admin=make_user("admin", Role.ADMINISTRATOR),
        admin_2=make_user("admin_2", Role.ADMINISTRATOR),
    )


def fill_checklist(assessment, value=2):
    """Every active indicator answered (written directly: the services are not under test)."""
    Answer.objects.bulk_create([Answer(assessment=assessment, indicator=indicator, value=value)
                                for indicator in checklist().filter(active=True)])
    Assessment.objects.filter(id=assessment.id).update(status=Assessment.Status.IN_PROGRESS)


def ready_to_publish(world):
    """The round in verification with every sampled unit finalised and two findings."""
    fill_checklist(world.unit)
    Answer.objects.filter(assessment=world.unit, indicator__component__code="sarana").update(
        verified_value=1, finding="Belum ada ramp untuk kursi roda")
    for unit, score in zip(world.units, ("70.00", "80.00", "60.00", "90.00")):
        Assessment.objects.filter(id=unit.id).update(verified_score=Decimal(score),
                                                     finalised_at=timezone.now())
    Round.objects.filter(id=world.round.id).update(state=Round.State.VERIFICATION)
    world.round.refresh_from_db()


def save_answer(world, user, *, value, note, version):
    return answer_save(assessment_id=world.unit.id, indicator=world.indicator, user=user,
                       value=value, not_applicable=False, note=note, expected_version=version)


def verify_answer(world, user, *, value, finding, version):
    return answer_verify(assessment_id=world.unit.id, indicator=world.indicator, user=user,
                         verified_value=value, verified_not_applicable=False, finding=finding,
                         expected_version=version)


class Gate:
    """A point inside a service, after its guard and before its writes, where the named worker
    threads stop until released. Other threads (the test's own) pass straight through."""

    def __init__(self, *names):
        self.arrived = {name: threading.Event() for name in names}
        self.released = {name: threading.Event() for name in names}

    def __call__(self):
        name = threading.current_thread().name
        if name in self.arrived:
            self.arrived[name].set()
            if not self.released[name].wait(30):
                raise RuntimeError(f"{name} was never released from the gate")

    def install(self, monkeypatch, owner, attribute):
        original = getattr(owner, attribute)

        def gated(*args, **kwargs):
            self()
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, attribute, gated)
