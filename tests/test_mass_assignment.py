"""Mass assignment: fields a role may not set are ignored or refused when posted.

Each case posts a valid form as the role that may post it, once as it is and once with extra
fields the role may not set (a score, a status, another agency or round, the verified value as
an operator, the operator's value as an assessor, is_superuser …). The database after the
post with the extras must be exactly the database after the post without them (new rows are
compared by content, not by id, since PostgreSQL does not roll sequences back); each post runs
in a savepoint that is rolled back. Where the field is a real form field holding a value the
role may not choose (role=administrator as a coordinator), the post must be refused and change
nothing.
"""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from agencies.models import Agency, Membership
from assessments.models import Answer, Assessment, Round
from assessments.services.answers import answer_save
from assessments.services.verification import answer_verify

from tests.checklists import checklist

from .assessments.fieldwork_fixtures import record_no_survey
from .fuzz_world import SNAPSHOT_MODELS, csv_upload

User = get_user_model()
MODELS = [*SNAPSHOT_MODELS, User, User.groups.through, User.user_permissions.through]


def table(model):
    fields = model._meta.concrete_fields
    if model is User:
        fields = [f for f in fields if f.name != "last_login"]
    rows = model.objects.order_by("pk").values_list(*[f.attname for f in fields])
    return fields, list(rows)


def canonical(before_ids):
    """The domain tables with the rows created since ``before_ids`` named new1, new2 … in
    creation order (and foreign keys to them likewise) and times masked: two posts that
    create the same rows compare equal whatever ids the sequences handed out."""
    tables = {model: table(model) for model in MODELS}
    renamed = {}
    for model, (fields, rows) in tables.items():
        fresh = [row[0] for row in rows if row[0] not in before_ids[model]]
        renamed[model] = {pk: f"new{index}" for index, pk in enumerate(sorted(fresh), 1)}
    state = {}
    for model, (fields, rows) in tables.items():
        out = []
        for row in rows:
            values = []
            for f, value in zip(fields, row):
                if isinstance(value, (datetime.datetime,)):
                    value = "<time>"
                elif model is User and f.name == "password":
                    value = "<hash>" if value else value  # salted: differs every time
                elif f.primary_key:
                    value = renamed[model].get(value, value)
                elif f.is_relation and f.related_model in renamed:
                    value = renamed[f.related_model].get(value, value)
                values.append(value)
            out.append(tuple(values))
        state[model.__name__] = sorted(out, key=repr)
    return state


def ids():
    return {model: set(model.objects.values_list("pk", flat=True)) for model in MODELS}


def post_and_capture(client, url, data):
    """Post in a savepoint, return (status, the canonical database afterwards), roll back."""
    before = ids()
    with transaction.atomic():
        response = client.post(url, data)
        state = canonical(before)
        transaction.set_rollback(True)
    return response, state


def check_extras(client, user, url, valid, extras, *, changes=True):
    """The valid post with each extra field, and with all of them, leaves the database as the
    valid post alone does (and the valid post itself changes something when ``changes``)."""
    client.force_login(user)
    untouched = canonical(ids())
    reference_response, reference = post_and_capture(client, url, valid)
    assert reference_response.status_code < 400, reference_response.status_code
    if changes:
        assert reference != untouched, "the valid post itself changed nothing"
    extras = {name: value for name, value in extras.items() if name not in valid}
    failures = []
    for name, value in [*extras.items(), ("(all together)", None)]:
        data = {**valid, **extras} if value is None else {**valid, name: value}
        response, state = post_and_capture(client, url, data)
        if response.status_code >= 500:
            failures.append(f"{name}={value!r}: status {response.status_code}")
        elif response.status_code < 400 and state != reference:
            diff = [table_name for table_name in state if state[table_name] !=
                    reference[table_name]]
            failures.append(f"{name}={value!r} was not ignored: {diff} differ")
        elif response.status_code >= 400 and state != untouched:
            failures.append(f"{name}={value!r} was refused but changed the database")
    assert not failures, "\n".join(failures)


