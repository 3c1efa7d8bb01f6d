"""Reads of ratings and rectification cases for the staff pages, and the per-centre rates
that the page shows and the statistics roll-up can reuse.

``centre_rating_rates(centres, since=, until=)`` costs two queries whatever the number of
centres (one grouped aggregate over ratings, one over cases).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from .models import BAD_LEVELS, Rating, RectificationCase
from .permissions import cases_visible_to, ratings_visible_to

OPEN_STATUSES = (RectificationCase.Status.AWAITING_CALLBACK, RectificationCase.Status.AWAITING_REPLY)


def mask_name(name: str) -> str:
    """王小明 → 王**"""
    return f"{name[:1]}**" if name else "**"


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678"""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def staff_cases(user, *, open_only: bool = False) -> QuerySet[RectificationCase]:
    """The cases the user may see, escalated ones first, with what the page shows."""
    cases = cases_visible_to(user).select_related("centre", "street", "rating", "rating__resident")
    if open_only:
        cases = cases.filter(Q(status__in=OPEN_STATUSES) | Q(appeal=RectificationCase.Appeal.PENDING))
    return cases.order_by("-escalated_to", "callback_due_at", "pk")


def staff_ratings(user, *, limit: int = 50) -> list[Rating]:
    return list(ratings_visible_to(user).select_related("centre", "resident").order_by("-created_at", "-pk")[:limit])


@dataclass(frozen=True)
class CentreRates:
    ratings: int = 0
    bad: int = 0
    cases: int = 0
    # Cases whose call-back (reply) was recorded or is past due: what the on-time rates count.
    callback_due: int = 0
    reply_due: int = 0
    called_back: int = 0
    called_back_on_time: int = 0
    replied: int = 0
    replied_on_time: int = 0

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def bad_rate(self) -> float | None:
        """Per cent of the counted ratings that are bad."""
        return self._share(self.bad, self.ratings)

    @property
    def callback_on_time_rate(self) -> float | None:
        """Per cent of the cases due for a call-back whose call-back was recorded in time."""
        return self._share(self.called_back_on_time, self.callback_due)

    @property
    def reply_on_time_rate(self) -> float | None:
        """Per cent of the cases due for a reply that were replied to in time."""
        return self._share(self.replied_on_time, self.reply_due)


def centre_rating_rates(
    centre_ids, *, since: dt.datetime | None = None, until: dt.datetime | None = None, now: dt.datetime | None = None
) -> dict[int, CentreRates]:
    """Per centre, ratings and cases opened in [since, until): ratings found malicious on
    appeal (``is_excluded``) and their withdrawn cases are not counted. Follow-up ratings
    count like any other. The on-time rates are of the cases due by ``now``: answered, or
    past the deadline (an open case past it counts as late; one not yet due is left out
    until it is answered or due)."""
    now = now or timezone.now()
    ratings = Rating.objects.filter(centre_id__in=centre_ids, is_excluded=False)
    cases = RectificationCase.objects.filter(centre_id__in=centre_ids).exclude(
        status=RectificationCase.Status.WITHDRAWN
    )
    if since is not None:
        ratings, cases = ratings.filter(created_at__gte=since), cases.filter(opened_at__gte=since)
    if until is not None:
        ratings, cases = ratings.filter(created_at__lt=until), cases.filter(opened_at__lt=until)
    figures: dict[int, dict] = {}
    for row in ratings.values("centre_id").annotate(n=Count("pk"), bad_n=Count("pk", filter=Q(level__in=BAD_LEVELS))):
        figures.setdefault(row["centre_id"], {}).update(ratings=row["n"], bad=row["bad_n"])
    for row in cases.values("centre_id").annotate(
        n=Count("pk"),
        cb_due=Count("pk", filter=Q(called_back_at__isnull=False) | Q(callback_due_at__lt=now)),
        rp_due=Count("pk", filter=Q(replied_at__isnull=False) | Q(reply_due_at__lt=now)),
        cb=Count("pk", filter=Q(called_back_at__isnull=False)),
        cb_ok=Count("pk", filter=Q(called_back_at__lte=F("callback_due_at"))),
        rp=Count("pk", filter=Q(replied_at__isnull=False)),
        rp_ok=Count("pk", filter=Q(replied_at__lte=F("reply_due_at"))),
    ):
        figures.setdefault(row["centre_id"], {}).update(
            cases=row["n"],
            callback_due=row["cb_due"],
            reply_due=row["rp_due"],
            called_back=row["cb"],
            called_back_on_time=row["cb_ok"],
            replied=row["rp"],
            replied_on_time=row["rp_ok"],
        )
    return {centre_id: CentreRates(**values) for centre_id, values in figures.items()}
