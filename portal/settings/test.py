"""The test suite: PostgreSQL and Redis on this machine unless told otherwise."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .base import *  # noqa: E402, F403
from .base import BASE_DIR, CACHES, DATABASES  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SMS_BACKEND = "portal.sms.LocmemSmsBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATABASES["default"]["CONN_MAX_AGE"] = 0
AXES_FAILURE_LIMIT = 5
# Tests see every page rendered afresh; tests/centres/test_page_cache.py turns it on.
PAGE_CACHE_SECONDS = 0
# Parallel runs (pytest-xdist) share one Redis database: each worker keeps its own keys,
# which tests/conftest.py empties between tests.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("PYTEST_XDIST_WORKER", "")
CELERY_TASK_ALWAYS_EAGER = True  # a message is sent in the commit hook, not by a worker
