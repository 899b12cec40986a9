"""Settings for the benchmark: the app's own settings, DEBUG off, its own database."""

import os
import warnings

os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")

from config.settings.base import *  # noqa: E402,F403

# Overridable, so that two people (or a profiling session) can bench side by side.
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "agora_bench")

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
DATABASES["default"]["NAME"] = BENCH_DATABASE  # noqa: F405
# A Redis database of its own: no demo worker picks up the bench's map builds, and no
# cached page or rate-limit count mixes with the demo's.
REDIS_URL = env_str("BENCH_REDIS_URL", default="redis://127.0.0.1:6379/14")  # noqa: F405
CELERY_BROKER_URL = REDIS_URL
for _cache in CACHES.values():  # noqa: F405
    _cache["LOCATION"] = REDIS_URL
# The app's cache of visitors' pages (seconds; 0 or missing: none). Figures 1 and 8 measure
# rendering with it off; figure 8's cached server (BENCH_PAGE_CACHE=1) keeps it.
APP_VISITOR_PAGE_SECONDS = globals().get("VISITOR_PAGE_SECONDS", 0)
if not os.environ.get("BENCH_PAGE_CACHE"):
    VISITOR_PAGE_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Static files are not collected for the bench; WhiteNoise would warn in every process.
warnings.filterwarnings("ignore", "No directory at", UserWarning)
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Figure 10's browser loads the app's scripts from gunicorn; the bench collects no static
# files, so WhiteNoise serves them from where the finders look (static/).
WHITENOISE_USE_FINDERS = True
