"""Django's admin, kept for superusers. Staff plan and change sessions in the staff
workspace (/staff/), whose services keep sessions inside opening hours, out of each
other's rooms and their after-hours flags right; here sessions are read-only, and saves
of the rest go through the services."""

from django.contrib import admin

from centres.admin import PublicPagesChangedOnDeleteMixin

from . import services
from .models import Activity, Brand, Occurrence, Partner, Series


@admin.register(Partner)
class PartnerAdmin(PublicPagesChangedOnDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "centre"]
    list_filter = ["kind"]
    search_fields = ["name", "centre__name"]
    list_select_related = ["centre"]
    autocomplete_fields = ["centre"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ("name", "kind", "contact", "description")}
        services.partner_save(centre=form.cleaned_data["centre"], partner=obj, **fields)


@admin.register(Brand)
class BrandAdmin(PublicPagesChangedOnDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "area", "district", "slug"]
    search_fields = ["name"]
    list_select_related = ["area", "district"]
    fields = ["name", "area", "description"]
    autocomplete_fields = ["area"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        services.brand_save(brand=obj, area=data["area"], name=data["name"], description=data["description"])


class SeriesInline(admin.TabularInline):
    model = Series
    extra = 0
    can_delete = False
    fields = ["rule", "first_date", "until", "count", "starts", "ends", "room"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(PublicPagesChangedOnDeleteMixin, admin.ModelAdmin):
    list_display = ["title", "centre", "service_function", "audience", "capacity", "booking_required"]
    list_filter = ["service_function", "audience", "booking_required"]
    search_fields = ["title", "centre__name"]
    list_select_related = ["centre"]
    autocomplete_fields = ["centre", "partner", "brand"]
    exclude = ["poster", "poster_thumbnail"]
    inlines = [SeriesInline]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.ACTIVITY_FIELDS if name in form.cleaned_data}
        services.activity_save(centre=form.cleaned_data["centre"], activity=obj, **fields)


@admin.register(Occurrence)
class OccurrenceAdmin(admin.ModelAdmin):
    list_display = ["activity", "centre", "room", "starts_at", "ends_at", "status", "is_after_hours"]
    list_filter = ["status", "is_after_hours"]
    search_fields = ["activity__title", "centre__name"]
    list_select_related = ["activity", "centre", "room"]
    date_hierarchy = "starts_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
