"""The live server of the browser tests on SQLite: one request at a time.

Django shares the in-memory SQLite test database's single connection with the live server's
threads. The checklist saves on every choice and 1 s after typing, so two requests can reach
that one connection at once, and a sqlite3 connection used by two threads at once can hang
the run. PostgreSQL (CI's first pass, and production) gives each thread its own connection
and needs none of this."""
import threading

_LOCK = threading.Lock()


class SerialRequests:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with _LOCK:
            return self.get_response(request)
