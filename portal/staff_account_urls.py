"""District staff manage staff accounts. Namespace: ``staff_accounts``."""

from django.urls import path

from . import views

app_name = "staff_accounts"

urlpatterns = [
    path("", views.StaffAccountListView.as_view(), name="list"),
    path("new/", views.StaffAccountCreateView.as_view(), name="create"),
    path("<int:pk>/edit/", views.StaffAccountUpdateView.as_view(), name="update"),
    path("<int:pk>/deactivate/", views.StaffAccountSetActiveView.as_view(is_active=False), name="deactivate"),
    path("<int:pk>/reactivate/", views.StaffAccountSetActiveView.as_view(is_active=True), name="reactivate"),
]
