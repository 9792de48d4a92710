from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WasteConfig(AppConfig):
    name = "carbonpeak.waste"
    label = "waste"
    verbose_name = _("建筑垃圾监管")
