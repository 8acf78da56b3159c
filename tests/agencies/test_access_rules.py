"""The rest of the access policy (agencies/access.py) as literal expectations: who is told
(the recipients of notifications), who may grant and revoke which role, the user pages'
scope, the lookups that answer 404 or 403, the navigation flags, and the per-request cache of
the scope. tests/test_access_policy.py holds the rules of the pages as one persona table.

The world is the conftest's: Muna Barat's units a (DPMPTSP) and b (Disdukcapil), Kendari's
unit k, and the personas; a few accounts are added where a rule needs them (an inactive
operator and leader, an assessor of Kendari, a superuser without a role, a newcomer without
one). Messages are compared in English, word for word.
"""
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation

from agencies import access
from agencies.models import Government, Membership, Role

from ..conftest import make_user

pytestmark = pytest.mark.django_db

MUBAR, KENDARI = "Kabupaten Muna Barat", "Kota Kendari"
# The 18 governments of Sulawesi Tenggara (agencies/data/idn-area-data, code 74; Bau-Bau as the
# Ombudsman writes it, agencies/data/display_names.csv), by name.
SULTRA = ["Kabupaten Bombana", "Kabupaten Buton", "Kabupaten Buton Selatan",
          "Kabupaten Buton Tengah", "Kabupaten Buton Utara", "Kabupaten Kolaka",
          "Kabupaten Kolaka Timur", "Kabupaten Kolaka Utara", "Kabupaten Konawe",
          "Kabupaten Konawe Kepulauan", "Kabupaten Konawe Selatan", "Kabupaten Konawe Utara",
          "Kabupaten Muna", "Kabupaten Muna Barat", "Kabupaten Wakatobi", "Kota Baubau",
          "Kota Kendari", "Provinsi Sulawesi Tenggara"]


# Built once for the module (tests/shared_round.py): every test runs in a savepoint of it.
from tests.shared_round import (  # noqa: E402,F401 (the fixtures live_round and personas)
    shared_module_live_round, shared_module_personas)


@pytest.fixture
def world(live_round, personas):
    """The personas, plus the accounts some rules need."""
    agencies, kendari = live_round["agencies"], live_round["kendari"]
    gone_operator = make_user("operator_gone", Role.OPERATOR, agency=agencies["a"])
    gone_leader = make_user("leader_gone", Role.LEADER, government=live_round["government"])
    get_user_model().objects.filter(pk__in=[gone_operator.pk, gone_leader.pk]).update(
        is_active=False)
    users = {**personas,
             "assessor_k": make_user("assessor_k", Role.ASSESSOR, government=kendari),
             "root": get_user_model().objects.create_superuser("root", password="x-Secret-2026!"),
             "newcomer": make_user("newcomer")}
    return SimpleNamespace(users=users, mubar=live_round["government"], kendari=kendari,
                           agencies=agencies)


def usernames(queryset):
    return [user.username for user in queryset]


def by_username(mapping):
    """{key: [user ids]} -> {key: [usernames]}."""
    names = dict(get_user_model().objects.values_list("id", "username"))
    return {key: [names[pk] for pk in ids] for key, ids in mapping.items()}


def english(function, *args, **kwargs):
    with translation.override("en"):
        return function(*args, **kwargs)


# --- who is told ---------------------------------------------------------------------------------

def test_the_recipients_of_each_role_are_the_active_members_in_creation_order(world):
    a, b, k = (world.agencies[key].id for key in "abk")
    assert usernames(access.operators_of([a])) == ["operator"]  # not the inactive operator_gone
    assert usernames(access.operators_of({a, b})) == ["operator", "operator_b"]
    assert usernames(access.operators_of([k])) == []
    assert usernames(access.coordinators_of([world.mubar.id])) == ["coordinator"]
    assert usernames(access.coordinators_of([world.kendari.id])) == []
    assert usernames(access.leaders_of([world.mubar.id])) == ["leader"]  # not leader_gone
    assert usernames(access.leaders_of([world.kendari.id, world.mubar.id])) == ["leader",
                                                                               "outsider"]
    assert usernames(access.assessors_of([world.mubar.id])) == ["assessor"]
    assert usernames(access.assessors_of([world.kendari.id])) == ["assessor_k"]


