app_name = "ratings_staff"

urlpatterns = []
