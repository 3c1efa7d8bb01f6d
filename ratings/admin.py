"""Django's admin, kept for superusers: ratings and cases are read-only here (they are
made through the portal's pages, whose services keep the rules), and the district's
rating deadlines can be changed."""

from django.contrib import admin

from .models import Rating, RatingPolicy, RectificationCase


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RatingPolicy)
class RatingPolicyAdmin(admin.ModelAdmin):
    list_display = ["district", "callback_working_days", "reply_working_days"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["pk", "centre", "level", "is_follow_up", "is_excluded", "created_at"]
    list_filter = ["level", "is_follow_up", "is_excluded"]
    list_select_related = ["centre"]
    raw_id_fields = ["booking", "appointment", "resident", "centre"]


@admin.register(RectificationCase)
class RectificationCaseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "centre", "status", "escalated_to", "appeal", "callback_due_at", "reply_due_at"]
    list_filter = ["status", "escalated_to", "appeal"]
    list_select_related = ["centre"]
    raw_id_fields = ["rating", "centre", "street", "district"]
