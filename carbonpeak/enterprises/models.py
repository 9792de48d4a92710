"""Enterprises (key energy users), their meters and metered readings.

A reading is the consumption of one interval ending at ``reading_time`` (a timestamp with time zone); it is
unique per meter and time, is never overwritten (a different value for a stored time is a conflict; a
correction request, reviewed by the office, changes it with audit). Readings are the big table (about ten
million a year in a county): the composite unique index (meter, reading_time) serves both the duplicate check
and the per-meter time-range sums that build the monthly and annual accounts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.enterprises.choices import AccountStatus, CorrectionStatus, ProjectStatus, ReadingSource
from carbonpeak.plan.models import Plan

QUANTITY = {"max_digits": 24, "decimal_places": 6}
TCE = {"max_digits": 20, "decimal_places": 4}


class Enterprise(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="enterprises")
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    industry_code = models.CharField(_("行业代码（GB/T 4754-2017 小类）"), max_length=4)
    township = models.CharField(_("乡镇（街道）"), max_length=60, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("能源管理员"), blank=True, related_name="managed_enterprises"
    )
    #: the machine clients (role gateway) that may send this enterprise's meter readings (the client's scope)
    gateways = models.ManyToManyField(
        "accounts.ApiClient", verbose_name=_("可上报读数的接口客户端"), blank=True, related_name="reading_enterprises"
    )
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
    """Primary key (meter, reading_time), no surrogate id: the key holds the time, so PostgreSQL can range-
    partition the table by ``reading_time`` (a partitioned table's keys must contain the partition column)."""

    pk = models.CompositePrimaryKey("meter", "reading_time")
    #: no database FK (see migration 0003): the ingest resolves meters itself; the ORM still cascades deletes
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="readings", db_constraint=False)
    reading_time = models.DateTimeField(_("时段结束时间"))
    quantity = models.DecimalField(_("用量"), **QUANTITY)
    source = models.CharField(_("来源"), max_length=10, choices=ReadingSource.choices)
    received_at = models.DateTimeField(auto_now_add=True)
    #: the machine-API batch that sent it (its client is ``batch.client``); empty for uploads, imports and manual
    #: entries. No index and no database FK: the table is the big one, and batches are never deleted.
    batch = models.ForeignKey(
        "IngestBatch",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
        related_name="readings",
    )

    class Meta:
        verbose_name = _("计量读数")
        verbose_name_plural = _("计量读数")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="enterprises_reading_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.reading_time.isoformat()}"


class MonthlyRollup(models.Model):
    """Per meter and Beijing month (a reading ending at 1 March 00:00 is February's): the sum of its readings,
    kept by the ingest (and corrections) so pages and accounts never scan the readings."""

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="rollups")
    month = models.DateField(_("月份"))  # the first day of the month
    quantity = models.DecimalField(max_digits=30, decimal_places=6)
    readings = models.PositiveIntegerField()
    manual_readings = models.PositiveIntegerField(default=0)
    last_reading_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meter", "month"], name="enterprises_rollup_unique_month")]


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
    """A request to change one stored reading; the office approves (the reading changes, audited) or rejects."""

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="corrections")
    reading_time = models.DateTimeField(_("时段结束时间"))
    old_quantity = models.DecimalField(_("原值"), **QUANTITY)
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
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "reading_time"],
                condition=models.Q(status="pending"),
                name="enterprises_one_pending_correction",
            )
        ]


class MeterAlert(models.Model):
    """A meter that stopped reporting (silent for more than the allowed working days). Open while
    ``resolved_at`` is empty; one open alert per meter and kind."""

    class Kind(models.TextChoices):
        SILENT = "silent", _("超过 3 个工作日无数据")

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    last_reading_at = models.DateTimeField(null=True, blank=True)
    raised_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_to = models.TextField(blank=True)
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


class EnergyBudget(models.Model):
    """An enterprise's energy budget (用能预算) for a year, comprehensive energy on the calorific basis."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="budgets")
    year = models.PositiveSmallIntegerField(_("年份"))
    budget_tce = models.DecimalField(_("用能预算（tce，当量值）"), **TCE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="enterprises_budget_unique_year"),
            models.CheckConstraint(condition=models.Q(budget_tce__gt=0), name="enterprises_budget_positive"),
        ]


class CountyControl(models.Model):
    """The county's dual-control figures for a year: the total-energy budget handed down (能耗总量控制目标) and
    the GDP growth assumed for the intensity estimate. Either may be empty (that check then says so)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="dual_control")
    year = models.PositiveSmallIntegerField(_("年份"))
    energy_total_budget_tce = models.DecimalField(
        _("能源消费总量控制目标（tce，当量值）"), null=True, blank=True, **TCE
    )
    gdp_growth = models.DecimalField(_("预计地区生产总值增速"), max_digits=8, decimal_places=6, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="enterprises_control_unique_year")]


