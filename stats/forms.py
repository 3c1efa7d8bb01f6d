import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import METRIC_NAMES, METRICS, RATE_METRICS, Metric
from .selectors import last_month
from .services import TARGET_METRICS

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")
FIRST_YEAR, LAST_YEAR = 2000, 2100
DEFAULT_METRIC = Metric.ACTIVITIES_HELD


def parse_month(text: str) -> dt.date:
    """``2026-03`` → 1 March 2026; anything else is a ``ValueError``."""
    match = MONTH_PATTERN.match(text.strip())
    if not match:
        raise ValueError(text)
    year, month = int(match[1]), int(match[2])
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        raise ValueError(text)
    return dt.date(year, month, 1)


class StatisticsQueryForm(forms.Form):
    """What a statistics page shows: the month (``2026-03``; last month when none is
    given) and the figure its charts and ranking are drawn for."""

    month = forms.CharField(
        label=pgettext_lazy("statistics", "Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03", "inputmode": "numeric"}),
    )
    # Not a ChoiceField: an unknown figure (an old bookmark) shows the default one.
    metric = forms.CharField(label=_("Figure for the charts"), required=False, widget=forms.Select(choices=METRICS))

    def __init__(self, *args, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_month = last_month(today)

    def clean_month(self) -> dt.date:
        text = self.cleaned_data["month"]
        if not text:
            return self.default_month
        try:
            return parse_month(text)
        except ValueError:
            raise ValidationError(
                _("“%(text)s” is not a month the page can show. Choose a month, written like 2026-03."),
                params={"text": text[:20]},
                code="invalid",
            ) from None

    def clean_metric(self) -> str:
        metric = self.cleaned_data["metric"]
        return metric if metric in METRIC_NAMES else DEFAULT_METRIC


def _target_field(metric: str, label) -> forms.Field:
    if metric in RATE_METRICS:
        return forms.IntegerField(
            label=_("%(figure)s, in per cent") % {"figure": label},
            required=False,
            min_value=0,
            max_value=100,
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "%"}),
        )
    if metric == Metric.PERSON_HOURS:
        return forms.DecimalField(
            label=label,
            required=False,
            min_value=0,
            max_digits=12,
            decimal_places=2,
            widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
        )
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=10**9,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class DistrictTargetsForm(forms.Form):
    """One box per figure: the least the district wants each month across all its centres.
    An empty box means no target."""

    def __init__(self, *args, targets: dict | None = None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        for metric, target in (targets or {}).items():
            initial[metric] = self.shown_value(metric, target.minimum)
        super().__init__(*args, initial=initial, **kwargs)
        for metric, label in TARGET_METRICS:
            self.fields[metric] = _target_field(metric, label)

    @staticmethod
    def shown_value(metric: str, minimum: Decimal):
        if metric in RATE_METRICS:
            return int((minimum * 100).to_integral_value())
        if metric == Metric.PERSON_HOURS:
            return int(minimum) if minimum == minimum.to_integral_value() else minimum
        return int(minimum)

    def minimums(self) -> dict[str, Decimal | None]:
        """The targets as the service takes them (shares between 0 and 1 for rates)."""
        values = {}
        for metric, _label in TARGET_METRICS:
            value = self.cleaned_data.get(metric)
            if value is None:
                values[metric] = None
            elif metric in RATE_METRICS:
                values[metric] = Decimal(value) / 100
            else:
                values[metric] = Decimal(value)
        return values
