from django.urls import path

from .views import checklist, governments, home, rankings

urlpatterns = [
    path("", home.home, name="home"),
    path("governments/<int:pk>/", governments.government_detail, name="government-detail"),
    path("rankings/", rankings.ranking_index, name="ranking-index"),
    path("rankings/<int:round_id>/<int:province_id>/", rankings.ranking_province,
         name="ranking-province"),
    path("rankings/<int:round_id>/<int:province_id>/xlsx/", rankings.ranking_province_xlsx,
         name="ranking-province-xlsx"),
    path("checklists/<int:pk>/", checklist.checklist_view, name="checklist"),
    path("checklists/<int:pk>/answers/<int:indicator_id>/", checklist.answer_save_view,
         name="answer-save"),
]
