"""Services of the rectification of bad ratings: the centre's call-back and reply, its
appeal and the district's decision, the district's deadlines, and the escalation of
overdue cases.

Each write locks the case row (``select_for_update``), checks, and writes in one
transaction; refusals are ``CaseRefused`` with a message in the active language (the
user's, set by the language middleware) and a ``code``.

Escalation (``cases_escalate_overdue``), kept simple: a case whose call-back is overdue
(still waiting for it after ``callback_due_at``) or whose reply is overdue (not replied
after ``reply_due_at``) goes to the street, whose staff are told; once it has been overdue
for more than ``DISTRICT_AFTER_WORKING_DAYS`` working days (national calendar, make-up
days count) it goes to the district, whose staff are told. The centre's staff get a
reminder each time it goes up. A case only ever goes up, and every message has a dedupe
key, so running it again changes and sends nothing.

Before that, ``cases_remind_due_soon`` (each morning) reminds the centre's staff of a
call-back due by the end of the day and of a reply due within
``REPLY_REMINDER_WORKING_DAYS`` working days, once per case and deadline.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.holidays import national_day
from centres.models import Area
from portal.models import Notification, User
from portal.notifications import notification_send
from portal.templatetags.portal_tags import when

from .models import RatingPolicy, RectificationCase
from .permissions import can_answer_case, can_decide_appeal, can_set_rating_policy

Status = RectificationCase.Status
Escalation = RectificationCase.Escalation
Appeal = RectificationCase.Appeal

# Overdue by more than this many working days: from the street to the district.
DISTRICT_AFTER_WORKING_DAYS = 5
# A reply due within this many working days (after today) is reminded of in the morning.
REPLY_REMINDER_WORKING_DAYS = 2
RATINGS_PAGE = "/ratings/"
_RANK = {Escalation.CENTRE: 0, Escalation.STREET: 1, Escalation.DISTRICT: 2}


class CaseRefused(ValidationError):
    """What the rules of a rectification case do not allow; ``code`` says which rule."""


def _refuse(message: str, code: str):
    raise CaseRefused(message, code=code)


def _locked(case: RectificationCase) -> RectificationCase:
    return RectificationCase.objects.select_for_update().get(pk=case.pk)


def _copy(case: RectificationCase, fresh: RectificationCase) -> RectificationCase:
    """The caller's object gets the written values too."""
    for field in fresh._meta.concrete_fields:
        setattr(case, field.attname, getattr(fresh, field.attname))
    return case


