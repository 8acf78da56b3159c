from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from django.db.backends.signals import connection_created

        from audit.connection import prepare_connection

        connection_created.connect(prepare_connection, dispatch_uid="audit-prepare-connection")
