from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The users of ARCHITECTURE.md, plus the three MLPS 2.0 administration roles kept separate."""

    OFFICE = "office", _("碳达峰办")
    DEPARTMENT = "department", _("部门人员")
    TOWNSHIP = "township", _("乡镇人员")
    ENTERPRISE = "enterprise", _("企业能源管理员")
    OPERATOR = "operator", _("数据运营方")
    GATEWAY = "gateway", _("计量数据上报方")
    MERCHANT = "merchant", _("商户")
    RESIDENT = "resident", _("居民")
    AUDITOR = "auditor", _("审计员")
    REGION = "region", _("市、省级查看")
    SYSADMIN = "sysadmin", _("系统管理员")


#: roles a machine client may have that no person has (``user add`` refuses them)
MACHINE_ROLES = (Role.GATEWAY,)
#: the machine clients that may send meter readings (only for the enterprises in their scope)
READING_ROLES = (Role.GATEWAY,)
#: roles that belong to a region (a city or province) rather than to one county; read-only in the counties
REGION_ROLES = (Role.REGION,)
#: roles that act installation-wide (no county): the MLPS system administrator
INSTALLATION_ROLES = (Role.SYSADMIN,)
