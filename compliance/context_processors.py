"""What the navigation bar shows depends on the user's roles (read once per request)."""
from agencies.access import scope_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(user)
    return {
        "nav_can_manage_users": scope.administrator or bool(scope.coordinator_governments),
        "nav_is_administrator": scope.administrator,
    }
