"""The bell, the list of one's notifications, and how one wants to be told."""
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agencies.access import may_read_notification

from . import selectors, services
from .forms import PreferencesForm
from .kinds import Kind, label
from .models import Mode
from .tokens import read_token


@login_required
@require_safe
def notification_list_view(request):
    language = get_language()
    items = [{"note": note, "text": note.text(language), "label": label(note.kind, language)}
             for note in selectors.notifications_of(request.user)]
    return render(request, "notifications/list.html", {
        "items": items, "unread": selectors.unread_count(request.user)})


@login_required
@require_safe
def notification_bell_view(request):
    """The bell's count, loaded by htmx after the page (so pages keep their query count)."""
    return render(request, "notifications/bell.html",
                  {"unread": selectors.unread_count(request.user)})


@login_required
@require_POST
def notification_read_view(request, notification_id):
    note = selectors.own_notification_or_none(request.user, notification_id)
    if note is None or not may_read_notification(request.user, note):
        raise Http404
    services.notification_mark_read(user=request.user, notification_id=note.id)
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts=None) \
            and request.POST.get("follow"):
        return redirect(note.url)
    return redirect("notification-list")


@login_required
@require_POST
def notification_read_all_view(request):
    services.notification_mark_read(user=request.user)
    return redirect("notification-list")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_preferences_view(request):
    user = request.user
    modes = {kind: mode for kind, _label, mode in selectors.preferences_of(user)}
    form = PreferencesForm(request.POST or None, initial_modes=modes,
                           language=services.language_of(user))
    if request.method == "POST" and form.is_valid():
        for kind, mode in form.modes().items():
            if modes.get(kind) != mode:
                services.preference_set(user=user, kind=kind, mode=mode)
        services.mail_language_set(user=user, language=form.cleaned_data["language"])
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notification-preferences")
    return render(request, "notifications/preferences.html", {
        "form": form, "has_email": bool(user.email)}, status=400 if form.errors else 200)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def notification_unsubscribe_view(request, token):
    """The one-click link of a mail: the signed token names the user (and the kind of the
    mail); confirming sets that kind (or every kind, for a digest) to the app only. One-click
    mail clients POST to it directly (RFC 8058)."""
    value = read_token(token)
    user = get_user_model().objects.filter(pk=value["u"], is_active=True).first() \
        if value else None
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    kinds = [value["k"]] if value.get("k") in Kind.values else list(Kind.values)
    if request.method == "POST":
        for kind in kinds:
            services.preference_set(user=user, kind=kind, mode=Mode.APP)
        return render(request, "notifications/unsubscribe.html", {"done": True,
                                                                  "labels": _labels(kinds)})
    return render(request, "notifications/unsubscribe.html", {"labels": _labels(kinds)})


def _labels(kinds):
    language = get_language()
    return [label(kind, language) for kind in kinds]
