from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self):
        from activities import signals

        from . import receivers

        signals.occurrences_cancelled.connect(receivers.sessions_cancelled, dispatch_uid="bookings-cancelled")
        signals.occurrences_moved.connect(receivers.sessions_moved, dispatch_uid="bookings-moved")
        signals.capacity_raised.connect(receivers.capacity_raised, dispatch_uid="bookings-capacity")
