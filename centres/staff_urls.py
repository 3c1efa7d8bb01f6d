"""Staff pages for centres and areas. Namespace: ``staff``; mounted at /staff/."""

from django.urls import path

from . import staff_views as views

app_name = "staff"

centre = "centres/<slug:slug>/"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    # District staff.
    path("areas/", views.AreaListView.as_view(), name="areas"),
    path("areas/new-street/", views.StreetCreateView.as_view(), name="street_create"),
    path("areas/new-community/", views.CommunityCreateView.as_view(), name="community_create"),
    path("areas/<int:pk>/rename/", views.AreaRenameView.as_view(), name="area_rename"),
    # Before the centre pages, so that "new" is never read as a centre's web address.
    path("centres/new/", views.CentreCreateView.as_view(), name="centre_create"),
    # One centre.
    path(centre, views.CentreOverviewView.as_view(), name="centre_overview"),
    path(centre + "profile/", views.CentreProfileView.as_view(), name="centre_profile"),
    path(centre + "functions/", views.FunctionListView.as_view(), name="functions"),
    path(centre + "functions/new/", views.FunctionFormView.as_view(), name="function_create"),
    path(centre + "functions/<int:pk>/edit/", views.FunctionUpdateView.as_view(), name="function_update"),
    path(centre + "functions/<int:pk>/delete/", views.FunctionDeleteView.as_view(), name="function_delete"),
    path(centre + "hours/", views.OpeningHoursView.as_view(), name="hours"),
    path(centre + "exceptions/", views.DateExceptionListView.as_view(), name="exceptions"),
    path(centre + "exceptions/<int:pk>/delete/", views.DateExceptionDeleteView.as_view(), name="exception_delete"),
    path(centre + "rooms/", views.RoomListView.as_view(), name="rooms"),
    path(centre + "rooms/new/", views.RoomFormView.as_view(), name="room_create"),
    path(centre + "rooms/<int:pk>/edit/", views.RoomUpdateView.as_view(), name="room_update"),
    path(centre + "rooms/<int:pk>/delete/", views.RoomDeleteView.as_view(), name="room_delete"),
    path(centre + "photos/", views.PhotoListView.as_view(), name="photos"),
    path(centre + "photos/<int:pk>/delete/", views.PhotoDeleteView.as_view(), name="photo_delete"),
]
