from django.urls import path

from . import views
from .page_cache import visitor_page_cache

app_name = "centres"

urlpatterns = [
    path("", visitor_page_cache(views.CentreDirectoryView.as_view()), name="directory"),
    path("<slug:slug>/", visitor_page_cache(views.CentreDetailView.as_view()), name="detail"),
]
