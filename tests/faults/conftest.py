"""What the fault tests share: a redis-server of their own on a free port (stopped and
started again by the tests; the shared one on 6379 is never touched), the in-process
Celery app pointed at it with tasks really sent (not run eagerly), real ``celery -A
portal worker`` processes on the test database, and the file their text messages go to.

The tests here start processes and stop them: they are marked ``faults`` (run them alone
with ``-m faults``, leave them out with ``-m "not faults"``)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/faults/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.faults)


def pytest_configure(config):
    config.addinivalue_line("markers", "faults: starts and kills real redis-server and Celery worker processes")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float = 20, every: float = 0.05, message: str = "condition"):
    """Poll ``condition`` until it is true (returns its value) or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(every)


class RedisServer:
    """A redis-server process of the test's own, on a free port, keeping nothing on disk."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process = None
        self.on_start = []

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers():
            try:
                return self.client().ping()
            except redis.ConnectionError:
                return False

        wait_until(answers, timeout=10, message="redis-server to answer")
        for call in self.on_start:
            call()

    def kill(self) -> None:
        """Stop it for real: SIGKILL, no goodbye to its clients."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        """It stops answering but keeps its port open (a hung server, a lost network)."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


def _forget_broker_connections(app, *, close: bool = False) -> None:
    """The app makes new broker connections for its broker URL on next use. ``close``
    closes the pool it had; only the test's own (kombu keeps one pool per URL for the
    process, and the project's must stay usable for the tests that follow)."""
    pool = app._pool
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    if close and pool is not None:
        pool.force_close_all()


@pytest.fixture
def broker(redis_server):
    """The in-process Celery app sends its tasks to ``redis_server`` for real (the test
    settings run them eagerly, in the commit hook); the project's other broker settings
    (timeouts, transport options) are kept. The service's memory of a broker found down
    a moment ago (which makes later messages skip it for a while) starts empty."""
    from portal import notifications
    from portal.celery import app

    down_until = getattr(notifications, "_broker_down_until", None)
    if down_until is not None:
        saved_down_until = list(down_until)
        down_until[:] = [float("-inf")]

    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url=redis_server.url(0), task_always_eager=False)
    _forget_broker_connections(app)

    def declare_queues():
        # What a worker does when it connects: this redis-server keeps nothing, so after
        # a restart the queues' routes are gone until a worker declares them again (a
        # task sent meanwhile is dropped; the outbox's sweep makes up for it).
        with app.connection_for_write() as conn:
            for queue in app.amqp.queues.values():
                queue(conn.default_channel).declare()

    declare_queues()
    redis_server.on_start.append(declare_queues)
    yield redis_server
    _forget_broker_connections(app, close=True)
    app.conf.update(saved)
    if down_until is not None:
        down_until[:] = saved_down_until


@pytest.fixture
def sms_file(tmp_path, settings):
    """Text messages of this process and of the workers go to one file, a JSON line each."""
    path = tmp_path / "sms.jsonl"
    path.touch()
    settings.SMS_BACKEND = "portal.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = str(path)
    return path


def sms_keys(path: Path) -> Counter:
    """How many times each message key was sent, from the file."""
    with open(path, encoding="utf-8") as file:
        return Counter(json.loads(line)["key"] for line in file if line.strip())


def database_url() -> str:
    """The test database, as a worker process reaches it."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """Real ``celery -A portal worker`` processes (one process each, the solo pool, so a
    SIGKILL ends it all), on the test database and the test's own broker. Each listens
    on a queue of its own name, so a test says which one runs a task."""

    def __init__(self, redis_server: RedisServer, sms_path: Path, directory: Path):
        self.redis_server = redis_server
        self.sms_path = sms_path
        self.directory = directory
        self.started = []

    def start(self, name: str, **env) -> subprocess.Popen:
        environment = os.environ | {
            "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": self.redis_server.url(0),
            "REDIS_URL": self.redis_server.url(1),
            "SMS_FILE_PATH": str(self.sms_path),
            "PYTHONPATH": str(BASE_DIR),
        }
        environment.pop("PYTEST_XDIST_WORKER", None)
        environment.update({key: str(value) for key, value in env.items()})
        log = open(self.directory / f"worker-{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--queues={name}",
                f"--hostname={name}@faults",
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = log.name
        process.log = log
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL: the worker dies mid-task, acknowledging nothing, cleaning nothing."""
        process.kill()
        process.wait(timeout=10)
        process.log.close()

    def log(self, process) -> str:
        return Path(process.log_path).read_text(encoding="utf-8", errors="replace")

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                self.kill(process)


@pytest.fixture
def workers(broker, sms_file, tmp_path):
    started = Workers(broker, sms_file, tmp_path)
    yield started
    started.stop_all()
