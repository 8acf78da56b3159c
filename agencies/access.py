"""The access policy: every rule of who may see and do what, in one module.

Views, exports, htmx endpoints, templates (through the flags views pass) and services ask the
named rules below; nothing else in the project reads memberships to decide a right. An object
outside the user's scope is a 404 (never a hint that it exists); in scope without the right it
is a 403. The memberships are read once per request and cached on the user object.

The rules speak of roles and scope. When an action also depends on the state of a round or a
checklist (open for self-assessment, before the deadline, submitted), the services check that
state again at the write, under the row lock; the pages show the state's reason beside the
button. ``ROUTES`` at the end names, for every URL of the project, the rule that guards it: it
is the specification the permission-matrix test walks.

Rounds and assessments are read through their attributes only (``is_published``,
``agency``, ``round``), so this lower app never imports the assessments app.
"""
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext as _

from compliance.prepared import prepared

from .models import Agency, Government, Membership, Role


@dataclass
class Scope:
    administrator: bool = False
    operator_agencies: set = field(default_factory=set)
    coordinator_governments: set = field(default_factory=set)
    leader_governments: set = field(default_factory=set)
    assessor_governments: set = field(default_factory=set)
    agency_governments: dict = field(default_factory=dict)  # operator agency id -> government id

    @property
    def governments(self):
        """Governments whose pages the user may read."""
        return (self.coordinator_governments | self.leader_governments
                | self.assessor_governments | set(self.agency_governments.values()))

    @property
    def roles(self):
        names = set()
        if self.administrator:
            names.add(Role.ADMINISTRATOR)
        if self.operator_agencies:
            names.add(Role.OPERATOR)
        if self.coordinator_governments:
            names.add(Role.COORDINATOR)
        if self.leader_governments:
            names.add(Role.LEADER)
        if self.assessor_governments:
            names.add(Role.ASSESSOR)
        return names

    @property
    def managed_governments(self):
        """Governments the user reads as a whole (every agency): not an operator's."""
        return (self.coordinator_governments | self.leader_governments
                | self.assessor_governments)


@prepared(int)
def _memberships(user_id):
    """Every request's read of the user's roles (compiled once: ``compliance.prepared``)."""
    return Membership.objects.filter(user_id=user_id).values_list(
        "role", "government_id", "agency_id", "agency__government_id")


def scope_of(user) -> Scope:
    if not user.is_authenticated:
        return Scope()
    cached = getattr(user, "_kepatuhan_scope", None)
    if cached is not None:
        return cached
    scope = Scope(administrator=user.is_superuser)
    for role, government_id, agency_id, agency_government_id in _memberships(user.id):
        if role == Role.ADMINISTRATOR:
            scope.administrator = True
        elif role == Role.OPERATOR:
            scope.operator_agencies.add(agency_id)
            scope.agency_governments[agency_id] = agency_government_id
        elif role == Role.COORDINATOR:
            scope.coordinator_governments.add(government_id)
        elif role == Role.LEADER:
            scope.leader_governments.add(government_id)
        elif role == Role.ASSESSOR:
            scope.assessor_governments.add(government_id)
    user._kepatuhan_scope = scope
    return scope


def forget_scope(*users) -> None:
    """scope_of caches on the user object; a grant or revoke makes that cache stale."""
    for user in users:
        user.__dict__.pop("_kepatuhan_scope", None)


# --- scope: what a user may see at all (outside it: 404) -----------------------------------------

def may_view_government(user, government_id) -> bool:
    """The government's page: its coordinators, leaders, assessors, the operators of its
    agencies, and administrators."""
    scope = scope_of(user)
    return scope.administrator or government_id in scope.governments


def may_view_agency(user, agency) -> bool:
    """An agency's checklist, evidence, history and follow-up: its own operators (not the
    operators of the government's other agencies), whoever reads the whole government, and
    administrators."""
    scope = scope_of(user)
    return (scope.administrator or agency.id in scope.operator_agencies
            or agency.government_id in scope.managed_governments)


