"""Settings shared by every environment.

Every setting is read from the environment here, once, with a default that lets a new
user start the portal with no configuration at all: an SQLite file under ``var/`` and an
embedded (file-system) Celery broker. ``local``, ``test`` and ``production`` only switch
what differs between them.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_htmx",
    "axes",
    "portal",
    "centres",
    "activities",
    "bookings",
    "ratings",
    "stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must come last: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.unread_messages",
                "portal.context_processors.beat_warning",
            ],
        },
    },
]

# Database: PostgreSQL in production and tests, an SQLite file for a first run.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The first run's web server, worker and beat share one SQLite file: a writer waits
    # for another's write for up to 20 s instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when configured, else this process's memory.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Short timeouts: a Redis that is down or unreachable costs a page a miss, not a wait.
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("phone", "name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Login throttling: a phone number and address pair is locked after repeated failures,
# for a limited time only.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The portal logs in with ``phone``; Django's admin login sends it as ``username``.
AXES_USERNAME_CALLABLE = "portal.auth.axes_username"

# One-time codes sent by SMS. The console backend prints them; a real provider plugs in
# by naming its backend class here.
SMS_BACKEND = env("SMS_BACKEND", default="portal.sms.ConsoleSmsBackend")
# Where SMS_BACKEND = "portal.sms.FileSmsBackend" writes (one JSON line per message).
SMS_FILE_PATH = env.path("SMS_FILE_PATH", default=str(VAR_DIR / "sms.jsonl"))
SMS_CODE_TTL = timedelta(minutes=10)
SMS_CODE_RESEND_INTERVAL = timedelta(seconds=60)
SMS_CODE_MAX_ATTEMPTS = 5
SMS_CODES_PER_PHONE_PER_DAY = 10

# Notifications (portal/notifications.py). Emails go through Django's email backend: the
# console by default, SMTP (EMAIL_URL=smtp://user:password@host:587) in production.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
for _name in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL"):
    if _name in _email:
        globals()[_name] = _email[_name]
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@localhost")
# A mail server that does not answer must not hold a sending worker past its claim.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# The portal's address as residents reach it, for the links in emails.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
PORTAL_MAIL_DOMAIN = env("PORTAL_MAIL_DOMAIN", default="localhost")
# A worker holds the messages it is sending this long; if it dies, another takes them after.
NOTIFICATION_CLAIM_SECONDS = env.int("NOTIFICATION_CLAIM_SECONDS", default=300)
# A provider failure is retried after 1, 2, 4 … minutes, this many times in all.
NOTIFICATION_RETRY_SECONDS = env.int("NOTIFICATION_RETRY_SECONDS", default=60)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=8)
# Staff pages warn when the beat scheduler has not shown itself for this long.
BEAT_STALE_AFTER = timedelta(minutes=env.int("BEAT_STALE_MINUTES", default=5))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploaded images: what a photo or poster may be.
IMAGE_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000
IMAGE_MAX_EDGE = 1600
IMAGE_THUMBNAIL_EDGE = 480
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# How long a rendered public centre page may be kept (no longer than what it says stays
# true, and dropped when centre data changes: see centres/page_cache.py). 0 turns caching
# off, the default without Redis: a per-process cache would not see another process's
# changes (a second gunicorn worker, a management command).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=120 if REDIS_URL else 0)
# The domain in the UIDs of the iCalendar feeds' events; empty: the host the feed was
# asked for. Set it when the portal answers under more than one name, so that a phone
# subscribed under either sees one event per session.
CALENDAR_UID_DOMAIN = env("CALENDAR_UID_DOMAIN", default="")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}

# Celery: Redis when REDIS_URL is set, else an embedded broker that keeps its messages
# in files under var/, so a first run needs no Redis and reminders still run.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task must not hold up a page when the broker is down: messages wait in the
# outbox (portal.notifications) and the beat's sweep sends them once it is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # kombu would otherwise retry a refused connection for the whole connection timeout,
    # and wait forever on a Redis that accepts but does not answer.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2, "socket_timeout": 2}
# The beat schedule: every periodic job, in one place. Later issues add theirs here.
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {
        "task": "portal.tasks.beat_heartbeat",
        "schedule": timedelta(minutes=1),
    },
    "send-due-notifications": {
        "task": "portal.tasks.send_due_notifications",
        "schedule": timedelta(minutes=1),
    },
    "send-due-reminders": {
        "task": "bookings.tasks.send_due_reminders",
        "schedule": timedelta(minutes=1),
    },
    "purge-expired-phone-codes": {
        "task": "portal.tasks.purge_expired_phone_codes",
        "schedule": timedelta(hours=1),
    },
    "expire-waiting-list-offers": {
        "task": "bookings.tasks.expire_offers",
        "schedule": timedelta(minutes=1),
    },
    "record-no-shows": {
        "task": "bookings.tasks.record_no_shows",
        "schedule": timedelta(minutes=10),
    },
    # Each centre's staff: tomorrow's sessions and appointments, every evening at 18:00.
    "tomorrows-rosters": {
        "task": "bookings.tasks.send_tomorrows_rosters",
        "schedule": crontab(minute=0, hour=18),
    },
    # Residents who asked for it: the coming month's featured activities, on the 1st.
    "monthly-roundup": {
        "task": "activities.tasks.send_monthly_roundup",
        "schedule": crontab(minute=0, hour=9, day_of_month=1),
    },
    # The month's figures, on the 1st at 01:00 (CELERY_TIMEZONE is Asia/Shanghai).
    "monthly-statistics": {
        "task": "stats.tasks.roll_up_last_month",
        "schedule": crontab(minute=0, hour=1, day_of_month=1),
    },
    # Bad ratings not answered in time: to the street, then the district.
    "escalate-overdue-rating-cases": {
        "task": "ratings.tasks.escalate_overdue_cases",
        "schedule": timedelta(hours=1),
    },
    # Bad ratings due soon: the centre's staff reminded at 08:30 of call-backs due today
    # and replies due within two working days.
    "remind-rating-cases-due-soon": {
        "task": "ratings.tasks.remind_cases_due_soon",
        "schedule": crontab(minute=30, hour=8),
    },
    # Residents who used a session or an appointment: an invitation to rate it.
    "invite-to-rate": {
        "task": "ratings.tasks.invite_to_rate",
        "schedule": timedelta(minutes=10),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache (Redis in production) and written through to the
# database: a logged-in page does not pay a query for its session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
