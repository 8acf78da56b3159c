"""Reports on verified results: the self vs verified comparison and each unit's rapor."""
from django.urls import path

from .views import reports

urlpatterns = [
    path("governments/<int:government_id>/rounds/<int:round_id>/comparison/",
         reports.comparison, name="comparison"),
    path("checklists/<int:pk>/rapor/", reports.rapor_view, name="rapor"),
    path("checklists/<int:pk>/rapor.xlsx", reports.rapor_xlsx, name="rapor-xlsx"),
    path("checklists/<int:pk>/rapor.pdf", reports.rapor_pdf, name="rapor-pdf"),
    path("governments/<int:government_id>/rounds/<int:round_id>/rapor.pdf",
         reports.government_rapor_pdf, name="government-rapor-pdf"),
]
