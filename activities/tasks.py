from celery import shared_task

from . import roundup


@shared_task(acks_late=True)
def send_monthly_roundup() -> int:
    """On the 1st at 09:00 (CELERY_BEAT_SCHEDULE): the month's featured activities and the
    community's popular projects, to the residents who asked for them. Safe to run twice:
    each resident gets the month's round-up once."""
    return roundup.monthly_roundup_send()
