"""The client's address for login throttling. X-Forwarded-For is believed only when the
request comes from a proxy listed in TRUSTED_PROXIES; otherwise anyone could claim any address
and either dodge the throttle or lock somebody else out."""
from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = set(getattr(settings, "TRUSTED_PROXIES", ()))
    if remote not in trusted:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                 if part.strip()]
    for address in reversed(forwarded):  # the nearest hop not ours is the client
        if address not in trusted:
            return address
    return remote
