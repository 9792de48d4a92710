from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GenerationConfig(AppConfig):
    name = "carbonpeak.generation"
    label = "generation"
    verbose_name = _("并网发电机组")
