"""The published ranking and funding table as CSV and Excel, with the safe cells of
bookings/exports.py (a centre's name is never run as a formula)."""

from django.utils.translation import gettext as _

from bookings.exports import csv_response, xlsx_response


def _header() -> list[str]:
    return [_("Rank"), _("Centre"), _("Total"), _("Stars"), _("Reward (yuan)"), _("Previous cycle"), _("Change")]


def _trend(row) -> str:
    return {"up": _("Up"), "down": _("Down"), "same": _("Same"), "": ""}[row.trend]


def _rows(rows) -> list[list]:
    return [
        [
            row.rank,
            row.centre.name,
            "" if row.total is None else float(row.total),
            row.stars or 0,
            float(row.reward),
            "" if not row.had_previous else (row.previous_stars or 0),
            _trend(row),
        ]
        for row in rows
    ]


def _filename(cycle) -> str:
    return f"star-ratings-{cycle.pk}-{cycle.name}"


def ranking_csv(cycle, rows):
    return csv_response(filename=_filename(cycle), header=_header(), rows=_rows(rows))


def ranking_xlsx(cycle, rows):
    return xlsx_response(filename=_filename(cycle), title=_("Star ratings"), header=_header(), rows=_rows(rows))
