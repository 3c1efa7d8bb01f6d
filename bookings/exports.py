"""Rosters as files staff can open: CSV (UTF-8 with a byte-order mark, so that Excel
shows the Chinese) and Excel workbooks.

Names and notes come from residents, so a cell is always text: a value a spreadsheet
would run as a formula (starting with =, +, -, @, a tab or a carriage return) is written
as a string in the workbook, and with a leading apostrophe in the CSV."""

import csv
import io

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _csv_cell(cell) -> str:
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(*, filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([_csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return _attachment(HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8"), f"{filename}.csv")


def xlsx_response(*, filename: str, title: str, header: list[str], rows: list[list]) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([str(cell) for cell in header])
    for row in rows:
        sheet.append(["" if cell is None else cell if isinstance(cell, int | float) else str(cell) for cell in row])
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING  # openpyxl takes "=…" for a formula
    for index, cell in enumerate(header, start=1):
        width = max([len(str(cell))] + [len(str(row[index - 1] or "")) for row in rows]) + 4
        sheet.column_dimensions[get_column_letter(index)].width = min(width * 1.6, 60)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), f"{filename}.xlsx")
