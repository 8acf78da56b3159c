"""The default schedules of the periodic jobs, stored in the database (django-celery-beat) so
that administrators change them in the admin ("Periodic tasks") without a deployment. Times are
in TIME_ZONE (Asia/Jakarta by default)."""
from django.db import migrations

SCHEDULES = [
    # name, task, minute, hour
    ("Deadline reminders", "assessments.tasks.deadline_reminders", "0", "7"),
    ("Leaders' periodic reports", "assessments.tasks.leader_reports_periodic", "0", "6"),
    ("Daily notification digest", "notifications.tasks.send_digests", "0", "16"),
    ("Retry failed mails", "notifications.tasks.retry_failed_mails", "*/30", "*"),
]


def install(apps, schema_editor):
    from django.conf import settings

    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in SCHEDULES:
        crontab, _created = crontab_model.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*",
            timezone=settings.TIME_ZONE)
        task_model.objects.get_or_create(name=name, defaults={"task": task,
                                                              "crontab": crontab})


def uninstall(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[row[0] for row in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(install, uninstall)]
