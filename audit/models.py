from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("the audit trail is append-only")

    def delete(self):
        raise PermissionError("the audit trail is append-only")


class AuditEntry(models.Model):
    """One change of one audited row, written by a database trigger (see audit/triggers.py).

    The table is created by the migration, not by Django (``managed = False``): the
    application only reads it, the database refuses updates and deletes, and test flushes
    leave it alone."""

    class Action(models.TextChoices):
        INSERT = "insert", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")

    at = models.DateTimeField(_("time"))
    table_name = models.CharField(_("table"), max_length=63)
    row_id = models.CharField(_("row"), max_length=40)
    action = models.CharField(_("action"), max_length=6, choices=Action.choices)
    actor = models.CharField(_("actor"), max_length=150)
    actor_id = models.BigIntegerField(_("actor id"), null=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    old_values = models.JSONField(_("old values"), null=True)
    new_values = models.JSONField(_("new values"), null=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "audit_entry"
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.table_name}#{self.row_id} {self.action} by {self.actor}"

    def save(self, *args, **kwargs):
        raise PermissionError("audit entries are written by the database only")

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit trail is append-only")

    def changes(self):
        """[(column, old, new)] of the columns that differ (all columns for a create/delete)."""
        old, new = self.old_values or {}, self.new_values or {}
        columns = list(dict.fromkeys([*old, *new]))
        return [(column, old.get(column), new.get(column)) for column in columns
                if self.action != self.Action.UPDATE or old.get(column) != new.get(column)]
