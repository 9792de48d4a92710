from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountingConfig(AppConfig):
    name = "carbonpeak.accounting"
    label = "accounting"
    verbose_name = _("能源与碳排放核算")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from carbonpeak.accounting.signals import load_shipped_factors

        post_migrate.connect(load_shipped_factors, sender=self)
