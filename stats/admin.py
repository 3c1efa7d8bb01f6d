"""Django's admin, kept for superusers: the monthly figures are read-only here (written
only by the roll-up: ``stats_recompute`` recomputes a month), the district's targets can be
changed."""

from django.contrib import admin

from .models import DistrictTarget, MonthlyFigures


@admin.register(MonthlyFigures)
class MonthlyFiguresAdmin(admin.ModelAdmin):
    list_display = [
        "month",
        "level",
        "centre",
        "area",
        "activities_held",
        "places_booked",
        "attendances",
        "residents_served",
        "fill_rate",
        "computed_at",
    ]
    list_filter = ["level", "month", "district"]
    search_fields = ["centre__name", "area__name"]
    list_select_related = ["centre", "area"]
    date_hierarchy = "month"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DistrictTarget)
class DistrictTargetAdmin(admin.ModelAdmin):
    list_display = ["district", "metric", "minimum", "updated_at", "updated_by"]
    list_filter = ["district"]
    list_select_related = ["district", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]
