"""Follow-up of findings: actions and obstacles (included from compliance/urls.py)."""
from django.urls import path

from .views import actions, leader_reports

urlpatterns = [
    path("agencies/<int:agency_id>/actions/", actions.agency_actions_view,
         name="agency-actions"),
    path("agencies/<int:agency_id>/actions/new/", actions.action_create_view,
         name="action-create"),
    path("agencies/<int:agency_id>/actions/<int:action_id>/", actions.action_update_view,
         name="action-update"),
    path("agencies/<int:agency_id>/obstacles/new/", actions.obstacle_report_view,
         name="obstacle-report"),
    path("agencies/<int:agency_id>/obstacles/<int:obstacle_id>/resolve/",
         actions.obstacle_resolve_view, name="obstacle-resolve"),
    path("governments/<int:gov_id>/actions/", actions.government_actions_view,
         name="government-actions"),
    path("agencies/<int:agency_id>/obstacles/<int:obstacle_id>/answer/",
         leader_reports.obstacle_answer_view, name="obstacle-answer"),
    path("governments/<int:gov_id>/periodic-reports/", leader_reports.leader_report_list_view,
         name="leader-report-list"),
    path("governments/<int:gov_id>/periodic-reports/<int:report_id>/",
         leader_reports.leader_report_download_view, name="leader-report-download"),
]
