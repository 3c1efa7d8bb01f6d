"""Settings for the load benchmark: production's, pointed at the bench's own database,
Redis db and URLs, served over plain HTTP on 127.0.0.1.

``bench/run.py`` sets the environment before Django starts; these defaults also let a
management command run against the bench database by hand, e.g.
``DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python manage.py shell``.
"""

import os
import secrets
import tempfile
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/10")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Production refuses a missing or short key. The runner passes one key to every worker;
# a command run by hand gets a throwaway key of its own (nothing signed here outlives it).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))

from portal.settings.production import *  # noqa: E402, F403
from portal.settings.production import DATABASES, env  # noqa: E402

ROOT_URLCONF = "bench.urls"

# Persistent connections: each worker keeps its connection for its lifetime, as a
# production deployment would (base.py's default is 60 s).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)

# collectstatic goes to a temporary folder, not the shared var/staticfiles.
STATIC_ROOT = Path(env("BENCH_STATIC_ROOT", default=str(Path(tempfile.gettempdir()) / "portal-bench-static")))
