"""The periodic removal of exports kept past their 7 days, stored in the database
(django-celery-beat) so that administrators change its time in the admin ("Periodic tasks")."""
from django.db import migrations

NAME = "Remove expired exports"


def install(apps, schema_editor):
    from django.conf import settings

    crontab, _created = apps.get_model("django_celery_beat", "CrontabSchedule").objects \
        .get_or_create(minute="20", hour="*", day_of_week="*", day_of_month="*",
                       month_of_year="*", timezone=settings.TIME_ZONE)
    apps.get_model("django_celery_beat", "PeriodicTask").objects.get_or_create(
        name=NAME, defaults={"task": "exports.tasks.expire_export_jobs", "crontab": crontab})


def uninstall(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0001_export_jobs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(install, uninstall)]
