"""Gives every request an id (response header X-Request-ID, every log line, every audit entry)
and makes its user the actor of the audit entries its writes cause."""
from audit.context import bind_request, unbind_request


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tokens = bind_request(request)
        try:
            response = self.get_response(request)
        finally:
            unbind_request(tokens)
        response.headers["X-Request-ID"] = request.request_id
        return response
