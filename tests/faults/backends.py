"""Text-message providers that misbehave, plugged in through SMS_BACKEND as a real
provider would be (the portal's own code is not touched)."""

import os
import threading
import time

from portal.sms import FileSmsBackend


class HangingFileSmsBackend(FileSmsBackend):
    """Writes each message to SMS_FILE_PATH like FileSmsBackend, but stops answering for
    good at this process's Nth message (``FAULT_HANG_AT`` in the environment), before it
    takes it: a provider that hangs."""

    sent = 0

    def send(self, phone, message, key=None):
        HangingFileSmsBackend.sent += 1
        if HangingFileSmsBackend.sent == int(os.environ.get("FAULT_HANG_AT", "0")):
            threading.Event().wait()
        super().send(phone, message, key)


class SlowFileSmsBackend(FileSmsBackend):
    """A provider that takes ``delay`` seconds per message."""

    delay = 0.15

    def send(self, phone, message, key=None):
        time.sleep(self.delay)
        super().send(phone, message, key)
