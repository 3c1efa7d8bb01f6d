"""Statistics pages for staff: a district, a street or a centre in a chosen month against
the twelve before it (trend, sessions by service function, ranking of the streets or
centres below, a table of every figure with the district's targets), the figures as
files, and the district's targets.

The unit of a page is looked up in the user's scope (``stats.permissions``): anything
outside it is a 404. Each page costs the same number of queries whatever the size of
the district (``stats.selectors``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from centres.forms import add_service_errors
from centres.models import ServiceFunctionCode
from centres.permissions import StaffAccessMixin
from portal.models import User
from portal.permissions import managed_district

from . import exports, services
from .forms import DistrictTargetsForm, StatisticsQueryForm
from .models import METRICS, RATE_METRICS, Metric, MonthlyFigures
from .permissions import (
    can_set_targets,
    can_view_district_of,
    can_view_statistics,
    can_view_street_of,
    viewable_centres,
    viewable_districts,
    viewable_streets,
)
from .selectors import (
    Unit,
    add_months,
    centre_unit,
    chart_number,
    district_targets,
    district_unit,
    last_month,
    metric_value,
    ranking,
    street_unit,
    target_met,
    unit_trend,
    units_below,
)

CHART_JS_PATH = "vendor/chartjs/chart.umd.min.js"
NO_FIGURE = "—"
# The figures shown large at the top of a page.
HEADLINE_METRICS = (
    Metric.ACTIVITIES_HELD,
    Metric.FEATURED_ACTIVITIES_HELD,
    Metric.ATTENDANCES,
    Metric.RESIDENTS_SERVED,
)


def _static_or_none(path: str) -> str | None:
    """The file's address, or None when the static files were collected without it."""
    try:
        return static(path)
    except ValueError:
        return None


def month_label(month: dt.date) -> str:
    """2026年3月 / March 2026"""
    return date_format(month, "YEAR_MONTH_FORMAT")


def shown(metric: str, value) -> str:
    """A figure as the page writes it: 1,234 · 85.3% · 412.5 · — for none."""
    if value is None:
        return NO_FIGURE
    if metric in RATE_METRICS:
        return f"{Decimal(value) * 100:.1f}%"
    if isinstance(value, Decimal):
        return f"{value:,.1f}"
    return f"{value:,}"


def shown_target(metric: str, minimum: Decimal) -> str:
    if metric in RATE_METRICS:
        return f"≥ {minimum * 100:.0f}%"
    if minimum == minimum.to_integral_value():
        return f"≥ {int(minimum):,}"
    return f"≥ {minimum:,.2f}"


def unit_url(unit: Unit, *, month: dt.date | None = None, metric: str | None = None, name: str = "") -> str:
    level = unit.level
    kwargs = {"slug": unit.obj.slug} if level == MonthlyFigures.Level.CENTRE else {"pk": unit.obj.pk}
    url = reverse(f"stats:{level}{name}", kwargs=kwargs)
    query = {}
    if month is not None:
        query["month"] = f"{month:%Y-%m}"
    if metric:
        query["metric"] = metric
    return f"{url}?{urlencode(query)}" if query else url


class StatisticsHomeView(StaffAccessMixin, TemplateView):
    """Where the statistics start: the district's or the street's page, or the list of
    a centre worker's centres (their one centre's page when they have one)."""

    permission = staticmethod(can_view_statistics)
    template_name = "stats/home.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        district = managed_district(user)
        if district is not None:
            return redirect(unit_url(Unit(MonthlyFigures.Level.DISTRICT, district)))
        if user.role == User.Role.STREET_STAFF:
            street = viewable_streets(user).first()
            if street is not None:
                return redirect(unit_url(Unit(MonthlyFigures.Level.STREET, street)))
        self.centres = list(viewable_centres(user).select_related("street").order_by("street__name", "name", "pk"))
        if len(self.centres) == 1:
            return redirect(unit_url(Unit(MonthlyFigures.Level.CENTRE, self.centres[0])))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        links = [(centre, unit_url(Unit(MonthlyFigures.Level.CENTRE, centre))) for centre in self.centres]
        return super().get_context_data(**kwargs) | {"centre_links": links}


