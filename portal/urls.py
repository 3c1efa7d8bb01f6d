from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", include("portal.account_urls")),
    path("centres/", include("centres.urls")),
    path("activities/", include("activities.urls")),
    path("bookings/", include("bookings.urls")),
    path("ratings/", include("ratings.urls")),
    path("staff/accounts/", include("portal.staff_account_urls")),
    path("staff/", include("activities.staff_urls")),
    path("staff/", include("bookings.staff_urls")),
    path("staff/", include("centres.staff_urls")),
    path("staff/statistics/", include("stats.urls")),
    path("staff/ratings/", include("ratings.staff_urls")),
    path("staff/star-ratings/", include("ratings.cycle_urls")),
    path("staff/star-scoring/", include("ratings.scoring_urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
