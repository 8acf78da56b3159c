from django.urls import path

from .views import board, checklist, evidence, governments, home, rankings, verification

urlpatterns = [
    path("", home.home, name="home"),
    path("governments/<int:pk>/", governments.government_detail, name="government-detail"),
    path("governments/<int:pk>/dashboard/", governments.government_dashboard_view,
         name="government-dashboard"),
    path("governments/<int:pk>/board/", board.progress_board, name="progress-board"),
    path("rankings/", rankings.ranking_index, name="ranking-index"),
    path("rankings/<int:round_id>/<int:province_id>/", rankings.ranking_province,
         name="ranking-province"),
    path("rankings/<int:round_id>/<int:province_id>/xlsx/", rankings.ranking_province_xlsx,
         name="ranking-province-xlsx"),
    path("checklists/<int:pk>/", checklist.checklist_view, name="checklist"),
    path("checklists/<int:pk>/answers/<int:indicator_id>/", checklist.answer_save_view,
         name="answer-save"),
    path("checklists/<int:pk>/evidence/<int:indicator_id>/", evidence.evidence_add,
         name="evidence-add"),
    path("checklists/<int:pk>/evidence/<int:evidence_id>/remove/", evidence.evidence_remove_view,
         name="evidence-remove"),
    path("evidence/<int:evidence_id>/download/", evidence.evidence_download,
         name="evidence-download"),
    path("checklists/<int:pk>/submit/", checklist.checklist_submit, name="checklist-submit"),
    path("checklists/<int:pk>/return/", checklist.checklist_return, name="checklist-return"),
    path("checklists/<int:pk>/history/", checklist.checklist_history, name="checklist-history"),
    path("verify/<int:pk>/", verification.verify_view, name="verify"),
    path("verify/<int:pk>/indicators/<int:indicator_id>/", verification.verify_save,
         name="verify-save"),
    path("verify/<int:pk>/survey/", verification.verify_survey, name="verify-survey"),
    path("verify/<int:pk>/finalise/", verification.verify_finalise, name="verify-finalise"),
]