def visible_governments(user):
    scope = scope_of(user)
    queryset = Government.objects.select_related("province")
    if scope.administrator:
        return queryset
    return queryset.filter(id__in=scope.governments)


def visible_agencies(user):
    scope = scope_of(user)
    queryset = Agency.objects.select_related("government")
    if scope.administrator:
        return queryset
    return queryset.filter(Q(id__in=scope.operator_agencies)
                           | Q(government_id__in=scope.managed_governments))


def own_agency_ids(user) -> set:
    """The agencies whose checklists the user fills (the home page's "my checklists")."""
    return set(scope_of(user).operator_agencies)


# --- rights inside the scope (without them: 403) --------------------------------------------------

def may_administer(user) -> bool:
    """Rounds, imports, the audit trail, everything."""
    return scope_of(user).administrator


def may_manage_instruments(user) -> bool:
    """Export an instrument and import a new version of it: administrators only (a version
    decides how every round that takes it is scored)."""
    return may_administer(user)


def may_answer(user, assessment) -> bool:
    """Only the agency's own operators fill its checklist and attach its evidence (whether the
    checklist is open now is the state rule ``checklist_lock_reason``)."""
    return assessment.agency.id in scope_of(user).operator_agencies


def may_return(user, assessment) -> bool:
    """The government's coordinators and administrators send a submitted checklist back (only
    while the round is in self-assessment: the service checks that under the lock)."""
    scope = scope_of(user)
    return scope.administrator or assessment.agency.government_id in scope.coordinator_governments


def may_verify(user, assessment) -> bool:
    """Only the Ombudsman's assessors assigned to the unit's government write verifications."""
    return assessment.agency.government_id in scope_of(user).assessor_governments


def may_read_verification(user, assessment) -> bool:
    """The verification sheet: its assessors, and administrators (read only)."""
    return may_verify(user, assessment) or scope_of(user).administrator


def may_see_unpublished(user, government_id) -> bool:
    """Verified values and findings before publication: administrators and the government's
    assessors."""
    scope = scope_of(user)
    return scope.administrator or government_id in scope.assessor_governments


def may_read_verified(user, round_, government_id) -> bool:
    """Verified figures: everyone in scope once the round is published; before that only
    those who may see unpublished figures."""
    return round_.is_published or may_see_unpublished(user, government_id)


def may_read_rapor(user, assessment) -> bool:
    """A unit's rapor (call after the scope lookup of its agency)."""
    return may_read_verified(user, assessment.round, assessment.agency.government_id)


def may_watch_progress(user, government_id) -> bool:
    """The progress board and the government's follow-up overview: those who read the whole
    government (an operator is in the government's scope but gets 403 here)."""
    scope = scope_of(user)
    return scope.administrator or government_id in scope.managed_governments


def may_compare(user, government_id, round_) -> bool:
    """Self-score against verified score for the whole government: its assessors and
    administrators always; its coordinators and leaders once the round is published."""
    if may_see_unpublished(user, government_id):
        return True
    scope = scope_of(user)
    return round_.is_published and government_id in (scope.coordinator_governments
                                                     | scope.leader_governments)


def may_follow_up(user, agency) -> bool:
    """Write the agency's actions and obstacles: its operators, the coordinators of its
    government and administrators (leaders and assessors read only)."""
    scope = scope_of(user)
    return (scope.administrator or agency.id in scope.operator_agencies
            or agency.government_id in scope.coordinator_governments)


def may_see_unpublished_ranking(user, round_) -> bool:
    """A ranking before publication would put one government's unpublished figures beside
    another's: administrators only. Published rankings are public."""
    return round_.is_published or scope_of(user).administrator


def may_download_province_report(user, government_ids) -> bool:
    """The province workbook (given the province's government ids): administrators, and
    assessors assigned in that province (who get only their own governments' rows)."""
    scope = scope_of(user)
    return scope.administrator or bool(set(government_ids) & scope.assessor_governments)


