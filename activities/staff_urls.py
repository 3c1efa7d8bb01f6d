"""Staff scheduling pages. Namespace: ``schedule``; mounted at /staff/."""

from django.urls import path

from . import staff_views as views

app_name = "schedule"

centre = "centres/<slug:slug>/"

urlpatterns = [
    path(centre + "schedule/", views.WeekView.as_view(), name="week"),
    path(centre + "schedule/new/", views.ScheduleCreateView.as_view(), name="schedule_create"),
    path(centre + "schedule/copy/", views.WeekCopyView.as_view(), name="week_copy"),
    path(centre + "sessions/<int:pk>/", views.SessionView.as_view(), name="session"),
    path(centre + "sessions/<int:pk>/move/", views.SessionMoveView.as_view(), name="session_move"),
    path(centre + "sessions/<int:pk>/cancel/", views.SessionCancelView.as_view(), name="session_cancel"),
    path(centre + "activities/", views.ActivityListView.as_view(), name="activities"),
    path(centre + "activities/new/", views.ActivityFormView.as_view(), name="activity_create"),
    path(centre + "activities/<int:pk>/edit/", views.ActivityFormView.as_view(), name="activity_update"),
    path(centre + "activities/<int:pk>/delete/", views.ActivityDeleteView.as_view(), name="activity_delete"),
    path(centre + "partners/", views.PartnerListView.as_view(), name="partners"),
    path(centre + "partners/new/", views.PartnerFormView.as_view(), name="partner_create"),
    path(centre + "partners/<int:pk>/edit/", views.PartnerFormView.as_view(), name="partner_update"),
    path(centre + "partners/<int:pk>/delete/", views.PartnerDeleteView.as_view(), name="partner_delete"),
    # District staff.
    path("brands/", views.BrandListView.as_view(), name="brands"),
    path("brands/new/", views.BrandFormView.as_view(), name="brand_create"),
    path("brands/<int:pk>/edit/", views.BrandFormView.as_view(), name="brand_update"),
    path("brands/<int:pk>/delete/", views.BrandDeleteView.as_view(), name="brand_delete"),
]
