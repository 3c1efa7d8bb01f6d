from celery import shared_task

from . import services


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
