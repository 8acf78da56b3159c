"""Follow-up pages: an agency's actions (rencana aksi) and obstacles (kendala), and the
government overview leaders read (overdue actions, open actions per agency, open obstacles).

The agency page is read by everyone who may see the agency; who also writes (add and update
actions, report and resolve obstacles) is ``may_follow_up`` in the access policy: the others
see no forms and their posts get 403. The government page is ``may_watch_progress``: operators
are in the government's scope, so they get 403 there, not 404.

Every write is a POST that calls one service. Invalid input re-renders the agency page with the
form, its translated errors and status 400; nothing is saved. Forms check the input's shape,
the services the rules (they are called from elsewhere too)."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from agencies.access import (agency_or_404, government_or_404, may_answer_obstacle,
                             may_follow_up, may_read_leader_reports, may_watch_progress,
                             require)
from compliance.models import Component

from ..models import ActionItem, Obstacle
from ..selectors.actions import agency_actions, government_actions
from ..services.actions import (DESCRIPTION_MAX, OWNER_MAX, TITLE_MAX, UNCHANGED, action_create,
                                action_update, obstacle_report, obstacle_resolve)

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
UPDATE_FIELDS = ("status", "owner", "due_date")


def date_field(label):
    return forms.DateField(
        label=label, required=False, input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"},
                               format="%Y-%m-%d"))


def text_input(**attrs):
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def select():
    return forms.Select(attrs={"class": "form-select"})


class ActionCreateForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Action"), max_length=TITLE_MAX,
                            widget=text_input())
    component = forms.TypedChoiceField(label=gettext_lazy("Component"), required=False,
                                       coerce=int, empty_value=None, widget=select())
    owner = forms.CharField(label=gettext_lazy("Owner"), required=False, max_length=OWNER_MAX,
                            widget=text_input())
    due_date = date_field(gettext_lazy("Due date"))

    def __init__(self, *args, components, **kwargs):
        super().__init__(*args, **kwargs)
        self.components = {component.id: component for component in components}
        self.fields["component"].choices = [("", gettext_lazy("(no component)"))] + [
            (component.id, f"{component.letter}. {component.name}")
            for component in components]


class ActionUpdateForm(forms.Form):
    """One action's row. A field left out of the post stays as it is, so a single "done"
    button may post only the status."""

    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=ActionItem.Status.choices, widget=select())
    owner = forms.CharField(label=gettext_lazy("Owner"), required=False, max_length=OWNER_MAX,
                            widget=text_input())
    due_date = date_field(gettext_lazy("Due date"))

    def __init__(self, *args, action_id, **kwargs):
        super().__init__(*args, auto_id=f"id_action_{action_id}_%s", **kwargs)
        self.action_id = action_id
        self.html_id = f"action-form-{action_id}"
        # The inputs sit in the table's cells and belong to the row's form by its id.
        for field in self.fields.values():
            field.widget.attrs["form"] = self.html_id


class ObstacleReportForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("Obstacle"), max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}))
    action = forms.TypedChoiceField(label=gettext_lazy("For the action"),
                                    required=False, coerce=int, empty_value=None,
                                    widget=select())

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = {action.id: action for action in actions}
        self.fields["action"].choices = [("", gettext_lazy("(no particular action)"))] + [
            (action.id, shorten(action.title)) for action in actions]


def shorten(text, limit=80):
    return text if len(text) <= limit else text[:limit - 1] + "…"


def add_service_errors(form, exc: ValidationError):
    """The service's errors on the form's fields where they belong, elsewhere on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def writable_agency_or_error(user, agency_id):
    agency = agency_or_404(user, agency_id)
    require(may_follow_up(user, agency))
    return agency


def open_actions(agency):
    """The actions an obstacle may be linked to: the agency's actions not yet done."""
    return list(ActionItem.objects.filter(agency=agency).exclude(status=ActionItem.Status.DONE)
                .order_by("due_date", "id"))


def agency_page_url(agency, anchor=""):
    return reverse("agency-actions", args=[agency.id]) + (f"#{anchor}" if anchor else "")


