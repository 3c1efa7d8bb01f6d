from django.urls import path

from centres.page_cache import visitor_page_cache

from . import feeds, views

app_name = "activities"

urlpatterns = [
    path("", visitor_page_cache(views.CalendarView.as_view()), name="calendar"),
    path("calendar.ics", visitor_page_cache(feeds.CalendarFeedView.as_view()), name="feed"),
    path("<int:pk>/", visitor_page_cache(views.OccurrenceDetailView.as_view()), name="occurrence"),
    path("<int:pk>/event.ics", feeds.OccurrenceEventView.as_view(), name="occurrence_ics"),
    path("brands/", visitor_page_cache(views.BrandListView.as_view()), name="brands"),
    path("brands/<slug:slug>/", visitor_page_cache(views.BrandDetailView.as_view()), name="brand"),
]