def test_the_periodic_jobs_recipient_maps(world):
    a, b, k = (world.agencies[key].id for key in "abk")
    assert by_username(access.operators_by_agency([a, b, k])) == {a: ["operator"],
                                                                   b: ["operator_b"]}
    assert by_username(access.members_by_government(
        Role.LEADER, [world.mubar.id, world.kendari.id])) == {world.mubar.id: ["leader"],
                                                             world.kendari.id: ["outsider"]}
    assert by_username(access.members_by_government(
        Role.ASSESSOR, [world.mubar.id, world.kendari.id])) == {world.mubar.id: ["assessor"],
                                                               world.kendari.id: ["assessor_k"]}
    assert access.members_by_government(Role.COORDINATOR, [world.kendari.id]) == {}
    # Two members in one place are listed together (in creation order).
    second = make_user("leader_2", Role.LEADER, government=world.mubar)
    assert access.members_by_government(Role.LEADER, [world.mubar.id]) == {
        world.mubar.id: [world.users["leader"].id, second.id]}
    second_operator = make_user("operator_a2", Role.OPERATOR, agency=world.agencies["a"])
    assert access.operators_by_agency([a]) == {a: [world.users["operator"].id,
                                                   second_operator.id]}


# --- granting and revoking -----------------------------------------------------------------------

def test_which_governments_and_agencies_each_may_grant_in(world):
    users = world.users

    def governments(user):
        return [g.name for g in access.grantable_governments(user)]

    def agencies(user):
        return [(agency.government.name, agency.name)
                for agency in access.grantable_agencies(user)]

    assert governments(users["admin"]) == SULTRA
    assert governments(users["coordinator"]) == [MUBAR]
    assert governments(users["leader"]) == governments(users["operator"]) == []
    assert [government for government, _ in agencies(users["admin"])] == [MUBAR, MUBAR,
                                                                          KENDARI]
    assert sorted(agencies(users["coordinator"])) == [(MUBAR, "DPMPTSP Muna Barat"),
                                                      (MUBAR, "Disdukcapil Muna Barat")]
    assert agencies(users["leader"]) == agencies(users["assessor"]) == []


def test_grant_refusals_say_why(world):
    coordinator, admin = world.users["coordinator"], world.users["admin"]
    a, k = world.agencies["a"], world.agencies["k"]
    outside = "A coordinator can only grant roles in their own government."
    cases = [  # (by, role, government, agency, the refusal or None)
        (admin, "administrator", None, None, None),
        (admin, "assessor", world.kendari, None, None),
        (admin, "operator", None, k, None),
        (coordinator, "operator", None, a, None),
        (coordinator, "coordinator", world.mubar, None, None),
        (coordinator, "leader", world.mubar, None, None),
        (coordinator, "operator", None, k, outside),
        (coordinator, "operator", world.mubar, None, outside),  # an operator needs an agency
        (coordinator, "leader", world.kendari, None, outside),
        (coordinator, "leader", None, a, outside),  # a leader needs a government
        (coordinator, "assessor", world.mubar, None,
         "Only an administrator can grant or revoke the role “Assessor (Ombudsman)”."),
        (coordinator, "administrator", None, None,
         "Only an administrator can grant or revoke the role “Administrator”."),
        (world.users["leader"], "leader", world.mubar, None,
         "Only administrators and coordinators manage user accounts."),
        (world.users["operator"], "operator", None, a,
         "Only administrators and coordinators manage user accounts."),
    ]
    for by, role, government, agency, expected in cases:
        said = english(access.grant_refusal, by, role=role, government=government,
                       agency=agency)
        assert said == expected, (by.username, role, government, agency)


