"""Statistics pages for staff. Namespace ``stats``; mounted at /staff/statistics/."""

from django.urls import path

from . import views

app_name = "stats"

district = "districts/<int:pk>/"
street = "streets/<int:pk>/"
centre = "centres/<slug:slug>/"

urlpatterns = [
    path("", views.StatisticsHomeView.as_view(), name="home"),
    path(district, views.DistrictStatisticsView.as_view(), name="district"),
    path(district + "figures.csv", views.DistrictExportView.as_view(), {"format": "csv"}, name="district_csv"),
    path(district + "figures.xlsx", views.DistrictExportView.as_view(), {"format": "xlsx"}, name="district_xlsx"),
    path(street, views.StreetStatisticsView.as_view(), name="street"),
    path(street + "figures.csv", views.StreetExportView.as_view(), {"format": "csv"}, name="street_csv"),
    path(street + "figures.xlsx", views.StreetExportView.as_view(), {"format": "xlsx"}, name="street_xlsx"),
    path(centre, views.CentreStatisticsView.as_view(), name="centre"),
    path(centre + "figures.csv", views.CentreExportView.as_view(), {"format": "csv"}, name="centre_csv"),
    path(centre + "figures.xlsx", views.CentreExportView.as_view(), {"format": "xlsx"}, name="centre_xlsx"),
    path("targets/", views.DistrictTargetsView.as_view(), name="targets"),
]
