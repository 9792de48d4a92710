from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransportConfig(AppConfig):
    name = "carbonpeak.transport"
    label = "transport"
    verbose_name = _("交通与燃气")

    def ready(self) -> None:
        from carbonpeak.plan.reports import ROUND_SECTIONS
        from carbonpeak.transport.rounds import zones_section

        if zones_section not in ROUND_SECTIONS:
            ROUND_SECTIONS.append(zones_section)
