"""A resident's family members, under ``/bookings/family/`` in the ``bookings`` namespace."""

from django.urls import path

from . import family_views

urlpatterns = [
    path("", family_views.family_list, name="family"),
    path("add/", family_views.family_add, name="family_add"),
    path("<int:pk>/edit/", family_views.family_edit, name="family_edit"),
    path("<int:pk>/delete/", family_views.family_delete, name="family_delete"),
]
