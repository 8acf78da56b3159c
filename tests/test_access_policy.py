"""The access policy's rules as literal tables: for Muna Barat's unit "DPMPTSP" (agency a),
in the live round and in the published 2021 round, who holds each right. These tables are the
specification in plain data; the permission matrix (test_permission_matrix.py) checks that every
URL asks these rules, and this file that the rules say what the table says (a changed rule
fails here, whatever the views do)."""
import pytest
from django.contrib.auth.models import AnonymousUser

from agencies import access
from agencies.models import Government
from assessments.models import Round


PERSONAS = ["operator", "operator_b", "coordinator", "assessor", "leader", "outsider", "admin",
            "anonymous"]
T, F = True, False


# Built once for the module (tests/shared_round.py): every test runs in a savepoint of it.
from tests.shared_round import (  # noqa: E402,F401 (the fixtures live_round and personas)
    shared_module_live_round, shared_module_personas)


def row(*values):
    return dict(zip(PERSONAS, values, strict=True))


#                                       op  op_b coord asses lead  outs  admin anon
TABLE = {
    "may_view_government":          row(T,  T,   T,    T,    T,    F,    T,    F),
    "may_view_agency":              row(T,  F,   T,    T,    T,    F,    T,    F),
    "may_answer":                   row(T,  F,   F,    F,    F,    F,    F,    F),
    "may_return":                   row(F,  F,   T,    F,    F,    F,    T,    F),
    "may_verify":                   row(F,  F,   F,    T,    F,    F,    F,    F),
    "may_read_verification":        row(F,  F,   F,    T,    F,    F,    T,    F),
    "may_see_unpublished":          row(F,  F,   F,    T,    F,    F,    T,    F),
    "may_read_verified_live":       row(F,  F,   F,    T,    F,    F,    T,    F),
    "may_read_verified_published":  row(T,  T,   T,    T,    T,    T,    T,    T),
    "may_read_rapor_live":          row(F,  F,   F,    T,    F,    F,    T,    F),
    "may_watch_progress":           row(F,  F,   T,    T,    T,    F,    T,    F),
    "may_compare_live":             row(F,  F,   F,    T,    F,    F,    T,    F),
    "may_compare_published":        row(F,  F,   T,    T,    T,    F,    T,    F),
    "may_follow_up":                row(T,  F,   T,    F,    F,    F,    T,    F),
    "may_see_unpublished_ranking":  row(F,  F,   F,    F,    F,    F,    T,    F),
    "may_see_published_ranking":    row(T,  T,   T,    T,    T,    T,    T,    T),
    "may_download_province_report": row(F,  F,   F,    T,    F,    F,    T,    F),
    "may_manage_users":             row(F,  F,   T,    F,    F,    F,    T,    F),
    "may_administer":               row(F,  F,   F,    F,    F,    F,    T,    F),
    "may_manage_instruments":       row(F,  F,   F,    F,    F,    F,    T,    F),
    "may_download_national_workbook": row(F, F,  F,    F,    F,    F,    T,    F),
    "may_answer_obstacle":          row(F,  F,   F,    F,    T,    F,    F,    F),
    "may_read_leader_reports":      row(F,  F,   T,    F,    T,    F,    T,    F),
    "may_keep_products":            row(T,  F,   F,    F,    F,    F,    T,    F),
    "may_sample_products":          row(F,  F,   T,    T,    F,    F,    T,    F),
    "may_use_assessor_queue":       row(F,  F,   F,    T,    F,    F,    T,    F),
    "may_read_ombudsman_products":  row(F,  F,   T,    T,    T,    F,    T,    F),
    "may_keep_ombudsman_products":  row(F,  F,   T,    F,    F,    F,    T,    F),
    "may_verify_ombudsman_products": row(F, F,   F,    T,    F,    F,    F,    F),
}


