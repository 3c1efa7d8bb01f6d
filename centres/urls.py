from django.urls import path

from . import views

app_name = "centres"

urlpatterns = [
    path("", views.CentreDirectoryView.as_view(), name="directory"),
    path("<slug:slug>/", views.CentreDetailView.as_view(), name="detail"),
]
