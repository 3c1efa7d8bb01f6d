"""Django's admin, kept for superusers. Staff use the staff workspace (/staff/).

Saves go through the services where a plain ``save()`` would leave derived data stale:
a centre's street and district follow its area, and its evening/weekend/365 flags follow
its weekly hours. Photos are only uploaded through the staff pages, which check and
re-encode them.
"""

from django.contrib import admin

from . import services
from .models import Area, Centre, CentrePhoto, DateException, OpeningPeriod, Room, ServiceFunction
from .page_cache import public_pages_changed


class PublicPagesChangedOnDeleteMixin:
    """Deleting through the admin changes the public pages as much as the services do."""

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        public_pages_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        public_pages_changed()


@admin.register(Area)
class AreaAdmin(PublicPagesChangedOnDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "level", "parent", "city"]
    list_filter = ["level"]
    search_fields = ["name", "parent__name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        public_pages_changed()


class ServiceFunctionInline(admin.TabularInline):
    model = ServiceFunction
    extra = 0
    fields = ["code", "name", "description", "position"]


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


class OpeningPeriodInline(admin.TabularInline):
    model = OpeningPeriod
    extra = 0


class DateExceptionInline(admin.TabularInline):
    model = DateException
    extra = 0


class CentrePhotoInline(admin.TabularInline):
    model = CentrePhoto
    extra = 0
    fields = ["thumbnail", "caption", "position", "width", "height", "uploaded_at"]
    readonly_fields = ["thumbnail", "width", "height", "uploaded_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Centre)
class CentreAdmin(PublicPagesChangedOnDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "street", "area", "is_published", "opens_evenings", "opens_weekends"]
    list_filter = ["kind", "is_published", "opens_evenings", "opens_weekends", "opens_all_year", "district"]
    search_fields = ["name", "address", "area__name", "slug"]
    list_select_related = ["area", "street"]
    autocomplete_fields = ["area"]
    readonly_fields = ["street", "district", "opens_evenings", "opens_weekends", "opens_all_year"]
    inlines = [ServiceFunctionInline, RoomInline, OpeningPeriodInline, DateExceptionInline, CentrePhotoInline]

    def save_model(self, request, obj, form, change):
        # centre_update fills in street and district from the area, validates and saves
        # (inserting a new centre too).
        services.centre_update(centre=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.centre_hours_summary_refresh(centre=form.instance)
