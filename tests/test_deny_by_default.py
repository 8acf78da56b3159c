"""Deny by default: every URL the project has (walked from the resolver, so a new one is
covered the day it is added) sends an anonymous visitor to the login page, for GET and POST,
unless it is on the short public list: login itself, the language switch, the public results
pages and published rankings, the methodology pages, and the JSON API of published data.
Those public pages answer 404 for a round that is not published."""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = {
    "login", "logout", "set_language", "home",
    "public-results", "public-round", "api-rankings", "api-government-history",
    "ranking-index", "ranking-national", "ranking-province", "ranking-province-xlsx",
    "ranking-national-xlsx",
    # how each methodology scores (published rules, no figures of any government)
    "methodology-list", "methodology-detail",
    # the one-click link of a mail: its signed token is the credential (a forged or expired
    # one is refused with 400, below)
    "notification-unsubscribe",
}
# Public pages that take a round: an unpublished round is not found.
ROUND_PAGES = {"public-round", "ranking-national", "ranking-province", "ranking-province-xlsx",
               "ranking-national-xlsx"}


def patterns(resolvers, prefix=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            yield from patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry


def url_for(pattern, value):
    names = list(pattern.pattern.regex.groupindex)
    return reverse(pattern.name, kwargs={name: value for name in names})


ALL = list(patterns(get_resolver().url_patterns))


def test_the_walk_finds_the_project_urls():
    names = {p.name for p in ALL}
    assert {"checklist", "verify-save", "audit-log", "evidence-download", "api-rankings"} <= names
    assert PUBLIC <= names


@pytest.mark.django_db
def test_anonymous_visitors_go_to_login_and_see_nothing_unpublished(client, live_round):
    login = reverse("login") + "?next="
    private = [p for p in ALL if p.name not in PUBLIC]
    assert len(private) > 30
    refused = []
    for pattern in private:
        url = url_for(pattern, live_round["assessments"]["a"].pk)
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code != 302 or not response.headers["Location"].startswith(login):
                refused.append(f"{method.__name__.upper()} {url}: {response.status_code}")
    assert not refused, "\n".join(refused)
    for name in sorted(ROUND_PAGES):  # public pages of a round: not while unpublished
        pattern = next(p for p in ALL if p.name == name)
        kwargs = {key: (live_round["round"].pk if key == "round_id"
                        else live_round["government"].province_id)
                  for key in pattern.pattern.regex.groupindex}
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name
    forged = reverse("notification-unsubscribe", args=["eyJ1IjoxLCJrIjoiIn0:1a:forged"])
    assert client.get(forged).status_code == 400
    assert client.post(forged).status_code == 400
