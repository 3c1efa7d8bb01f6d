from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("", views.rating_home, name="home"),
    path("booking/<str:code>/", views.rate_booking, name="rate_booking"),
    path("appointment/<str:code>/", views.rate_appointment, name="rate_appointment"),
]
