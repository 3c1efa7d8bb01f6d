from celery import shared_task

from .services import phone_codes_purge_expired


@shared_task
def purge_expired_phone_codes() -> int:
    """Hourly (see CELERY_BEAT_SCHEDULE). Safe to run twice: the second run finds nothing."""
    return phone_codes_purge_expired()
