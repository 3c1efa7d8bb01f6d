"""Reads of ratings and rectification cases for the staff pages, and the per-centre rates
that the page shows and the statistics roll-up can reuse.

``centre_rating_rates(centres, since=, until=)`` costs two queries whatever the number of
centres (one grouped aggregate over ratings, one over cases).

Cases and ratings come with what was rated (the session's activity or the appointment's
service) and when, so a list costs the same queries whatever its length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from .models import ASPECTS, BAD_LEVELS, Level, Rating, RectificationCase
from .permissions import cases_visible_to, ratings_visible_to

OPEN_STATUSES = (RectificationCase.Status.AWAITING_CALLBACK, RectificationCase.Status.AWAITING_REPLY)
Escalation = RectificationCase.Escalation

# What a rating was of: a booking's activity (its start is the booking's) or an appointment's service.
RATED_SERVICE = ("booking__activity", "appointment__topic")
# Cases escalated furthest come first: district, then street, then those still with the centre.
ESCALATION_RANK = Case(
    When(escalated_to=Escalation.DISTRICT, then=Value(0)),
    When(escalated_to=Escalation.STREET, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def mask_name(name: str) -> str:
    """王小明 → 王**"""
    return f"{name[:1]}**" if name else "**"


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678"""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def staff_cases(user, *, open_only: bool = False) -> QuerySet[RectificationCase]:
    """The cases the user may see, the furthest escalated first, then by call-back
    deadline, with what the page shows."""
    cases = cases_visible_to(user).select_related(
        "centre", "street", "rating__resident", *(f"rating__{name}" for name in RATED_SERVICE)
    )
    if open_only:
        cases = cases.filter(Q(status__in=OPEN_STATUSES) | Q(appeal=RectificationCase.Appeal.PENDING))
    return cases.alias(escalation_rank=ESCALATION_RANK).order_by("escalation_rank", "callback_due_at", "pk")


def staff_case(user, pk: int) -> RectificationCase | None:
    """One case the user may see, with everything its page shows; None for any other."""
    return (
        staff_cases(user)
        .select_related("district", "called_back_by", "replied_by", "appeal_decided_by")
        .filter(pk=pk)
        .first()
    )


def staff_ratings(user, *, limit: int = 50) -> list[Rating]:
    return list(
        ratings_visible_to(user)
        .select_related("centre", "resident", *RATED_SERVICE)
        .order_by("-created_at", "-pk")[:limit]
    )


def given_aspects(rating: Rating) -> list[tuple[str, str]]:
    """The aspects the resident rated, each (aspect, level), in the rating form's order."""
    return [(label, Level(value).label) for name, label in ASPECTS if (value := getattr(rating, name)) is not None]


def resident_contact(case: RectificationCase, *, answers: bool) -> dict:
    """The resident as the case page shows them: in full, with the phone to call, to the
    staff who answer the case (``can_answer_case``) while the call-back or the reply is
    still owed; masked to everyone else and once it is answered."""
    resident = case.rating.resident
    if answers and case.status in OPEN_STATUSES:
        return {"name": resident.name, "phone": resident.phone, "full": True}
    return {"name": mask_name(resident.name), "phone": mask_phone(resident.phone), "full": False}


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