class UnitMixin(StaffAccessMixin):
    """A page or file about one unit in the user's scope, for the month and figure of
    the query string."""

    permission = staticmethod(can_view_statistics)
    level: str = ""

    def load_unit(self) -> Unit:
        user = self.request.user
        try:
            if self.level == MonthlyFigures.Level.DISTRICT:
                return district_unit(viewable_districts(user), self.kwargs["pk"])
            if self.level == MonthlyFigures.Level.STREET:
                return street_unit(viewable_streets(user), self.kwargs["pk"])
            return centre_unit(viewable_centres(user), self.kwargs["slug"])
        except ObjectDoesNotExist as error:
            raise Http404 from error

    def parse_query(self) -> StatisticsQueryForm:
        form = StatisticsQueryForm(self.request.GET, today=timezone.localdate())
        form.is_valid()
        return form

    def figures(self, unit: Unit, month: dt.date) -> dict:
        """Everything the page and the files show, in a fixed number of queries."""
        trend = unit_trend(unit, month)
        below = units_below(unit, month)
        targets = district_targets(unit.district_id) if unit.level == MonthlyFigures.Level.DISTRICT else {}
        return {"trend": trend, "below": below, "targets": targets}


class UnitStatisticsView(UnitMixin, TemplateView):
    template_name = "stats/unit_statistics.html"

    def get(self, request, *args, **kwargs):
        self.unit = self.load_unit()
        self.query = self.parse_query()
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context, status=200 if self.query.is_valid() else 400)

    def breadcrumbs(self, unit: Unit, query: dict) -> list[tuple[str, str | None]]:
        user, obj = self.request.user, unit.obj
        crumbs = []
        if unit.level == MonthlyFigures.Level.STREET and can_view_district_of(user, obj):
            crumbs.append((obj.parent.name, unit_url(Unit(MonthlyFigures.Level.DISTRICT, obj.parent), **query)))
        if unit.level == MonthlyFigures.Level.CENTRE:
            if can_view_district_of(user, obj):
                crumbs.append((obj.district.name, unit_url(Unit(MonthlyFigures.Level.DISTRICT, obj.district), **query)))
            if can_view_street_of(user, obj):
                crumbs.append((obj.street.name, unit_url(Unit(MonthlyFigures.Level.STREET, obj.street), **query)))
        return [*crumbs, (unit.name, None)]

    def get_context_data(self, **kwargs):
        unit, form = self.unit, self.query
        context = super().get_context_data(**kwargs) | {
            "unit": unit,
            "query_form": form,
            "metrics": METRICS,
            "breadcrumbs": self.breadcrumbs(unit, {}),
        }
        if not form.is_valid():
            return context
        month, metric = form.cleaned_data["month"], form.cleaned_data["metric"]
        query = {"month": month, "metric": metric}
        data = self.figures(unit, month)
        trend, below, targets = data["trend"], data["below"], data["targets"]
        current = trend[-1].figures
        previous = trend[-2].figures
        year_ago = trend[0].figures
        metric_label = Metric(metric).label
        is_rate = metric in RATE_METRICS
        newest = last_month()

        trend_rows = [
            {
                "month": month_label(each.month),
                "shown": shown(metric, metric_value(each.figures, metric)),
                "number": chart_number(metric, metric_value(each.figures, metric)),
                "is_chosen": each.month == month,
            }
            for each in trend
        ]
        by_function = (current.by_function or {}) if current else {}
        function_rows = [
            {"label": str(label), "sessions": int(by_function.get(code, 0))}
            for code, label in ServiceFunctionCode.choices
        ] + [
            {"label": code, "sessions": int(count)}
            for code, count in sorted(by_function.items())
            if code not in ServiceFunctionCode.values
        ]
        ranked = ranking(below, metric)
        ranking_rows = [
            {
                "rank": position if metric_value(row.figures, metric) is not None else None,
                "name": row.unit.name,
                "url": unit_url(row.unit, **query),
                "shown": shown(metric, metric_value(row.figures, metric)),
                "number": chart_number(metric, metric_value(row.figures, metric)),
            }
            for position, row in enumerate(ranked, start=1)
        ]
        table = []
        for name, label in METRICS:
            value = metric_value(current, name)
            target = targets.get(name)
            table.append(
                {
                    "metric": name,
                    "label": label,
                    "chart_url": unit_url(unit, month=month, metric=name),
                    "is_chosen": name == metric,
                    "current": shown(name, value),
                    "previous": shown(name, metric_value(previous, name)),
                    "year_ago": shown(name, metric_value(year_ago, name)),
                    "target": shown_target(name, target.minimum) if target else "",
                    "met": target_met(target, value),
                }
            )
        below_label = {
            MonthlyFigures.Level.STREET: _("Streets and towns"),
            MonthlyFigures.Level.CENTRE: _("Centres"),
        }.get(unit.below_level, "")
        return context | {
            "breadcrumbs": self.breadcrumbs(unit, query),
            "month": month,
            "month_label": month_label(month),
            "previous_month_label": month_label(add_months(month, -1)),
            "year_ago_label": month_label(add_months(month, -12)),
            "first_month_label": trend_rows[0]["month"],
            "previous_url": unit_url(unit, month=add_months(month, -1), metric=metric),
            "next_url": unit_url(unit, month=add_months(month, 1), metric=metric) if month < newest else None,
            "latest_url": unit_url(unit, month=newest, metric=metric) if month != newest else None,
            "metric": metric,
            "metric_label": metric_label,
            "is_rate": is_rate,
            "figures": current,
            "has_trend": any(row["number"] is not None for row in trend_rows),
            "trend_rows": trend_rows,
            "function_rows": function_rows,
            "has_functions": any(row["sessions"] for row in function_rows),
            "below_label": below_label,
            "ranking_rows": ranking_rows,
            "has_ranking": any(row["number"] is not None for row in ranking_rows),
            "table": table,
            "headline": [row for row in table if row["metric"] in HEADLINE_METRICS],
            "has_targets": bool(targets),
            "is_district": unit.level == MonthlyFigures.Level.DISTRICT,
            # Whoever sees a district's page is its staff (``viewable_districts``).
            "can_set_targets": unit.level == MonthlyFigures.Level.DISTRICT,
            "csv_url": unit_url(unit, name="_csv", **query),
            "xlsx_url": unit_url(unit, name="_xlsx", **query),
            "chart_js_url": _static_or_none(CHART_JS_PATH),
            "chart_data": {
                "trend": {
                    "label": str(metric_label),
                    "percent": is_rate,
                    "labels": [row["month"] for row in trend_rows],
                    "values": [row["number"] for row in trend_rows],
                },
                "functions": {
                    "label": _("Sessions held"),
                    "percent": False,
                    "labels": [row["label"] for row in function_rows],
                    "values": [row["sessions"] for row in function_rows],
                },
                "ranking": {
                    "label": str(metric_label),
                    "percent": is_rate,
                    "labels": [row["name"] for row in ranking_rows],
                    "values": [row["number"] for row in ranking_rows],
                },
            },
        }