def render_agency_page(request, agency, *, action_form=None, obstacle_form=None,
                       failed_update=None, status=200):
    data = agency_actions(agency)
    can_write = may_follow_up(request.user, agency)
    components = list(Component.objects.all()) if can_write else []
    not_done = [row.action for row in data.open_actions]
    rows = []
    for row in data.actions:
        form = None
        if can_write:
            if failed_update is not None and failed_update.action_id == row.action.id:
                form = failed_update
            else:
                form = ActionUpdateForm(action_id=row.action.id, initial={
                    "status": row.action.status, "owner": row.action.owner,
                    "due_date": row.action.due_date})
        rows.append((row, form))
    return render(request, "assessments/actions/agency.html", {
        "agency": agency, "government": agency.government, "data": data, "rows": rows,
        "can_write": can_write, "can_answer_obstacles": may_answer_obstacle(request.user, agency),
        "can_see_overview": may_watch_progress(request.user,
                                                                     agency.government_id),
        "action_form": action_form or (ActionCreateForm(components=components)
                                       if can_write else None),
        "obstacle_form": obstacle_form or (ObstacleReportForm(actions=not_done)
                                           if can_write else None),
    }, status=status)


# Pages.

@login_required
@require_GET
def agency_actions_view(request, agency_id):
    agency = agency_or_404(request.user, agency_id)
    return render_agency_page(request, agency)


@login_required
@require_GET
def government_actions_view(request, gov_id):
    government = government_or_404(request.user, gov_id)
    require(may_watch_progress(request.user, government.id))
    return render(request, "assessments/actions/government.html", {
        "government": government, "data": government_actions(government),
        "can_read_reports": may_read_leader_reports(request.user, government.id)})


# Writes.

@login_required
@require_POST
def action_create_view(request, agency_id):
    agency = writable_agency_or_error(request.user, agency_id)
    form = ActionCreateForm(request.POST, components=list(Component.objects.all()))
    if form.is_valid():
        data = form.cleaned_data
        try:
            action = action_create(agency=agency, by=request.user, title=data["title"],
                                   component=form.components.get(data["component"]),
                                   owner=data["owner"], due_date=data["due_date"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The action has been added."))
            return redirect(agency_page_url(agency, f"action-{action.id}"))
    return render_agency_page(request, agency, action_form=form, status=400)


@login_required
@require_POST
def action_update_view(request, agency_id, action_id):
    agency = writable_agency_or_error(request.user, agency_id)
    action = get_object_or_404(ActionItem, id=action_id, agency=agency)
    form = ActionUpdateForm(request.POST, action_id=action.id)
    if form.is_valid():
        changes = {field: form.cleaned_data[field] if field in request.POST else UNCHANGED
                   for field in UPDATE_FIELDS}
        try:
            action_update(action=action, by=request.user, **changes)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The action has been updated."))
            return redirect(agency_page_url(agency, f"action-{action.id}"))
    messages.error(request, _("The action was not changed: %(errors)s") % {
        "errors": " ".join(str(error) for errors in form.errors.values() for error in errors)})
    return render_agency_page(request, agency, failed_update=form, status=400)


@login_required
@require_POST
def obstacle_report_view(request, agency_id):
    agency = writable_agency_or_error(request.user, agency_id)
    form = ObstacleReportForm(request.POST, actions=open_actions(agency))
    if form.is_valid():
        try:
            obstacle = obstacle_report(agency=agency, by=request.user,
                                       description=form.cleaned_data["description"],
                                       action=form.actions.get(form.cleaned_data["action"]))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The obstacle has been reported to the leaders."))
            return redirect(agency_page_url(agency, f"obstacle-{obstacle.id}"))
    return render_agency_page(request, agency, obstacle_form=form, status=400)


@login_required
@require_POST
def obstacle_resolve_view(request, agency_id, obstacle_id):
    agency = writable_agency_or_error(request.user, agency_id)
    obstacle = get_object_or_404(Obstacle, id=obstacle_id, agency=agency)
    try:
        obstacle_resolve(obstacle=obstacle, by=request.user)
        messages.success(request, _("The obstacle has been marked resolved."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(agency_page_url(agency, f"obstacle-{obstacle.id}"))
