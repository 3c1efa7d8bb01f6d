#!/usr/bin/env python3
"""Run the test suite: ``python3 scripts/test.py [pytest arguments]``.

Needs nothing but Python 3.11+, PostgreSQL and Redis. It creates ``.venv`` if missing
and installs requirements-dev.txt (again only when it has changed), checks that
PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) answer, compiles the translation
catalogues, and runs ``python -m pytest`` with the arguments given, exiting with
pytest's exit code.

Browser tests (marker ``browser``) need Debian's Chromium at /usr/bin/chromium: without
it they are skipped with a note, or the run fails when CI=true.

``--install-only`` stops after the set-up (virtual environment and catalogues).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from start import ROOT, SetupError, ensure_vendor, ensure_venv, require_python_311, say, without_password  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))

PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
REDIS_START = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)

POSTGRES_PROBE = """
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=5).close()
except Exception as error:
    print(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)
    sys.exit(1)
"""

REDIS_PROBE = """
import sys, redis
try:
    redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3, socket_timeout=3).ping()
except Exception as error:
    print(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)
    sys.exit(1)
"""


def maintenance_url(database_url: str) -> str:
    """The same server and user, but the ``postgres`` database: the test database
    (``test_<name>``) is made by pytest-django, so the named one need not exist yet."""
    parts = urllib.parse.urlsplit(database_url)
    scheme = "postgresql" if parts.scheme in {"postgres", "postgresql", "pgsql"} else parts.scheme
    return urllib.parse.urlunsplit(parts._replace(scheme=scheme, path="/postgres"))


def check_postgres(python: Path, url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise SetupError(f"DATABASE_URL must point to PostgreSQL for the tests; it is {without_password(url)}.")
    result = subprocess.run(
        [str(python), "-c", POSTGRES_PROBE, maintenance_url(url)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        reason = result.stdout.strip() or result.stderr.strip()
        raise SetupError(
            f"PostgreSQL does not accept a connection at {without_password(url)}: {reason}\n"
            f"  Start it (on this machine, as root): {PG_START}\n"
            f"  or point the tests at another server: export DATABASE_URL=postgres://USER@HOST:PORT/portal"
        )
    say(f"PostgreSQL answers at {without_password(url)}")


def check_redis(python: Path, url: str) -> None:
    result = subprocess.run([str(python), "-c", REDIS_PROBE, url], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        reason = result.stdout.strip() or result.stderr.strip()
        raise SetupError(
            f"Redis does not answer at {without_password(url)}: {reason}\n"
            f"  Start it (on this machine, as root): {REDIS_START}\n"
            f"  or point the tests at another server: export REDIS_URL=redis://HOST:PORT/15"
        )
    say(f"Redis answers at {without_password(url)}")


def browser_arguments() -> list[str]:
    if CHROMIUM.exists():
        return []
    hint = f"Browser tests need Debian's Chromium at {CHROMIUM}: install it with  apt-get install chromium"
    if os.environ.get("CI", "").lower() == "true":
        raise SetupError(hint + " (CI=true, so browser tests may not be skipped).")
    print(f"NOTE: {hint}\n      Skipping the browser tests for now (-m 'not browser').", flush=True)
    return ["-m", "not browser"]


def main(argv: list[str]) -> int:
    install_only = "--install-only" in argv
    pytest_args = [arg for arg in argv if arg != "--install-only"]
    try:
        require_python_311()
        python = ensure_venv(ROOT / "requirements-dev.txt")
        ensure_vendor()
        env = dict(os.environ)
        env["DATABASE_URL"] = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        env["REDIS_URL"] = env.get("REDIS_URL") or DEFAULT_REDIS_URL
        env.setdefault("PYTHONUNBUFFERED", "1")
        say("manage.py compile_catalogues")
        compiled = subprocess.run(
            [str(python), "manage.py", "compile_catalogues", "-v", "0"], cwd=ROOT, env=env, check=False
        )
        if compiled.returncode != 0:
            raise SetupError("Compiling the translation catalogues failed; see above.")
        if install_only:
            say("Set-up done (--install-only); not running the tests")
            return 0
        # WhiteNoise warns on every request when STATIC_ROOT does not exist yet.
        (ROOT / "var" / "staticfiles").mkdir(parents=True, exist_ok=True)
        check_postgres(python, env["DATABASE_URL"])
        check_redis(python, env["REDIS_URL"])
        command = [str(python), "-m", "pytest", *browser_arguments(), *pytest_args]
        say("python -m pytest " + shlex.join(command[3:]))
        return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    except SetupError as error:
        print(f"FAILED: {error}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
