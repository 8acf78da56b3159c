"""Settings for Kepatuhan. Every switch comes from the environment (django-environ).

SQLite is the zero-setup default; set DATABASE_URL for PostgreSQL. With DEBUG off a real
SECRET_KEY must be given, so a production server can never run on a development key.
"""
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "compliance",
    "agencies",
    "assessments",
    "audit",
    "notifications",
    "exports",
    "django_celery_beat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "compliance.refusals.RefusalLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "compliance.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "compliance.urls"
WSGI_APPLICATION = "compliance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "compliance.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): keyed on the username *and* the client address, so guessing
# is stopped but nobody elsewhere can lock a real user out; the lock lifts after a cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "compliance.client_ip.client_ip"
# A lasting record of every failed login (user name, address, time, whether it locked out) in
# axes' AccessFailureLog, kept after a later success (which only clears the throttle's
# counters); successful logins are in axes' AccessLog. Both are read in the Django admin.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Refused requests (403, a logged-in user's 404, CSRF failures, locked-out logins) are logged
# one line each on "kepatuhan.security" (compliance/refusals.py).
CSRF_FAILURE_VIEW = "compliance.refusals.csrf_failure"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Indonesian first, English second.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["compliance.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = None  # evidence is never served from a public URL; only through scoped views

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The cache: the checklist's rendered rows (keyed by what they show, ``assessments.row_cache``)
# and the sessions. CACHE_URL names a cache the application servers share (Redis,
# redis://127.0.0.1:6379/1); without it each process keeps its own.
CACHE_URL = env.str("CACHE_URL", default="")
CACHES = {"default": env.cache_url_config(CACHE_URL) if CACHE_URL
          else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions are read from a shared cache and written through to the database; with a
# per-process cache they stay in the database only (a logout must hold on every server).
SESSION_ENGINE = ("django.contrib.sessions.backends.cached_db"
                  if CACHE_URL.startswith(("redis://", "rediss://"))
                  else "django.contrib.sessions.backends.db")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# Secure by default: with DEBUG off, plain HTTP is redirected to HTTPS and browsers are told to
# use HTTPS only for a year (HSTS), unless the environment turns it off (a plain-HTTP intranet:
# SECURE_SSL_REDIRECT=false, SECURE_HSTS_SECONDS=0 and the two cookie switches above, see
# README). includeSubDomains covers only the hosts below the application's own host name, and
# "preload" has no effect unless someone submits the domain to the browsers' preload list.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS",
                                          default=SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)
# Behind a TLS proxy the request reaches Django as plain HTTP; the proxy's X-Forwarded-Proto
# says whether the client used HTTPS (else the redirect above would loop). Believed only when
# TRUSTED_PROXIES is set: the proxy then always sets the header (deploy/nginx/kepatuhan.conf)
# and the application listens on the loopback, so no client can send it directly.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)

# Content Security Policy (django-csp): no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Evidence uploads (issue: checklist workflow); the limit is configurable per deployment.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "compliance.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o640

# Every line carries the request id that the error page shows the user, so a reported error
# can be found in the log. Errors (with their traceback) go to the log, never to the page.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "audit.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                    "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "kepatuhan.security": {"level": "WARNING"},  # refusals, whatever LOG_LEVEL says
    },
}

# Background work (Celery). No broker configured (``make run``, the tests): every task runs
# in-process when it is called. Production sets CELERY_BROKER_URL (Redis) and runs
# ``celery -A compliance worker`` and ``celery -A compliance beat`` (deploy/systemd/).
CELERY_TASK_ALWAYS_EAGER = not env.str("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves it to another (tasks are
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # idempotent: the outbox keys make a rerun harmless)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Don't log the arguments of tasks (ids only, but keep the habit: nothing personal in logs).
CELERY_WORKER_TASK_LOG_FORMAT = "%(asctime)s %(levelname)s %(task_name)s[%(task_id)s]: %(message)s"

# Mail: the console unless an SMTP server is configured.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=(
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"))
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="kepatuhan@localhost")
# The address that links in mails point to (mails are sent outside any request).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Days before a deadline on which the reminders go out.
REMINDER_DAYS = env.list("REMINDER_DAYS", cast=int, default=[7, 3, 1])
