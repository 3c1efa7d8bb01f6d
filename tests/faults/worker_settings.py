"""Settings of the Celery workers the fault tests start (``celery -A portal worker``):
the test settings, with tasks sent to a real broker (CELERY_BROKER_URL, the test's own
redis-server) and text messages written to a file the test reads (SMS_FILE_PATH)."""

import os

from portal.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
SMS_BACKEND = os.environ.get("FAULT_SMS_BACKEND", "portal.sms.FileSmsBackend")
SMS_FILE_PATH = os.environ["SMS_FILE_PATH"]
