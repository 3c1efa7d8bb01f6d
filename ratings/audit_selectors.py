"""The audit trail of a star-rating cycle: a page of it at a time with the total count
(two queries a page), and the whole trail in plain words for the CSV export."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.translation import gettext as _

from .cycle_selectors import ACTION_LABELS, _values
from .models import AuditEntry, Cycle

AUDIT_PAGE_SIZE = 200


def _trail(cycle: Cycle):
    return cycle.audit_entries.select_related("actor").order_by("-at", "-pk")


def _labelled(entry: AuditEntry) -> AuditEntry:
    entry.label = ACTION_LABELS.get(entry.action, entry.action)
    entry.before_values = _values(entry.before)
    entry.after_values = _values(entry.after)
    return entry


def audit_page(cycle: Cycle, number) -> Page:
    """One page of the trail, newest first, each entry with ``label``, ``before_values``
    and ``after_values`` (as ``cycle_selectors.audit_trail`` gives them). A page number
    out of range or not a number gives the last or the first page."""
    page = Paginator(_trail(cycle), AUDIT_PAGE_SIZE).get_page(number)
    page.object_list = [_labelled(entry) for entry in page.object_list]
    return page


def audit_csv_header() -> list[str]:
    return [_("When"), _("Done by"), _("Action"), _("What"), _("Before"), _("After")]


def audit_csv_rows(cycle: Cycle) -> Iterator[list[str]]:
    """Every entry of the trail, newest first, in words: one query, read in chunks."""
    portal = _("the portal")
    for entry in _trail(cycle).iterator(chunk_size=2000):
        _labelled(entry)
        yield [
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M"),
            (entry.actor.name or str(entry.actor)) if entry.actor else portal,
            str(entry.label),
            entry.subject,
            "; ".join(entry.before_values),
            "; ".join(entry.after_values),
        ]
