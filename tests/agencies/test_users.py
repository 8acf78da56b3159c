"""User accounts and roles: who may create users and grant which role where.

The pages are requested in English (the language cookie) so that the assertions on messages do
not depend on the state of the Indonesian catalogue."""
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.access import scope_of
from agencies.models import Membership, Role
from agencies.services import (membership_grant, membership_revoke, user_create,
                               user_create_with_role)
from audit.models import AuditEntry

User = get_user_model()
PASSWORD = "Kolaka-Utara-2026"


@pytest.fixture
def english(client):
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):  # form errors are read after the response
        yield client


def login(client, user):
    client.force_login(user)
    return client


def new_user_data(username="wa.ode", role=Role.OPERATOR, governments=(), agency=None,
                  password=PASSWORD, **extra):
    data = {"username": username, "full_name": "Wa Ode Siti Nurhayati",
            "email": f"{username}@example.go.id", "password1": password, "password2": password,
            "role": role, "governments": [g.pk for g in governments]}
    if agency is not None:
        data["agency"] = agency.pk
    data.update(extra)
    return data


def text_of(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def counts():
    return User.objects.count(), Membership.objects.count()


def trail(actor):
    """What the audit trail recorded for this actor: (actor, table, action, row), oldest first."""
    return [(e.actor, e.table_name, e.action, e.row_id)
            for e in AuditEntry.objects.filter(actor_id=actor.pk).order_by("id")]


# --- creating accounts ------------------------------------------------------------------------

@pytest.mark.django_db
def test_admin_creates_an_operator(english, personas, live_round):
    agency = live_round["agencies"]["a"]
    login(english, personas["admin"])
    response = english.post(reverse("user-create"), new_user_data(
        role=Role.OPERATOR, governments=[live_round["government"]], agency=agency))
    user = User.objects.get(username="wa.ode")
    assert response.status_code == 302
    assert response["Location"] == reverse("user-detail", args=[user.pk])
    assert user.get_full_name() == "Wa Ode Siti Nurhayati" and user.is_active
    assert user.password != PASSWORD and user.check_password(PASSWORD)
    assert [(m.role, m.agency, m.government) for m in user.memberships.all()] == [
        (Role.OPERATOR, agency, None)]
    assert scope_of(User.objects.get(pk=user.pk)).operator_agencies == {agency.pk}
    membership = user.memberships.get()
    admin = personas["admin"]
    assert trail(admin) == [  # the account and its membership, in the administrator's name
        (f"user:{admin.pk}:admin", "auth_user", "insert", str(user.pk)),
        (f"user:{admin.pk}:admin", "agencies_membership", "insert", str(membership.pk))]
    page = english.get(response["Location"])
    assert "The account wa.ode was created." in text_of(page)


@pytest.mark.django_db
def test_admin_creates_an_assessor_of_two_governments(english, personas, live_round):
    governments = [live_round["government"], live_round["kendari"]]
    login(english, personas["admin"])
    response = english.post(reverse("user-create"), new_user_data(
        username="ombudsman.sultra", role=Role.ASSESSOR, governments=governments))
    assert response.status_code == 302
    user = User.objects.get(username="ombudsman.sultra")
    assert sorted(user.memberships.values_list("role", "government__name")) == [
        ("assessor", "Kabupaten Muna Barat"), ("assessor", "Kota Kendari")]
    assert scope_of(user).assessor_governments == {g.pk for g in governments}


@pytest.mark.django_db
def test_services_called_outside_a_request_put_their_user_in_the_trail(personas, live_round):
    admin = personas["admin"]
    user = user_create(username="la.ode", full_name="La Ode Muhammad",
                       email="la.ode@example.go.id", password=PASSWORD, by=admin)
    membership = membership_grant(user=user, role=Role.LEADER,
                                  government=live_round["government"], by=admin)
    membership_id = str(membership.pk)
    membership_revoke(membership=membership, by=admin)
    actor = f"user:{admin.pk}:admin (system)"  # the shell, a command: no request
    assert trail(admin) == [(actor, "auth_user", "insert", str(user.pk)),
                            (actor, "agencies_membership", "insert", membership_id),
                            (actor, "agencies_membership", "delete", membership_id)]


@pytest.mark.django_db
def test_coordinator_creates_an_operator_in_their_government(english, personas, live_round):
    agency = live_round["agencies"]["b"]
    login(english, personas["coordinator"])
    form_page = english.get(reverse("user-create"))
    offered_roles = {choice[0] for choice in form_page.context["form"].fields["role"].choices}
    assert offered_roles == {Role.OPERATOR, Role.COORDINATOR, Role.LEADER}
    offered_agencies = {value for value, _label in
                        form_page.context["form"].fields["agency"].widget.choices if value}
    assert offered_agencies == {str(a.pk) for key, a in live_round["agencies"].items()
                                if key != "k"}
    response = english.post(reverse("user-create"), new_user_data(
        role=Role.OPERATOR, governments=[live_round["government"]], agency=agency))
    assert response.status_code == 302
    user = User.objects.get(username="wa.ode")
    assert list(user.memberships.values_list("role", "agency")) == [(Role.OPERATOR, agency.pk)]
    # ... and the new user is now one of the coordinator's users.
    assert english.get(reverse("user-detail", args=[user.pk])).status_code == 200


@pytest.mark.parametrize("case", ["assessor", "administrator", "operator elsewhere",
                                  "leader elsewhere", "coordinator elsewhere"])
@pytest.mark.django_db
def test_coordinator_cannot_grant_beyond_their_rights(english, personas, live_round, case):
    kendari = live_round["kendari"]
    data = {
        "assessor": new_user_data(role=Role.ASSESSOR, governments=[live_round["government"]]),
        "administrator": new_user_data(role=Role.ADMINISTRATOR),
        "operator elsewhere": new_user_data(role=Role.OPERATOR, governments=[kendari],
                                            agency=live_round["agencies"]["k"]),
        "leader elsewhere": new_user_data(role=Role.LEADER, governments=[kendari]),
        "coordinator elsewhere": new_user_data(role=Role.COORDINATOR, governments=[kendari]),
    }[case]
    login(english, personas["coordinator"])
    before = counts(), AuditEntry.objects.count()

    response = english.post(reverse("user-create"), data)
    assert response.status_code in (400, 403)
    assert response.status_code == 403 or response.context["form"].errors
    assert (counts(), AuditEntry.objects.count()) == before

    # The same through the grant form of a user of their government.
    grant = {key: value for key, value in data.items()
             if key in ("role", "governments", "agency")}
    response = english.post(reverse("membership-grant", args=[personas["operator"].pk]), grant)
    assert response.status_code in (400, 403)
    assert (counts(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_services_refuse_what_the_forms_do_not_offer(personas, live_round):
    coordinator, operator = personas["coordinator"], personas["operator"]
    before = counts()
    with pytest.raises(PermissionDenied):
        membership_grant(user=operator, role=Role.ASSESSOR, government=live_round["government"],
                         by=coordinator)
    with pytest.raises(PermissionDenied):
        membership_grant(user=operator, role=Role.ADMINISTRATOR, by=coordinator)
    with pytest.raises(PermissionDenied):
        membership_grant(user=operator, role=Role.OPERATOR, agency=live_round["agencies"]["k"],
                         by=coordinator)
    with pytest.raises(PermissionDenied):
        membership_grant(user=operator, role=Role.LEADER, government=live_round["kendari"],
                         by=coordinator)
    # A user of another government cannot be pulled in by a coordinator either.
    with pytest.raises(PermissionDenied):
        membership_grant(user=personas["outsider"], role=Role.LEADER,
                         government=live_round["government"], by=coordinator)
    for persona in ("leader", "operator", "assessor", "outsider"):
        with pytest.raises(PermissionDenied):
            user_create(username="x.user", full_name="X", email="", password=PASSWORD,
                        by=personas[persona])
        with pytest.raises(PermissionDenied):
            membership_grant(user=operator, role=Role.LEADER,
                             government=live_round["government"], by=personas[persona])
    with pytest.raises(PermissionDenied):  # the Ombudsman's assignment is not theirs to undo
        membership_revoke(membership=personas["assessor"].memberships.get(), by=coordinator)
    assert counts() == before


# --- who sees the pages -----------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["leader", "operator", "assessor", "outsider", "anonymous"])
@pytest.mark.django_db
def test_only_administrators_and_coordinators_reach_the_user_pages(client, personas, persona):
    target = personas["operator_b"]
    membership = target.memberships.get()
    if personas[persona] is not None:
        client.force_login(personas[persona])
    before = counts()
    responses = [
        client.get(reverse("user-list")),
        client.get(reverse("user-create")),
        client.get(reverse("user-detail", args=[target.pk])),
        client.get(reverse("user-agency-options")),
        client.post(reverse("user-create"), new_user_data(role=Role.LEADER)),
        client.post(reverse("membership-grant", args=[target.pk]), {"role": Role.LEADER}),
        client.post(reverse("membership-revoke", args=[target.pk, membership.pk])),
    ]
    if persona == "anonymous":
        for response in responses:
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login") + "?next=/users/")
    else:
        assert [response.status_code for response in responses] == [403] * len(responses)
    assert counts() == before


@pytest.mark.django_db
def test_coordinator_sees_only_their_government(english, personas, live_round):
    login(english, personas["coordinator"])
    response = english.get(reverse("user-list"))
    assert response.status_code == 200
    listed = {account.username for account in response.context["page"]}
    assert listed == {"operator", "operator_b", "coordinator", "assessor", "leader"}
    # A Kendari user (and the administrator) do not exist as far as this coordinator knows.
    for other in (personas["outsider"], personas["admin"]):
        assert english.get(reverse("user-detail", args=[other.pk])).status_code == 404
        membership = other.memberships.get()
        assert english.post(reverse("membership-grant", args=[other.pk]), {
            "role": Role.LEADER, "governments": [live_round["government"].pk]}
        ).status_code == 404
        assert english.post(reverse("membership-revoke", args=[other.pk, membership.pk])
                            ).status_code == 404
    assert english.get(reverse("user-detail", args=[9_999_999])).status_code == 404
    assert personas["outsider"].memberships.count() == 1


@pytest.mark.django_db
def test_coordinator_does_not_see_an_assessors_other_governments(english, personas, live_round):
    assessor = personas["assessor"]
    Membership.objects.create(user=assessor, role=Role.ASSESSOR, government=live_round["kendari"])
    login(english, personas["coordinator"])
    text = text_of(english.get(reverse("user-detail", args=[assessor.pk])))
    assert "Kabupaten Muna Barat" in text and "Kota Kendari" not in text
    login(english, personas["admin"])
    text = text_of(english.get(reverse("user-detail", args=[assessor.pk])))
    assert "Kabupaten Muna Barat" in text and "Kota Kendari" in text


@pytest.mark.django_db
def test_list_shows_roles_with_scope_and_active_flag(english, personas):
    personas["leader"].is_active = False
    personas["leader"].save()
    login(english, personas["admin"])
    response = english.get(reverse("user-list"))
    rows = {row.split("</th>")[0]: row for row in
            response.content.decode().split('<th scope="row">')[1:]}
    operator_row = next(row for key, row in rows.items() if ">operator<" in key)
    assert "Operator (agency staff)" in operator_row and "DPMPTSP Muna Barat" in operator_row
    leader_row = next(row for key, row in rows.items() if ">leader<" in key)
    assert "Leader (Bupati, Sekda)" in leader_row and "No (inactive)" in leader_row
    assert english.get(reverse("user-list"), {"q": "operator_b"}).context["page"].paginator \
        .count == 1


# --- validation -------------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["12345", "password", "wa.ode2026", "short-1"])
@pytest.mark.django_db
def test_weak_password_is_refused_and_nothing_is_created(english, personas, live_round,
                                                          password):
    login(english, personas["admin"])
    before = counts(), AuditEntry.objects.count()
    response = english.post(reverse("user-create"), new_user_data(
        role=Role.LEADER, governments=[live_round["government"]], password=password))
    assert response.status_code == 400
    errors = response.context["form"].errors["password1"]
    assert errors and any(word in " ".join(errors) for word in ("too short", "too common",
                                                                "entirely numeric",
                                                                "too similar"))
    assert errors[0] in text_of(response)
    assert (counts(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_user_create_service_validates_the_password_itself(personas):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        user_create(username="wa.ode", full_name="Wa Ode", email="", password="wa.ode",
                    by=personas["admin"])
    assert set(caught.value.message_dict) == {"password"}
    assert counts() == before
    user = user_create(username="wa.ode", full_name="Wa Ode", email="", password=PASSWORD,
                       by=personas["admin"])
    assert user.check_password(PASSWORD) and PASSWORD not in user.password


@pytest.mark.django_db
def test_mismatched_passwords_and_taken_username_are_form_errors(english, personas, live_round):
    login(english, personas["admin"])
    before = counts()
    response = english.post(reverse("user-create"), new_user_data(
        role=Role.LEADER, governments=[live_round["government"]], password2="other-Pass-2026"))
    assert response.context["form"].errors["password2"] == ["The two passwords differ."]
    response = english.post(reverse("user-create"), new_user_data(
        username="OPERATOR", role=Role.LEADER, governments=[live_round["government"]]))
    assert response.status_code == 400
    assert response.context["form"].errors["username"] == [
        "A user with that username already exists."]
    response = english.post(reverse("user-create"), new_user_data(
        role=Role.LEADER, governments=[live_round["government"], live_round["kendari"]]))
    assert response.context["form"].errors["governments"] == [
        "Choose exactly one government for this role."]
    response = english.post(reverse("user-create"), new_user_data(role=Role.OPERATOR))
    assert response.context["form"].errors["agency"] == ["Choose the operator's agency."]
    assert counts() == before


@pytest.mark.django_db
def test_failing_second_grant_rolls_back_the_whole_creation(personas, live_round):
    """An assessor of two governments is two grants; if one fails, no account is left."""
    government = live_round["government"]
    before = counts()
    with pytest.raises(ValidationError):
        user_create_with_role(username="half.done", full_name="Half", email="",
                              password=PASSWORD, role=Role.ASSESSOR,
                              governments=[government, government], by=personas["admin"])
    assert counts() == before


@pytest.mark.django_db
def test_duplicate_grant_is_refused_with_a_message(english, personas, live_round):
    leader = personas["leader"]
    login(english, personas["coordinator"])
    before = counts()
    response = english.post(reverse("membership-grant", args=[leader.pk]), {
        "role": Role.LEADER, "governments": [live_round["government"].pk]})
    assert response.status_code == 400
    assert ("leader already holds the role “Leader (Bupati, Sekda)” for Kabupaten Muna Barat."
            in text_of(response))
    with pytest.raises(ValidationError, match="already holds the role"):
        membership_grant(user=personas["operator"], role=Role.OPERATOR,
                         agency=live_round["agencies"]["a"], by=personas["admin"])
    with pytest.raises(ValidationError, match="already holds the role"):
        membership_grant(user=personas["admin"], role=Role.ADMINISTRATOR, by=personas["admin"])
    assert counts() == before


# --- several roles, revoking ------------------------------------------------------------------

@pytest.mark.django_db
def test_one_person_can_be_operator_and_leader(english, personas, live_round):
    government, agency = live_round["government"], live_round["agencies"]["a"]
    login(english, personas["coordinator"])
    english.post(reverse("user-create"), new_user_data(
        username="sekda", role=Role.OPERATOR, governments=[government], agency=agency))
    user = User.objects.get(username="sekda")
    response = english.post(reverse("membership-grant", args=[user.pk]), {
        "role": Role.LEADER, "governments": [government.pk]})
    assert response.status_code == 302
    scope = scope_of(User.objects.get(pk=user.pk))
    assert scope.operator_agencies == {agency.pk} and scope.leader_governments == {government.pk}
    assert scope.roles == {Role.OPERATOR, Role.LEADER}
    page = english.get(reverse("user-detail", args=[user.pk]))
    text = text_of(page)
    assert "Operator (agency staff)" in text and "Leader (Bupati, Sekda)" in text
    # The leader's own pages follow: Muna Barat is readable as an operator and as a leader.
    other = Client()
    other.force_login(user)
    assert other.get(reverse("government-detail", args=[government.pk])).status_code == 200


@pytest.mark.django_db
def test_revoking_a_role(english, personas, live_round):
    operator = personas["operator"]
    membership = operator.memberships.get()
    login(english, personas["coordinator"])
    page = english.get(reverse("user-detail", args=[operator.pk]))
    assert reverse("membership-revoke", args=[operator.pk, membership.pk]) in page.content.decode()
    url = reverse("membership-revoke", args=[operator.pk, membership.pk])
    assert english.get(url).status_code == 405
    response = english.post(url)
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    coordinator = personas["coordinator"]
    assert trail(coordinator) == [
        (f"user:{coordinator.pk}:coordinator", "agencies_membership", "delete", str(membership.pk))]


@pytest.mark.django_db
def test_coordinator_cannot_revoke_an_assessor_or_their_own_role(english, personas):
    coordinator, assessor = personas["coordinator"], personas["assessor"]
    login(english, coordinator)
    for user in (assessor, coordinator):
        membership = user.memberships.get()
        url = reverse("membership-revoke", args=[user.pk, membership.pk])
        page = english.get(reverse("user-detail", args=[user.pk]))
        assert url not in page.content.decode()  # no button offered
        assert english.post(url).status_code == 403
        assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_forms_need_the_csrf_token(personas, live_round):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["admin"])
    before = counts()
    assert client.post(reverse("user-create"), new_user_data(
        role=Role.LEADER, governments=[live_round["government"]])).status_code == 403
    membership = personas["operator"].memberships.get()
    assert client.post(reverse("membership-revoke", args=[personas["operator"].pk,
                                                          membership.pk])).status_code == 403
    assert counts() == before


@pytest.mark.django_db
def test_every_field_has_a_label(english, personas):
    login(english, personas["admin"])
    for url in (reverse("user-create"), reverse("user-detail", args=[personas["operator"].pk]),
                reverse("user-list")):
        html = english.get(url).content.decode()
        labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
        fields = re.findall(r'<(?:input|select|textarea)\b[^>]*>', html)
        for field in fields:
            if re.search(r'type="(hidden|submit)"', field):
                continue
            field_id = re.search(r'\bid="([^"]+)"', field)
            assert field_id and field_id.group(1) in labelled, f"{url}: unlabelled {field}"


@pytest.mark.django_db
def test_agency_options_follow_the_chosen_government(english, personas, live_round):
    login(english, personas["admin"])
    url = reverse("user-agency-options")
    assert "Choose a government first" in english.get(url).content.decode()
    html = english.get(url, {"governments": [live_round["kendari"].pk]}).content.decode()
    assert "DPMPTSP Kendari" in html and "Muna Barat" not in html
    login(english, personas["coordinator"])
    html = english.get(url, {"governments": [live_round["kendari"].pk]}).content.decode()
    assert "Kendari" not in html  # not grantable by this coordinator
    html = english.get(url).content.decode()
    assert "DPMPTSP Muna Barat" in html and "Disdukcapil Muna Barat" in html


# --- cost -------------------------------------------------------------------------------------

def add_users(count, agency, start=0):
    for index in range(start, start + count):
        user = User.objects.create_user(username=f"user{index:03d}", first_name=f"User {index}")
        Membership.objects.create(user=user, role=Role.OPERATOR, agency=agency)
        Membership.objects.create(user=user, role=Role.LEADER, government=agency.government)


@pytest.mark.parametrize("persona", ["admin", "coordinator"])
@pytest.mark.django_db
def test_user_list_costs_the_same_for_3_and_30_users(client, personas, live_round, persona,
                                                     django_assert_num_queries):
    agency = live_round["agencies"]["a"]
    client.force_login(personas[persona])
    add_users(3, agency)
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse("user-list"))
    assert response.status_code == 200 and response.context["page"].paginator.count >= 8
    add_users(27, agency, start=3)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("user-list"))
    assert response.context["page"].paginator.count >= 35
