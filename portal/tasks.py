from celery import shared_task

from . import notifications
from .services import phone_codes_purge_expired


@shared_task
def purge_expired_phone_codes() -> int:
    """Hourly (see CELERY_BEAT_SCHEDULE). Safe to run twice: the second run finds nothing."""
    return phone_codes_purge_expired()


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(notifications.ProviderError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=6,
)
def deliver_notification(self, notification_id: int) -> bool:
    """Send one message's text and email now (asked for after the commit that wrote it).
    Safe to run twice: a message already sent, or held by another worker, is left alone;
    the beat's sweep also picks up whatever this task could not send."""
    return notifications.notification_deliver(notification_id=notification_id)


@shared_task(acks_late=True)
def send_due_notifications() -> int:
    """Every minute: send the messages whose copies are due (those a broker outage or a
    provider failure held back, and those of a worker that died)."""
    return notifications.notifications_send_due(time_limit=50)


@shared_task
def beat_heartbeat() -> None:
    """Every minute: shows the beat scheduler is alive (staff pages warn when it is not)."""
    notifications.heartbeat_record()
