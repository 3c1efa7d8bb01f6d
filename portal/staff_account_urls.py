"""District staff manage staff accounts. Namespace: ``staff_accounts``."""

app_name = "staff_accounts"

urlpatterns = []