def test_revoke_refusals_say_why(world):
    users = world.users
    coordinator, admin = users["coordinator"], users["admin"]

    def membership(username, role):
        return Membership.objects.get(user__username=username, role=role)

    extra_leader = Membership.objects.create(user=coordinator, role=Role.LEADER,
                                             government=world.mubar)
    own = "You cannot revoke your own role “{}”; ask another administrator or coordinator."
    cases = [
        (coordinator, membership("operator", "operator"), None),
        (coordinator, membership("leader", "leader"), None),
        (coordinator, extra_leader, None),  # their own leader role: not a lock-out
        (coordinator, membership("coordinator", "coordinator"),
         own.format("Coordinator (Bagian Organisasi)")),
        (coordinator, membership("outsider", "leader"),
         "A coordinator can only grant roles in their own government."),
        (coordinator, membership("assessor", "assessor"),
         "Only an administrator can grant or revoke the role “Assessor (Ombudsman)”."),
        (admin, membership("coordinator", "coordinator"), None),
        (admin, membership("admin", "administrator"), own.format("Administrator")),
        (users["leader"], membership("operator", "operator"),
         "Only administrators and coordinators manage user accounts."),
    ]
    for by, held, expected in cases:
        assert english(access.revoke_refusal, by, held) == expected, (by.username, held)


def test_the_user_pages_show_a_coordinator_their_government_only(world):
    users = world.users
    Membership.objects.create(user=users["assessor"], role=Role.ASSESSOR,
                              government=world.kendari)

    def where(membership):
        if membership.agency:
            return membership.agency.government.name
        return membership.government.name if membership.government else "everywhere"

    def seen(by):
        return {user.username: [(m.role, where(m)) for m in user.memberships.all()]
                for user in access.users_managed_by(by)}

    assert seen(users["coordinator"]) == {
        "operator": [("operator", MUBAR)], "operator_b": [("operator", MUBAR)],
        "operator_gone": [("operator", MUBAR)], "coordinator": [("coordinator", MUBAR)],
        "assessor": [("assessor", MUBAR)],  # not the Kendari assignment
        "leader": [("leader", MUBAR)], "leader_gone": [("leader", MUBAR)]}
    everyone = seen(users["admin"])
    assert sorted(everyone) == sorted(["operator", "operator_b", "operator_gone", "coordinator",
                                       "assessor", "assessor_k", "leader", "leader_gone",
                                       "outsider", "admin", "root", "newcomer"])
    assert everyone["assessor"] == [("assessor", MUBAR), ("assessor", KENDARI)]
    assert everyone["root"] == everyone["newcomer"] == []
    assert everyone["admin"] == [("administrator", "everywhere")]
    assert seen(users["leader"]) == seen(users["assessor"]) == {}


def test_who_a_manager_may_add_roles_to(world):
    users = world.users
    coordinator = users["coordinator"]
    assert access.may_grant_to(coordinator, users["operator"])  # a user of their government
    assert access.may_grant_to(coordinator, users["newcomer"])  # no role anywhere yet
    assert not access.may_grant_to(coordinator, users["outsider"])  # Kendari's
    assert not access.may_grant_to(coordinator, users["root"])  # a superuser, even without roles
    assert access.may_grant_to(users["admin"], users["outsider"])
    assert access.may_grant_to(users["admin"], users["root"])


# --- lookups: 404 outside the scope, 403 without the right ------------------------------------

def test_require_refuses_with_403_only_when_not_allowed():
    assert access.require(True) is None
    with pytest.raises(PermissionDenied):
        access.require(False)


