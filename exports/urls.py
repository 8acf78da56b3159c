from django.urls import path

from . import views

urlpatterns = [
    path("exports/", views.job_list, name="export-list"),
    path("exports/<int:job_id>/", views.job_page, name="export-job"),
    path("exports/<int:job_id>/status/", views.job_status, name="export-job-status"),
    path("exports/<int:job_id>/download/", views.job_download, name="export-job-download"),
    path("exports/request/rounds/<int:round_id>/national/", views.request_national,
         name="export-request-national"),
    path("exports/request/rounds/<int:round_id>/provinces/<int:province_id>/",
         views.request_province, name="export-request-province"),
    path("exports/request/rounds/<int:round_id>/governments/<int:government_id>/",
         views.request_government, name="export-request-government"),
    path("exports/request/rounds/<int:round_id>/governments/<int:government_id>/rapor/",
         views.request_government_rapor, name="export-request-government-rapor"),
]
