"""Construction waste (建筑垃圾): the parties, the disposal permits and the chain of custody of every load.

Every table is county-scoped (``plan``) and every unique key includes the county (two counties may use the same
ids). A permit row is one category of one 处置核准 (the import has one row per category), so a manifest names the
permit and its category and finds its row. GPS points are the big table (millions): no surrogate id and no
per-row audit; the primary key (plan, plate, time) is the index the reconciliation reads a load's track by, and
the key the bulk path's ``ON CONFLICT DO NOTHING`` decides duplicates on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.plan.models import Plan
from carbonpeak.waste.choices import AlertKind, CaseStatus, Category, ClientKind, DestinationKind

TONNES = {"max_digits": 12, "decimal_places": 3}
COORD = {"max_digits": 9, "decimal_places": 6, "null": True, "blank": True}


class Site(models.Model):
    """A construction site (工地) that generates waste."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="waste_sites")
    site_id = models.CharField(_("工地编号"), max_length=60)
    name = models.CharField(_("项目名称"), max_length=200)
    township = models.CharField(_("乡镇（街道）"), max_length=60, blank=True)
    builder = models.CharField(_("施工单位"), max_length=200, blank=True)
    permit_no = models.CharField(_("施工许可证号"), max_length=100, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.DecimalField(_("纬度"), **COORD)
    lon = models.DecimalField(_("经度"), **COORD)

    class Meta:
        verbose_name = _("工地")
        verbose_name_plural = _("工地")
        ordering = ["site_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "site_id"], name="waste_site_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.site_id}）"


class Carrier(models.Model):
    """A licensed transport company (运输企业) and its licence (处置运输核准) validity."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="waste_carriers")
    carrier_id = models.CharField(_("运输企业编号"), max_length=60)
    name = models.CharField(_("名称"), max_length=200)
    licence_no = models.CharField(_("运输许可证号"), max_length=100)
    licence_valid_until = models.DateField(_("许可有效期至"))

    class Meta:
        verbose_name = _("运输企业")
        verbose_name_plural = _("运输企业")
        ordering = ["carrier_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "carrier_id"], name="waste_carrier_unique")]

    def __str__(self) -> str:
        return self.name


class Vehicle(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="waste_vehicles")
    plate = models.CharField(_("车牌号"), max_length=20)
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="vehicles")
    capacity_t = models.DecimalField(_("核定载重（吨）"), **TONNES)

    class Meta:
        verbose_name = _("运输车辆")
        verbose_name_plural = _("运输车辆")
        ordering = ["plate"]
        constraints = [models.UniqueConstraint(fields=["plan", "plate"], name="waste_vehicle_unique")]

    def __str__(self) -> str:
        return self.plate


class Destination(models.Model):
    """A disposal or recycling site (消纳场、资源化利用厂、中转站)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="waste_destinations")
    destination_id = models.CharField(_("处置场所编号"), max_length=60)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=DestinationKind.choices)
    capacity_t_per_year = models.DecimalField(_("核准处置能力（吨/年）"), max_digits=14, decimal_places=3)
    lat = models.DecimalField(_("纬度"), **COORD)
    lon = models.DecimalField(_("经度"), **COORD)

    class Meta:
        verbose_name = _("处置场所")
        verbose_name_plural = _("处置场所")
        ordering = ["destination_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "destination_id"], name="waste_destination_unique")]

    def __str__(self) -> str:
        return self.name


class Permit(models.Model):
    """One category of a disposal permit (处置核准): the estimate for the category, the licensed carriers and
    the destination sites, the validity."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="waste_permits")
    permit_id = models.CharField(_("核准编号"), max_length=60)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="permits")
    category = models.CharField(_("类别"), max_length=14, choices=Category.choices)
    permitted_t = models.DecimalField(_("核准量（吨）"), **TONNES)
    valid_from = models.DateField(_("有效期自"))
    valid_until = models.DateField(_("有效期至"))
    carriers = models.ManyToManyField(Carrier, verbose_name=_("核准运输企业"), related_name="permits")
    destinations = models.ManyToManyField(Destination, verbose_name=_("核准处置场所"), related_name="permits")

    class Meta:
        verbose_name = _("处置核准")
        verbose_name_plural = _("处置核准")
        ordering = ["permit_id", "category"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "permit_id", "category"], name="waste_permit_unique"),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")), name="waste_permit_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.permit_id} {self.get_category_display()}"


class Manifest(models.Model):
    """A transport manifest (联单): one load. ``vehicle`` is the registered vehicle of the plate, if any (an
    unregistered plate is kept, and is an unlicensed vehicle)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="waste_manifests")
    manifest_id = models.CharField(_("联单编号"), max_length=60)
    permit = models.ForeignKey(Permit, on_delete=models.PROTECT, related_name="manifests")
    plate = models.CharField(_("车牌号"), max_length=20)
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, null=True, blank=True, related_name="manifests")
    departed_at = models.DateTimeField(_("出场时间"))
    est_t = models.DecimalField(_("预估装载量（吨）"), **TONNES)
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="manifests")

    class Meta:
        verbose_name = _("运输联单")
        verbose_name_plural = _("运输联单")
        ordering = ["departed_at", "manifest_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "manifest_id"], name="waste_manifest_unique")]
        indexes = [models.Index(fields=["plan", "departed_at"], name="waste_manifest_departed")]

    def __str__(self) -> str:
        return self.manifest_id


class Receipt(models.Model):
    """A weighbridge receipt (过磅单) at a destination."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="waste_receipts")
    receipt_id = models.CharField(_("过磅单编号"), max_length=60)
    manifest = models.ForeignKey(Manifest, on_delete=models.PROTECT, related_name="receipts")
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="receipts")
    arrived_at = models.DateTimeField(_("到场时间"))
    net_t = models.DecimalField(_("净重（吨）"), **TONNES)

    class Meta:
        verbose_name = _("过磅单")
        verbose_name_plural = _("过磅单")
        ordering = ["arrived_at", "receipt_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "receipt_id"], name="waste_receipt_unique")]

    def __str__(self) -> str:
        return self.receipt_id


class GpsPoint(models.Model):
    """One position report of a vehicle. Lean: the key is (plan, plate, time), no surrogate id, no audit."""

    pk = models.CompositePrimaryKey("plan", "plate", "time")
    #: no foreign-key constraint in the database: its per-row check would weigh on the bulk path; the county is
    #: set by the ingest (never from the data) and a county's deletion cascades through Django
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    plate = models.CharField(max_length=20)
    time = models.DateTimeField()
    lat = models.FloatField()
    lon = models.FloatField()
    speed_kmh = models.FloatField()

    class Meta:
        verbose_name = _("车辆定位点")
        verbose_name_plural = _("车辆定位点")


class WasteCase(models.Model):
    """A case opened by a reconciliation alert, which the 城管局 assigns, follows and closes with a reason. The
    ``key`` names the alert (kind, manifest or permit and category, and the check), so reconciling again finds
    the case instead of opening another."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="waste_cases")
    key = models.CharField(max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=AlertKind.choices)
    manifest = models.ForeignKey(Manifest, on_delete=models.CASCADE, null=True, blank=True, related_name="cases")
    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, null=True, blank=True, related_name="cases")
    plate = models.CharField(_("车牌号"), max_length=20, blank=True)
    message = models.TextField(_("说明"))
    status = models.CharField(_("状态"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="waste_cases"
    )
    follow_up = models.TextField(_("跟进情况"), blank=True)
    close_reason = models.TextField(_("办结理由"), blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_to = models.TextField(blank=True)

    class Meta:
        verbose_name = _("预警案件")
        verbose_name_plural = _("预警案件")
        ordering = ["-opened_at", "key"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="waste_case_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.manifest_id or ''}".strip()


class ClientScope(models.Model):
    """A machine client (role gateway) allowed to send one kind of data (GPS points or weighbridge receipts) for
    its county (``carbonpeak waste client NAME --kind gps|receipts``)."""

    client = models.ForeignKey("accounts.ApiClient", on_delete=models.CASCADE, related_name="waste_scopes")
    kind = models.CharField(max_length=10, choices=ClientKind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "kind"], name="waste_scope_unique")]


class WasteBatch(models.Model):
    """One signed machine batch, remembered by (client, Idempotency-Key): a replay returns the stored result."""

    client = models.ForeignKey("accounts.ApiClient", on_delete=models.PROTECT, related_name="waste_batches")
    idempotency_key = models.CharField(max_length=100)
    body_sha256 = models.CharField(max_length=64)
    result = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "idempotency_key"], name="waste_batch_unique")]


