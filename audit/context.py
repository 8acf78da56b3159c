"""Who is acting and in which request, for the audit trail and the logs.

The middleware binds the current request; management commands and background work fall back
to the process actor (``command:<name>`` for manage.py commands). The actor is read only when
the database is about to be written, so reading pages costs no extra query."""
import contextvars
import uuid

_request = contextvars.ContextVar("audit_request", default=None)
_request_id = contextvars.ContextVar("audit_request_id", default="")
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


def current_request_id():
    return _request_id.get()


def current_actor():
    """``user:<id>:<username>``, ``anonymous`` or the process actor."""
    request = _request.get()
    if request is None:
        return _process_actor
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}:{user.get_username()}"[:150]
    return "anonymous"


def current_actor_id():
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user.pk if user is not None and user.is_authenticated else None
