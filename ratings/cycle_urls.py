from django.urls import path

from . import cycle_views as views

app_name = "star_ratings"

urlpatterns = [
    path("", views.cycle_list, name="cycles"),
    path("new/", views.cycle_create, name="cycle_create"),
    path("<int:pk>/", views.cycle_detail, name="cycle"),
    path("<int:pk>/criteria/", views.criterion_add, name="criterion_add"),
    path("<int:pk>/criteria/<int:criterion_pk>/edit/", views.criterion_edit, name="criterion_edit"),
    path("<int:pk>/criteria/<int:criterion_pk>/remove/", views.criterion_remove, name="criterion_remove"),
    path("<int:pk>/criteria/<int:criterion_pk>/move/", views.criterion_move, name="criterion_move"),
    path("<int:pk>/levels/", views.star_level_set, name="level_set"),
    path("<int:pk>/levels/<int:stars>/remove/", views.star_level_remove, name="level_remove"),
    path("<int:pk>/step/", views.cycle_step, name="step"),
    path("<int:pk>/representatives/", views.assignment_add, name="assignment_add"),
    path("<int:pk>/review/", views.cycle_review_page, name="review"),
    path("<int:pk>/review/final-level/", views.final_level, name="final_level"),
    path("<int:pk>/results/", views.cycle_results, name="results"),
    path("<int:pk>/results.<str:fmt>", views.cycle_results_export, name="results_export"),
    path("<int:pk>/applications/<int:application_pk>/", views.application_page, name="application"),
    path("<int:pk>/computed/recompute/", views.computed_recompute, name="computed_recompute"),
    path("<int:pk>/audit/", views.cycle_audit, name="audit"),
    path("<int:pk>/audit.csv", views.cycle_audit_export, name="audit_export"),
]
