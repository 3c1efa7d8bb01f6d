import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .rollup import SHANGHAI, monthly_figures_compute, previous_month


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=60, max_retries=5)
def roll_up_last_month() -> int:
    """On the 1st at 01:00 (CELERY_BEAT_SCHEDULE): the month that just ended, by the
    calendar in Asia/Shanghai. Safe to run twice: the month's rows are replaced."""
    today = timezone.now().astimezone(SHANGHAI).date()
    return monthly_figures_compute(month=previous_month(today))


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=60, max_retries=5)
def roll_up_month(month_iso: str) -> int:
    """Recompute one month, given as ``"2026-10"`` or ``"2026-10-01"``."""
    return monthly_figures_compute(month=dt.date.fromisoformat(f"{month_iso[:7]}-01"))