def may_download_national_workbook(user) -> bool:
    """The national workbook holds every government's and every unit's rows: administrators
    only."""
    return scope_of(user).administrator


def may_read_export_job(user, job) -> bool:
    """A background export (its page, its progress and its file) is its requester's alone
    (anyone else: 404). The download asks the export's own rule again as well (the requester
    may have lost the role since): ``assessments.downloads``, the same lookups as the direct
    download."""
    return user.is_authenticated and job.user_id == user.pk


def report_agency_ids(user, government_id) -> set | None:
    """Which of a government's agencies an export may hold for this user: None for all of them
    (whoever reads the whole government), else the user's own agencies there."""
    scope = scope_of(user)
    if scope.administrator or government_id in scope.managed_governments:
        return None
    return {agency_id for agency_id, gov in scope.agency_governments.items()
            if gov == government_id}


def may_keep_products(user, agency) -> bool:
    """A unit's list of service products (name, kind, legal basis): its own operators keep it,
    and administrators; everyone who may view the agency reads it."""
    scope = scope_of(user)
    return scope.administrator or agency.id in scope.operator_agencies


def may_sample_products(user, assessment) -> bool:
    """Which of a unit's service products a round samples: the government's coordinators and
    its assessors, and administrators (the operators only see the choice)."""
    scope = scope_of(user)
    return scope.administrator or assessment.agency.government_id in (
        scope.coordinator_governments | scope.assessor_governments)


def may_use_assessor_queue(user) -> bool:
    """The assessor's work queue across governments: whoever is assigned as an assessor to at
    least one government (it lists only the units of those governments:
    ``queue_government_ids``), and administrators, who read the queue of an assessor they
    choose (``queue_assessors``)."""
    scope = scope_of(user)
    return scope.administrator or bool(scope.assessor_governments)


def queue_assessors(user):
    """Whose queue the user may choose to read: for an administrator, every active user
    assigned as an assessor somewhere (the allow-list of the queue's choice); nobody else
    chooses (an assessor reads only their own)."""
    if not scope_of(user).administrator:
        return get_user_model().objects.none()
    return _members(Role.ASSESSOR).order_by("username", "id")


def queue_government_ids(user, assessor=None) -> set:
    """The governments whose units the queue lists: those assigned to the user, or, for an
    administrator who chose an assessor from ``queue_assessors``, those assigned to that
    assessor."""
    if assessor is not None and scope_of(user).administrator:
        return set(scope_of(assessor).assessor_governments)
    return set(scope_of(user).assessor_governments)


def may_read_notification(user, notification) -> bool:
    """A notification is its recipient's alone (anyone else: 404)."""
    return user.is_authenticated and notification.recipient_id == user.pk


def may_answer_obstacle(user, agency) -> bool:
    """The leaders of the agency's government mark its obstacles seen and answer them."""
    return agency.government_id in scope_of(user).leader_governments


def may_read_leader_reports(user, government_id) -> bool:
    """The periodic obstacle and action reports of a government: its leaders, coordinators and
    administrators (the report is written for the leaders; the coordinator prepares their
    answers)."""
    scope = scope_of(user)
    return scope.administrator or government_id in (scope.leader_governments
                                                    | scope.coordinator_governments)


def may_read_ombudsman_products(user, government_id) -> bool:
    """A government's record of the Ombudsman's products addressed to it (corrective actions,
    suggestions, recommendations) and their follow-up: its coordinators, who keep it, its
    assessors, who verify it, its leaders (read only), and administrators. Its operators are
    in the government's scope and get 403."""
    scope = scope_of(user)
    return scope.administrator or government_id in (scope.coordinator_governments
                                                    | scope.assessor_governments
                                                    | scope.leader_governments)


