"""Service products, their sampling, the assessor's four sources and work queue, and a
government's record of the Ombudsman's products."""
from django.urls import path

from .views import fieldwork, ombudsman_products, products, queue

OMBUDSMAN = "governments/<int:pk>/rounds/<int:round_id>/ombudsman-products/"

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
    path(OMBUDSMAN, ombudsman_products.products_view, name="ombudsman-products"),
    path(OMBUDSMAN + "apply/", ombudsman_products.follow_up_apply_view,
         name="ombudsman-products-apply"),
    path(OMBUDSMAN + "<int:product_id>/", ombudsman_products.product_edit_view,
         name="ombudsman-product-edit"),
    path(OMBUDSMAN + "<int:product_id>/delete/", ombudsman_products.product_delete_view,
         name="ombudsman-product-delete"),
    path(OMBUDSMAN + "<int:product_id>/verify/", ombudsman_products.product_verify_view,
         name="ombudsman-product-verify"),
    path(OMBUDSMAN + "<int:product_id>/evidence/", ombudsman_products.product_evidence_view,
         name="ombudsman-product-evidence"),
]