class Methodology(models.Model):
    """A version of the avoided-emissions method of recycled aggregate (再生骨料替代天然骨料); its parameters are
    data (``MethodParameter``), never edited once a report used them: a change is a new version."""

    version = models.CharField(_("版本"), max_length=30, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["version"]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"


class MethodParameter(models.Model):
    methodology = models.ForeignKey(Methodology, on_delete=models.CASCADE, related_name="parameters")
    key = models.CharField(max_length=40)
    label = models.CharField(_("参数"), max_length=100)
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=6)
    unit = models.CharField(_("单位"), max_length=40)
    source = models.CharField(_("来源"), max_length=300)
    grade = models.CharField(_("数据质量等级"), max_length=20)

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["methodology", "key"], name="waste_param_unique")]


class YearApproval(models.Model):
    """A year of receipts approved by the 城管局 or the office: its recycled share feeds the county's
    ``construction_waste_recycled_share`` targets (if the plan has one) through ``plan/feeds.py``; reopening
    retracts it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="waste_approvals")
    year = models.PositiveSmallIntegerField(_("年度"))
    approved = models.BooleanField(_("已审定"), default=True)
    received_t = models.DecimalField(_("消纳量（吨）"), **TONNES)
    recycled_t = models.DecimalField(_("资源化利用量（吨）"), **TONNES)
    share = models.DecimalField(_("资源化利用率"), max_digits=9, decimal_places=8, null=True)
    by_label = models.CharField(max_length=150)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="waste_year_unique")]