def may_keep_ombudsman_products(user, government_id) -> bool:
    """Add, correct and delete the government's Ombudsman products: its coordinators and
    administrators. Whether the round still takes changes (not once it is published or
    closed) is the state rule ``ombudsman_products_lock_reason``, checked again at the write."""
    scope = scope_of(user)
    return scope.administrator or government_id in scope.coordinator_governments


def may_verify_ombudsman_products(user, government_id) -> bool:
    """Verify the government's Ombudsman products and write the follow-up indicator's
    verified value into its units: only the assessors assigned to the government (as
    ``may_verify``; that the round is in verification is the state rule
    ``ombudsman_verify_lock_reason``)."""
    return government_id in scope_of(user).assessor_governments


# --- who is told: the recipients of notifications ------------------------------------------------

def _members(role, **where):
    user_model = get_user_model()
    return user_model.objects.filter(
        is_active=True, id__in=Membership.objects.filter(role=role, **where)
        .values("user_id")).order_by("id")


def operators_of(agency_ids):
    return _members(Role.OPERATOR, agency_id__in=list(agency_ids))


def coordinators_of(government_ids):
    return _members(Role.COORDINATOR, government_id__in=list(government_ids))


def leaders_of(government_ids):
    return _members(Role.LEADER, government_id__in=list(government_ids))


def assessors_of(government_ids):
    return _members(Role.ASSESSOR, government_id__in=list(government_ids))


def operators_by_agency(agency_ids) -> dict:
    """agency id -> [user ids] of its active operators (one query, for the periodic jobs)."""
    result = {}
    for user_id, agency_id in Membership.objects.filter(
            role=Role.OPERATOR, agency_id__in=list(agency_ids), user__is_active=True
    ).values_list("user_id", "agency_id"):
        result.setdefault(agency_id, []).append(user_id)
    return result


def members_by_government(role, government_ids) -> dict:
    """government id -> [user ids] holding ``role`` there (one query, for the periodic jobs)."""
    result = {}
    for user_id, government_id in Membership.objects.filter(
            role=role, government_id__in=list(government_ids), user__is_active=True
    ).values_list("user_id", "government_id"):
        result.setdefault(government_id, []).append(user_id)
    return result


# --- user accounts and roles ------------------------------------------------------------------

# What a coordinator may hand out in their own government.
COORDINATOR_GRANTABLE = (Role.OPERATOR, Role.COORDINATOR, Role.LEADER)


def may_manage_users(user) -> bool:
    """Administrators everywhere, coordinators for their own government."""
    scope = scope_of(user)
    return scope.administrator or bool(scope.coordinator_governments)


def grantable_roles(user) -> list[str]:
    scope = scope_of(user)
    if scope.administrator:
        return [role.value for role in Role]
    if scope.coordinator_governments:
        return [role.value for role in COORDINATOR_GRANTABLE]
    return []


def _coordinated(user, queryset, government_field):
    """All of ``queryset`` for an administrator, else the rows of the user's coordinated
    governments (none for anyone else)."""
    scope = scope_of(user)
    if scope.administrator:
        return queryset
    return queryset.filter(**{f"{government_field}__in": scope.coordinator_governments})


def grantable_governments(user):
    return _coordinated(user, Government.objects.select_related("province")
                        .order_by("name", "province__name"), "id")


def grantable_agencies(user):
    return _coordinated(user, Agency.objects.select_related("government")
                        .order_by("government__name", "name"), "government_id")


def grant_refusal(by, *, role, government=None, agency=None) -> str | None:
    """Why ``by`` may not grant (or revoke) this role with this scope, or None if they may:
    an administrator grants anything; a coordinator only operator (of an agency of their
    government), coordinator or leader of their own government, never assessor (the
    Ombudsman assigns its own people) and never administrator."""
    scope = scope_of(by)
    if scope.administrator:
        return None
    if not scope.coordinator_governments:
        return _("Only administrators and coordinators manage user accounts.")
    if role not in COORDINATOR_GRANTABLE:
        return _("Only an administrator can grant or revoke the role “%(role)s”.") % {
            "role": Role(role).label}
    if role == Role.OPERATOR:
        inside = agency is not None and agency.government_id in scope.coordinator_governments
    else:
        inside = government is not None and government.id in scope.coordinator_governments
    if not inside:
        return _("A coordinator can only grant roles in their own government.")
    return None


