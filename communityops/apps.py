from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityOpsConfig(AppConfig):
    name = "communityops"
    verbose_name = _("Clients and settings")
