"""``bench.settings`` with the booking endpoint answered by a candidate from
``bench/booking_candidates.py`` (``bench/booking.py --candidate NAME`` sets both)."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.booking_candidates"
