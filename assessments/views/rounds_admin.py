"""The administrator's round pages: the list, creation, one round's state and participants, and
one government's sample in a round.

Administration pages, so anyone else who is logged in gets 403 whatever the id (there is no
object scope to hide). Every write is a POST that calls one service of
``assessments.services.rounds`` and redirects back with a message; the services' refusals
(``TransitionRefused``, ``PublicationBlocked``, ``ValidationError``) become messages, never a
500. Each page costs a constant number of queries: counts are SQL subqueries or one grouped
query per page, never one query per row.
"""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.access import may_administer, may_use_assessor_queue, require
from agencies.forms import MAX_ID, BoundedIdsField, parse_ids
from agencies.models import Government, Province
from compliance.models import Methodology

from ..models import Assessment, Round, RoundGovernment, RoundTransition
from .confirm import ask_confirmation, is_confirmed
from ..services.rounds import (CORRECTION, FORWARD, PublicationBlocked, TransitionRefused,
                               assessment_set_sampled, government_set_not_assessed,
                               publication_problems, round_create, round_transition)

State = Round.State
PAGE_SIZE = 100
MAX_PROBLEM_MESSAGES = 20
LOCKED_STATES = (State.PUBLISHED, State.CLOSED)  # the services refuse sample/participation edits
STEP_LABELS = {
    State.SELF_ASSESSMENT: gettext_lazy("Open the self-assessment"),
    State.VERIFICATION: gettext_lazy("Close the self-assessment and start verification"),
    State.PUBLISHED: gettext_lazy("Publish the results"),
    State.CLOSED: gettext_lazy("Close the round"),
}
STEP_HELP = {
    State.SELF_ASSESSMENT: gettext_lazy("Operators can then fill their checklists."),
    State.VERIFICATION: gettext_lazy("Operators can then no longer change their answers; "
                                     "assessors verify them."),
    State.PUBLISHED: gettext_lazy("Every sampled unit of an assessed government must be "
                                  "finalised. Scores, zones and ranks become public."),
    State.CLOSED: gettext_lazy("Closing is final: nothing in a closed round can change."),
}


# Forms: input shape only; the services decide what may change.

class GovernmentsField(BoundedIdsField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.province.name})"


YEAR_MIN, YEAR_MAX = 2000, 2100


class RoundCreateForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=YEAR_MIN,
                              max_value=YEAR_MAX)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    methodology = forms.ModelChoiceField(label=gettext_lazy("Methodology"), queryset=None)
    self_deadline = forms.DateField(
        label=gettext_lazy("Self-assessment deadline"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    verification_deadline = forms.DateField(
        label=gettext_lazy("Verification deadline"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    province = forms.ModelChoiceField(
        label=gettext_lazy("Every government of a province"), required=False, queryset=None,
        empty_label=gettext_lazy("(none)"))
    governments = GovernmentsField(
        label=gettext_lazy("And/or these governments"), required=False, queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=gettext_lazy("Hold Ctrl (⌘ on a Mac) to choose several. Every agency of a "
                               "chosen government takes part; the seven units of the "
                               "assessment (five offices and two Puskesmas) are sampled by "
                               "default and the sample can be changed afterwards."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["methodology"].queryset = Methodology.objects.order_by("-first_year", "code")
        self.fields["province"].queryset = Province.objects.order_by("name")
        self.fields["governments"].queryset = Government.objects.select_related(
            "province").order_by("province__name", "name")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has the token
        self.helper.layout = Layout(
            Fieldset(_("Round"), "year", "name", "methodology"),
            Fieldset(_("Deadlines"), "self_deadline", "verification_deadline"),
            Fieldset(_("Participating governments"), "province", "governments"))

    def clean(self):
        cleaned = super().clean()
        for name in ("self_deadline", "verification_deadline"):
            day = cleaned.get(name)
            if day and not YEAR_MIN <= day.year <= YEAR_MAX:
                self.add_error(name, _("Enter a date in the years %(first)s to %(last)s.") % {
                    "first": YEAR_MIN, "last": YEAR_MAX})
        first, second = cleaned.get("self_deadline"), cleaned.get("verification_deadline")
        if first and second and second < first:
            self.add_error("verification_deadline", _(
                "The verification deadline cannot be before the self-assessment deadline."))
        if not cleaned.get("province") and not cleaned.get("governments") \
                and "governments" not in self.errors:
            self.add_error("governments", _("Choose a province or at least one government."))
        return cleaned

    def round_kwargs(self) -> dict:
        data = self.cleaned_data
        chosen = {g.id: g for g in data["governments"]}
        if data["province"]:
            chosen.update({g.id: g for g in data["province"].governments.all()})
        return {"year": data["year"], "name": data["name"].strip(),
                "methodology": data["methodology"], "self_deadline": data["self_deadline"],
                "verification_deadline": data["verification_deadline"],
                "governments": list(chosen.values())}

    def add_service_errors(self, exc: ValidationError) -> None:
        errors = (exc.error_dict if hasattr(exc, "error_dict")
                  else {NON_FIELD_ERRORS: exc.error_list})
        for key, error_list in errors.items():
            for error in error_list:
                if error.code == "unique_together":  # (year, name) taken: next to the name,
                    # in our words (Django's Indonesian for it says "does not exist").
                    self.add_error("name", _("A round with this year and name already exists."))
                    continue
                self.add_error(key if key in self.fields else None, error)


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(choices=State.choices)
    reason = forms.CharField(required=False, max_length=500)


class NotAssessedForm(forms.Form):
    not_assessed = forms.BooleanField(required=False)
    reason = forms.CharField(required=False, max_length=300)


# Reads (constant queries whatever the number of rows).

def _count_of(queryset):
    subquery = queryset.order_by().values("round").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(subquery, output_field=IntegerField()), Value(0))


def rounds_overview():
    """Every round, newest first, with its counts as subqueries (joining both relations and
    counting would multiply governments by assessments)."""
    assessments = Assessment.objects.filter(round=OuterRef("pk"))
    return Round.objects.select_related("methodology").annotate(
        government_count=_count_of(RoundGovernment.objects.filter(round=OuterRef("pk"))),
        assessment_count=_count_of(assessments),
        sampled_count=_count_of(assessments.filter(sampled=True)),
    ).order_by("-year", "-created_at", "-id")


def round_steps(round_, transitions) -> list[dict]:
    """The steps an administrator may take now: the next state, and from "published" the
    reopening for a correction. A reason is asked where the service requires one."""
    if round_.is_official:
        return []  # imported results: publishing again would replace them with nothing
    current = State(round_.state)
    published_before = any(t.to_state == State.PUBLISHED for t in transitions)
    steps = []
    if current in FORWARD:
        to_state = FORWARD[current]
        republish = to_state == State.PUBLISHED and published_before
        steps.append({
            "to_state": to_state, "needs_reason": republish,
            "label": _("Publish again after the correction") if republish
            else STEP_LABELS[to_state],
            "help": STEP_HELP[to_state], "style": "primary"})
    if current in CORRECTION:
        steps.append({
            "to_state": CORRECTION[current], "needs_reason": True,
            "label": _("Reopen for correction"), "style": "outline-danger",
            "help": _("Back to verification to correct a score; the reason is recorded, "
                      "and publishing again needs a reason too.")})
    return steps


def round_overview(round_, page_number) -> dict:
    labels = dict(State.choices)
    transitions = list(RoundTransition.objects.filter(round=round_).select_related("actor"))
    for transition in transitions:
        transition.from_label = labels.get(transition.from_state, "")
        transition.to_label = labels.get(transition.to_state, transition.to_state)
    participants = RoundGovernment.objects.filter(round=round_).select_related(
        "government__province").order_by("government__name", "government_id")
    page = Paginator(participants, PAGE_SIZE).get_page(page_number)
    counts = {row["agency__government_id"]: row for row in Assessment.objects.filter(
        round=round_, agency__government_id__in=[p.government_id for p in page])
        .values("agency__government_id").order_by().annotate(
            units=Count("id"), sampled=Count("id", filter=Q(sampled=True)),
            finalised=Count("id", filter=Q(finalised_at__isnull=False)))}
    empty = {"units": 0, "sampled": 0, "finalised": 0}
    for participant in page:
        participant.counts = counts.get(participant.government_id, empty)
    return {
        "transitions": transitions, "page": page, "steps": round_steps(round_, transitions),
        "problems": publication_problems(round_) if round_.state == State.VERIFICATION
        else None,
        "locked": round_.state in LOCKED_STATES,
    }


# Views.

def _administrator_or_403(user) -> None:
    require(may_administer(user))


def _round_or_404(pk):
    return get_object_or_404(Round.objects.select_related("methodology"), pk=pk)


def _participation_or_404(round_, government_id):
    if government_id > MAX_ID:  # the foreign key lookup has no overflow guard (SQLite: 500)
        raise Http404
    return get_object_or_404(RoundGovernment.objects.select_related("government__province"),
                             round=round_, government_id=government_id)


def _page_number(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


@login_required
@require_GET
def round_list(request):
    _administrator_or_403(request.user)
    return render(request, "assessments/rounds/list.html", {
        "rounds": rounds_overview(),
        # the assessors' queues: an administrator's way there (not in their navigation bar)
        "can_read_queues": may_use_assessor_queue(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def round_create_view(request):
    _administrator_or_403(request.user)
    form = RoundCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = round_create(**form.round_kwargs(), by=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The round %(name)s was created as a draft.") % {
                "name": round_.name})
            return redirect("round-detail", round_.pk)
    return render(request, "assessments/rounds/create.html", {"form": form},
                  status=400 if form.errors else 200)


@login_required
@require_GET
def round_detail(request, pk):
    _administrator_or_403(request.user)
    round_ = _round_or_404(pk)
    return render(request, "assessments/rounds/detail.html", {
        "round": round_, **round_overview(round_, request.GET.get("page"))})


def _refusal_messages(request, exc) -> None:
    if isinstance(exc, PublicationBlocked):
        problems = exc.problems
        messages.error(request, ngettext(
            "Publication is blocked: %(count)s problem must be solved first.",
            "Publication is blocked: %(count)s problems must be solved first.",
            len(problems)) % {"count": len(problems)})
        for problem in problems[:MAX_PROBLEM_MESSAGES]:
            messages.error(request, problem)
        if len(problems) > MAX_PROBLEM_MESSAGES:
            messages.error(request, _("… and %(count)s more, listed on this page.") % {
                "count": len(problems) - MAX_PROBLEM_MESSAGES})
    elif isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc))


@login_required
@require_POST
def round_transition_view(request, pk):
    _administrator_or_403(request.user)
    round_ = _round_or_404(pk)
    form = TransitionForm(request.POST)
    if round_.is_official:
        messages.error(request, _("This round holds imported official results; its state "
                                  "does not change here."))
        return redirect("round-detail", round_.pk)
    if not form.is_valid():
        messages.error(request, _("This step is not possible."))
        return redirect("round-detail", round_.pk)
    if not is_confirmed(request):
        return ask_confirmation(request, "round-transition-confirm", round_.pk,
                                form.cleaned_data["to_state"])
    try:
        round_ = round_transition(round_=round_, to_state=form.cleaned_data["to_state"],
                                  by=request.user, reason=form.cleaned_data["reason"])
    except (TransitionRefused, PublicationBlocked, ValidationError) as exc:
        _refusal_messages(request, exc)
    else:
        messages.success(request, _("The round is now in the state: %(state)s.") % {
            "state": round_.get_state_display()})
    return redirect("round-detail", round_.pk)


@login_required
@require_POST
def government_not_assessed_view(request, pk, government_id):
    _administrator_or_403(request.user)
    round_ = _round_or_404(pk)
    participation = _participation_or_404(round_, government_id)
    form = NotAssessedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason is too long (at most 300 characters)."))
    else:
        not_assessed = form.cleaned_data["not_assessed"]
        try:
            government_set_not_assessed(round_=round_, government=participation.government,
                                        not_assessed=not_assessed,
                                        reason=form.cleaned_data["reason"], by=request.user)
        except (TransitionRefused, ValidationError) as exc:
            _refusal_messages(request, exc)
        else:
            message = (_("%(government)s is marked not assessed.") if not_assessed
                       else _("%(government)s is assessed again."))
            messages.success(request, message % {"government": participation.government.name})
    page = _page_number(request.POST.get("page"))
    return redirect(f"{reverse('round-detail', args=[round_.pk])}?page={page}"
                    f"#government-{participation.government_id}")


@login_required
@require_http_methods(["GET", "POST"])
def round_government(request, pk, government_id):
    """One government's units in the round, with the sample; POST changes only the rows whose
    box differs from what is stored (and only rows that were on the page)."""
    _administrator_or_403(request.user)
    round_ = _round_or_404(pk)
    participation = _participation_or_404(round_, government_id)
    assessments = list(Assessment.objects.filter(
        round=round_, agency__government_id=government_id).select_related("agency")
        .order_by("agency__name", "id"))
    if request.method == "POST":
        shown = set(parse_ids(request.POST.getlist("shown")))
        checked = set(parse_ids(request.POST.getlist("sampled")))
        changes = [(a, a.id in checked) for a in assessments
                   if a.id in shown and (a.id in checked) != a.sampled]
        try:
            for assessment, sampled in changes:
                assessment_set_sampled(assessment=assessment, sampled=sampled, by=request.user)
        except TransitionRefused as exc:
            _refusal_messages(request, exc)
        else:
            messages.success(request, ngettext(
                "The sample was saved: %(count)s unit changed.",
                "The sample was saved: %(count)s units changed.", len(changes)) % {
                "count": len(changes)})
        return redirect("round-government", round_.pk, government_id)
    return render(request, "assessments/rounds/government.html", {
        "round": round_, "participation": participation, "government": participation.government,
        "assessments": assessments, "locked": round_.state in LOCKED_STATES,
        "sampled_count": sum(a.sampled for a in assessments)})

