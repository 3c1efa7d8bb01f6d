"""Staff pages of bookings (namespace ``bookings_staff``, mounted at /staff/): a
session's roster and check-in, the district's booking rules, booking suspensions."""

from django.urls import path

from . import staff_views as views

roster = "centres/<slug:slug>/sessions/<int:pk>/roster/"

urlpatterns = [
    path(roster, views.RosterView.as_view(), name="roster"),
    path(roster + "check-in/", views.CodeCheckInView.as_view(), name="roster_check_in_code"),
    path(roster + "places/<int:place_pk>/check-in/", views.PlaceCheckInView.as_view(), name="roster_check_in"),
    path(roster + "places/<int:place_pk>/undo/", views.PlaceCheckInUndoView.as_view(), name="roster_check_in_undo"),
    path(roster + "walk-in/", views.WalkInView.as_view(), name="roster_walk_in"),
    path(roster + "book/", views.BookForResidentView.as_view(), name="roster_book"),
    path(roster + "roster.csv", views.RosterExportView.as_view(), {"format": "csv"}, name="roster_csv"),
    path(roster + "roster.xlsx", views.RosterExportView.as_view(), {"format": "xlsx"}, name="roster_xlsx"),
    path("booking-rules/", views.BookingPolicyView.as_view(), name="booking_policy"),
    path("suspensions/", views.SuspensionListView.as_view(), name="suspensions"),
    path("suspensions/<int:pk>/lift/", views.SuspensionLiftView.as_view(), name="suspension_lift"),
]
