"""Text messages (SMS): one small backend interface and the backends the portal ships.

``settings.SMS_BACKEND`` names the backend class. A real provider plugs in by writing a
class with ``send(phone, message, key=None)`` and naming it there, as Django's email
backends do. ``key`` names the message uniquely (``notification-123``): a provider that
takes an idempotency key should be given it. A backend raises on failure; the
notification service then tries again later.
"""

import json
import sys
import threading
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from .models import mask_phone


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    message: str
    key: str | None = None


class BaseSmsBackend:
    """Sends one text message to one mainland mobile number."""

    def send(self, phone: str, message: str, key: str | None = None) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Prints the message, so a developer running the portal sees the code."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, phone: str, message: str, key: str | None = None) -> None:
        rule = "-" * 60
        label = f" [{key}]" if key else ""
        self.stream.write(f"{rule}\nSMS to {phone} ({mask_phone(phone)}){label}:\n{message}\n{rule}\n")
        self.stream.flush()


# What LocmemSmsBackend has sent, like django.core.mail.outbox. Tests empty it.
outbox: list[SmsMessage] = []


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in ``portal.sms.outbox``: for tests."""

    def send(self, phone: str, message: str, key: str | None = None) -> None:
        outbox.append(SmsMessage(phone=phone, message=message, key=key))


_file_lock = threading.Lock()


class FileSmsBackend(BaseSmsBackend):
    """Appends each message as one JSON line to ``settings.SMS_FILE_PATH``: a record a
    developer (or a test across processes) can read back."""

    def send(self, phone: str, message: str, key: str | None = None) -> None:
        line = json.dumps({"key": key, "phone": phone, "message": message}, ensure_ascii=False) + "\n"
        with _file_lock, open(settings.SMS_FILE_PATH, "a", encoding="utf-8") as file:
            file.write(line)


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, phone: str, message: str) -> None:
    get_sms_backend().send(phone, str(message))