def revoke_refusal(by, membership) -> str | None:
    """Why ``by`` may not revoke this membership, or None. The grant rules apply, and nobody
    revokes their own administrator or coordinator role: that would lock them out of the user
    pages half-way through (another manager can do it)."""
    refusal = grant_refusal(by, role=membership.role, government=membership.government,
                            agency=membership.agency)
    if refusal:
        return refusal
    if membership.user_id == by.pk and membership.role in (Role.ADMINISTRATOR, Role.COORDINATOR):
        return _("You cannot revoke your own role “%(role)s”; ask another administrator or "
                 "coordinator.") % {"role": membership.get_role_display()}
    return None


def users_managed_by(by):
    """The users ``by`` may see on the user pages, with the memberships they may see.

    A coordinator sees the users holding a membership in their government, and of those users
    only the memberships in their government (an assessor's other assignments are none of
    their business)."""
    user_model = get_user_model()
    scope = scope_of(by)
    memberships = (Membership.objects.select_related("government", "agency__government")
                   .order_by("role", "government__name", "agency__name", "id"))
    if scope.administrator:
        users = user_model.objects.all()
    elif scope.coordinator_governments:
        in_government = (Q(government_id__in=scope.coordinator_governments)
                         | Q(agency__government_id__in=scope.coordinator_governments))
        memberships = memberships.filter(in_government)
        users = user_model.objects.filter(
            Exists(Membership.objects.filter(in_government, user=OuterRef("pk"))))
    else:
        users = user_model.objects.none()
    return users.prefetch_related(Prefetch("memberships", queryset=memberships))


def may_grant_to(by, user) -> bool:
    """A coordinator may add roles to the users of their government, and to an account that
    holds no role yet (one they have just created)."""
    if scope_of(by).administrator:
        return True
    if users_managed_by(by).filter(pk=user.pk).exists():
        return True
    return not user.is_superuser and not user.memberships.exists()


# --- lookups: the object in scope, or 404; then the right, or 403 ---------------------------------

def require(allowed: bool) -> None:
    """In scope but without the right: 403."""
    if not allowed:
        raise PermissionDenied


def government_or_404(user, government_id) -> Government:
    government = Government.objects.select_related("province").filter(id=government_id).first()
    if government is None or not may_view_government(user, government.id):
        raise Http404
    return government


def agency_or_404(user, agency_id) -> Agency:
    agency = Agency.objects.select_related("government__province").filter(id=agency_id).first()
    if agency is None or not may_view_agency(user, agency):
        raise Http404
    return agency


def managed_user_or_404(by, pk):
    """A user account on the user pages: 403 for those who manage no users, 404 for an
    account outside the manager's government."""
    require(may_manage_users(by))
    account = users_managed_by(by).filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


def navigation_rights(user) -> dict:
    """What the navigation bar offers."""
    return {"nav_can_manage_users": may_manage_users(user),
            "nav_is_administrator": may_administer(user),
            # assessors only: an administrator reaches the queues from the rounds page (their
            # bar is full already)
            "nav_assessor_queue": bool(scope_of(user).assessor_governments)}


# --- the specification: which rule guards each URL -----------------------------------------------

@dataclass(frozen=True)
class Route:
    """``scope``: the lookup whose failure is a 404 (None: no object, or public);
    ``get``/``post``: the rule for that method — "public", "login" (any logged-in user), the
    name of a rule above, or None when the method is not allowed (405)."""
    scope: str | None
    get: str | None
    post: str | None = None


PUBLIC = "public"
LOGIN = "login"

