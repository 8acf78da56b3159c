"""Every URL × every persona: outside your scope 404, in scope without the right 403,
anonymous users to the login page (except the public results)."""
import pytest
from django.urls import reverse

from assessments.models import Evidence, Round
from compliance.models import Indicator

PERSONAS = ["operator", "operator_b", "coordinator", "assessor", "leader", "outsider", "admin",
            "anonymous"]
LOGIN = "login"


def row(*statuses):
    return dict(zip(PERSONAS, statuses))


# status per persona, in PERSONAS order; LOGIN = redirect to the login page; 302 = a redirect
# back to the page after a successful form post.
MATRIX = {
    ("GET", "home"): row(200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "ranking-index"): row(200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "ranking-published"): row(200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "ranking-published-xlsx"): row(200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "ranking-live"): row(404, 404, 404, 200, 404, 404, 200, 404),
    ("GET", "ranking-national"): row(200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "government-dashboard"): row(200, 200, 200, 200, 200, 404, 200, LOGIN),
    ("GET", "government-report-xlsx"): row(200, 200, 200, 200, 200, 404, 200, LOGIN),
    ("GET", "province-report-xlsx"): row(403, 403, 403, 200, 403, 403, 200, LOGIN),
    ("GET", "government-detail"): row(200, 200, 200, 200, 200, 404, 200, LOGIN),
    ("GET", "progress-board"): row(403, 403, 200, 200, 200, 404, 200, LOGIN),
    ("GET", "checklist"): row(200, 404, 200, 200, 200, 404, 200, LOGIN),
    ("GET", "checklist-history"): row(200, 404, 200, 200, 200, 404, 200, LOGIN),
    ("GET", "evidence-download"): row(200, 404, 200, 200, 200, 404, 200, LOGIN),
    ("POST", "answer-save"): row(302, 404, 403, 403, 403, 404, 403, LOGIN),
    ("POST", "evidence-add"): row(302, 404, 403, 403, 403, 404, 403, LOGIN),
    ("POST", "evidence-remove"): row(302, 404, 403, 403, 403, 404, 403, LOGIN),
    ("POST", "checklist-submit"): row(302, 404, 403, 403, 403, 404, 403, LOGIN),
    ("POST", "checklist-return"): row(403, 404, 302, 403, 403, 404, 302, LOGIN),
    ("GET", "verify"): row(403, 404, 403, 200, 403, 404, 200, LOGIN),
    ("POST", "verify-save"): row(403, 404, 403, 302, 403, 404, 403, LOGIN),
    ("POST", "verify-survey"): row(403, 404, 403, 302, 403, 404, 403, LOGIN),
    ("POST", "verify-finalise"): row(403, 404, 403, 302, 403, 404, 403, LOGIN),
}


@pytest.fixture
def targets(live_round, personas, tmp_path):
    from django.core.files.base import ContentFile

    assessment = live_round["assessments"]["a"]
    assessment.status = "submitted"  # so that "return" has something to return
    assessment.save()
    indicator = Indicator.objects.first()
    evidence = Evidence(assessment=assessment, indicator=indicator, kind="file",
                        original_name="sk.pdf", size=8, sha256="0" * 64)
    evidence.file.save("x", ContentFile(b"%PDF-1.4"), save=False)
    evidence.save()
    link = Evidence.objects.create(assessment=assessment, indicator=indicator, kind="link",
                                   url="https://example.org")
    published = Round.objects.get(year=2021)
    province = live_round["government"].province_id
    government = live_round["government"].id
    return {
        "home": (reverse("home"), {}),
        "ranking-index": (reverse("ranking-index"), {}),
        "ranking-published": (reverse("ranking-province", args=[published.id, province]), {}),
        "ranking-published-xlsx": (reverse("ranking-province-xlsx",
                                           args=[published.id, province]), {}),
        "ranking-live": (reverse("ranking-province", args=[live_round["round"].id, province]),
                         {}),
        "government-detail": (reverse("government-detail", args=[government]), {}),
        "ranking-national": (reverse("ranking-national", args=[published.id]), {}),
        "government-dashboard": (reverse("government-dashboard", args=[government]), {}),
        "government-report-xlsx": (reverse("government-report-xlsx",
                                           args=[live_round["round"].id, government]), {}),
        "province-report-xlsx": (reverse("province-report-xlsx",
                                         args=[live_round["round"].id, province]), {}),
        "progress-board": (reverse("progress-board", args=[government]), {}),
        "checklist": (reverse("checklist", args=[assessment.id]), {}),
        "checklist-history": (reverse("checklist-history", args=[assessment.id]), {}),
        "evidence-download": (reverse("evidence-download", args=[evidence.id]), {}),
        "answer-save": (reverse("answer-save", args=[assessment.id, indicator.id]),
                        {"value": "1", "version": "0"}),
        "evidence-add": (reverse("evidence-add", args=[assessment.id, indicator.id]),
                         {"url": "https://example.org/b"}),
        "evidence-remove": (reverse("evidence-remove", args=[assessment.id, link.id]), {}),
        "checklist-submit": (reverse("checklist-submit", args=[assessment.id]), {}),
        "checklist-return": (reverse("checklist-return", args=[assessment.id]),
                             {"comment": "Perbaiki"}),
        "verify": (reverse("verify", args=[assessment.id]), {}),
        "verify-save": (reverse("verify-save", args=[assessment.id, indicator.id]),
                        {"verified_value": "1", "version": "0"}),
        "verify-survey": (reverse("verify-survey", args=[assessment.id]),
                          {"survey_score": "80"}),
        "verify-finalise": (reverse("verify-finalise", args=[assessment.id]), {}),
    }


def _order(statuses):
    """Personas whose request succeeds go last, so that a successful write (a removal, a
    submission) cannot change what the others are answered."""
    return sorted(statuses.items(), key=lambda item: item[1] in (200, 302))


@pytest.mark.parametrize(("method", "name"), list(MATRIX), ids=[n for _m, n in MATRIX])
@pytest.mark.django_db
def test_permission_matrix(client, personas, targets, method, name):
    url, data = targets[name]
    failures = []
    for persona, expected in _order(MATRIX[(method, name)]):
        client.logout()
        if personas[persona] is not None:
            client.force_login(personas[persona])
        response = client.post(url, data) if method == "POST" else client.get(url)
        location = response.get("Location", "")
        if expected == LOGIN:
            ok = response.status_code == 302 and location.startswith(reverse("login"))
        else:
            ok = response.status_code == expected and not (
                expected == 302 and location.startswith(reverse("login")))
        if not ok:
            failures.append(f"{persona}: expected {expected}, got {response.status_code}")
    assert not failures, failures


def test_matrix_size():
    """The note quotes this figure: URL × persona cases."""
    assert sum(len(statuses) for statuses in MATRIX.values()) == len(MATRIX) * len(PERSONAS)


def test_matrix_covers_every_url_of_the_assessments_app():
    from assessments.urls import urlpatterns

    covered = {name for _method, name in MATRIX} | {"ranking-province", "ranking-province-xlsx"}
    assert {pattern.name for pattern in urlpatterns} <= covered