def check_refused(client, user, url, data):
    client.force_login(user)
    before_ids = ids()
    untouched = canonical(before_ids)
    with transaction.atomic():
        response = client.post(url, data)
        state = canonical(before_ids)
        transaction.set_rollback(True)
    assert response.status_code < 500
    assert state == untouched, [name for name in state if state[name] != untouched[name]]
    return response


def other_ids(world):
    """Ids of things in other scopes, to smuggle in."""
    published = world.published
    return {"agency_k": world.agency_k.pk, "agency_b": world.agency_b.pk,
            "assessment_b": world.assessment_b.pk, "round": published.pk,
            "kendari": world.kendari.pk, "admin": world.personas["admin"].pk}


SCORES = {"score": "100", "self_score": "100", "verified_score": "100",
          "survey_score": "100", "answered_count": "999", "verified_count": "999"}


@pytest.fixture
def w(fuzz_world, db):
    return fuzz_world


def smuggled(w, **more):
    """The fields nobody sets through a form: scores, status, scope, authorship."""
    o = other_ids(w)
    return {**SCORES, "status": "submitted", "state": "published", "agency": o["agency_k"],
            "agency_id": o["agency_k"], "round": o["round"], "round_id": o["round"],
            "assessment": o["assessment_b"], "assessment_id": o["assessment_b"],
            "government": o["kendari"], "sampled": "on", "is_official": "on",
            "finalised_at": "2020-01-01 00:00", "finalised_by": o["admin"],
            "updated_by": o["admin"], "created_at": "2020-01-01", **more}


def answer_everything(w, user):
    """Every indicator of the round, a per-product one for each sampled product."""
    for indicator in checklist().filter(active=True):
        for sample in [w.sample.pk] if indicator.per_product else [None]:
            answer_save(assessment_id=w.assessment.pk, indicator=indicator, user=user,
                        value=1, not_applicable=False, note="", expected_version=0,
                        product_sample_id=sample)


def enter_verification(w):
    Round.objects.filter(pk=w.round.pk).update(state=Round.State.VERIFICATION)


# --- the operator ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_operator_answer_ignores_verified_value_finding_scores_and_scope(client, w):
    check_extras(client, w.personas["operator"],
                 reverse("answer-save", args=[w.assessment.pk, w.indicator.pk]),
                 {"value": "1", "note": "Ada SK", "version": "0"},
                 smuggled(w, verified_value="0", verified_not_applicable="on",
                          finding="Palsu", verification_version="9", verified_by=w.superuser.pk,
                          indicator=w.other_indicator.pk, indicator_id=w.other_indicator.pk))


@pytest.mark.django_db
def test_operator_evidence_link_ignores_kind_file_fields_and_scope(client, w):
    check_extras(client, w.personas["operator"],
                 reverse("evidence-add", args=[w.assessment.pk, w.indicator.pk]),
                 {"url": "https://example.org/sk"},
                 smuggled(w, kind="file", file="evidence/x", original_name="x.exe",
                          size="1", sha256="f" * 64, content_type="application/x-msdownload",
                          uploaded_by=w.superuser.pk, indicator=w.other_indicator.pk))


@pytest.mark.django_db
def test_operator_evidence_removal_ignores_scope(client, w):
    check_extras(client, w.personas["operator"],
                 reverse("evidence-remove", args=[w.assessment.pk, w.link.pk]), {},
                 smuggled(w, evidence=w.evidence.pk, evidence_id=w.evidence.pk))


@pytest.mark.django_db
def test_operator_submit_ignores_status_scores_and_sample(client, w):
    answer_everything(w, w.personas["operator"])
    check_extras(client, w.personas["operator"],
                 reverse("checklist-submit", args=[w.assessment.pk]), {"confirmed": "1"},
                 smuggled(w, status="returned", comment="Sudah", kind="returned"))
    with transaction.atomic():
        client.post(reverse("checklist-submit", args=[w.assessment.pk]),
                    {"confirmed": "1", **smuggled(w, status="returned")})
        assert Assessment.objects.get(pk=w.assessment.pk).status == "submitted"
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_operator_action_create_ignores_agency_status_and_source(client, w):
    answer = Answer.objects.create(assessment=w.assessment, indicator=w.indicator, value=0)
    check_extras(client, w.personas["operator"],
                 reverse("action-create", args=[w.agency.pk]),
                 {"title": "Pasang papan", "owner": "Kabid", "due_date": "", "component": ""},
                 smuggled(w, status="done", source_answer=answer.pk,
                          source_answer_id=answer.pk))


