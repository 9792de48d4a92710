from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SinksConfig(AppConfig):
    name = "carbonpeak.sinks"
    label = "sinks"
    verbose_name = _("碳汇")
