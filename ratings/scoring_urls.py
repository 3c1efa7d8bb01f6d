app_name = "star_scoring"

urlpatterns = []
