"""Production: PostgreSQL, Redis, gunicorn behind HTTPS. Refuses to start without a key,
a PostgreSQL DATABASE_URL or a REDIS_URL (the embedded defaults are for one machine and
one process: a second gunicorn worker would not see the first one's cache)."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY.startswith("insecure-") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a random string of at least 50 characters, "
        "for example: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "Set DATABASE_URL to the PostgreSQL database, e.g. postgres://portal:PASSWORD@db.example:5432/portal"
    )
if not REDIS_URL:
    raise ImproperlyConfigured("Set REDIS_URL to the Redis server, e.g. redis://redis.example:6379/0")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
