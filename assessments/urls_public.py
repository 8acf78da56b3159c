"""Published results for everyone: the public pages and the read-only JSON API (no login)."""
from django.urls import path, re_path

from .views import api, methodology, public

urlpatterns = [
    path("results/", public.public_results, name="public-results"),
    path("results/<int:round_id>/", public.public_round, name="public-round"),
    path("methodology/", methodology.methodology_list, name="methodology-list"),
    path("methodology/<slug:code>/", methodology.methodology_detail, name="methodology-detail"),
    # Without a trailing slash, as documented; one is tolerated rather than a 404.
    re_path(r"^api/v1/rankings/?$", api.rankings, name="api-rankings"),
    re_path(r"^api/v1/governments/(?P<government_id>[^/]+)/history/?$",
            api.government_history_view, name="api-government-history"),
]
