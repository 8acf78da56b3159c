"""User accounts and roles: administrators for everyone, coordinators for their government.

Anyone else who is logged in gets 403 on every page here; a coordinator asking for a user
outside their government gets 404 (the user's existence is not revealed)."""
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .access import (managed_user_or_404, may_administer, may_manage_users, require,
                     revoke_refusal, users_managed_by)
from .forms import MembershipGrantForm, UserCreateForm, agency_options, parse_ids
from .models import Membership
from .services import (membership_revoke, memberships_grant, service_errors,
                       user_create_with_role)

PAGE_SIZE = 50


def _require_manager(user) -> None:
    require(may_manage_users(user))



@login_required
@require_GET
def user_list(request):
    _require_manager(request.user)
    # NUL cannot be in a PostgreSQL text literal (a ValueError, a 500): searched without it.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    users = users_managed_by(request.user).order_by("username")
    if query:
        users = users.filter(Q(username__icontains=query) | Q(first_name__icontains=query)
                             | Q(last_name__icontains=query) | Q(email__icontains=query))
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "agencies/user_list.html", {
        "page": page, "query": query,
        "administrator": may_administer(request.user),
    })


@login_required
def user_create_view(request):
    _require_manager(request.user)
    form = UserCreateForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account = user_create_with_role(**form.account_kwargs(), **form.role_kwargs(),
                                            by=request.user)
        except ValidationError as exc:
            form.add_service_errors(service_errors(exc))
        else:
            messages.success(request, _("The account %(username)s was created.") % {
                "username": account.get_username()})
            return redirect("user-detail", account.pk)
    return render(request, "agencies/user_create.html", {"form": form},
                  status=400 if form.errors else 200)


def _render_detail(request, account, grant_form, status=200):
    memberships = list(account.memberships.all())  # prefetched, already scoped
    for membership in memberships:
        membership.revocable = revoke_refusal(request.user, membership) is None
    return render(request, "agencies/user_detail.html", {
        "account": account, "memberships": memberships, "grant_form": grant_form,
    }, status=status)


@login_required
@require_GET
def user_detail(request, pk):
    account = managed_user_or_404(request.user, pk)
    return _render_detail(request, account, MembershipGrantForm(by=request.user))


@login_required
@require_POST
def membership_grant_view(request, pk):
    account = managed_user_or_404(request.user, pk)
    form = MembershipGrantForm(request.POST, by=request.user)
    if form.is_valid():
        try:
            granted = memberships_grant(user=account, **form.role_kwargs(), by=request.user)
        except ValidationError as exc:
            form.add_service_errors(service_errors(exc))
        else:
            messages.success(request, _("Granted: %(roles)s.") % {
                "roles": "; ".join(str(_membership_label(m)) for m in granted)})
            return redirect("user-detail", account.pk)
    account = managed_user_or_404(request.user, pk)  # fresh memberships for the page
    return _render_detail(request, account, form, status=400)


@login_required
@require_POST
def membership_revoke_view(request, pk, membership_pk):
    account = managed_user_or_404(request.user, pk)
    membership = next((m for m in account.memberships.all() if m.pk == membership_pk), None)
    if membership is None:
        raise Http404
    label = _membership_label(membership)
    membership_revoke(membership=membership, by=request.user)
    messages.success(request, _("Revoked: %(role)s.") % {"role": label})
    return redirect("user-detail", account.pk)


@login_required
@require_GET
def agency_options_view(request):
    """The agency <option>s for the chosen governments (htmx, on the role forms)."""
    _require_manager(request.user)
    options = agency_options(request.user, parse_ids(request.GET.getlist("governments")))
    return render(request, "agencies/includes/agency_options.html", {
        "options": options, "administrator": may_administer(request.user)})


def _membership_label(membership: Membership) -> str:
    scope = (membership.agency or membership.government)
    role = membership.get_role_display()
    return f"{role} · {scope}" if scope else str(role)
