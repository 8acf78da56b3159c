"""The server error page: no stack trace, only a reference the user can quote.

Rendered without the request's context processors, because the failure may be the database
itself. The traceback goes to the log with the same request id (compliance.settings LOGGING)."""
from django.http import HttpResponseServerError
from django.template import loader

from audit.context import current_request_id


def server_error(request):
    body = loader.render_to_string("500.html", {"request_id": current_request_id()})
    return HttpResponseServerError(body)
