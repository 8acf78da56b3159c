"""The permission matrix: every URL name of the project's resolver × every persona × GET and
POST, each answer checked against the access policy's table (``agencies.access.ROUTES``).

A URL without a row in ``ROUTES`` (or without a target here) fails the test, so a new page
cannot skip the policy. For each request the expected answer is derived from the route's rules
evaluated for that persona: outside the scope 404, a method the route does not take 405, in
scope without the right 403, anonymous visitors of a non-public route the login page; any other
answer must be a success (200, a redirect that is not to the login page, or a 400 form error).
Every request runs in a transaction rolled back afterwards, so one persona's successful write
cannot change what the next one is answered.

The rules themselves are pinned down with literal tables in tests/test_access_policy.py; this
file proves that every view asks them. Django's own admin site (``admin:`` names) is guarded by
Django's staff flag and is checked separately at the end.
"""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agencies import access
from agencies.models import Government, Membership
from assessments.models import ActionItem, Obstacle, Round, RoundGovernment
from assessments.models import LeaderReport
from exports.models import ExportJob

from compliance.models import Indicator
from tests.checklists import checklist
from notifications.models import Notification
from notifications.tokens import preference_token

from .assessments.helpers import file_and_link_evidence
from .conftest import (Sessions, build_live_round, build_personas, build_sultra_from_scratch,
                       build_world_once)

PERSONAS = ["operator", "operator_b", "coordinator", "assessor", "leader", "outsider", "admin",
            "anonymous"]


