"""The published ranking and funding table as CSV and Excel, with the safe cells of
bookings/exports.py (a centre's name is never run as a formula)."""

from django.utils.translation import gettext as _

from bookings.exports import csv_response, xlsx_response


def _header() -> list[str]:
    return [_("Rank"), _("Centre"), _("Total"), _("Stars"), _("Reward (yuan)"), _("Previous cycle"), _("Up or down")]


def _trend(row) -> str:
    return {"up": _("Up"), "down": _("Down"), "same": _("Same"), "": ""}[row.trend]


def _rows(rows, number) -> list[list]:
    """The rows with the points and yuan as ``number`` gives them: numbers for Excel, two
    decimals for CSV (87.00, not 87.0)."""
    return [
        [
            row.rank,
            row.centre.name,
            "" if row.total is None else number(row.total),
            row.stars or 0,
            number(row.reward),
            "" if not row.had_previous else (row.previous_stars or 0),
            _trend(row),
        ]
        for row in rows
    ]


def _filename(cycle) -> str:
    return f"star-ratings-{cycle.pk}-{cycle.name}"


def ranking_csv(cycle, rows):
    return csv_response(filename=_filename(cycle), header=_header(), rows=_rows(rows, lambda value: f"{value:.2f}"))


def ranking_xlsx(cycle, rows):
    return xlsx_response(filename=_filename(cycle), title=_("Star ratings"), header=_header(), rows=_rows(rows, float))