@pytest.mark.django_db
def test_operator_action_update_ignores_title_agency_and_component(client, w):
    check_extras(client, w.personas["operator"],
                 reverse("action-update", args=[w.agency.pk, w.action.pk]),
                 {"status": "in_progress"},
                 smuggled(w, title="Diambil alih", component="1", component_id="1",
                          source_answer="1", version="7"))


@pytest.mark.django_db
def test_operator_obstacle_ignores_agency_reporter_and_resolution(client, w):
    check_extras(client, w.personas["operator"],
                 reverse("obstacle-report", args=[w.agency.pk]),
                 {"description": "Anggaran belum turun", "action": ""},
                 smuggled(w, reported_by=w.superuser.pk, resolved_at="2020-01-01 00:00",
                          reported_at="2020-01-01 00:00"))


@pytest.mark.django_db
def test_operator_obstacle_resolution_ignores_description_and_agency(client, w):
    check_extras(client, w.personas["operator"],
                 reverse("obstacle-resolve", args=[w.agency.pk, w.obstacle.pk]), {},
                 smuggled(w, description="Diubah", reported_by=w.superuser.pk,
                          resolved_at="2020-01-01 00:00"))


@pytest.mark.django_db
def test_operator_cannot_post_a_verified_value(client, w):
    enter_verification(w)
    response = check_refused(client, w.personas["operator"],
                             reverse("verify-save", args=[w.assessment.pk, w.indicator.pk]),
                             {"verified_value": "1", "finding": "Sendiri", "version": "0"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_operator_cannot_post_the_survey_score_or_finalise(client, w):
    enter_verification(w)
    for name, data in (("verify-survey", {"survey_score": "100"}),
                       ("verify-finalise", {"confirmed": "1"})):
        response = check_refused(client, w.personas["operator"],
                                 reverse(name, args=[w.assessment.pk]), data)
        assert response.status_code == 403, name


# --- the coordinator ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_coordinator_return_ignores_status_kind_actor_and_scores(client, w):
    Assessment.objects.filter(pk=w.assessment.pk).update(status="submitted")
    check_extras(client, w.personas["coordinator"],
                 reverse("checklist-return", args=[w.assessment.pk]),
                 {"comment": "Lengkapi bukti"},
                 smuggled(w, status="not_started", kind="submitted", actor=w.superuser.pk))


@pytest.mark.django_db
def test_coordinator_cannot_answer_for_the_agency(client, w):
    response = check_refused(client, w.personas["coordinator"],
                             reverse("answer-save", args=[w.assessment.pk, w.indicator.pk]),
                             {"value": "1", "version": "0"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_coordinator_user_create_ignores_superuser_staff_and_groups(client, w):
    check_extras(client, w.personas["coordinator"], reverse("user-create"),
                 {"username": "wa.ode", "full_name": "Wa Ode", "email": "",
                  "password1": "Kolaka-Utara-2026", "password2": "Kolaka-Utara-2026",
                  "role": "leader", "governments": [str(w.government.pk)]},
                 {"is_superuser": "on", "is_staff": "on", "is_active": "", "groups": w.group.pk,
                  "user_permissions": "1", "date_joined": "2000-01-01",
                  "government": w.kendari.pk, "agency": "", "password": "x",
                  "last_login": "2020-01-01", "id": "1", "pk": "1"})
    user = User.objects.filter(username="wa.ode").first()
    assert user is None  # every post above was rolled back


@pytest.mark.parametrize(("field", "value"), [
    ("role", "administrator"),
    ("role", "assessor"),
    ("governments", "kendari"),
    ("agency", "agency_k"),
], ids=["role=administrator", "role=assessor", "governments=other government",
        "agency=agency of another government"])
@pytest.mark.django_db
def test_coordinator_user_create_refuses_roles_and_scopes_beyond_their_own(client, w, field,
                                                                           value):
    value = {"kendari": str(w.kendari.pk), "agency_k": str(w.agency_k.pk)}.get(value, value)
    data = {"username": "wa.ode", "full_name": "Wa Ode", "email": "",
            "password1": "Kolaka-Utara-2026", "password2": "Kolaka-Utara-2026",
            "role": "operator" if field == "agency" else "leader",
            "governments": [str(w.government.pk)], field: value}
    if field == "agency":
        data["governments"] = []
    response = check_refused(client, w.personas["coordinator"], reverse("user-create"), data)
    assert response.status_code in (400, 403)


@pytest.mark.parametrize(("field", "value"), [
    ("role", "administrator"),
    ("role", "assessor"),
    ("governments", "kendari"),
    ("user", "admin"),
], ids=["role=administrator", "role=assessor", "governments=other government",
        "user=another account"])
@pytest.mark.django_db
def test_coordinator_grant_refuses_or_ignores_beyond_their_scope(client, w, field, value):
    value = {"kendari": str(w.kendari.pk), "admin": str(w.personas["admin"].pk)}.get(value,
                                                                                     value)
    data = {"role": "leader", "governments": [str(w.government.pk)], field: value}
    url = reverse("membership-grant", args=[w.personas["operator_b"].pk])
    if field == "user":  # not a field: the account is the one in the URL
        client.force_login(w.personas["coordinator"])
        with transaction.atomic():
            client.post(url, data)
            assert not Membership.objects.filter(user=w.personas["admin"],
                                                 role="leader").exists()
            assert Membership.objects.filter(user=w.personas["operator_b"],
                                             role="leader").exists()
            transaction.set_rollback(True)
        return
    response = check_refused(client, w.personas["coordinator"], url, data)
    assert response.status_code in (400, 403)


@pytest.mark.django_db
def test_coordinator_grant_ignores_superuser_and_a_stray_agency(client, w):
    check_extras(client, w.personas["coordinator"],
                 reverse("membership-grant", args=[w.personas["operator_b"].pk]),
                 {"role": "leader", "governments": [str(w.government.pk)]},
                 {"is_superuser": "on", "is_staff": "on", "government": w.kendari.pk,
                  "agency": str(w.agency.pk), "user": w.personas["admin"].pk,
                  "user_id": w.personas["admin"].pk})


# --- the assessor ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_assessor_verification_ignores_value_note_scores_and_scope(client, w):
    answer_save(assessment_id=w.assessment.pk, indicator=w.indicator,
                user=w.personas["operator"], value=1, not_applicable=False, note="Ada SK",
                expected_version=0)
    enter_verification(w)
    check_extras(client, w.personas["assessor"],
                 reverse("verify-save", args=[w.assessment.pk, w.indicator.pk]),
                 {"verified_value": "0", "finding": "Tidak ada", "version": "0"},
                 smuggled(w, value="0", not_applicable="on", note="Diganti penilai",
                          verified_by=w.superuser.pk, indicator=w.other_indicator.pk,
                          verification_version="9"))


@pytest.mark.django_db
def test_assessor_survey_ignores_scores_and_finalisation(client, w):
    enter_verification(w)
    check_extras(client, w.personas["assessor"],
                 reverse("verify-survey", args=[w.assessment.pk]), {"survey_score": "80"},
                 smuggled(w))


@pytest.mark.django_db
def test_assessor_finalise_ignores_who_when_and_scores(client, w):
    answer_everything(w, w.personas["operator"])
    enter_verification(w)
    for indicator in checklist().filter(active=True):
        answer_verify(assessment_id=w.assessment.pk, indicator=indicator,
                      user=w.personas["assessor"], verified_value=1,
                      verified_not_applicable=False, finding="", expected_version=0,
                      product_sample_id=w.sample.pk if indicator.per_product else None)
    record_no_survey(w.assessment, w.personas["assessor"])
    check_extras(client, w.personas["assessor"],
                 reverse("verify-finalise", args=[w.assessment.pk]), {"confirmed": "1"},
                 smuggled(w))


@pytest.mark.django_db
def test_assessor_cannot_post_the_operators_value(client, w):
    response = check_refused(client, w.personas["assessor"],
                             reverse("answer-save", args=[w.assessment.pk, w.indicator.pk]),
                             {"value": "0", "note": "Penilai", "version": "0"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_leader_and_assessor_cannot_follow_up_or_administer(client, w):
    for persona in ("leader", "assessor"):
        for url, data in (
                (reverse("action-create", args=[w.agency.pk]), {"title": "Papan"}),
                (reverse("action-update", args=[w.agency.pk, w.action.pk]), {"status": "done"}),
                (reverse("round-transition", args=[w.round.pk]),
                 {"to_state": "verification", "confirmed": "1"}),
                (reverse("round-create"), {"year": "2027", "name": "x"}),
                (reverse("user-create"), {"username": "x", "role": "administrator"})):
            response = check_refused(client, w.personas[persona], url, data)
            assert response.status_code == 403, (persona, url)


# --- the administrator -------------------------------------------------------------------------

@pytest.mark.django_db
def test_admin_round_create_ignores_state_official_and_scores(client, w):
    check_extras(client, w.personas["admin"], reverse("round-create"),
                 {"year": "2027", "name": "Penilaian 2027", "methodology": str(w.methodology.pk),
                  "governments": [str(w.government.pk)]},
                 smuggled(w, state="published", is_official="on", created_at="2000-01-01"))


@pytest.mark.django_db
def test_admin_round_transition_ignores_state_and_official(client, w):
    check_extras(client, w.personas["admin"],
                 reverse("round-transition", args=[w.round.pk]),
                 {"to_state": "verification", "reason": "", "confirmed": "1"},
                 smuggled(w, state="published", is_official="on", year="1999",
                          methodology="1", name="Diganti"))


@pytest.mark.django_db
def test_admin_round_transition_cannot_skip_verification(client, w):
    check_refused(client, w.personas["admin"], reverse("round-transition", args=[w.round.pk]),
                  {"to_state": "published", "reason": "Langsung", "confirmed": "1"})


@pytest.mark.django_db
def test_admin_sample_ignores_scope_and_scores(client, w):
    Assessment.objects.filter(pk=w.assessment.pk).update(sampled=True)
    b = w.assessment_b.pk
    k = Assessment.objects.get(agency=w.agency_k).pk
    check_extras(client, w.personas["admin"],
                 reverse("round-government", args=[w.round.pk, w.government.pk]),
                 {"shown": [str(w.assessment.pk)], "sampled": []},
                 smuggled(w, not_assessed="on", not_assessed_reason="x"))
    # An assessment of another government, listed as shown and sampled, is not touched.
    with transaction.atomic():
        client.post(reverse("round-government", args=[w.round.pk, w.government.pk]),
                    {"shown": [str(k), str(b)], "sampled": [str(k)]})
        assert Assessment.objects.get(pk=k).sampled is False
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_admin_not_assessed_ignores_scores_and_other_governments(client, w):
    check_extras(client, w.personas["admin"],
                 reverse("round-not-assessed", args=[w.round.pk, w.government.pk]),
                 {"not_assessed": "on", "reason": "Bencana"},
                 smuggled(w, government_id=w.kendari.pk, score="0", published_rank="1",
                          category="A", zone="green"))


@pytest.mark.django_db
def test_admin_agency_import_ignores_government_and_kind_fields(client, w):
    def data():
        return {"file": csv_upload("agencies.csv", ("Sulawesi Tenggara",
                                                    "Kabupaten Muna Barat", "Dinas Sosial"))()}
    client.force_login(w.personas["admin"])
    untouched = canonical(ids())
    reference_response, reference = post_and_capture(client, reverse("agency-import"), data())
    assert reference_response.status_code == 302 and reference != untouched
    for name, value in smuggled(w, kind="dpmptsp", synthetic="on", province="1").items():
        response, state = post_and_capture(client, reverse("agency-import"),
                                           {**data(), name: value})
        assert response.status_code == 302 and state == reference, name
    assert not Agency.objects.filter(name="Dinas Sosial").exists()
