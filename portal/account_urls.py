"""Sign-up, login, logout, password reset and the user's own account. Namespace: ``portal``."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import inbox_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/messages/", views.notification_preferences, name="notification_preferences"),
    path("messages/", inbox_views.inbox, name="inbox"),
    path("messages/read/", inbox_views.inbox_mark_all_read, name="inbox_mark_all_read"),
    path("messages/<int:pk>/open", inbox_views.inbox_open, name="inbox_open"),
]
