"""Enterprises (key energy users), their meters and metered readings.

A reading is the consumption of one interval ending at ``reading_time`` (a timestamp with time zone); it is
unique per meter and time, is never overwritten (a different value for a stored time is a conflict; a
correction request, reviewed by the office, changes it with audit). Readings are the big table (about ten
million a year in a county): the composite unique index (meter, reading_time) serves both the duplicate check
and the per-meter time-range sums that build the monthly and annual accounts.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.enterprises.choices import CorrectionStatus, ReadingSource
from carbonpeak.plan.models import Plan

QUANTITY = {"max_digits": 24, "decimal_places": 6}


class Enterprise(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="enterprises")
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    industry_code = models.CharField(_("行业代码（GB/T 4754-2017 小类）"), max_length=4)
    township = models.CharField(_("乡镇（街道）"), max_length=60, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Meter(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="meters")
    meter_code = models.CharField(_("计量器具编号"), max_length=60, unique=True)
    carrier = models.CharField(_("能源品种"), max_length=40)
    unit = models.CharField(_("单位"), max_length=12)
    multiplier = models.DecimalField(_("倍率"), max_digits=16, decimal_places=6, default=1)
    calibration_due = models.DateField(_("检定到期日"), null=True, blank=True)
    energy_review_ref = models.CharField(_("节能审查批复文号"), max_length=100, blank=True)
    is_online = models.BooleanField(_("在线采集"), default=True)
    interval_minutes = models.PositiveSmallIntegerField(_("采集间隔（分钟）"), default=15)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("计量器具")
        verbose_name_plural = _("计量器具")
        ordering = ["meter_code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(multiplier__gt=0), name="enterprises_meter_multiplier_positive"),
            models.CheckConstraint(
                condition=models.Q(interval_minutes__gte=1), name="enterprises_meter_interval_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.meter_code


class Reading(models.Model):
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="readings")
    reading_time = models.DateTimeField(_("时段结束时间"))
    quantity = models.DecimalField(_("用量"), **QUANTITY)
    source = models.CharField(_("来源"), max_length=10, choices=ReadingSource.choices)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("计量读数")
        verbose_name_plural = _("计量读数")
        constraints = [
            models.UniqueConstraint(fields=["meter", "reading_time"], name="enterprises_reading_unique_time"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="enterprises_reading_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.reading_time.isoformat()}"


class IngestBatch(models.Model):
    """One machine-API batch, remembered by (client, Idempotency-Key): a replay returns the stored result."""

    client = models.ForeignKey("accounts.ApiClient", on_delete=models.PROTECT, related_name="ingest_batches")
    idempotency_key = models.CharField(max_length=100)
    body_sha256 = models.CharField(max_length=64)
    result = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "idempotency_key"], name="enterprises_batch_unique_key")
        ]


class ReadingCorrection(models.Model):
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="corrections")
    new_quantity = models.DecimalField(_("更正值"), **QUANTITY)
    reason = models.TextField(_("原因"))
    status = models.CharField(max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING)
    requested_by_label = models.CharField(max_length=150)
    reviewed_by_label = models.CharField(max_length=150, blank=True)
    review_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class MeterAlert(models.Model):
    """A meter that stopped reporting (silent for more than the allowed working days). Open while
    ``resolved_at`` is empty; one open alert per meter and kind."""

    class Kind(models.TextChoices):
        SILENT = "silent", _("超过 3 个工作日无数据")

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    last_reading_at = models.DateTimeField(null=True, blank=True)
    raised_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "kind"],
                condition=models.Q(resolved_at__isnull=True),
                name="enterprises_one_open_alert",
            )
        ]
