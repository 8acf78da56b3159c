from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from agencies.forms import LoginForm

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True,
                                                         authentication_form=LoginForm),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("audit.urls")),
    path("", include("notifications.urls")),
    path("", include("exports.urls")),
    path("", include("agencies.urls")),
    path("", include("assessments.urls_reports")),
    path("", include("assessments.urls_rounds")),
    path("", include("assessments.urls_public")),
    path("", include("assessments.urls_actions")),
    path("", include("assessments.urls_fieldwork")),
    path("", include("assessments.urls")),
]

handler500 = "compliance.errors.server_error"
