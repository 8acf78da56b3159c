"""Who may see and do what, derived from memberships.

Views ask these functions first: an object outside the user's scope is a 404 (never a hint that
it exists); in scope without the right is a 403. The memberships are read once per request and
cached on the user object.
"""
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

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


def scope_of(user) -> Scope:
    if not user.is_authenticated:
        return Scope()
    cached = getattr(user, "_kepatuhan_scope", None)
    if cached is not None:
        return cached
    scope = Scope(administrator=user.is_superuser)
    rows = Membership.objects.filter(user=user).values_list(
        "role", "government_id", "agency_id", "agency__government_id")
    for role, government_id, agency_id, agency_government_id in rows:
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


def can_view_government(user, government_id) -> bool:
    scope = scope_of(user)
    return scope.administrator or government_id in scope.governments


def can_view_agency(user, agency: Agency) -> bool:
    scope = scope_of(user)
    if scope.administrator or agency.id in scope.operator_agencies:
        return True
    return agency.government_id in (scope.coordinator_governments | scope.leader_governments
                                    | scope.assessor_governments)


def can_answer_for(user, agency: Agency) -> bool:
    """Only the agency's own operators fill its checklist."""
    return agency.id in scope_of(user).operator_agencies


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
    governments = (scope.coordinator_governments | scope.leader_governments
                   | scope.assessor_governments)
    return queryset.filter(Q(id__in=scope.operator_agencies) | Q(government_id__in=governments))


def government_or_404(user, government_id) -> Government:
    government = Government.objects.select_related("province").filter(id=government_id).first()
    if government is None or not can_view_government(user, government.id):
        raise Http404
    return government
