"""Staff pages for centres and areas. Namespace: ``staff``."""

from django.urls import path
from django.views.generic import TemplateView

app_name = "staff"

# TEMPORARY until the staff pages land.
urlpatterns = [path("", TemplateView.as_view(template_name="base.html"), name="dashboard")]
