"""The signed one-click link in every mail that changes how its reader is told.

Signed with the project's secret and a salt of its own (a token of another feature is not
accepted here), and valid for ``MAX_AGE``: an old forwarded mail stops working."""
from django.core import signing

SALT = "kepatuhan.notifications.preference"
MAX_AGE = 60 * 24 * 3600


def preference_token(*, user, kind: str = "") -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=SALT, compress=True)


def read_token(token: str) -> dict | None:
    try:
        value = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(value, dict) or not isinstance(value.get("u"), int):
        return None
    return value