@pytest.fixture
def asked(personas, live_round):
    unit = live_round["assessments"]["a"]
    government = live_round["government"]
    live, published = live_round["round"], Round.objects.get(year=2021)
    sultra = list(Government.objects.filter(province_id=government.province_id)
                  .values_list("id", flat=True))
    questions = {
        "may_view_government": lambda u: access.may_view_government(u, government.id),
        "may_view_agency": lambda u: access.may_view_agency(u, unit.agency),
        "may_answer": lambda u: access.may_answer(u, unit),
        "may_return": lambda u: access.may_return(u, unit),
        "may_verify": lambda u: access.may_verify(u, unit),
        "may_read_verification": lambda u: access.may_read_verification(u, unit),
        "may_see_unpublished": lambda u: access.may_see_unpublished(u, government.id),
        "may_read_verified_live": lambda u: access.may_read_verified(u, live, government.id),
        "may_read_verified_published": lambda u: access.may_read_verified(u, published,
                                                                          government.id),
        "may_read_rapor_live": lambda u: access.may_read_rapor(u, unit),
        "may_watch_progress": lambda u: access.may_watch_progress(u, government.id),
        "may_compare_live": lambda u: access.may_compare(u, government.id, live),
        "may_compare_published": lambda u: access.may_compare(u, government.id, published),
        "may_follow_up": lambda u: access.may_follow_up(u, unit.agency),
        "may_see_unpublished_ranking": lambda u: access.may_see_unpublished_ranking(u, live),
        "may_see_published_ranking": lambda u: access.may_see_unpublished_ranking(u, published),
        "may_download_province_report": lambda u: access.may_download_province_report(u, sultra),
        "may_manage_users": access.may_manage_users,
        "may_administer": access.may_administer,
        "may_manage_instruments": access.may_manage_instruments,
        "may_download_national_workbook": access.may_download_national_workbook,
        "may_answer_obstacle": lambda u: access.may_answer_obstacle(u, unit.agency),
        "may_read_leader_reports": lambda u: access.may_read_leader_reports(u, government.id),
        "may_keep_products": lambda u: access.may_keep_products(u, unit.agency),
        "may_sample_products": lambda u: access.may_sample_products(u, unit),
        "may_use_assessor_queue": access.may_use_assessor_queue,
        "may_read_ombudsman_products": lambda u: access.may_read_ombudsman_products(
            u, government.id),
        "may_keep_ombudsman_products": lambda u: access.may_keep_ombudsman_products(
            u, government.id),
        "may_verify_ombudsman_products": lambda u: access.may_verify_ombudsman_products(
            u, government.id),
    }
    users = {name: user or AnonymousUser() for name, user in personas.items()}
    return {rule: {name: bool(ask(users[name])) for name in PERSONAS}
            for rule, ask in questions.items()}


@pytest.mark.django_db
def test_every_rule_gives_exactly_the_table(asked):
    assert set(asked) == set(TABLE)
    wrong = [f"{rule} for {persona}: the table says {TABLE[rule][persona]}, the rule says "
             f"{asked[rule][persona]}"
             for rule in TABLE for persona in PERSONAS
             if asked[rule][persona] != TABLE[rule][persona]]
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_visible_governments_and_export_rows(personas, live_round):
    muna_barat, kendari = live_round["government"], live_round["kendari"]
    agencies = live_round["agencies"]

    def names(user):
        return set(access.visible_governments(user).values_list("name", flat=True))

    assert names(personas["operator"]) == {"Kabupaten Muna Barat"}
    assert names(personas["leader"]) == {"Kabupaten Muna Barat"}
    assert names(personas["outsider"]) == {"Kota Kendari"}
    assert names(AnonymousUser()) == set()
    assert names(personas["admin"]) >= {"Kabupaten Muna Barat", "Kota Kendari"}
    # Which of Muna Barat's agencies an export may hold (None: all of them).
    assert access.report_agency_ids(personas["operator"], muna_barat.id) == {agencies["a"].id}
    assert access.report_agency_ids(personas["operator_b"], muna_barat.id) == {agencies["b"].id}
    assert access.report_agency_ids(personas["operator"], kendari.id) == set()
    assert access.report_agency_ids(personas["coordinator"], muna_barat.id) is None
    assert access.report_agency_ids(personas["assessor"], muna_barat.id) is None
    assert access.report_agency_ids(personas["admin"], kendari.id) is None
    assert access.report_agency_ids(personas["outsider"], muna_barat.id) == set()


@pytest.mark.django_db
def test_a_coordinator_grants_only_in_their_government(personas, live_round):
    coordinator, kendari = personas["coordinator"], live_round["kendari"]
    muna_barat = live_round["government"]
    assert access.grant_refusal(coordinator, role="leader", government=muna_barat) is None
    assert access.grant_refusal(coordinator, role="leader", government=kendari)
    assert access.grant_refusal(coordinator, role="assessor", government=muna_barat)
    assert access.grant_refusal(coordinator, role="administrator")
    assert access.grant_refusal(personas["leader"], role="leader", government=muna_barat)
    assert access.grant_refusal(personas["admin"], role="assessor", government=kendari) is None
    assert sorted(access.grantable_roles(coordinator)) == ["coordinator", "leader", "operator"]
    assert access.grantable_roles(personas["leader"]) == []


def test_no_permission_predicate_outside_the_policy_module():
    """Reading memberships to decide a right belongs to agencies/access.py alone: no view,
    export, selector, service, form or template keeps its own predicate."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    policy = root / "agencies" / "access.py"
    pattern = re.compile(r"scope_of\(|\.administrator\b|operator_agencies|coordinator_governments"
                         r"|leader_governments|assessor_governments|managed_governments"
                         r"|is_superuser\b(?! = )|scope\.governments")
    offenders = []
    for folder in ("agencies", "assessments", "audit", "compliance", "notifications",
                   "templates"):
        for path in sorted((root / folder).rglob("*")):
            if path == policy or "migrations" in path.parts or path.suffix not in (".py",
                                                                                   ".html"):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
