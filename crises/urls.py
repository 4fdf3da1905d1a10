app_name = "crises"
urlpatterns: list = []
