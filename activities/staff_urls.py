"""Staff scheduling pages. Namespace: ``schedule``; mounted at /staff/."""

app_name = "schedule"

urlpatterns = []