class DistrictStatisticsView(UnitStatisticsView):
    level = MonthlyFigures.Level.DISTRICT


class StreetStatisticsView(UnitStatisticsView):
    level = MonthlyFigures.Level.STREET


class CentreStatisticsView(UnitStatisticsView):
    level = MonthlyFigures.Level.CENTRE


class UnitExportView(UnitMixin, View):
    """The figures a page shows, as CSV or an Excel workbook."""

    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        unit = self.load_unit()
        form = self.parse_query()
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["month"]))
            return HttpResponseRedirect(unit_url(unit))
        month = form.cleaned_data["month"]
        data = self.figures(unit, month)
        return exports.figures_response(unit=unit, month=month, file_format=kwargs["format"], **data)


class DistrictExportView(UnitExportView):
    level = MonthlyFigures.Level.DISTRICT


class StreetExportView(UnitExportView):
    level = MonthlyFigures.Level.STREET


class CentreExportView(UnitExportView):
    level = MonthlyFigures.Level.CENTRE


class DistrictTargetsView(StaffAccessMixin, FormView):
    """District staff set the least their district should reach each month."""

    permission = staticmethod(can_set_targets)
    template_name = "stats/district_targets.html"
    form_class = DistrictTargetsForm

    def dispatch(self, request, *args, **kwargs):
        self.district = managed_district(request.user) if request.user.is_authenticated else None
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        self.targets = district_targets(self.district.pk)
        return super().get_form_kwargs() | {"targets": self.targets}

    def form_valid(self, form):
        try:
            services.district_targets_set(district=self.district, minimums=form.minimums(), by=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The targets are saved. The statistics pages compare each month with them."))
        return HttpResponseRedirect(reverse("stats:targets"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # the form, with self.targets
        changed = [target for target in self.targets.values() if target.updated_at]
        last = max(changed, key=lambda target: target.updated_at) if changed else None
        return context | {
            "district": self.district,
            "district_url": unit_url(Unit(MonthlyFigures.Level.DISTRICT, self.district)),
            "last_change": last,
        }
