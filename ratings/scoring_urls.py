"""Applying and scoring in a star-rating cycle, under /staff/star-scoring/."""

from django.urls import path

from . import scoring_views as views

app_name = "star_scoring"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("<int:cycle>/apply/<slug:slug>/", views.ApplyView.as_view(), name="apply"),
    path(
        "<int:cycle>/apply/<slug:slug>/evidence/<int:pk>/delete/",
        views.EvidenceDeleteView.as_view(),
        name="evidence_delete",
    ),
    path("score/<int:pk>/", views.ScoreView.as_view(), name="score"),
    path("evidence/<int:pk>/", views.EvidenceFileView.as_view(), name="evidence_file"),
]
