"""Administrators choose, per government, whether the leaders' periodic report is weekly or
monthly (weekly when no row exists)."""
from django.contrib import admin

from .models import LeaderReportSetting


@admin.register(LeaderReportSetting)
class LeaderReportSettingAdmin(admin.ModelAdmin):
    list_display = ("government", "frequency")
    list_filter = ("frequency",)
    search_fields = ("government__name",)
    autocomplete_fields = ()
    raw_id_fields = ("government",)
