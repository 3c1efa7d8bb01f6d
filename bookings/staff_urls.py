from django.urls import include, path

app_name = "bookings_staff"

urlpatterns = [
    path("", include("bookings.roster_urls")),
    path("", include("bookings.staff_appointment_urls")),
]
