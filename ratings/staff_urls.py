from django.urls import path

from . import staff_views

app_name = "ratings_staff"

urlpatterns = [
    path("", staff_views.RatingsStaffView.as_view(), name="list"),
    path("cases/<int:pk>/", staff_views.CaseView.as_view(), name="case"),
    path("cases/<int:pk>/callback/", staff_views.CaseCallbackView.as_view(), name="callback"),
    path("cases/<int:pk>/reply/", staff_views.CaseReplyView.as_view(), name="reply"),
    path("cases/<int:pk>/appeal/", staff_views.CaseAppealView.as_view(), name="appeal"),
    path("cases/<int:pk>/decide/", staff_views.CaseDecideView.as_view(), name="decide"),
    path("rules/", staff_views.RatingPolicyView.as_view(), name="policy"),
]
