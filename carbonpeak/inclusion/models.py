"""碳普惠: residents and households, consent, scenarios and versioned methodologies, operator events, the
double-entry points ledger, rewards and redemptions.

The ledger: integer points; a transaction's entries sum to zero; entries are never changed or deleted; each
account's balance is cached on the account row and the database refuses a negative balance on every account
except the county's issuer account (the source of all points). Writers lock the accounts they touch in id
order, so concurrent transactions never deadlock and never lose an update.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carbonpeak.inclusion.choices import AccountKind, EventStatus, MethodKind, RedemptionStatus, TxnKind
from carbonpeak.plan.models import Plan


def new_pseudonym() -> str:
    return "r" + secrets.token_hex(10)


class Household(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="households")
    name = models.CharField(_("家庭名称"), max_length=60)
    community = models.CharField(_("社区（村）"), max_length=60, blank=True)
    leaderboard_opt_in = models.BooleanField(_("参加排行榜"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Resident(models.Model):
    """A resident's carbon account. Partner apps know only ``pseudonym``; the phone number is kept as a keyed
    hash (to find a returning resident), never in clear. Deleting the account erases the personal fields and
    unlinks the user; the ledger keeps the anonymous account."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="residents")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="resident"
    )
    pseudonym = models.CharField(max_length=32, unique=True, default=new_pseudonym, editable=False)
    display_name = models.CharField(_("昵称"), max_length=40, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    community = models.CharField(_("社区（村）"), max_length=60, blank=True)
    household = models.ForeignKey(Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="members")
    leaderboard_opt_in = models.BooleanField(_("参加排行榜"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.pseudonym


class HouseholdInvite(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invites")
    code = models.CharField(max_length=16, unique=True)
    created_by = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    used_by = models.ForeignKey(Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class Scenario(models.Model):
    """A reduction scenario (绿色出行, 绿色消费, …): its consent text, caps, monthly budget and the share of its
    reductions that the territorial inventory already contains."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="inclusion_scenarios")
    code = models.SlugField(max_length=40)
    name = models.CharField(_("场景"), max_length=60)
    consent_text = models.TextField(_("授权说明"))
    consent_version = models.PositiveSmallIntegerField(_("授权说明版本"), default=1)
    daily_cap_points = models.PositiveIntegerField(_("每人每日上限"), null=True, blank=True)
    monthly_cap_points = models.PositiveIntegerField(_("每人每月上限"), null=True, blank=True)
    monthly_budget_points = models.PositiveIntegerField(_("每月预算"), null=True, blank=True)
    inventory_share = models.DecimalField(
        _("已计入县域清单的比例"),
        max_digits=5,
        decimal_places=4,
        default=0,
        help_text=_("绿色出行减少的燃油已体现在交通能耗中：1；绿色消费：0"),
    )
    point_value_yuan = models.DecimalField(_("每积分价值（元）"), max_digits=10, decimal_places=4, default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="inclusion_scenario_code"),
            models.CheckConstraint(
                condition=models.Q(inventory_share__gte=0, inventory_share__lte=1), name="inclusion_share_0_1"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Methodology(models.Model):
    """One version of a scenario's methodology. Published versions are immutable; a version takes effect after
    its public-notice period, and an event is always scored by the version in force on its date."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="methodologies")
    code = models.SlugField(max_length=40)
    version = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=24, choices=MethodKind.choices)
    params = models.JSONField()  # {"name": {"value": "…", "unit": "…", "source": "…"}}
    points_per_gco2 = models.CharField(max_length=40)  # exact decimal text
    unit = models.CharField(max_length=20)  # what the event quantity counts (次, 步, km, kWh)
    golden_cases = models.JSONField(default=list)  # [{"quantity": "…", "points": n}]
    published_at = models.DateTimeField()
    effective_from = models.DateField()
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["scenario", "code", "version"]
        constraints = [models.UniqueConstraint(fields=["scenario", "code", "version"], name="inclusion_method_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None and Methodology.objects.filter(pk=self.pk).exists():
            raise ValueError("a published methodology version is immutable; publish a new version")
        super().save(*args, **kwargs)


class Consent(models.Model):
    """Consent of a resident to a scenario: granted with the text version, revoked by setting ``revoked_at``
    (history is kept; a new grant is a new row)."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="consents")
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="consents")
    text_version = models.PositiveSmallIntegerField()
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "scenario"],
                condition=models.Q(revoked_at__isnull=True),
                name="inclusion_one_consent",
            )
        ]


class OperatorScope(models.Model):
    """Which scenarios a machine client (operator) may send events for, and the channel it stands for."""

    client = models.OneToOneField("accounts.ApiClient", on_delete=models.CASCADE, related_name="inclusion_scope")
    channel = models.CharField(_("渠道"), max_length=40)
    scenarios = models.ManyToManyField(Scenario, related_name="operators")
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="operator_scopes")

    def __str__(self) -> str:  # the audit log's name for it
        return f"{self.client.name}（{self.channel}）"


class EventBatch(models.Model):
    client = models.ForeignKey("accounts.ApiClient", on_delete=models.PROTECT, related_name="inclusion_batches")
    idempotency_key = models.CharField(max_length=100)
    body_sha256 = models.CharField(max_length=64)
    result = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "idempotency_key"], name="inclusion_batch_key")]


class AnomalyRule(models.Model):
    class Kind(models.TextChoices):
        MAX_QUANTITY = "max_quantity", _("单次数量上限")
        MAX_SPEED = "max_speed", _("速度上限（km/h）")
        BURST = "burst", _("每小时次数上限")
        SERVICE_HOURS = "service_hours", _("服务时段")

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="anomaly_rules")
    methodology_code = models.SlugField(max_length=40, blank=True)  # empty: every methodology of the scenario
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.CharField(max_length=40)  # a number, or "HH:MM-HH:MM" for service hours
    is_active = models.BooleanField(default=True)


class Event(models.Model):
    """One reported low-carbon act. ``ref`` identifies the real-world act across channels: unique per scenario,
    so the same act arriving twice scores once."""

    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="events")
    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="events")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="events")
    ref = models.CharField(max_length=100)
    channel = models.CharField(max_length=40)
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    occurred_at = models.DateTimeField()
    date = models.DateField()  # Beijing date of the act
    duration_minutes = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    reduction_g = models.DecimalField(max_digits=24, decimal_places=6)
    points = models.PositiveIntegerField(default=0)  # awarded (after caps)
    points_due = models.PositiveIntegerField(default=0)  # before caps
    status = models.CharField(max_length=10, choices=EventStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    batch = models.ForeignKey(EventBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    reviewed_by_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scenario", "ref"], name="inclusion_event_ref")]
        indexes = [
            models.Index(fields=["resident", "scenario", "date"], name="inclusion_event_res_day"),
            models.Index(fields=["status", "scenario"], name="inclusion_event_status"),
        ]


class LedgerAccount(models.Model):
    kind = models.CharField(max_length=10, choices=AccountKind.choices)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="ledger_accounts")
    resident = models.OneToOneField(Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger")
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, null=True, blank=True, related_name="pools")
    merchant = models.OneToOneField("Merchant", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger")
    #: a forestry project's collective account and its buffer (kinds ``collective`` and ``buffer``)
    forest_project = models.ForeignKey(
        "ForestProject", on_delete=models.PROTECT, null=True, blank=True, related_name="accounts"
    )
    balance = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0) | models.Q(kind="issuer"), name="inclusion_balance_nonnegative"
            ),
            models.UniqueConstraint(
                fields=["plan", "kind", "scenario"], condition=models.Q(kind="pool"), name="inclusion_one_pool"
            ),
            models.UniqueConstraint(
                fields=["plan", "kind"],
                condition=models.Q(kind__in=["issuer", "settled", "expired", "forfeited"]),
                name="inclusion_one_system_account",
            ),
            models.UniqueConstraint(
                fields=["forest_project", "kind"],
                condition=models.Q(kind__in=["collective", "buffer"]),
                name="inclusion_one_project_account",
            ),
        ]


class ForestProject(models.Model):
    """A 碳普惠 forestry-sink project: a village collective's afforestation, credited by the scenario's
    ``forest_stock`` methodology. Its crediting period is fixed at registration from the version in force then
    (``start_year`` … ``start_year + crediting_years − 1``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="forest_projects")
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="forest_projects")
    methodology_code = models.SlugField(max_length=40)
    name = models.CharField(_("项目名称"), max_length=100)
    collective = models.CharField(_("村集体"), max_length=100)
    township = models.CharField(_("乡镇"), max_length=60, blank=True)
    area_ha = models.DecimalField(_("面积（公顷）"), max_digits=12, decimal_places=2)
    start_year = models.PositiveSmallIntegerField(_("计入期起始年"))
    crediting_end = models.PositiveSmallIntegerField(_("计入期截止年"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="inclusion_forest_project_name")]

    def __str__(self) -> str:
        return self.name


class ForestMonitoring(models.Model):
    """One monitoring of a project: the arbor stock (m³) by species group (``forest.<group>``) at the year's end.
    The first one is the baseline."""

    project = models.ForeignKey(ForestProject, on_delete=models.CASCADE, related_name="monitorings")
    year = models.PositiveSmallIntegerField(_("监测年份"))
    stock_m3 = models.JSONField()  # {"chinese_fir": "1234.5", …}
    recorded_by_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "year"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="inclusion_forest_monitoring_year")]


class ForestCredit(models.Model):
    """The crediting of one monitoring period (``year_from`` → ``year_to``), once: tCO2 figures and the points
    posted (credited to the collective, withheld in the buffer, or reversed)."""

    project = models.ForeignKey(ForestProject, on_delete=models.PROTECT, related_name="credits")
    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="forest_credits")
    year_from = models.PositiveSmallIntegerField()
    year_to = models.PositiveSmallIntegerField()
    sink_tco2 = models.DecimalField(max_digits=20, decimal_places=6)
    buffer_tco2 = models.DecimalField(max_digits=20, decimal_places=6)
    credited_tco2 = models.DecimalField(max_digits=20, decimal_places=6)
    reversal_tco2 = models.DecimalField(max_digits=20, decimal_places=6)
    credited_points = models.BigIntegerField(default=0)
    buffer_points = models.BigIntegerField(default=0)
    reversed_from_buffer = models.BigIntegerField(default=0)
    reversed_from_collective = models.BigIntegerField(default=0)
    reversal_shortfall = models.BigIntegerField(default=0)  # points the two accounts could not cover
    txn = models.ForeignKey("LedgerTxn", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "year_to"]
        constraints = [models.UniqueConstraint(fields=["project", "year_to"], name="inclusion_forest_credit_period")]


class LedgerTxn(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="ledger_txns")
    kind = models.CharField(max_length=12, choices=TxnKind.choices)
    memo = models.CharField(max_length=200, blank=True)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, null=True, blank=True, related_name="txns")
    redemption = models.ForeignKey("Redemption", on_delete=models.PROTECT, null=True, blank=True, related_name="txns")
    actor_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class LedgerEntry(models.Model):
    """Append-only: ``save`` of a stored entry and ``delete`` raise."""

    txn = models.ForeignKey(LedgerTxn, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField()
    balance_after = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-id"], name="inclusion_entry_history")]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="inclusion_entry_nonzero")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("ledger entries are append-only")


class Merchant(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="merchants")
    name = models.CharField(_("商户"), max_length=100)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="merchants")

    def __str__(self) -> str:
        return self.name


class Reward(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="rewards")
    name = models.CharField(_("奖品"), max_length=100)
    points_price = models.PositiveIntegerField(_("所需积分"))
    value_yuan = models.DecimalField(_("价值（元）"), max_digits=10, decimal_places=2)
    stock = models.IntegerField(_("库存"))
    valid_until = models.DateField(_("有效期至"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="inclusion_stock_nonnegative"),
            models.CheckConstraint(condition=models.Q(points_price__gt=0), name="inclusion_price_positive"),
        ]


class Redemption(models.Model):
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="redemptions")
    points = models.PositiveIntegerField()
    value_yuan = models.DecimalField(max_digits=10, decimal_places=2)
    code = models.CharField(max_length=16, unique=True)
    status = models.CharField(max_length=10, choices=RedemptionStatus.choices, default=RedemptionStatus.ISSUED)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    settlement = models.ForeignKey("Settlement", on_delete=models.PROTECT, null=True, blank=True, related_name="items")


class Settlement(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="settlements")
    period = models.CharField(max_length=7)  # YYYY-MM
    points = models.BigIntegerField()
    value_yuan = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "period"], name="inclusion_one_settlement")]


class HouseholdBaseline(models.Model):
    """A household's own electricity of a month in the baseline year (from the grid company), against which a
    later same month is compared (household electricity saving)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="baselines")
    month = models.PositiveSmallIntegerField()
    kwh = models.DecimalField(max_digits=14, decimal_places=3)
    year = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household", "month"], name="inclusion_baseline_month")]
