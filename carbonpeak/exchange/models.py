"""A county's exchange file received from another installation (the city's or province's platform, or the
county's own), kept as a read-only copy with its source: never edited, never mixed into the county's own
inventories and accounts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.plan.models import Plan


class ReceivedExchange(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="received_exchanges")
    year = models.PositiveSmallIntegerField(_("年份"))
    schema = models.CharField(_("格式版本"), max_length=40)
    #: the document as received (validated against the schema; Decimal values are strings)
    document = models.JSONField(_("交换文件内容"))
    sha256 = models.CharField(_("内容校验值"), max_length=64)
    source_name = models.CharField(_("来源文件"), max_length=300)
    source_format = models.CharField(_("来源格式"), max_length=8)
    received_by_label = models.CharField(_("导入人"), max_length=150)
    received_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("接收的交换文件")
        verbose_name_plural = _("接收的交换文件")
        ordering = ["plan", "year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="exchange_received_unique_year")]

    def __str__(self) -> str:
        return f"{self.plan.county} {self.year}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("a received exchange file is read-only")
        super().save(*args, **kwargs)
