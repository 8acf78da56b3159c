"""One greppable WARNING line per refused request, on the ``kepatuhan.security`` logger.

Someone probing for other governments' pages, a forged form or a password being guessed shows
up as a run of refusals; without a line each, nobody can see it or answer "who tried what from
where". Logged: a 403 (any user; a CSRF failure is marked as such), a 404 for a logged-in user
(an anonymous 404 is mostly scanners, and would drown the rest) and a throttled login (429).

The line names the user (id and user name, nothing else personal), the client address as the
login throttle sees it (``client_ip``: X-Forwarded-For only from a trusted proxy), the method and
the path without its query string (a search may hold a name). The log format adds the request
id, which the user also sees on the error page. Values that could break the line (spaces,
quotes, line breaks, non-ASCII) are written as a JSON string, so one refusal is one line:

    refused status=403 reason=forbidden user=12:budi ip=1.2.3.4 method=GET path=/rounds/
"""
import json
import logging
import re

from django.views.csrf import csrf_failure as django_csrf_failure

from .client_ip import client_ip

logger = logging.getLogger("kepatuhan.security")
PLAIN = re.compile(r"[A-Za-z0-9_.,:;/@%+!$&'()*~-]+")
MAX_VALUE = 300


def csrf_failure(request, reason=""):
    """Django's CSRF failure page (templates/403_csrf.html), with the refusal marked so that
    its log line says why."""
    request.refused_csrf = True
    return django_csrf_failure(request, reason=reason)


def _value(value) -> str:
    text = str(value)[:MAX_VALUE]
    return text if PLAIN.fullmatch(text) else json.dumps(text)


def _user(request) -> tuple[str, bool]:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"{user.pk}:{user.get_username()}", True
    return "-", False


def _attempted_login(request) -> str:
    credentials = getattr(request, "axes_credentials", None) or {}
    return credentials.get("username") or "-"


def refusal_reason(request, status: int, authenticated: bool) -> str | None:
    if getattr(request, "refused_csrf", False):
        return "csrf"
    if status == 429:
        return "locked_out" if getattr(request, "axes_locked_out", False) else "throttled"
    if status == 403:
        return "forbidden"
    if status == 404 and authenticated:
        return "not_found"
    return None


class RefusalLogMiddleware:
    """Sits inside the request-id middleware (so the line carries the id) and outside CSRF and
    axes (so it sees their refusals as the responses they become)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404, 429):
            user, authenticated = _user(request)
            reason = refusal_reason(request, response.status_code, authenticated)
            if reason:
                fields = [("status", response.status_code), ("reason", reason), ("user", user),
                          ("ip", client_ip(request) or "-"), ("method", request.method),
                          ("path", request.path)]
                if reason == "locked_out":  # the account being guessed at
                    fields.append(("login", _attempted_login(request)))
                logger.warning("refused %s", " ".join(f"{name}={_value(value)}"
                                                      for name, value in fields))
        return response
