#!/usr/bin/env python3
"""Set up and start the portal on this machine: ``python3 scripts/start.py``.

Needs nothing but Python 3.11+. It creates ``.venv`` if missing and installs
requirements.txt (again only when that file has changed), prepares the database,
translations, static files and demo data, then runs the portal at
http://127.0.0.1:8000/ with a Celery worker and Celery beat until Ctrl+C.

With no configuration it uses an SQLite file and a file-system Celery broker under
var/; export DATABASE_URL and REDIS_URL to use PostgreSQL and Redis instead.

``--check`` does all of that, waits until / and /centres/ answer 200, stops
everything and exits 0 (or 1 with the reason): CI runs it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from vendor import VendorError, vendor_all

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
VAR = ROOT / "var"
HOST, PORT = "127.0.0.1", 8000
URL = f"http://{HOST}:{PORT}/"
CHECK_PATHS = ("/", "/centres/")
CHECK_TIMEOUT = 60  # seconds for the portal to answer and the worker to be ready
STOP_TIMEOUT = 15  # seconds a child gets to stop before it is killed


class SetupError(Exception):
    """A step failed; the message says which and what to do."""


def out(text: str, *, stream=None) -> None:
    # Never let a closed terminal or pipe stop the clean-up that follows.
    with contextlib.suppress(OSError):
        print(text, file=stream or sys.stdout, flush=True)


def say(message: str) -> None:
    out(f"==> {message}")


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def requirement_files(requirements: Path) -> list[Path]:
    """A requirements file and every file it includes with ``-r``, in order."""
    files, pending = [], [requirements.resolve()]
    while pending:
        path = pending.pop(0)
        if path in files:
            continue
        files.append(path)
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] in {"-r", "--requirement"}:
                pending.append((path.parent / parts[1]).resolve())
    return files


def requirements_hash(requirements: Path) -> str:
    """The hash of a requirements file together with the files it includes."""
    digest = hashlib.sha256()
    for path in requirement_files(requirements):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def stamp_path(requirements: Path) -> Path:
    return VENV / f".{requirements.name}.sha256"


def ensure_venv(requirements: Path) -> Path:
    """Create ``.venv`` if needed and install ``requirements`` unless its stamp matches."""
    python = venv_python()
    if python.exists() and subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True).returncode:
        # Left half-made by an earlier failed attempt (e.g. before python3-venv was installed).
        say(f"{VENV} has no pip; making it again")
        shutil.rmtree(VENV)
    if not python.exists():
        say(f"Creating the virtual environment in {VENV}")
        result = subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=False)
        if result.returncode != 0 or not python.exists():
            shutil.rmtree(VENV, ignore_errors=True)
            raise SetupError(
                "Could not create the virtual environment. On Debian or Ubuntu install the venv module "
                "first: apt-get install python3-venv"
            )
    stamp = stamp_path(requirements)
    wanted = requirements_hash(requirements)
    if stamp.exists() and stamp.read_text().strip() == wanted:
        say(f"{requirements.name} unchanged since the last install; skipping pip")
        return python
    say(f"Installing {requirements.name} into .venv")
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-r", str(requirements)],
        cwd=ROOT,
        check=False,
    )
    if result.returncode != 0:
        raise SetupError(f"pip could not install {requirements.name} (exit code {result.returncode}); see above.")
    # What was included (requirements.txt in requirements-dev.txt) is installed too.
    for path in requirement_files(requirements):
        stamp_path(path).write_text(requirements_hash(path) + "\n")
    return python


def ensure_vendor() -> None:
    """The browser libraries the portal serves itself (static/vendor/), from pinned npm
    tarballs: see scripts/vendor.py."""
    try:
        for line in vendor_all():
            say(line)
    except VendorError as error:
        raise SetupError(str(error)) from error


def manage(python: Path, *args: str) -> None:
    say(f"manage.py {' '.join(args)}")
    result = subprocess.run([str(python), "manage.py", *args], cwd=ROOT, env=child_env(), check=False)
    if result.returncode != 0:
        raise SetupError(f"manage.py {' '.join(args)} failed (exit code {result.returncode}); see above.")


def child_env() -> dict:
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def ensure_var() -> None:
    # The SQLite file, the embedded Celery broker and beat's schedule live here.
    for folder in (VAR, VAR / "celery-broker" / "queue", VAR / "celery-broker" / "processed", VAR / "log"):
        folder.mkdir(parents=True, exist_ok=True)


def without_password(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))
    return url


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


def demo_logins() -> tuple[list[dict], str]:
    sys.path.insert(0, str(ROOT))
    try:
        from centres.demo import DEMO_LOGINS, DEMO_PASSWORD
    finally:
        sys.path.pop(0)
    return DEMO_LOGINS, DEMO_PASSWORD


def print_welcome() -> None:
    logins, password = demo_logins()
    lines = [
        "",
        f"The portal is running at {URL}",
        f"Demo logins (password for all: {password}):",
    ]
    lines += [
        f"  {login['phone']}  {login['role_label']:<24} {login['name']} ({login['role_label_zh']}) · {login['scope']}"
        for login in logins
    ]
    lines += ["Press Ctrl+C to stop.", ""]
    out("\n".join(lines))


class Services:
    """The portal, the Celery worker and Celery beat, as child processes."""

    def __init__(self, python: Path, *, log_to_files: bool):
        schedule = VAR / "celerybeat-schedule"
        self.commands = {
            "web": [str(python), "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
            "worker": [str(python), "-m", "celery", "-A", "portal", "worker", "-l", "info"],
            "beat": [str(python), "-m", "celery", "-A", "portal", "beat", "-l", "info", "-s", str(schedule)],
        }
        self.log_to_files = log_to_files
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}

    def start(self) -> None:
        for name, command in self.commands.items():
            say(f"Starting {name}: python {' '.join(command[1:])}")
            output = None
            if self.log_to_files:
                self.logs[name] = VAR / "log" / f"{name}.log"
                output = self.logs[name].open("w")
            # Each child gets its own session, so Ctrl+C reaches only this script, which
            # then stops the children in order.
            self.processes[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=child_env(),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                start_new_session=True,
            )
            if output:
                output.close()

    def exited(self) -> list[tuple[str, int]]:
        return [(name, p.returncode) for name, p in self.processes.items() if p.poll() is not None]

    def stop(self) -> None:
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                say(f"Stopping {name}")
                process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop within {STOP_TIMEOUT} s; killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        # The worker's pool processes share its session: make sure none is left behind.
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.logs.get(name)
        if not path or not path.exists():
            return ""
        text = path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(f"    {line}" for line in text)

    def worker_ready(self) -> bool:
        path = self.logs.get("worker")
        return bool(path and path.exists() and " ready." in path.read_text(errors="replace"))


def answers_200(path: str) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(URL.rstrip("/") + path, timeout=10) as response:  # noqa: S310 (our own URL)
            return response.status == 200, f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return False, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return False, str(getattr(error, "reason", error))


def run_check(services: Services) -> int:
    say(f"Waiting up to {CHECK_TIMEOUT} s for {', '.join(CHECK_PATHS)} to answer 200 and the worker to be ready")
    deadline = time.monotonic() + CHECK_TIMEOUT
    results: dict[str, str] = {}
    worker_ready = False
    while time.monotonic() < deadline:
        dead = services.exited()
        if dead:
            for name, code in dead:
                out(f"FAILED: {name} exited early with code {code}. Its last lines:\n{services.log_tail(name)}")
            return 1
        passed = True
        for path in CHECK_PATHS:
            ok, results[path] = answers_200(path)
            passed = passed and ok
        worker_ready = services.worker_ready()
        if passed and worker_ready:
            break
        time.sleep(1)
    else:
        failed = ", ".join(f"{path} → {result}" for path, result in results.items()) or "no answer"
        out(f"FAILED: within {CHECK_TIMEOUT} s the portal at {URL} gave: {failed}; worker ready: {worker_ready}.")
        for name in services.processes:
            out(f"  last lines of {name} ({services.logs.get(name)}):\n{services.log_tail(name)}")
        return 1
    for path in CHECK_PATHS:
        out(f"OK: {URL.rstrip('/')}{path} answered 200")
    out("OK: the Celery worker is ready and beat is running")
    ok, result = answers_200("/healthz")
    out(f"{'OK' if ok else 'NOTE'}: /healthz answered {result}")
    time.sleep(1)  # let beat and the worker run a moment, so an early crash shows up
    dead = services.exited()
    if dead:
        for name, code in dead:
            out(f"FAILED: {name} exited with code {code}. Its last lines:\n{services.log_tail(name)}")
        return 1
    return 0


def serve(services: Services) -> int:
    print_welcome()
    while True:
        dead = services.exited()
        if dead:
            for name, code in dead:
                out(f"{name} exited with code {code}; stopping the others.")
            return 1
        time.sleep(0.5)


def require_python_311() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (this script may be started by an older python3)
        raise SetupError(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="start everything, check that / and /centres/ answer 200, stop, and exit 0 or 1 (for CI)",
    )
    args = parser.parse_args()

    # Ctrl+C and SIGTERM stop the portal the same way (even if this script was started
    # with SIGINT ignored, as a shell does for a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)

    services = None
    try:
        require_python_311()
        python = ensure_venv(ROOT / "requirements.txt")
        ensure_vendor()
        ensure_var()
        if port_in_use(HOST, PORT):
            raise SetupError(
                f"Something is already listening on {HOST}:{PORT} (a portal started earlier?). Stop it and try again."
            )
        database = os.environ.get("DATABASE_URL") or f"SQLite file {VAR / 'portal.sqlite3'}"
        broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or "the file-system broker in var/"
        say(f"Database: {without_password(database)}; Celery broker: {without_password(broker)}")
        manage(python, "migrate", "--noinput")
        manage(python, "compile_catalogues")
        manage(python, "collectstatic", "--noinput", "-v", "0")
        manage(python, "load_demo_data")
        services = Services(python, log_to_files=args.check)
        services.start()
        return run_check(services) if args.check else serve(services)
    except SetupError as error:
        out(f"FAILED: {error}", stream=sys.stderr)
        return 1
    except KeyboardInterrupt:
        out("")
        return 0
    finally:
        if services:
            # Ctrl+C or SIGTERM while stopping must not leave children behind.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            services.stop()
            say("Stopped")


if __name__ == "__main__":
    sys.exit(main())
