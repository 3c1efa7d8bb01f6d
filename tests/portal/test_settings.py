"""Settings: production refuses to start without a real secret key and passes Django's
deployment checks; with no configuration at all the portal uses its embedded defaults.

Each case runs in a fresh Python process, since settings are read once per process.
"""

import os
import secrets
import subprocess
import sys

from django.conf import settings

ROOT = settings.BASE_DIR
# Only what a process needs to run: none of the test run's own configuration (the test
# settings and some fixtures put theirs into os.environ).
PASSED_ON = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def clean_env(**env_vars) -> dict:
    return {name: os.environ[name] for name in PASSED_ON if name in os.environ} | env_vars


def run_python(code: str, **env_vars) -> subprocess.CompletedProcess:
    env = clean_env(**env_vars)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_settings_without_secret_key_refuse_to_load():
    result = run_python("import portal.settings.production")

    assert result.returncode == 1
    assert "django.core.exceptions.ImproperlyConfigured: Set SECRET_KEY" in result.stderr


def test_production_settings_refuse_the_local_default_key_and_short_keys():
    for key in ("insecure-local-only-key-do-not-use-in-production", "short-but-random-8f3a9c"):
        result = run_python("import portal.settings.production", SECRET_KEY=key)

        assert result.returncode == 1, key
        assert "ImproperlyConfigured" in result.stderr, key


def test_production_settings_refuse_sqlite_and_a_missing_redis():
    key = secrets.token_urlsafe(64)
    without_database = run_python(
        "import portal.settings.production", SECRET_KEY=key, REDIS_URL="redis://127.0.0.1:6379/0"
    )
    without_redis = run_python(
        "import portal.settings.production", SECRET_KEY=key, DATABASE_URL="postgres://portal@127.0.0.1:5432/portal"
    )

    assert "ImproperlyConfigured: Set DATABASE_URL to the PostgreSQL database" in without_database.stderr
    assert "ImproperlyConfigured: Set REDIS_URL to the Redis server" in without_redis.stderr


def test_production_settings_pass_the_deployment_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_env(
            DJANGO_SETTINGS_MODULE="portal.settings.production",
            SECRET_KEY=secrets.token_urlsafe(64),
            DATABASE_URL="postgres://portal@127.0.0.1:5432/portal",
            REDIS_URL="redis://127.0.0.1:6379/0",
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_use_postgresql_redis_and_secure_cookies():
    code = (
        "import portal.settings.production as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    result = run_python(
        code,
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL="postgres://portal@127.0.0.1:5432/portal",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "django.db.backends.postgresql",
        "redis://127.0.0.1:6379/0",
        "True",
        "True",
        "True",
    ]


def test_with_no_configuration_the_portal_uses_sqlite_and_the_file_system_broker():
    code = (
        "import portal.settings.local as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_BROKER_URL, "
        "s.CACHES['default']['BACKEND'])"
    )
    result = run_python(code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.db.backends.sqlite3",
        str(ROOT / "var" / "portal.sqlite3"),
        "filesystem://",
        "django.core.cache.backends.locmem.LocMemCache",
    ]


def test_database_url_and_redis_url_switch_to_postgresql_and_redis():
    code = (
        "import portal.settings.local as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_BROKER_URL, "
        "s.CACHES['default']['BACKEND'])"
    )
    result = run_python(
        code, DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal_x", REDIS_URL="redis://127.0.0.1:6379/3"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "portal_x",
        "redis://127.0.0.1:6379/3",
        "portal.cache.PortalRedisCache",
    ]