class Benchmark(models.Model):
    """Industry carbon intensity (tCO2 per 10 000 yuan of value added) per GB/T 4754 class (4 digits) or, as a
    fallback, division (2 digits). The value is exact decimal text (grade bounds are compared exactly)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="benchmarks")
    industry_code = models.CharField(_("行业代码"), max_length=4)
    year = models.PositiveSmallIntegerField(_("适用年份"))
    intensity = models.CharField(_("行业碳排放强度（tCO2/万元）"), max_length=40)
    source = models.CharField(_("来源"), max_length=200)
    is_illustrative = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "industry_code", "year"], name="enterprises_benchmark_unique")
        ]


class CarbonAccount(models.Model):
    """One version of an enterprise's annual carbon account. Submitted by the enterprise, returned with a
    comment or approved by the office. An approved version is locked (``save`` refuses a change); a revision is
    a new version, and the latest approved version is the account."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="carbon_accounts")
    year = models.PositiveSmallIntegerField(_("年份"))
    version = models.PositiveSmallIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=10, choices=AccountStatus.choices, default=AccountStatus.SUBMITTED)
    value_added_10k_yuan = models.DecimalField(_("工业增加值（万元）"), max_digits=20, decimal_places=4)
    results = models.JSONField(editable=False)
    inputs_sha256 = models.CharField(max_length=64, editable=False)
    grade = models.PositiveSmallIntegerField(_("碳效等级"), null=True, blank=True)
    grade_detail = models.JSONField(null=True, blank=True)
    note = models.TextField(_("企业说明"), blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_by_label = models.CharField(max_length=150)
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_by_label = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enterprise", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year", "version"], name="enterprises_account_version"),
            models.CheckConstraint(condition=models.Q(value_added_10k_yuan__gt=0), name="enterprises_account_va"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = CarbonAccount.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == AccountStatus.APPROVED:
                raise ValueError("an approved carbon account is locked; submit a revision")
        super().save(*args, **kwargs)


class ReviewProject(models.Model):
    """A project that passed the energy review (节能审查): its approved energy is debited from the county's
    headroom when it is approved, before it is commissioned."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="review_projects")
    name = models.CharField(_("项目名称"), max_length=200)
    approval_ref = models.CharField(_("节能审查意见文号"), max_length=100)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.SET_NULL, null=True, blank=True)
    energy_tce = models.DecimalField(_("审批年综合能耗（tce，当量值）"), **TCE)
    approved_on = models.DateField(_("审批日期"))
    expected_year = models.PositiveSmallIntegerField(_("预计投产年份"))
    status = models.CharField(_("状态"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.APPROVED)

    class Meta:
        ordering = ["-approved_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "approval_ref"], name="enterprises_review_ref_unique"),
            models.CheckConstraint(condition=models.Q(energy_tce__gt=0), name="enterprises_review_energy_positive"),
        ]


class HeadroomEntry(models.Model):
    """Append-only ledger of the county's energy headroom for new projects: allocations (+), approvals (−),
    cancellations (+). The remaining headroom is the sum of the entries; it never goes below zero."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("下达用能空间")
        APPROVAL = "approval", _("项目审批占用")
        CANCELLATION = "cancel", _("项目取消释放")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="headroom")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount_tce = models.DecimalField(**TCE)
    balance_tce = models.DecimalField(**TCE)  # after this entry
    project = models.ForeignKey(ReviewProject, on_delete=models.PROTECT, null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    actor_label = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(balance_tce__gte=0), name="enterprises_headroom_nonnegative")
        ]


class PublishedList(models.Model):
    """The office's public list of key energy users for a year, frozen when published (a later change to an
    account does not alter what the public read; publishing again makes a new list)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="key_user_lists")
    year = models.PositiveSmallIntegerField(_("年份"))
    rows = models.JSONField()
    published_by_label = models.CharField(max_length=150)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-published_at"]


class CalendarDay(models.Model):
    """A date of the national holiday arrangement that differs from Monday to Friday, or confirms it: a public
    holiday (``workday`` false) or a make-up working day on a weekend (``workday`` true). Each year's notice of
    the State Council's General Office is loaded as data (``carbonpeak calendar import``); the rule that a
    meter is silent after 3 working days counts with it."""

    date = models.DateField(_("日期"), primary_key=True)
    workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=60)
    source = models.CharField(_("依据"), max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"
