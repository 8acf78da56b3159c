from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list_view, name="notification-list"),
    path("notifications/bell/", views.notification_bell_view, name="notification-bell"),
    path("notifications/<int:notification_id>/read/", views.notification_read_view,
         name="notification-read"),
    path("notifications/read-all/", views.notification_read_all_view,
         name="notification-read-all"),
    path("notifications/preferences/", views.notification_preferences_view,
         name="notification-preferences"),
    path("notifications/preferences/<str:token>/", views.notification_unsubscribe_view,
         name="notification-unsubscribe"),
]
