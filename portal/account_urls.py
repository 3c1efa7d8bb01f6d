"""Sign-up, login, logout and password reset. Namespace: ``portal``."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # TEMPORARY until the accounts work lands: sign-up is built next.
    path("sign-up/", auth_views.LoginView.as_view(), name="sign_up"),
]
