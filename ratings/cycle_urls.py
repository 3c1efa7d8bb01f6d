app_name = "star_ratings"

urlpatterns = []
