"""The administrator's round pages (included from compliance/urls.py)."""
from django.urls import path

from .views import confirm, instruments_admin, rounds_admin

urlpatterns = [
    path("instruments/", instruments_admin.instrument_list_view, name="instrument-list"),
    path("instruments/<int:pk>/export.xlsx", instruments_admin.instrument_export_view,
         name="instrument-export"),
    path("rounds/", rounds_admin.round_list, name="round-list"),
    path("rounds/new/", rounds_admin.round_create_view, name="round-create"),
    path("rounds/<int:pk>/", rounds_admin.round_detail, name="round-detail"),
    path("rounds/<int:pk>/transition/", rounds_admin.round_transition_view,
         name="round-transition"),
    path("rounds/<int:pk>/confirm/<slug:to_state>/", confirm.round_transition_confirm,
         name="round-transition-confirm"),
    path("rounds/<int:pk>/governments/<int:government_id>/", rounds_admin.round_government,
         name="round-government"),
    path("rounds/<int:pk>/governments/<int:government_id>/not-assessed/",
         rounds_admin.government_not_assessed_view, name="round-not-assessed"),
]