def test_government_and_agency_lookups(world, django_assert_num_queries):
    leader, admin = world.users["leader"], world.users["admin"]
    access.scope_of(leader)  # read once per request, as a page does
    with django_assert_num_queries(1):  # the province comes with the government
        government = access.government_or_404(leader, world.mubar.id)
        assert (government.name, government.province.name) == (MUBAR, "Sulawesi Tenggara")
    with django_assert_num_queries(1):  # the government and province come with the agency
        agency = access.agency_or_404(leader, world.agencies["b"].id)
        assert (agency.name, agency.government.name, agency.government.province.name) == (
            "Disdukcapil Muna Barat", MUBAR, "Sulawesi Tenggara")
    for lookup, outside in ((access.government_or_404, world.kendari.id),
                            (access.agency_or_404, world.agencies["k"].id)):
        with pytest.raises(Http404):
            lookup(leader, outside)
        with pytest.raises(Http404):
            lookup(admin, 987654321)  # nothing there, whoever asks
    assert access.government_or_404(admin, world.kendari.id).name == KENDARI
    assert access.agency_or_404(admin, world.agencies["k"].id).name == "DPMPTSP Kendari"
    operator = world.users["operator"]
    assert access.agency_or_404(operator, world.agencies["a"].id).name == "DPMPTSP Muna Barat"
    with pytest.raises(Http404):
        access.agency_or_404(operator, world.agencies["b"].id)  # a colleague's unit


def test_managed_user_lookup(world):
    users = world.users
    with pytest.raises(PermissionDenied):
        access.managed_user_or_404(users["leader"], users["operator"].pk)
    with pytest.raises(Http404):
        access.managed_user_or_404(users["coordinator"], users["outsider"].pk)
    assert access.managed_user_or_404(users["coordinator"], users["operator"].pk).username == (
        "operator")
    assert access.managed_user_or_404(users["admin"], users["outsider"].pk).username == (
        "outsider")


def test_what_the_navigation_offers(world):
    flags = {name: access.navigation_rights(user or AnonymousUser())
             for name, user in world.users.items()
             if name in ("operator", "coordinator", "assessor", "leader", "admin", "anonymous")}
    none = {"nav_can_manage_users": False, "nav_is_administrator": False,
            "nav_assessor_queue": False}
    assert flags == {
        "operator": none, "leader": none, "anonymous": none,
        "coordinator": {**none, "nav_can_manage_users": True},
        "assessor": {**none, "nav_assessor_queue": True},
        "admin": {**none, "nav_can_manage_users": True, "nav_is_administrator": True}}


def test_visible_agencies_and_the_queue(world, django_assert_num_queries):
    users = world.users

    def seen(user):
        return sorted((agency.government.name, agency.name)
                      for agency in access.visible_agencies(user))

    mubar_units = [(MUBAR, "DPMPTSP Muna Barat"), (MUBAR, "Disdukcapil Muna Barat")]
    assert seen(users["operator"]) == [(MUBAR, "DPMPTSP Muna Barat")]
    assert seen(users["coordinator"]) == seen(users["leader"]) == mubar_units
    assert seen(users["outsider"]) == [(KENDARI, "DPMPTSP Kendari")]
    assert seen(users["admin"]) == sorted(mubar_units + [(KENDARI, "DPMPTSP Kendari")])
    assert seen(AnonymousUser()) == seen(users["newcomer"]) == []
    access.scope_of(users["leader"])
    with django_assert_num_queries(1):  # the government comes with the agency
        seen(users["leader"])
    with django_assert_num_queries(1):  # the province comes with the government
        assert [(g.name, g.province.name) for g in access.visible_governments(
            users["leader"])] == [(MUBAR, "Sulawesi Tenggara")]
    assert access.queue_government_ids(users["assessor"]) == {world.mubar.id}
    assert access.queue_government_ids(users["leader"]) == set()


def test_own_objects_only_a_job_and_a_notification(world):
    operator, leader = world.users["operator"], world.users["leader"]
    job = SimpleNamespace(user_id=operator.pk)
    notification = SimpleNamespace(recipient_id=operator.pk)
    anonymous = AnonymousUser()
    assert access.may_read_export_job(operator, job)
    assert not access.may_read_export_job(leader, job)
    assert not access.may_read_export_job(anonymous, SimpleNamespace(user_id=None))
    assert access.may_read_notification(operator, notification)
    assert not access.may_read_notification(leader, notification)
    assert not access.may_read_notification(anonymous, SimpleNamespace(recipient_id=None))


# --- the scope: read once, cached on the user, forgotten on a change ------------------------

def test_a_superuser_without_a_membership_is_an_administrator(world):
    root = world.users["root"]
    assert Membership.objects.filter(user=root).count() == 0
    assert access.may_administer(root) and access.may_view_government(root, world.kendari.id)


