from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "carbonpeak.enterprises"
    label = "enterprises"
    verbose_name = _("重点用能单位")
