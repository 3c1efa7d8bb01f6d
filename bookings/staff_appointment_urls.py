"""Staff appointment pages, mounted at /staff/ in namespace ``bookings_staff``."""

import datetime as dt

from django.urls import path, register_converter

from . import staff_appointment_views as views


class RosterDateConverter:
    """The day of a roster (``2026-11-22``) as a date. Anything that is not a date of this
    century is no match, so a 404."""

    regex = "[^/]+"

    def to_python(self, value: str) -> dt.date:
        date = dt.date.fromisoformat(value)  # a ValueError is no match
        if not views.EARLIEST_DATE <= date <= views.LATEST_DATE:
            raise ValueError(value)
        return date

    def to_url(self, value: dt.date | str) -> str:
        return value.isoformat() if isinstance(value, dt.date) else value


register_converter(RosterDateConverter, "rosterdate")

centre = "centres/<slug:slug>/appointments/"

urlpatterns = [
    path(centre, views.AppointmentSetupView.as_view(), name="appointment_setup"),
    path(centre + "services/new/", views.AppointmentTopicFormView.as_view(), name="appointment_topic_create"),
    path(centre + "services/<int:pk>/edit/", views.AppointmentTopicFormView.as_view(), name="appointment_topic_update"),
    path(
        centre + "services/<int:pk>/delete/",
        views.AppointmentTopicDeleteView.as_view(),
        name="appointment_topic_delete",
    ),
    path(centre + "day/<rosterdate:date>/", views.AppointmentDayView.as_view(), name="appointment_day"),
    path(
        centre + "day/<rosterdate:date>/check-in/",
        views.AppointmentCheckInCodeView.as_view(),
        name="appointment_check_in_code",
    ),
    path(
        centre + "day/<rosterdate:date>/roster.csv",
        views.AppointmentExportView.as_view(file_format="csv"),
        name="appointment_export_csv",
    ),
    path(
        centre + "day/<rosterdate:date>/roster.xlsx",
        views.AppointmentExportView.as_view(file_format="xlsx"),
        name="appointment_export_xlsx",
    ),
    path(centre + "<int:pk>/confirm/", views.AppointmentConfirmView.as_view(), name="appointment_confirm"),
    path(centre + "<int:pk>/propose/", views.AppointmentProposeView.as_view(), name="appointment_propose"),
    path(centre + "<int:pk>/decline/", views.AppointmentDeclineView.as_view(), name="appointment_decline"),
    path(centre + "<int:pk>/cancel/", views.AppointmentCancelView.as_view(), name="appointment_cancel"),
    path(centre + "<int:pk>/check-in/", views.AppointmentCheckInView.as_view(), name="appointment_check_in"),
    path(
        centre + "<int:pk>/check-in/undo/", views.AppointmentCheckInUndoView.as_view(), name="appointment_check_in_undo"
    ),
]
