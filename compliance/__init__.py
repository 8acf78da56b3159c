"""The project package; importing it loads the Celery application so that ``shared_task``
functions bind to it."""
from .celery import app as celery_app

__all__ = ["celery_app"]
