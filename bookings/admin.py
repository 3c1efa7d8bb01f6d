"""Django's admin, kept for superusers: bookings are read-only here (they are made,
cancelled and checked in through the portal's pages, whose services keep capacity),
and the district's booking rules can be changed."""

from django.contrib import admin

from .models import Appointment, Booking, BookingPolicy, Place, Suspension


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PlaceInline(admin.TabularInline):
    model = Place
    extra = 0
    can_delete = False
    fields = ["occurrence", "is_held", "checked_in_at", "no_show"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["code", "person_name", "activity", "starts_at", "status", "source"]
    list_filter = ["status", "source"]
    search_fields = ["code", "person_name", "activity__title"]
    list_select_related = ["activity"]
    date_hierarchy = "starts_at"
    exclude = ["request_key"]
    inlines = [PlaceInline]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["code", "person_name", "centre", "topic", "starts_at", "status"]
    list_filter = ["status"]
    search_fields = ["code", "person_name", "centre__name"]
    list_select_related = ["centre", "topic"]
    date_hierarchy = "starts_at"
    exclude = ["request_key"]


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    list_display = ["resident", "district", "starts_at", "ends_at", "lifted_at"]
    list_select_related = ["resident", "district"]


@admin.register(BookingPolicy)
class BookingPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "district",
        "max_active_bookings",
        "offer_hours",
        "no_show_limit",
        "no_show_days",
        "suspension_days",
    ]
    list_select_related = ["district"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
