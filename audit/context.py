"""Who is acting and in which request, for the audit trail and the logs.

The middleware binds the current request; management commands and background work fall back
to the process actor (``command:<name>`` for manage.py commands). A service that is told whom
it writes for (``by``, ``user``) says so with ``acting_user``, so that a command or the shell
names that user too. The actor is read only when the database is about to be written, so
reading pages costs no extra query."""
import contextvars
import uuid
from contextlib import contextmanager

_request = contextvars.ContextVar("audit_request", default=None)
_request_id = contextvars.ContextVar("audit_request_id", default="")
_acting = contextvars.ContextVar("audit_acting_user", default=None)
_process_actor = "system"


def set_process_actor(name):
    global _process_actor
    _process_actor = name[:150]


def bind_request(request):
    """Give this request an id and make it the source of the actor; returns reset tokens."""
    request.request_id = uuid.uuid4().hex[:16]
    return _request.set(request), _request_id.set(request.request_id)


def unbind_request(tokens):
    request_token, id_token = tokens
    _request.reset(request_token)
    _request_id.reset(id_token)


@contextmanager
def acting_user(user):
    """Writes inside the block are done for ``user`` when no request is bound (a command, the
    shell, a test calling a service). Within a request its own user stays the actor: code
    cannot write in someone else's name on a page."""
    token = _acting.set(user if getattr(user, "is_authenticated", False) else None)
    try:
        yield
    finally:
        _acting.reset(token)


def _user_of_request():
    request = _request.get()
    if request is None:
        return None, False
    user = getattr(request, "user", None)
    return (user if user is not None and user.is_authenticated else None), True


def current_request_id():
    return _request_id.get()


def current_actor():
    """``user:<id>:<username>``, ``anonymous``, the process actor, or
    ``user:<id>:<username> (<process actor>)`` for a user named with ``acting_user``."""
    user, in_request = _user_of_request()
    if in_request:
        return f"user:{user.pk}:{user.get_username()}"[:150] if user else "anonymous"
    acting = _acting.get()
    if acting is not None:
        return f"user:{acting.pk}:{acting.get_username()} ({_process_actor})"[:150]
    return _process_actor


def current_actor_id():
    user, in_request = _user_of_request()
    if not in_request:
        user = _acting.get()
    return user.pk if user is not None else None
