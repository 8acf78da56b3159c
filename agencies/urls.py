from django.urls import path

from . import views, views_identity, views_import

urlpatterns = [
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create_view, name="user-create"),
    path("users/agency-options/", views.agency_options_view, name="user-agency-options"),
    path("users/<int:pk>/", views.user_detail, name="user-detail"),
    path("users/<int:pk>/memberships/grant/", views.membership_grant_view,
         name="membership-grant"),
    path("users/<int:pk>/memberships/<int:membership_pk>/revoke/",
         views.membership_revoke_view, name="membership-revoke"),
    path("agencies/import/", views_import.agency_import_view, name="agency-import"),
    path("agencies/import/template.xlsx", views_import.agency_import_template_view,
         name="agency-import-template"),
    path("governments/merge/", views_identity.government_merge_view, name="government-merge"),
    path("governments/aliases/", views_identity.government_aliases_view,
         name="government-aliases"),
]
