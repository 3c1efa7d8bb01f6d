"""The resident's bookings, at /bookings/ in the ``bookings`` namespace: "My bookings",
booking from a session's page, a pass and what can be done with it, and the private
calendar feed. Pass codes use the pass alphabet (capitals and digits), so they never
shadow the lower-case sections beside them (family/, appointments/, feed/)."""

from django.urls import path, register_converter

from . import views
from .codes import PASS_ALPHABET, PASS_LENGTH


class PassCodeConverter:
    regex = f"[{PASS_ALPHABET}]{{{PASS_LENGTH}}}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class FeedTokenConverter:
    regex = "[A-Za-z0-9_-]{20,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PassCodeConverter, "passcode")
register_converter(FeedTokenConverter, "feedtoken")

urlpatterns = [
    path("", views.booking_list, name="list"),
    path("book/<int:occurrence_pk>/", views.booking_book, name="book"),
    path("feed/new/", views.booking_feed_renew, name="feed_renew"),
    path("feed/<feedtoken:token>.ics", views.booking_feed_view, name="feed"),
    path("<passcode:code>/", views.booking_detail, name="detail"),
    path("<passcode:code>/cancel/", views.booking_cancel_view, name="cancel"),
    path("<passcode:code>/accept/", views.booking_accept, name="accept"),
    path("<passcode:code>/decline/", views.booking_decline, name="decline"),
]
