"""Text messages (SMS): one small backend interface and the backends the portal ships.

``settings.SMS_BACKEND`` names the backend class. A real provider plugs in by writing a
class with ``send(phone, message)`` and naming it there.
"""

import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from .models import mask_phone


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    message: str


class BaseSmsBackend:
    """Sends one text message to one mainland mobile number."""

    def send(self, phone: str, message: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Prints the message, so a developer running the portal sees the code."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, phone: str, message: str) -> None:
        rule = "-" * 60
        self.stream.write(f"{rule}\nSMS to {phone} ({mask_phone(phone)}):\n{message}\n{rule}\n")
        self.stream.flush()


# What LocmemSmsBackend has sent, like django.core.mail.outbox. Tests empty it.
outbox: list[SmsMessage] = []


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in ``portal.sms.outbox``: for tests."""

    def send(self, phone: str, message: str) -> None:
        outbox.append(SmsMessage(phone=phone, message=message))


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, phone: str, message: str) -> None:
    get_sms_backend().send(phone, str(message))
