"""A logging filter that stamps each record with the current request id (or "-")."""
import logging

from audit.context import current_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id() or "-"
        return True
