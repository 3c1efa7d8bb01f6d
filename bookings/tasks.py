from celery import shared_task

from . import reminders, services, staff_digest


@shared_task
def expire_offers() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): lapse unanswered waiting-list offers and pass
    their places on. Safe to run twice."""
    return services.offers_expire()


@shared_task
def record_no_shows() -> int:
    """Every 10 minutes: mark who did not come to sessions that ended and apply the
    district's no-show rule. Safe to run twice."""
    return services.no_shows_record()


@shared_task(acks_late=True)
def send_due_reminders(time_limit: float | None = 50) -> int:
    """Every minute: send the reminders that are due (24 and 2 hours before, as each
    centre sets), then their text messages and emails. Safe to run twice, and on two
    workers at once: each reminder is claimed under a row lock and sent once."""
    return reminders.reminders_send_due(time_limit=time_limit)


@shared_task(acks_late=True)
def send_tomorrows_rosters() -> int:
    """Every evening at 18:00: tell each centre's staff what tomorrow holds (sessions,
    places, waiting lists, appointments). Safe to run twice: one message per day, centre
    and person."""
    return staff_digest.tomorrows_rosters_send()
