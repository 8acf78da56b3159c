"""Administrators see the outbox (what was sent, what failed and why) in the Django admin;
read only: a row changes only by being delivered."""
from django.contrib import admin

from .models import Outbox


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ("dedupe_key", "recipient", "status", "attempts", "reason", "created_at",
                    "sent_at")
    list_filter = ("status",)
    search_fields = ("dedupe_key",)
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