def test_the_scope_is_read_once_and_forgotten_on_request(world, django_assert_num_queries):
    leader = get_user_model().objects.get(username="leader")  # a fresh object, nothing cached
    with django_assert_num_queries(1):
        first = access.scope_of(leader)
        assert access.scope_of(leader) is first
        assert access.may_view_government(leader, world.mubar.id)
    Membership.objects.create(user=leader, role=Role.LEADER, government=world.kendari)
    assert not access.may_view_government(leader, world.kendari.id)  # still the cached scope
    access.forget_scope(leader, world.users["operator"])
    with django_assert_num_queries(1):
        assert access.may_view_government(leader, world.kendari.id)
    assert sorted(Government.objects.filter(id__in=access.scope_of(leader).governments)
                  .values_list("name", flat=True)) == [MUBAR, KENDARI]


def test_the_grant_lists_are_ordered_and_fetched_in_one_query(world,
                                                               django_assert_num_queries):
    """Governments by name, then province (a name can repeat across provinces); agencies by
    government, then name; each list one query, whatever it shows."""
    from agencies.models import Agency, AgencyKind, Level, Province

    elsewhere = Province.objects.create(name="Aceh")  # sorts before Sulawesi Tenggara
    Government.objects.create(province=elsewhere, level=Level.KOTA, name=KENDARI)
    Agency.objects.create(government=world.mubar, name="Bapenda Muna Barat",
                          kind=AgencyKind.OTHER)  # created last, listed first of Muna Barat
    admin = world.users["admin"]
    access.scope_of(admin)
    with django_assert_num_queries(1):
        governments = [(g.name, g.province.name) for g in access.grantable_governments(admin)]
    assert governments[-3:] == [(KENDARI, "Aceh"), (KENDARI, "Sulawesi Tenggara"),
                                ("Provinsi Sulawesi Tenggara", "Sulawesi Tenggara")]
    with django_assert_num_queries(1):
        agencies = [(a.government.name, a.name) for a in access.grantable_agencies(admin)]
    assert agencies[0] == (MUBAR, "Bapenda Muna Barat")
    assert [government for government, _ in agencies] == [MUBAR] * 3 + [KENDARI]


def test_the_user_pages_list_memberships_by_role_then_place(world, django_assert_num_queries):
    """Each account's memberships by role, then government, then agency (not in the order they
    were granted), read with the accounts in two queries."""
    from agencies.models import Agency, AgencyKind

    bapenda = Agency.objects.create(government=world.mubar, name="Bapenda Muna Barat",
                                    kind=AgencyKind.OTHER)
    both = make_user("both", Role.LEADER, government=world.mubar)  # the leader role first
    Membership.objects.create(user=both, role=Role.COORDINATOR, government=world.mubar)
    travelling = make_user("travelling", Role.ASSESSOR, government=world.kendari)  # Kendari first
    Membership.objects.create(user=travelling, role=Role.ASSESSOR, government=world.mubar)
    two_units = make_user("two_units", Role.OPERATOR, agency=world.agencies["a"])  # DPMPTSP first
    Membership.objects.create(user=two_units, role=Role.OPERATOR, agency=bapenda)
    admin = world.users["admin"]
    access.scope_of(admin)
    with django_assert_num_queries(2):
        seen = {user.username: [(m.role, m.government.name if m.government else None,
                                 m.agency.government.name if m.agency else None,
                                 m.agency.name if m.agency else None)
                                for m in user.memberships.all()]
                for user in access.users_managed_by(admin)}
    assert seen["both"] == [("coordinator", MUBAR, None, None), ("leader", MUBAR, None, None)]
    assert seen["travelling"] == [("assessor", MUBAR, None, None),
                                  ("assessor", KENDARI, None, None)]
    assert seen["two_units"] == [("operator", None, MUBAR, "Bapenda Muna Barat"),
                                 ("operator", None, MUBAR, "DPMPTSP Muna Barat")]
