from celery import shared_task

from . import cases


@shared_task
def escalate_overdue_cases() -> int:
    """Every hour (CELERY_BEAT_SCHEDULE): pass overdue rectification cases to the street
    and then the district, telling them and reminding the centre. Safe to run twice."""
    return cases.cases_escalate_overdue()


@shared_task
def remind_cases_due_soon() -> int:
    """Each morning (CELERY_BEAT_SCHEDULE): remind centre staff of call-backs due today
    and rectification replies due in the next working days. Safe to run twice."""
    return cases.cases_remind_due_soon()


@shared_task
def invite_to_rate():
    """Every 10 minutes: invite residents to rate the sessions and appointments they used
    (``ratings.invitations``, imported here so this module loads without it)."""
    from . import invitations

    return invitations.invite_to_rate()
