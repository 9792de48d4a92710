from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "carbonpeak.web"
    label = "web"
    verbose_name = _("页面")

    def ready(self):
        from carbonpeak.config import checks  # noqa: F401  (registers the deployment checks)
