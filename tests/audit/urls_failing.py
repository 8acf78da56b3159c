"""The project's URLs plus one view that fails, to see the server error page."""
from django.urls import path

from compliance.urls import urlpatterns as project_urls


def failing_view(request):
    raise RuntimeError("secret detail of the failure")


urlpatterns = [*project_urls, path("failing/", failing_view)]
handler500 = "compliance.errors.server_error"
