"""The one settings module. Everything that differs between machines comes from the environment.

DEBUG=true (what `make run` and `make test` set) gives a development setup that needs no
external service: SQLite, an embedded filesystem Celery broker, and email kept in the in-app
outbox. With DEBUG off, the variables marked required below must be set or start-up stops with
an error naming the missing one.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_email_url,
    raise_if_missing,
    read_env_file,
)
from workplans.imap import parse_imap_url

BASE_DIR = Path(__file__).resolve().parent.parent
# Optional KEY=VALUE file at the top of the checkout; variables set in the environment win.
read_env_file(Path(env_str("BACKBONE_ENV_FILE", str(BASE_DIR / ".env"))))
VAR_DIR = Path(env_str("BACKBONE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)
PRODUCTION = not DEBUG

SECRET_KEY = env_str("SECRET_KEY", "dev-only-not-secret-" + "x" * 40, required=PRODUCTION)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"], required=PRODUCTION
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The public address of the site, used in links inside emails ("https://backbone.example.org").
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000", required=PRODUCTION).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "allauth",
    "allauth.account",
    "anymail",
    "backbone",
    "initiatives",
    "workplans",
    "metrics",
    "dashboard",
    "backbone.webhooks",
    "backbone.onboarding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backbone.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "backbone.middleware.OrganizationMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backbone.context_processors.organization",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_env = environ.Env()
DATABASE_URL = env_str(
    "DATABASE_URL", f"sqlite:///{VAR_DIR / 'backbone.sqlite3'}", required=PRODUCTION
)
DATABASES = {"default": _env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share one file in development: wait for locks
    # instead of failing, and take the write lock at BEGIN so two writers never deadlock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", required=PRODUCTION)
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # A real broker that needs no server: kombu's filesystem transport, one folder on disk
    # shared by the web process, the worker and beat.
    _queue_dir = VAR_DIR / "celery-broker"
    for _folder in (_queue_dir, VAR_DIR / "celery-control"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery-control"),
        # The folder is polled; once a second (the default) delivers about one email a second.
        "polling_interval": 0.1,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Email ------------------------------------------------------------------------------------
# Every email the product sends is first written to the in-app outbox (backbone.OutboundEmail)
# by this backend; EMAIL_URL chooses what then delivers it.
EMAIL_BACKEND = "backbone.mail.backends.OutboxBackend"
_email = parse_email_url(env_str("EMAIL_URL", "outbox://", required=PRODUCTION))
BACKBONE_EMAIL_DELIVERY = str(_email["DELIVERY"])
BACKBONE_DELIVERY_BACKEND = str(_email.get("BACKEND", ""))
for _key in (
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
):
    if _key in _email:
        globals()[_key] = _email[_key]
_anymail = _email.get("ANYMAIL")
ANYMAIL: dict[str, object] = dict(_anymail) if isinstance(_anymail, dict) else {}
# The provider's bounce and complaint webhooks (/anymail/<provider>/tracking/) answer only to
# this HTTP basic-auth "user:password". Unset, a random one is used: the webhooks then accept
# nothing, rather than anything from anyone.
ANYMAIL["WEBHOOK_SECRET"] = env_str("ANYMAIL_WEBHOOK_SECRET", "") or (
    f"unset:{secrets.token_urlsafe(32)}"
)
# Mailgun signs each webhook with its "HTTP webhook signing key" (anymail checks it on top of
# the secret above). Unset, anymail falls back to the API key of EMAIL_URL; with neither, a
# random key: Mailgun's webhooks then accept nothing.
_mailgun_signing_key = env_str("MAILGUN_WEBHOOK_SIGNING_KEY", "")
if _mailgun_signing_key or "MAILGUN_API_KEY" not in ANYMAIL:
    ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"] = (
        _mailgun_signing_key or f"unset:{secrets.token_urlsafe(32)}"
    )
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "backbone@localhost", required=PRODUCTION)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Development convenience: also print each email to the console (links for password resets).
BACKBONE_EMAIL_ECHO = env_bool("BACKBONE_EMAIL_ECHO", default=DEBUG)

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "backbone.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_ADAPTER = "backbone.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Backbone] "
ACCOUNT_FORMS = {"signup": "backbone.forms.SignupForm"}
# Failed logins are limited per address and per account (allauth's rate limits, kept in the cache).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
BACKBONE_INVITATION_DAYS = env_int("BACKBONE_INVITATION_DAYS", 14)
# How long the one-click links in reminder emails work.
BACKBONE_NAG_LINK_DAYS = env_int("BACKBONE_NAG_LINK_DAYS", 60)
# Replies to reminders go to reply+<token>@<domain>: the organization's reply domain, or this.
BACKBONE_REPLY_DOMAIN = env_str("BACKBONE_REPLY_DOMAIN", "reply.localhost")

# --- Outbound webhooks -------------------------------------------------------------------------
# An endpoint is turned off (and its organization's staff told) after this many failed attempts
# in a row, across its deliveries; a success resets the count.
BACKBONE_WEBHOOK_DISABLE_AFTER = env_int("BACKBONE_WEBHOOK_DISABLE_AFTER", 3)
if BACKBONE_WEBHOOK_DISABLE_AFTER < 1:
    raise ImproperlyConfigured("BACKBONE_WEBHOOK_DISABLE_AFTER must be 1 or more.")
# Development only, so it follows DEBUG and is not read from the environment: webhooks may go to
# http:// addresses and to this machine or its network. In production they go only to https://
# addresses on the public internet (no loopback, private or link-local address).
BACKBONE_WEBHOOK_LOCAL_TARGETS = DEBUG

# --- The steering committee's dashboard -------------------------------------------------------
# Its body is kept this many seconds once built (0: never kept). Any change through the pages,
# the API or the workers makes the next reader build it afresh anyway (dashboard.cache); this
# only bounds what nothing announces, such as a management command's changes.
BACKBONE_DASHBOARD_CACHE_SECONDS = env_int("BACKBONE_DASHBOARD_CACHE_SECONDS", 300)
if BACKBONE_DASHBOARD_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("BACKBONE_DASHBOARD_CACHE_SECONDS must be 0 or more.")

# --- Receiving replies ------------------------------------------------------------------------
# Partners' replies come in by the mail server's pipe (manage.py ingest_email), the provider's
# inbound webhook (/anymail/<provider>/inbound/, behind ANYMAIL_WEBHOOK_SECRET), or IMAP.
# A message is stored up to this many bytes; the rest (attachments, mostly) is cut off.
BACKBONE_INBOUND_MAX_BYTES = env_int("BACKBONE_INBOUND_MAX_BYTES", 1_000_000)
if BACKBONE_INBOUND_MAX_BYTES < 10_000:
    raise ImproperlyConfigured(
        f"BACKBONE_INBOUND_MAX_BYTES={BACKBONE_INBOUND_MAX_BYTES} is too small to hold a reply; "
        "use at least 10000."
    )
# A webhook whose signed timestamp (Mailgun's) is more than this many seconds away from now is
# refused: a replayed or long-delayed request (see workplans.inbound.SIGNED_TIMESTAMPS).
BACKBONE_INBOUND_REPLAY_SECONDS = env_int("BACKBONE_INBOUND_REPLAY_SECONDS", 15 * 60)
if BACKBONE_INBOUND_REPLAY_SECONDS < 60:
    raise ImproperlyConfigured(
        f"BACKBONE_INBOUND_REPLAY_SECONDS={BACKBONE_INBOUND_REPLAY_SECONDS} would refuse "
        "webhooks for ordinary clock differences; use at least 60."
    )
# Optional mailbox polled every minute (see workplans/imap.py for the forms), e.g.
# imaps://replies%40example.org:secret@imap.example.org/INBOX.
IMAP_URL = env_str("IMAP_URL", "")
IMAP_TARGET = parse_imap_url(IMAP_URL)

# --- API --------------------------------------------------------------------------------------
# Requests per API token (a session: per user) per second, minute, hour or day; over it, 429
# with Retry-After. Counted in the cache (Redis in production: shared by every web worker).
BACKBONE_API_RATE = env_str("BACKBONE_API_RATE", "600/min")
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", BACKBONE_API_RATE):
    raise ImproperlyConfigured(
        f"BACKBONE_API_RATE={BACKBONE_API_RATE!r} is not a rate; use e.g. 600/min, 20/s, 10000/day."
    )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backbone.api.authentication.APITokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "backbone.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "backbone.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "backbone.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["backbone.api.throttling.TokenRateThrottle"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Backbone API",
    "DESCRIPTION": (
        "Every object of an organization's collective impact work, under "
        "/api/v1/o/{org_slug}/. Authenticate with a personal API token "
        "(`Authorization: Token <key>`), created on the 'API tokens' page."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operations are grouped in the docs by what follows the organization in their path
    # (commitments, meetings, indicators…), not all under one "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v1/o/\{org_slug\}/",
    # Choice sets that share a field name ("role", "status") get a name each.
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "backbone.roles.Role",
        "SeatRoleEnum": "initiatives.models.Seat.Role",
        "KeyActionStatusEnum": "workplans.models.KeyAction.Status",
        "MeetingStatusEnum": "workplans.models.Meeting.Status",
        "CommitmentStatusEnum": "workplans.models.Commitment.Status",
        "AgendaItemKindEnum": "workplans.models.AgendaItem.Kind",
        "DirectionEnum": "metrics.models.Direction",
        "HelpRequestKindEnum": "workplans.models.HelpRequest.Kind",
        "HelpRequestStatusEnum": "workplans.models.HelpRequest.Status",
        "OutboundEmailStatusEnum": "backbone.models.OutboundEmail.Status",
    },
}

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it; collectstatic fills it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the whole registrable domain (often the backbone's own main site)
        # to HTTPS for browsers' lifetimes and is slow to undo: an operator opts in.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

raise_if_missing()
