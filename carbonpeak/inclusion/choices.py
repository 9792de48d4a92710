from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    ISSUER = "issuer", _("县碳普惠积分发行")  # the county: the only account that may go negative
    POOL = "pool", _("场景预算池")
    RESIDENT = "resident", _("居民账户")
    MERCHANT = "merchant", _("商户账户")
    SETTLED = "settled", _("已结算")
    EXPIRED = "expired", _("过期注销")
    FORFEITED = "forfeited", _("销户注销")
    COLLECTIVE = "collective", _("村集体账户")  # a forestry project's owner (one account per project)
    BUFFER = "buffer", _("林业碳汇缓冲")  # the share withheld for reversal risk (one per project)


class TxnKind(models.TextChoices):
    BUDGET = "budget", _("下达预算")
    AWARD = "award", _("减排奖励")
    REDEMPTION = "redemption", _("兑换")
    REFUND = "refund", _("兑换退回")
    SETTLEMENT = "settlement", _("商户结算")
    EXPIRY = "expiry", _("积分过期")
    FORFEIT = "forfeit", _("销户注销")
    REVERSAL = "reversal", _("冲正")
    FOREST = "forest", _("林业碳汇入账")
    FOREST_REVERSAL = "forest_rev", _("林业碳汇逆转扣减")


class EventStatus(models.TextChoices):
    AWARDED = "awarded", _("已奖励")
    HELD = "held", _("待复核")
    WAITING = "waiting", _("等待预算")
    REJECTED = "rejected", _("已驳回")
    REVERSED = "reversed", _("已冲正")


class MethodKind(models.TextChoices):
    PER_EVENT = "per_event", _("按次")
    PER_UNIT = "per_unit", _("按量")
    DISTANCE = "distance", _("按里程")
    HOUSEHOLD_ELECTRICITY = "household_electricity", _("家庭节电（对比本户基线）")
    FOREST_STOCK = "forest_stock", _("林业碳汇（项目蓄积量差）")


class RedemptionStatus(models.TextChoices):
    ISSUED = "issued", _("待核销")
    VERIFIED = "verified", _("已核销")
    CANCELLED = "cancelled", _("已取消")