ROUTES = {
    # accounts and language
    "login": Route(None, PUBLIC, PUBLIC),
    "logout": Route(None, None, PUBLIC),
    "set_language": Route(None, PUBLIC, PUBLIC),
    # public results (an unpublished round: 404 unless may_see_unpublished_ranking)
    "home": Route(None, PUBLIC),
    "public-results": Route(None, PUBLIC),
    "public-round": Route("published_round", PUBLIC),
    "methodology-list": Route(None, PUBLIC),
    "methodology-detail": Route(None, PUBLIC),
    "api-rankings": Route(None, PUBLIC),
    "api-government-history": Route(None, PUBLIC),
    "ranking-index": Route(None, PUBLIC),
    "ranking-national": Route("may_see_unpublished_ranking", PUBLIC),
    "ranking-province": Route("may_see_unpublished_ranking", PUBLIC),
    "ranking-province-xlsx": Route("may_see_unpublished_ranking", PUBLIC),
    "ranking-national-xlsx": Route("may_see_unpublished_ranking", PUBLIC),
    # a government
    "government-detail": Route("may_view_government", LOGIN),
    "government-dashboard": Route("may_view_government", LOGIN),
    "government-report-xlsx": Route("may_view_government", LOGIN),
    "province-report-xlsx": Route(None, "may_download_province_report"),
    "progress-board": Route("may_view_government", "may_watch_progress"),
    "government-actions": Route("may_view_government", "may_watch_progress"),
    "comparison": Route("may_view_government", "may_compare"),
    "government-rapor-pdf": Route("may_view_government", "may_compare"),
    # an agency's checklist
    "checklist": Route("may_view_agency", LOGIN),
    "checklist-history": Route("may_view_agency", LOGIN),
    "answer-save": Route("may_view_agency", None, "may_answer"),
    "evidence-add": Route("may_view_agency", None, "may_answer"),
    "evidence-remove": Route("may_view_agency", None, "may_answer"),
    "evidence-download": Route("may_view_agency", LOGIN),
    "standing-confirm": Route("may_view_agency", None, "may_answer"),
    "checklist-submit": Route("may_view_agency", None, "may_answer"),
    "checklist-submit-confirm": Route("may_view_agency", "may_answer"),
    "checklist-return": Route("may_view_agency", None, "may_return"),
    "rapor": Route("may_view_agency", "may_read_rapor"),
    "rapor-xlsx": Route("may_view_agency", "may_read_rapor"),
    "rapor-pdf": Route("may_view_agency", "may_read_rapor"),
    # verification
    "verify": Route("may_view_agency", "may_read_verification"),
    "verify-save": Route("may_view_agency", None, "may_verify"),
    "verify-survey": Route("may_view_agency", None, "may_verify"),
    "verify-finalise": Route("may_view_agency", None, "may_verify"),
    "verify-finalise-confirm": Route("may_view_agency", "may_verify"),
    # service products: the unit's list, a round's sample, the operator's per-product answers
    "products": Route("may_view_agency", LOGIN, "may_keep_products"),
    "product-update": Route("may_view_agency", None, "may_keep_products"),
    "product-sample": Route("may_view_agency", "may_sample_products", "may_sample_products"),
    "checklist-product": Route("may_view_agency", LOGIN),
    "product-answer-save": Route("may_view_agency", None, "may_answer"),
    # the assessor's four sources, the visit plan and the work queue
    "sources": Route("may_view_agency", "may_read_verification"),
    "source-interview": Route("may_view_agency", None, "may_verify"),
    "source-observation": Route("may_view_agency", None, "may_verify"),
    "source-survey": Route("may_view_agency", None, "may_verify"),
    "source-complaint": Route("may_view_agency", None, "may_verify"),
    "source-visit": Route("may_view_agency", None, "may_verify"),
    "assessor-queue": Route(None, "may_use_assessor_queue"),
    # follow-up
    "agency-actions": Route("may_view_agency", LOGIN),
    "action-create": Route("may_view_agency", None, "may_follow_up"),
    "action-update": Route("may_view_agency", None, "may_follow_up"),
    "obstacle-report": Route("may_view_agency", None, "may_follow_up"),
    "obstacle-resolve": Route("may_view_agency", None, "may_follow_up"),
    "obstacle-answer": Route("may_view_agency", None, "may_answer_obstacle"),
    "leader-report-list": Route("may_view_government", "may_read_leader_reports"),
    "leader-report-download": Route("may_view_government", "may_read_leader_reports"),
    # the Ombudsman's products addressed to a government in a round, and their follow-up (the
    # 2025 indicator "tindak-lanjut-produk-ombudsman"); a round without it: 404
    "ombudsman-products": Route("may_view_government", "may_read_ombudsman_products",
                                "may_keep_ombudsman_products"),
    "ombudsman-product-edit": Route("may_view_government", "may_keep_ombudsman_products",
                                    "may_keep_ombudsman_products"),
    "ombudsman-product-delete": Route("may_view_government", None,
                                      "may_keep_ombudsman_products"),
    "ombudsman-product-evidence": Route("may_view_government", "may_read_ombudsman_products"),
    "ombudsman-product-verify": Route("may_view_government", None,
                                      "may_verify_ombudsman_products"),
    "ombudsman-products-apply": Route("may_view_government", None,
                                      "may_verify_ombudsman_products"),
    # users
    "user-list": Route(None, "may_manage_users"),
    "user-create": Route(None, "may_manage_users", "may_manage_users"),
    "user-agency-options": Route(None, "may_manage_users"),
    "user-detail": Route("users_managed_by", "may_manage_users"),
    "membership-grant": Route("users_managed_by", None, "may_manage_users"),
    "membership-revoke": Route("users_managed_by", None, "may_manage_users"),
    # administration
    "agency-import": Route(None, "may_administer", "may_administer"),
    "agency-import-template": Route(None, "may_administer"),
    "government-merge": Route(None, "may_administer", "may_administer"),
    "government-aliases": Route(None, "may_administer", "may_administer"),
    "instrument-list": Route(None, "may_manage_instruments", "may_manage_instruments"),
    "instrument-export": Route(None, "may_manage_instruments"),
    "round-list": Route(None, "may_administer"),
    "round-create": Route(None, "may_administer", "may_administer"),
    "round-detail": Route(None, "may_administer"),
    "round-transition": Route(None, None, "may_administer"),
    "round-transition-confirm": Route(None, "may_administer"),
    "round-government": Route(None, "may_administer", "may_administer"),
    "round-not-assessed": Route(None, None, "may_administer"),
    "audit-log": Route(None, "may_administer"),
    # notifications (each user's own; the one-click link carries its own signed token)
    "notification-list": Route(None, LOGIN),
    "notification-bell": Route(None, LOGIN),
    "notification-read": Route("may_read_notification", None, LOGIN),
    "notification-read-all": Route(None, None, LOGIN),
    "notification-preferences": Route(None, LOGIN, LOGIN),
    "notification-unsubscribe": Route(None, PUBLIC, PUBLIC),
    # background exports: requested with a POST under the export's own rule; the job's page,
    # progress and file are the requester's alone, and the file's download asks the export's
    # rule again (the requester may have lost the role since it was made)
    "export-request-national": Route(None, None, "may_download_national_workbook"),
    "export-request-province": Route(None, None, "may_download_province_report"),
    "export-request-government": Route("may_view_government", None, LOGIN),
    "export-request-government-rapor": Route("may_view_government", None, "may_compare"),
    "export-list": Route(None, LOGIN),
    "export-job": Route("may_read_export_job", LOGIN),
    "export-job-status": Route("may_read_export_job", LOGIN),
    "export-job-download": Route("may_read_export_job", LOGIN),
}