def _text(value: str, *, empty: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        _refuse(empty, code)
    return value


def _must_answer(by, case):
    if not can_answer_case(by, case):
        _refuse(_("Only the staff of this centre can answer its rectification cases."), "not_allowed")


def case_record_callback(*, case: RectificationCase, by: User, note: str, now: dt.datetime | None = None):
    """The centre called the resident back: what they said. Then the reply is due."""
    now = now or timezone.now()
    with transaction.atomic():
        fresh = _locked(case)
        _must_answer(by, fresh)
        if fresh.status != Status.AWAITING_CALLBACK:
            _refuse(_("The call-back of this case is already recorded or no longer needed."), "not_awaiting_callback")
        note = _text(note, empty=_("Write down what the resident said on the call-back."), code="note_missing")
        fresh.status = Status.AWAITING_REPLY
        fresh.called_back_at, fresh.called_back_by, fresh.callback_note = now, by, note
        fresh.save(update_fields=["status", "called_back_at", "called_back_by", "callback_note"])
    return _copy(case, fresh)


def case_reply(*, case: RectificationCase, by: User, reply: str, now: dt.datetime | None = None):
    """The centre's rectification reply: the resident is told, sees it under /ratings/ and
    may rate once more."""
    now = now or timezone.now()
    with transaction.atomic():
        fresh = _locked(case)
        _must_answer(by, fresh)
        if fresh.status == Status.AWAITING_CALLBACK:
            _refuse(_("Call the resident back and record it before replying."), "callback_first")
        if fresh.status != Status.AWAITING_REPLY:
            _refuse(_("This case is already replied to or closed."), "not_awaiting_reply")
        reply = _text(reply, empty=_("Write the rectification reply."), code="reply_missing")
        fresh.status = Status.REPLIED
        fresh.replied_at, fresh.replied_by, fresh.reply = now, by, reply
        fresh.save(update_fields=["status", "replied_at", "replied_by", "reply"])
        rating = fresh.rating
        centre_name = fresh.centre.name
        notification_send(
            recipient=rating.resident,
            kind=Notification.Kind.CASE,
            text=lambda: (
                _(
                    "%(centre)s has replied to your rating and says what it has changed. "
                    "You can read the reply and rate once more."
                )
                % {"centre": centre_name}
            ),
            url=RATINGS_PAGE,
            dedupe_key=f"case-{fresh.pk}-replied",
        )
    return _copy(case, fresh)


def case_appeal(*, case: RectificationCase, by: User, reason: str, now: dt.datetime | None = None):
    """The centre believes the rating malicious and asks the district, once."""
    now = now or timezone.now()
    with transaction.atomic():
        fresh = _locked(case)
        _must_answer(by, fresh)
        if fresh.appeal != Appeal.NONE:
            _refuse(_("This rating has already been appealed; a rating can be appealed only once."), "appealed")
        if fresh.status == Status.WITHDRAWN:
            _refuse(_("This case is closed."), "closed")
        reason = _text(reason, empty=_("Say why you believe the rating is malicious."), code="reason_missing")
        fresh.appeal, fresh.appeal_reason, fresh.appealed_at = Appeal.PENDING, reason, now
        fresh.save(update_fields=["appeal", "appeal_reason", "appealed_at"])
        centre_name = fresh.centre.name
        for person in User.objects.filter(role=User.Role.DISTRICT_STAFF, area_id=fresh.district_id, is_active=True):
            notification_send(
                recipient=person,
                kind=Notification.Kind.CASE,
                text=lambda: (
                    _("%(centre)s appeals a rating it believes malicious. Please decide.") % {"centre": centre_name}
                ),
                url=lambda: case_url(fresh),
                dedupe_key=f"case-{fresh.pk}-appeal-{person.pk}",
            )
    return _copy(case, fresh)


def case_appeal_decide(*, case: RectificationCase, by: User, upheld: bool, note: str, now: dt.datetime | None = None):
    """District staff of the case's district decide: upheld, the rating no longer counts
    and the case is withdrawn; rejected, the case goes on as it was."""
    now = now or timezone.now()
    with transaction.atomic():
        fresh = _locked(case)
        if not can_decide_appeal(by, fresh):
            _refuse(_("Only the staff of this centre's district can decide its appeals."), "not_allowed")
        if fresh.appeal != Appeal.PENDING:
            _refuse(_("There is no appeal waiting for a decision on this case."), "no_appeal")
        note = _text(note, empty=_("Give the reason for the decision."), code="note_missing")
        fresh.appeal = Appeal.UPHELD if upheld else Appeal.REJECTED
        fresh.appeal_decided_at, fresh.appeal_decided_by, fresh.appeal_decision_note = now, by, note
        fields = ["appeal", "appeal_decided_at", "appeal_decided_by", "appeal_decision_note"]
        if upheld:
            fresh.status = Status.WITHDRAWN
            fields.append("status")
            fresh.rating.is_excluded = True
            fresh.rating.save(update_fields=["is_excluded"])
        fresh.save(update_fields=fields)
        centre_name = fresh.centre.name
        for person in User.objects.filter(role=User.Role.CENTRE_STAFF, centres=fresh.centre_id, is_active=True):
            notification_send(
                recipient=person,
                kind=Notification.Kind.CASE,
                text=lambda: (
                    (
                        _("The district upheld the appeal of %(centre)s: the rating is not counted.")
                        if upheld
                        else _("The district rejected the appeal of %(centre)s: the rating counts.")
                    )
                    % {"centre": centre_name}
                ),
                url=lambda: case_url(fresh),
                dedupe_key=f"case-{fresh.pk}-decided-{person.pk}",
            )
    return _copy(case, fresh)


def case_url(case: RectificationCase) -> str:
    """The case's own page, in the active language (the recipient's, for a message)."""
    return reverse("ratings_staff:case", kwargs={"pk": case.pk})


def rating_policy_for(district: Area) -> RatingPolicy:
    policy, _created = RatingPolicy.objects.get_or_create(district=district)
    return policy


def rating_policy_save(
    *, district: Area, by: User, callback_working_days: int, reply_working_days: int
) -> RatingPolicy:
    """The district's deadlines for cases opened from now on."""
    if not (can_set_rating_policy(by) and by.area_id == district.pk):
        _refuse(_("Only the district's staff can set its deadlines."), "not_allowed")
    if callback_working_days > reply_working_days:
        _refuse(_("The call-back cannot be due after the rectification reply."), "callback_after_reply")
    with transaction.atomic():
        policy = RatingPolicy.objects.select_for_update().filter(district=district).first() or RatingPolicy(
            district=district
        )
        policy.callback_working_days = callback_working_days
        policy.reply_working_days = reply_working_days
        policy.full_clean()
        policy.save()
    return policy


# Escalation.


def plus_working_days(moment: dt.datetime, days: int) -> dt.datetime:
    """The same time of day ``days`` working days after ``moment`` (national calendar)."""
    local = timezone.localtime(moment)
    date = local.date()
    while days > 0:
        date += dt.timedelta(days=1)
        if national_day(date).is_working_day:
            days -= 1
    return local.replace(year=date.year, month=date.month, day=date.day)


def overdue_since(case: RectificationCase, now: dt.datetime) -> dt.datetime | None:
    """The first deadline the case has missed by ``now``, or None."""
    missed = []
    if case.status == Status.AWAITING_CALLBACK and case.callback_due_at < now:
        missed.append(case.callback_due_at)
    if case.status in (Status.AWAITING_CALLBACK, Status.AWAITING_REPLY) and case.reply_due_at < now:
        missed.append(case.reply_due_at)
    return min(missed) if missed else None


def escalation_due(case: RectificationCase, now: dt.datetime) -> str:
    """Where the case belongs at ``now``: centre, street or district."""
    since = overdue_since(case, now)
    if since is None:
        return Escalation.CENTRE
    if now > plus_working_days(since, DISTRICT_AFTER_WORKING_DAYS):
        return Escalation.DISTRICT
    return Escalation.STREET


def _tell_escalation(case: RectificationCase, level: str) -> None:
    centre_name, due = case.centre.name, case.callback_due_at
    is_callback = case.status == Status.AWAITING_CALLBACK and case.called_back_at is None
    if not is_callback:
        due = case.reply_due_at
    if level == Escalation.STREET:
        overseers = User.objects.filter(role=User.Role.STREET_STAFF, area_id=case.street_id, is_active=True)
    else:
        overseers = User.objects.filter(role=User.Role.DISTRICT_STAFF, area_id=case.district_id, is_active=True)
    for person in overseers:
        notification_send(
            recipient=person,
            kind=Notification.Kind.CASE,
            text=lambda: (
                _("%(centre)s has not answered a bad rating in time (due %(due)s). Please follow it up.")
                % {"centre": centre_name, "due": when(due)}
            ),
            url=lambda: case_url(case),
            dedupe_key=f"case-{case.pk}-{level}-{person.pk}",
        )
    for person in User.objects.filter(role=User.Role.CENTRE_STAFF, centres=case.centre_id, is_active=True):
        notification_send(
            recipient=person,
            kind=Notification.Kind.CASE,
            text=lambda: (
                (
                    _("Reminder: a bad rating of %(centre)s is overdue (due %(due)s) and was passed to the street.")
                    if level == Escalation.STREET
                    else _(
                        "Reminder: a bad rating of %(centre)s is overdue (due %(due)s) and was passed to the district."
                    )
                )
                % {"centre": centre_name, "due": when(due)}
            ),
            url=lambda: case_url(case),
            dedupe_key=f"case-{case.pk}-{level}-reminder-{person.pk}",
        )


def cases_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Escalate every overdue case one or two levels as due; returns how many moved."""
    now = now or timezone.now()
    overdue = Q(status=Status.AWAITING_CALLBACK, callback_due_at__lt=now) | Q(
        status__in=[Status.AWAITING_CALLBACK, Status.AWAITING_REPLY], reply_due_at__lt=now
    )
    ids = list(
        RectificationCase.objects.filter(overdue).exclude(escalated_to=Escalation.DISTRICT).values_list("pk", flat=True)
    )
    moved = 0
    for pk in ids:
        with transaction.atomic():
            case = RectificationCase.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if case is None:
                continue
            level = escalation_due(case, now)
            if _RANK[level] <= _RANK[case.escalated_to]:
                continue
            case.escalated_to, case.escalated_at = level, now
            case.save(update_fields=["escalated_to", "escalated_at"])
            _tell_escalation(case, level)
            moved += 1
    return moved


def _centre_staff_of(centre_ids) -> dict[int, list[User]]:
    """{centre id: its active staff}, two queries whatever the number of centres."""
    pairs = list(
        User.centres.through.objects.filter(
            centre_id__in=centre_ids, user__role=User.Role.CENTRE_STAFF, user__is_active=True
        ).values_list("centre_id", "user_id")
    )
    people = User.objects.in_bulk({user_id for _centre_id, user_id in pairs})
    staff: dict[int, list[User]] = {}
    for centre_id, user_id in sorted(pairs):
        staff.setdefault(centre_id, []).append(people[user_id])
    return staff


def cases_remind_due_soon(*, now: dt.datetime | None = None) -> int:
    """Remind each centre's staff of a call-back due by the end of today and of a reply
    due within REPLY_REMINDER_WORKING_DAYS working days after today (not yet overdue:
    that is escalation's). One message per case, deadline and person, ever (dedupe keys),
    so running it again sends nothing. Returns how many messages were written."""
    now = now or timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=999999)
    reply_horizon = plus_working_days(end_of_today, REPLY_REMINDER_WORKING_DAYS)
    callback_soon = Q(status=Status.AWAITING_CALLBACK, callback_due_at__gt=now, callback_due_at__lte=end_of_today)
    reply_soon = Q(
        status__in=[Status.AWAITING_CALLBACK, Status.AWAITING_REPLY],
        reply_due_at__gt=now,
        reply_due_at__lte=reply_horizon,
    )
    cases = list(RectificationCase.objects.filter(callback_soon | reply_soon).select_related("centre").order_by("pk"))
    staff = _centre_staff_of({case.centre_id for case in cases})
    written = 0
    for case in cases:
        deadlines = []
        if case.status == Status.AWAITING_CALLBACK and now < case.callback_due_at <= end_of_today:
            deadlines.append(("callback", case.callback_due_at))
        if now < case.reply_due_at <= reply_horizon:
            deadlines.append(("reply", case.reply_due_at))
        for deadline, due in deadlines:
            for person in staff.get(case.centre_id, []):
                message = notification_send(
                    recipient=person,
                    kind=Notification.Kind.CASE,
                    text=lambda deadline=deadline, due=due, centre=case.centre.name: (
                        (
                            _("Reminder: call back the resident who rated %(centre)s badly by %(due)s.")
                            if deadline == "callback"
                            else _("Reminder: the rectification reply to a bad rating of %(centre)s is due by %(due)s.")
                        )
                        % {"centre": centre, "due": when(due)}
                    ),
                    url=lambda case=case: case_url(case),
                    dedupe_key=f"case-{case.pk}-{deadline}-soon-{person.pk}",
                )
                written += message is not None
    return written
