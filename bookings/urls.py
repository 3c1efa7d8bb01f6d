from django.urls import include, path

app_name = "bookings"

urlpatterns = [
    path("", include("bookings.resident_urls")),
    path("family/", include("bookings.family_urls")),
    path("appointments/", include("bookings.appointment_urls")),
]