def url_names(resolvers, namespace=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name


ALL_NAMES = sorted(set(url_names(get_resolver().url_patterns)))
PROJECT_NAMES = [name for name in ALL_NAMES if not name.startswith("admin:")]


class Rollback(Exception):
    pass


def build_matrix():
    """The conftest's Sulawesi Tenggara, live round and personas, plus one of everything a URL
    of the matrix names."""
    live_round = build_live_round(build_sultra_from_scratch())
    personas = build_personas(live_round)
    return personas, build_targets(live_round, personas)


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    """Built once for the module (it cost ~1.8 s per URL name, most of the module's time):
    every request already runs in a transaction that is rolled back, and each test in a
    savepoint of the module's, so every test starts from the same rows."""
    yield from build_world_once(django_db_blocker, build_matrix)


@pytest.fixture
def personas(matrix, db):
    """The module's personas (in place of the conftest's, built per test)."""
    return matrix[0]


@pytest.fixture
def world(matrix, db):
    return matrix[1]


def build_targets(live_round, personas):
    assessment = live_round["assessments"]["a"]
    assessment.status = "submitted"  # so that "return" has something to return
    assessment.save()
    indicator = checklist().filter(active=True).first()
    evidence, link = file_and_link_evidence(assessment, indicator)
    agency = assessment.agency
    action = ActionItem.objects.create(agency=agency, title="Perbarui SK standar pelayanan")
    obstacle = Obstacle.objects.create(agency=agency, description="Anggaran belum tersedia")
    membership = Membership.objects.get(user=personas["operator"])
    RoundGovernment.objects.create(round=live_round["round"], government=live_round["government"])
    notification = Notification.objects.create(recipient=personas["operator"], kind="returned",
                                               params={"agency": agency.name},
                                               dedupe_key="matrix:1")
    from django.core.files.storage import default_storage
    path = default_storage.save("leader-reports/matrix.xlsx", ContentFile(b"PK"))
    report = LeaderReport.objects.create(government=live_round["government"], frequency="weekly",
                                         period_start="2026-01-05", period_end="2026-01-11",
                                         file=path)
    from datetime import timedelta

    from django.utils import timezone
    job = ExportJob.objects.create(  # the leader's finished workbook of their government
        user=personas["leader"], kind="government", status="done", progress=100,
        params={"round": live_round["round"].id, "government": live_round["government"].id},
        file=default_storage.save("exports/matrix/rapor.xlsx", ContentFile(b"PK")),
        filename="rapor.xlsx", content_type="application/octet-stream",
        expires_at=timezone.now() + timedelta(days=7))
    from assessments.models import ProductSample, ServiceProduct
    product = ServiceProduct.objects.create(agency=agency, name="Izin usaha", kind="administrative")
    sample = ProductSample.objects.create(assessment=assessment, product=product)
    instrument = live_round["round"].instrument
    per_product = Indicator.objects.create(  # the checklist instruments have none
        instrument=instrument, dimension=instrument.dimensions.first(), code="matrix-pp",
        order=99, text_id="Produk", text_en="Product", scale="0_3", per_product=True)
    Indicator.objects.create(  # the round's products page needs its instrument to ask for it
        instrument=instrument, dimension=instrument.dimensions.first(),
        code="tindak-lanjut-produk-ombudsman", order=98, text_id="Tindak lanjut",
        text_en="Follow-up", scale="0_3")
    from assessments.models import OmbudsmanProduct
    ombudsman = OmbudsmanProduct(
        government=live_round["government"], round=live_round["round"], kind="suggestion",
        reference="S/1/2026", issued_on="2026-01-05", due_on="2026-02-05")
    ombudsman.evidence_file.save("x.pdf", ContentFile(b"%PDF-1.4"), save=False)
    ombudsman.save()
    return {
        "ombudsman": ombudsman,
        "product": product, "sample": sample, "per_product": per_product,
        "notification": notification, "report": report, "job": job,
        "live": live_round["round"], "published": Round.objects.get(year=2021),
        "government": live_round["government"], "assessment": assessment, "agency": agency,
        "indicator": indicator, "evidence": evidence, "link": link, "action": action,
        "obstacle": obstacle, "account": personas["operator"], "membership": membership,
        "province_ids": list(Government.objects.filter(
            province_id=live_round["government"].province_id).values_list("id", flat=True)),
    }


def targets(w):
    """name -> list of (url, post data, the objects the route's rules are asked about)."""
    gov, a, live, pub = w["government"], w["assessment"], w["live"], w["published"]
    province = gov.province_id
    on_gov = {"government": gov, "round": live}
    on_unit = {"government": gov, "agency": a.agency, "assessment": a, "round": live}
    answer = {"value": "1", "version": "0"}
    one = lambda url, data=None, objects=None: [(url, data or {}, objects or {})]  # noqa: E731
    return {
        "login": one(reverse("login")),
        "logout": one(reverse("logout")),
        "set_language": one(reverse("set_language"), {"language": "en", "next": "/"}),
        "home": one(reverse("home")),
        "public-results": one(reverse("public-results")),
        "public-round": [(reverse("public-round", args=[r.id]), {}, {"round": r})
                         for r in (pub, live)],
        "api-rankings": one(reverse("api-rankings") + "?year=2021"),
        "api-government-history": one(reverse("api-government-history", args=[gov.id])),
        "ranking-index": one(reverse("ranking-index")),
        "methodology-list": one(reverse("methodology-list")),
        "methodology-detail": one(reverse("methodology-detail", args=["ombudsman-2025"])),
        "ranking-national": [(reverse("ranking-national", args=[r.id]), {}, {"round": r})
                             for r in (pub, live)],
        "ranking-province": [(reverse("ranking-province", args=[r.id, province]), {},
                              {"round": r}) for r in (pub, live)],
        "ranking-province-xlsx": [(reverse("ranking-province-xlsx", args=[r.id, province]), {},
                                   {"round": r}) for r in (pub, live)],
        "ranking-national-xlsx": [(reverse("ranking-national-xlsx", args=[r.id]), {},
                                   {"round": r}) for r in (pub, live)],
        "government-detail": one(reverse("government-detail", args=[gov.id]), None, on_gov),
        "government-dashboard": one(reverse("government-dashboard", args=[gov.id]), None,
                                    on_gov),
        "government-report-xlsx": one(reverse("government-report-xlsx", args=[live.id, gov.id]),
                                      None, on_gov),
        "province-report-xlsx": one(reverse("province-report-xlsx", args=[live.id, province]),
                                    None, {"province_ids": w["province_ids"]}),
        "progress-board": one(reverse("progress-board", args=[gov.id]), None, on_gov),
        "government-actions": one(reverse("government-actions", args=[gov.id]), None, on_gov),
        "comparison": [(reverse("comparison", args=[gov.id, r.id]), {},
                        {"government": gov, "round": r}) for r in (live, pub)],
        "government-rapor-pdf": [(reverse("government-rapor-pdf", args=[gov.id, r.id]), {},
                                  {"government": gov, "round": r}) for r in (live, pub)],
        "checklist": one(reverse("checklist", args=[a.id]), None, on_unit),
        "checklist-history": one(reverse("checklist-history", args=[a.id]), None, on_unit),
        "answer-save": one(reverse("answer-save", args=[a.id, w["indicator"].id]), answer,
                           on_unit),
        "evidence-add": one(reverse("evidence-add", args=[a.id, w["indicator"].id]),
                            {"url": "https://example.org/b"}, on_unit),
        "evidence-remove": one(reverse("evidence-remove", args=[a.id, w["link"].id]), None,
                               on_unit),
        "evidence-download": one(reverse("evidence-download", args=[w["evidence"].id]), None,
                                 on_unit),
        "standing-confirm": one(reverse("standing-confirm", args=[a.id, w["indicator"].id]),
                                None, on_unit),
        "checklist-submit": one(reverse("checklist-submit", args=[a.id]), {"confirmed": "1"},
                                on_unit),
        "checklist-submit-confirm": one(reverse("checklist-submit-confirm", args=[a.id]), None,
                                        on_unit),
        "checklist-return": one(reverse("checklist-return", args=[a.id]),
                                {"comment": "Perbaiki"}, on_unit),
        "rapor": one(reverse("rapor", args=[a.id]), None, on_unit),
        "rapor-xlsx": one(reverse("rapor-xlsx", args=[a.id]), None, on_unit),
        "rapor-pdf": one(reverse("rapor-pdf", args=[a.id]), None, on_unit),
        "verify": one(reverse("verify", args=[a.id]), None, on_unit),
        "verify-save": one(reverse("verify-save", args=[a.id, w["indicator"].id]),
                           {"verified_value": "1", "version": "0"}, on_unit),
        "verify-survey": one(reverse("verify-survey", args=[a.id]), {"survey_score": "80"},
                             on_unit),
        "verify-finalise": one(reverse("verify-finalise", args=[a.id]), {"confirmed": "1"},
                               on_unit),
        "verify-finalise-confirm": one(reverse("verify-finalise-confirm", args=[a.id]), None,
                                       on_unit),
        "agency-actions": one(reverse("agency-actions", args=[a.agency.id]), None, on_unit),
        "action-create": one(reverse("action-create", args=[a.agency.id]),
                             {"title": "Susun SOP"}, on_unit),
        "action-update": one(reverse("action-update", args=[a.agency.id, w["action"].id]),
                             {"status": "done"}, on_unit),
        "obstacle-report": one(reverse("obstacle-report", args=[a.agency.id]),
                               {"description": "Belum ada anggaran"}, on_unit),
        "obstacle-resolve": one(reverse("obstacle-resolve",
                                        args=[a.agency.id, w["obstacle"].id]), None, on_unit),
        "user-list": one(reverse("user-list")),
        "user-create": one(reverse("user-create")),
        "user-agency-options": one(reverse("user-agency-options")),
        "user-detail": one(reverse("user-detail", args=[w["account"].id]), None,
                           {"account": w["account"]}),
        "membership-grant": one(reverse("membership-grant", args=[w["account"].id]),
                                {"role": "leader", "governments": [gov.id]},
                                {"account": w["account"]}),
        "membership-revoke": one(reverse("membership-revoke",
                                         args=[w["account"].id, w["membership"].id]), None,
                                 {"account": w["account"]}),
        "agency-import": one(reverse("agency-import")),
        "agency-import-template": one(reverse("agency-import-template")),
        "government-merge": one(reverse("government-merge")),
        "government-aliases": one(reverse("government-aliases")),
        "instrument-list": one(reverse("instrument-list"), {"methodology": str(live.methodology_id),
                                                           "version": "matrix"}),
        "instrument-export": one(reverse("instrument-export", args=[live.instrument_id])),
        "round-list": one(reverse("round-list")),
        "round-create": one(reverse("round-create"), {"name": "Uji", "year": "2027"}),
        "round-detail": one(reverse("round-detail", args=[live.id])),
        "round-transition": one(reverse("round-transition", args=[live.id]),
                                {"to_state": "verification", "confirmed": "1"}),
        "round-transition-confirm": [
            (reverse("round-transition-confirm", args=[live.id, to_state]), {}, {})
            for to_state in ("verification", "published", "no-such-state")],
        "round-government": one(reverse("round-government", args=[live.id, gov.id])),
        "round-not-assessed": one(reverse("round-not-assessed", args=[live.id, gov.id]),
                                  {"not_assessed": "on", "reason": "Uji"}),
        "audit-log": one(reverse("audit-log")),
        "obstacle-answer": one(reverse("obstacle-answer", args=[a.agency.id, w["obstacle"].id]),
                               {"answer": "Anggaran perubahan"}, on_unit),
        "leader-report-list": one(reverse("leader-report-list", args=[gov.id]), None, on_gov),
        "leader-report-download": one(reverse("leader-report-download",
                                              args=[gov.id, w["report"].id]), None, on_gov),
        "notification-list": one(reverse("notification-list")),
        "notification-bell": one(reverse("notification-bell")),
        "notification-read": one(reverse("notification-read", args=[w["notification"].id]),
                                 None, {"notification": w["notification"]}),
        "notification-read-all": one(reverse("notification-read-all")),
        "products": one(reverse("products", args=[a.agency.id]),
                        {"name": "Izin reklame", "kind": "administrative"}, on_unit),
        "product-update": one(reverse("product-update", args=[a.agency.id, w["product"].id]),
                              {"name": "Izin usaha", "kind": "administrative", "active": "on"},
                              on_unit),
        "product-sample": one(reverse("product-sample", args=[a.id]),
                              {"products": [w["product"].id]}, on_unit),
        "checklist-product": one(reverse("checklist-product", args=[a.id, w["sample"].id]),
                                 None, on_unit),
        "product-answer-save": one(reverse("product-answer-save",
                                           args=[a.id, w["sample"].id, w["per_product"].id]),
                                   answer, on_unit),
        "sources": one(reverse("sources", args=[a.id]), None, on_unit),
        "source-interview": one(reverse("source-interview", args=[a.id]),
                                {"role": "head", "interviewed_on": "2026-06-15",
                                 "version": "0"}, on_unit),
        "source-observation": one(reverse("source-observation", args=[a.id, w["sample"].id]),
                                  {"observed_on": "2026-06-15", "version": "0"}, on_unit),
        "source-survey": one(reverse("source-survey", args=[a.id]),
                             {"respondents": "30", "aggregate_score": "80", "version": "0"},
                             on_unit),
        "source-complaint": one(reverse("source-complaint", args=[a.id]),
                                {"channel": "sp4n_lapor", "received": "3", "resolved": "2"},
                                on_unit),
        "source-visit": one(reverse("source-visit", args=[a.id]),
                            {"planned_on": "2026-06-20"}, on_unit),
        "assessor-queue": one(reverse("assessor-queue")),
        "ombudsman-products": one(reverse("ombudsman-products", args=[gov.id, live.id]),
                                  {"kind": "corrective_action", "reference": "TK/9/2026",
                                   "issued_on": "2026-01-05", "due_on": "2026-02-05",
                                   "status": "open"}, on_gov),
        "ombudsman-product-edit": one(reverse("ombudsman-product-edit",
                                              args=[gov.id, live.id, w["ombudsman"].id]),
                                      {"kind": "suggestion", "reference": "S/1/2026",
                                       "issued_on": "2026-01-05", "due_on": "2026-02-05",
                                       "status": "followed_up",
                                       "followed_up_on": "2026-02-01"}, on_gov),
        "ombudsman-product-delete": one(reverse("ombudsman-product-delete",
                                                args=[gov.id, live.id, w["ombudsman"].id]),
                                        None, on_gov),
        "ombudsman-product-evidence": one(reverse("ombudsman-product-evidence",
                                                  args=[gov.id, live.id, w["ombudsman"].id]),
                                          None, on_gov),
        "ombudsman-product-verify": one(reverse("ombudsman-product-verify",
                                                args=[gov.id, live.id, w["ombudsman"].id]),
                                        None, on_gov),
        "ombudsman-products-apply": one(reverse("ombudsman-products-apply",
                                                args=[gov.id, live.id]), None, on_gov),
        "notification-preferences": one(reverse("notification-preferences")),
        "notification-unsubscribe": one(reverse("notification-unsubscribe", args=[
            preference_token(user=w["account"], kind="returned")])),
        "export-request-national": one(reverse("export-request-national", args=[live.id])),
        "export-request-province": one(reverse("export-request-province",
                                               args=[live.id, province]), None,
                                       {"province_ids": w["province_ids"]}),
        "export-request-government": one(reverse("export-request-government",
                                                 args=[live.id, gov.id]), None, on_gov),
        "export-request-government-rapor": [
            (reverse("export-request-government-rapor", args=[r.id, gov.id]), {},
             {"government": gov, "round": r}) for r in (live, pub)],
        "export-list": one(reverse("export-list")),
        "export-job": one(reverse("export-job", args=[w["job"].id]), None, {"job": w["job"]}),
        "export-job-status": one(reverse("export-job-status", args=[w["job"].id]), None,
                                 {"job": w["job"]}),
        "export-job-download": one(reverse("export-job-download", args=[w["job"].id]), None,
                                   {"job": w["job"]}),
    }


# How each rule of ROUTES is asked, from the objects a target names.
RULE_ARGS = {
    "may_view_government": lambda o: (o["government"].id,),
    "may_view_agency": lambda o: (o["agency"],),
    "may_answer": lambda o: (o["assessment"],),
    "may_return": lambda o: (o["assessment"],),
    "may_verify": lambda o: (o["assessment"],),
    "may_read_verification": lambda o: (o["assessment"],),
    "may_read_rapor": lambda o: (o["assessment"],),
    "may_watch_progress": lambda o: (o["government"].id,),
    "may_compare": lambda o: (o["government"].id, o["round"]),
    "may_follow_up": lambda o: (o["agency"],),
    "may_see_unpublished_ranking": lambda o: (o["round"],),
    "may_download_province_report": lambda o: (o["province_ids"],),
    "may_manage_users": lambda o: (),
    "may_administer": lambda o: (),
    "may_manage_instruments": lambda o: (),
    "may_read_notification": lambda o: (o["notification"],),
    "may_answer_obstacle": lambda o: (o["agency"],),
    "may_read_leader_reports": lambda o: (o["government"].id,),
    "may_download_national_workbook": lambda o: (),
    "may_read_export_job": lambda o: (o["job"],),
    "may_keep_products": lambda o: (o["agency"],),
    "may_sample_products": lambda o: (o["assessment"],),
    "may_use_assessor_queue": lambda o: (),
    "may_read_ombudsman_products": lambda o: (o["government"].id,),
    "may_keep_ombudsman_products": lambda o: (o["government"].id,),
    "may_verify_ombudsman_products": lambda o: (o["government"].id,),
}


GLOBAL_RULES = {"may_manage_users", "may_administer", "may_download_national_workbook",
                "may_manage_instruments", "may_use_assessor_queue"}  # rules about the user alone


def scope_holds(rule, user, objects):
    if rule is None:
        return True
    if rule == "published_round":
        return objects["round"].is_published
    if rule == "users_managed_by":
        return access.users_managed_by(user).filter(pk=objects["account"].pk).exists()
    return getattr(access, rule)(user, *RULE_ARGS[rule](objects))


def expected_outcome(route, method, user, objects):
    rule = route.get if method == "GET" else route.post
    public_route = access.PUBLIC in (route.get, route.post)
    if user is None:
        if rule == access.PUBLIC:
            return "ok" if scope_holds(route.scope, AnonymousUser(), objects) else 404
        return 405 if public_route else "login"
    if rule is None:
        return 405
    global_rule = rule in GLOBAL_RULES
    if global_rule and not getattr(access, rule)(user):
        return 403  # a right held nowhere: refused before any lookup
    if not scope_holds(route.scope, user, objects):
        return 404
    if rule in (access.PUBLIC, access.LOGIN) or global_rule:
        return "ok"
    return "ok" if getattr(access, rule)(user, *RULE_ARGS[rule](objects)) else 403


def matches(outcome, response):
    location = response.get("Location", "")
    to_login = response.status_code == 302 and location.startswith(reverse("login"))
    if outcome == "login":
        return to_login
    if outcome == "ok":
        return response.status_code in (200, 302, 400) and not to_login
    return response.status_code == outcome


def test_every_url_name_has_a_rule_in_the_policy():
    # A literal: a URL name that disappears from the resolver (with its ROUTES row) fails here;
    # a new one is counted in by hand, with its ROUTES row and target.
    assert len(PROJECT_NAMES) == 101, sorted(PROJECT_NAMES)
    missing = [name for name in PROJECT_NAMES if name not in access.ROUTES]
    assert not missing, f"URLs without a rule in agencies.access.ROUTES: {missing}"
    stale = sorted(set(access.ROUTES) - set(PROJECT_NAMES))
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def test_every_rule_named_in_the_table_exists():
    for name, route in access.ROUTES.items():
        for rule in (route.scope, route.get, route.post):
            if rule in (None, access.PUBLIC, access.LOGIN, "published_round",
                        "users_managed_by"):
                continue
            assert callable(getattr(access, rule, None)), (name, rule)
            assert rule in RULE_ARGS, (name, rule)


@pytest.mark.parametrize("name", PROJECT_NAMES)
@pytest.mark.django_db
def test_permission_matrix(client, personas, world, name):
    route = access.ROUTES[name]
    cases = targets(world).get(name)
    assert cases, f"no target for {name}: add one to targets()"
    failures, checked = [], 0
    sessions = Sessions()  # each persona logs in once; every request starts from its session
    for url, data, objects in cases:
        for persona in PERSONAS:
            user = personas[persona]
            for method in ("GET", "POST"):
                outcome = expected_outcome(route, method, user, objects)
                sessions.use(client, user)
                try:
                    with transaction.atomic():
                        response = client.post(url, data) if method == "POST" \
                            else client.get(url)
                        raise Rollback
                except Rollback:
                    pass
                checked += 1
                if not matches(outcome, response):
                    failures.append(f"{method} {url} as {persona}: expected {outcome}, got "
                                    f"{response.status_code} {response.get('Location', '')}")
    # 8 personas × GET and POST per target, a literal: dropping a persona from PERSONAS (or a
    # method) must not shrink the matrix unnoticed.
    assert checked == len(cases) * 16
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_django_admin_is_for_staff_only(client, personas):
    """The ``admin:`` URLs: Django sends anyone without the staff flag to its own login."""
    admin_names = [name for name in ALL_NAMES if name.startswith("admin:")]
    assert "admin:index" in admin_names
    for persona in ("operator", "coordinator", "assessor", "leader", "anonymous"):
        client.logout()
        if personas[persona] is not None:
            client.force_login(personas[persona])
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302, persona
        assert response["Location"].startswith(reverse("admin:login")), persona
