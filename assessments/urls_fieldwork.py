"""Service products, their sampling, and the assessor's four sources and work queue."""
from django.urls import path

from .views import fieldwork, products, queue

urlpatterns = [
    path("units/<int:agency_id>/products/", products.product_list, name="products"),
    path("units/<int:agency_id>/products/<int:product_id>/", products.product_update_view,
         name="product-update"),
    path("checklists/<int:pk>/sample/", products.product_sample_view, name="product-sample"),
    path("checklists/<int:pk>/products/<int:sample_id>/", products.checklist_product,
         name="checklist-product"),
    path("checklists/<int:pk>/products/<int:sample_id>/answers/<int:indicator_id>/",
         products.product_answer_save, name="product-answer-save"),
    path("verify/<int:pk>/sources/", fieldwork.sources_view, name="sources"),
    path("verify/<int:pk>/interviews/", fieldwork.interview_save, name="source-interview"),
    path("verify/<int:pk>/products/<int:sample_id>/observation/", fieldwork.observation_save,
         name="source-observation"),
    path("verify/<int:pk>/survey-record/", fieldwork.survey_save, name="source-survey"),
    path("verify/<int:pk>/complaints/", fieldwork.complaint_save, name="source-complaint"),
    path("verify/<int:pk>/visits/", fieldwork.visit_save_view, name="source-visit"),
    path("queue/", queue.assessor_queue_view, name="assessor-queue"),
]
