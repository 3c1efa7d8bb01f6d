"""Residents' appointment pages, mounted at /bookings/appointments/ in namespace ``bookings``."""

from django.urls import path

from . import appointment_views as views

urlpatterns = [
    path("centres/<slug:slug>/", views.AppointmentSlotsView.as_view(), name="appointment_slots"),
    path("<str:code>/", views.AppointmentDetailView.as_view(), name="appointment"),
    path("<str:code>/accept/", views.appointment_accept, name="appointment_accept"),
    path("<str:code>/decline/", views.appointment_decline_proposal, name="appointment_decline_proposal"),
    path("<str:code>/cancel/", views.appointment_cancel, name="appointment_cancel"),
]
