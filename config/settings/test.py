"""Settings for the test suite: the real PostgreSQL and Redis, fast hashing."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")  # apart from a running demo

from config.settings.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Under pytest-xdist each worker has its own test database (pytest-django names it
# test_<name>_gw0, …) and, here, its own keys in the shared Redis database: no worker sees
# another's queued-build flags, rate-limit counters or lockouts. The processes a test starts
# (Celery workers, gunicorn) inherit PYTEST_XDIST_WORKER, so they use the same keys.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
CACHES["default"]["KEY_PREFIX"] = "-".join(filter(None, ["agora-test", XDIST_WORKER]))  # noqa: F405
CACHES["limits"]["KEY_PREFIX"] = "-".join(filter(None, ["agora-limits", XDIST_WORKER]))  # noqa: F405
# Limits and lockouts are tested on their own (tests/security/test_limits.py), not in every test.
RATELIMIT_ENABLE = False
AXES_ENABLED = False
VISITOR_PAGE_SECONDS = 0  # tests see every change at once; tests/test_caching.py turns it on
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
