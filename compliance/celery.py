"""The Celery application: background work (exports, mails, reminders, periodic reports).

Configured from Django's settings (the ``CELERY_`` names). With no broker configured the tasks
run in-process when they are called (``CELERY_TASK_ALWAYS_EAGER``), so ``make run`` needs no
Redis; production runs ``celery -A compliance worker`` and ``celery -A compliance beat``."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")

app = Celery("kepatuhan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
