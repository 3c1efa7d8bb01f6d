from django.urls import path

from activities import feeds as activity_feeds
from activities import views as activity_views

from . import views
from .page_cache import visitor_page_cache

app_name = "centres"

urlpatterns = [
    path("", visitor_page_cache(views.CentreDirectoryView.as_view()), name="directory"),
    path("<slug:slug>/", visitor_page_cache(views.CentreDetailView.as_view()), name="detail"),
    path("<slug:slug>/activities/", visitor_page_cache(activity_views.CentreCalendarView.as_view()), name="calendar"),
    path("<slug:slug>/calendar.ics", visitor_page_cache(activity_feeds.CentreFeedView.as_view()), name="feed"),
]
