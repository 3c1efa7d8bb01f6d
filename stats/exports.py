"""The figures of a statistics page as files: CSV (UTF-8 with a byte-order mark, so that
Excel shows the Chinese) and an Excel workbook.

One table, one row per unit and month: the page's unit for each of the thirteen months
that have figures (newest first), then each street or centre below it in the chosen
month. Rates are in per cent. The workbook has a second sheet with the district's
targets on a district's file.

Names come from staff, so a text cell is always text: a value a spreadsheet would run
as a formula is written as a string in the workbook, and with a leading apostrophe in
the CSV (``bookings.exports``).
"""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.utils import get_column_letter

from bookings.exports import XLSX_TYPE, csv_response
from centres.models import ServiceFunctionCode

from .models import METRICS, RATE_METRICS, MonthlyFigures
from .selectors import BelowRow, MonthFigures, Unit, chart_number, metric_value, target_met


def _metric_header(name: str, label) -> str:
    return _("%(figure)s (%%)") % {"figure": label} if name in RATE_METRICS else str(label)


def header() -> list[str]:
    return (
        [pgettext("statistics", "Month"), pgettext("statistics", "Level"), _("District, street or centre")]
        + [_metric_header(name, label) for name, label in METRICS]
        + [_("Sessions: %(function)s") % {"function": label} for _code, label in ServiceFunctionCode.choices]
    )


def _row(month: dt.date, unit: Unit, figures: MonthlyFigures | None) -> list:
    functions = (figures.by_function or {}) if figures else {}
    return (
        [f"{month:%Y-%m}", unit.level_label, unit.name]
        + [chart_number(name, metric_value(figures, name)) for name, _label in METRICS]
        + [functions.get(code, 0) if figures else None for code in ServiceFunctionCode.values]
    )


def figures_rows(*, unit: Unit, month: dt.date, trend: list[MonthFigures], below: list[BelowRow]) -> list[list]:
    rows = [_row(each.month, unit, each.figures) for each in reversed(trend) if each.figures is not None]
    rows += [_row(month, row.unit, row.figures) for row in below]
    return rows


def targets_rows(*, trend: list[MonthFigures], targets: dict) -> list[list]:
    current = trend[-1].figures
    rows = []
    for name, label in METRICS:
        target = targets.get(name)
        if target is None:
            continue
        value = metric_value(current, name)
        met = target_met(target, value)
        rows.append(
            [
                _metric_header(name, label),
                chart_number(name, target.minimum),
                chart_number(name, value),
                "" if met is None else _("Met") if met else _("Not met"),
            ]
        )
    return rows


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _sheet(sheet, title: str, head: list[str], rows: list[list]) -> None:
    sheet.title = title[:31]
    sheet.append(head)
    for row in rows:
        sheet.append(["" if cell is None else cell if isinstance(cell, int | float) else str(cell) for cell in row])
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING  # openpyxl takes "=…" for a formula
    for index, title_cell in enumerate(head, start=1):
        width = max([len(str(title_cell))] + [len(str(row[index - 1] or "")) for row in rows]) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(width * 1.6, 40)
    sheet.freeze_panes = "D2" if len(head) > 3 else "A2"


def xlsx_response(*, filename: str, sheets: list[tuple[str, list[str], list[list]]]) -> HttpResponse:
    workbook = Workbook()
    for index, (title, head, rows) in enumerate(sheets):
        _sheet(workbook.active if index == 0 else workbook.create_sheet(), title, head, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), f"{filename}.xlsx")


def figures_response(
    *,
    unit: Unit,
    month: dt.date,
    file_format: str,
    trend: list[MonthFigures],
    below: list[BelowRow],
    targets: dict,
) -> HttpResponse:
    filename = _("%(unit)s statistics %(month)s") % {"unit": unit.name, "month": f"{month:%Y-%m}"}
    head = header()
    rows = figures_rows(unit=unit, month=month, trend=trend, below=below)
    if file_format == "csv":
        return csv_response(filename=filename, header=head, rows=rows)
    sheets = [(_("Figures"), head, rows)]
    if targets:
        target_head = [_("Figure"), _("Target: at least"), f"{month:%Y-%m}", _("Met or not")]
        sheets.append((_("Targets"), target_head, targets_rows(trend=trend, targets=targets)))
    return xlsx_response(filename=filename, sheets=sheets)
