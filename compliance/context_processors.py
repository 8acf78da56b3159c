"""What the navigation bar shows depends on the user's roles (asked of the access policy, read
once per request)."""
from agencies.access import navigation_rights


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return navigation_rights(user)
