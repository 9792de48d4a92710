from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    name = "carbonpeak.plan"
    label = "plan"
    verbose_name = _("碳达峰方案")

    def ready(self) -> None:
        from carbonpeak.plan import revision

        revision.connect()
