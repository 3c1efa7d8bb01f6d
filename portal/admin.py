from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import PhoneCode, User, mask_phone


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("phone", "name", "role")
        field_classes = {}


class UserChangeAdminForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes = {}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, keyed on the mobile number instead of a username."""

    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    fieldsets = (
        (None, {"fields": ("phone", "password")}),
        (_("Personal info"), {"fields": ("name", "home_community")}),
        (_("Role and scope"), {"fields": ("role", "area", "centres")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("phone", "name", "role", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("phone", "name", "role", "area", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    list_select_related = ("area",)
    search_fields = ("phone", "name")
    ordering = ("phone",)
    filter_horizontal = ("centres", "groups", "user_permissions")
    raw_id_fields = ("area", "home_community")


@admin.register(PhoneCode)
class PhoneCodeAdmin(admin.ModelAdmin):
    """Read-only: codes are made and used by the services, and only their hash is kept."""

    list_display = ("masked_phone", "purpose", "created_at", "expires_at", "attempts", "used_at")
    list_filter = ("purpose",)
    search_fields = ("phone",)
    ordering = ("-created_at",)
    fields = ("masked_phone", "purpose", "created_at", "expires_at", "attempts", "used_at")
    readonly_fields = fields

    @admin.display(description=_("mobile number"), ordering="phone")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
