"""Settings for every environment, read from env vars (see README)."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_email, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-debug"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "mptt",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "apps.accounts",
    "apps.forum",
    "apps.claims",
    "apps.maps",
    "apps.moderation",
    "apps.notifications",
    "apps.search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.DatabaseConflictMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",
]

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

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
                "apps.accounts.context_processors.unread_notifications",
                "apps.moderation.context_processors.open_reports",
                "apps.accounts.context_processors.login_next",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/agora"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
# Claim autocomplete matches words as they are being typed: pg_trgm's default of 0.6
# misses "copies" for "copy".
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    "-c pg_trgm.word_similarity_threshold=0.3"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "agora",
        # A cache that is down must not hang a request: fail fast, the callers cope.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    # Visitors' pages, in each web worker's memory: a hit costs no network round trip.
    "visitor_pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
    "limits": {
        "BACKEND": "config.cache.FailOpenRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "agora-limits",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
}

# Rate limits (django-ratelimit) and login throttling (django-axes) share Redis.
RATELIMIT_USE_CACHE = "limits"
RATELIMIT_FAIL_OPEN = True
RATELIMIT_VIEW = "config.errors.rate_limited"
# Endorsing is limited at posting's rate, in a budget of its own.
RATES = {"post": "20/m", "endorse": "20/m", "claim": "30/h", "signup": "5/h", "report": "20/h"}
RATES["password_reset"] = "5/h"  # per address: no flood of reset mail, no probing en masse
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "limits"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "config.errors.locked_out"
AXES_RESET_ON_SUCCESS = True

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "forum:home"
LOGOUT_REDIRECT_URL = "forum:home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Mail (notifications, password reset): the console in development, SMTP from EMAIL_URL.
globals().update(env_email("EMAIL_URL", default="console:"))
DEFAULT_FROM_EMAIL = env_str("EMAIL_FROM", default="Agora <agora@localhost>")
# Links in mail sent outside a request (notifications) start with this.
SITE_URL = env_str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"

# Pages of visitors who are not logged in may be this many seconds stale (0: no cache).
VISITOR_PAGE_SECONDS = 10

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task a worker took and never acknowledged (it was killed) goes back to the queue once
# it has been out visibility_timeout seconds; each worker looks for such tasks every
# unacked_restore_interval seconds. 30 s is more than a live worker holds a message (the
# 1 s gather, a retry's backoff of up to 16 s, a 2 s build of the largest topic), so a task
# is not run twice; the 5 s map sweep, not this, bounds a stale map (docs/map-rules.md).
# socket_timeout also bounds the worker's cleanup reads on a broker that went silent.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": 30,
    "unacked_restore_interval": 5,
    "unacked_restore_throttle": 1,
}
CELERY_BEAT_SCHEDULE = {
    # With QUEUED_FOR (5 s) this makes a map fresh within 15 s of a worker coming back
    # after one died holding its build (docs/map-rules.md, "Building").
    "sweep-dirty-maps": {"task": "apps.maps.tasks.sweep_dirty_maps", "schedule": 5.0},
    "prune-map-versions": {"task": "apps.maps.tasks.prune_map_versions", "schedule": 3600.0},
    # The outbox: mail the fast path could not queue (broker down) and the daily digests.
    "send-due-mail": {"task": "apps.notifications.tasks.send_due_mail", "schedule": 60.0},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.accounts.permissions.IsActiveMemberOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.agora_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Agora API",
    "DESCRIPTION": (
        "The JSON API of Agora, a debate forum whose threaded replies grow into an argument"
        " map. It covers topics (moderators create, edit, archive and unarchive them); threads;"
        " posts, their responses (agree, disagree, neutral) and their claim tags; claims"
        " (search, create, and each claim's strength and standing); members' endorsements of"
        " claims; members' profiles (a bio, the claims they made and endorse, each with its"
        " standing); each topic's argument map, as JSON or exported as AIF, Argdown, GraphML"
        " or DOT; full-text search over posts and claims; members' notifications and the"
        " threads they watch; reports of posts and claims to the moderators; and moderation:"
        " likely duplicate claims, merges and their undo, the reports' queue and the"
        " moderation log. Reads are public; writes need a session or a token from"
        " `POST /api/auth/token/`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files, never a CDN (static/vendor/README.md).
    "SWAGGER_UI_DIST": f"/{STATIC_URL}vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": f"/{STATIC_URL}favicon.ico",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
