"""Plain Chinese names for what the audit log stores as codes: actions (`consent.grant` → 授权场景), object
types (`inclusion.consent` → the model's verbose name), actors (a login name → the person's display name)."""

from __future__ import annotations

import re

from django.apps import apps
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# action code → label; an action not listed reads as "<object> <verb>" from the two tables below.
ACTIONS = {
    "assessment_rule.points": _("修改考核分值"),
    "carbon_account.approve": _("审核通过碳账户"),
    "carbon_account.return": _("退回碳账户"),
    "carbon_account.submit": _("提交碳账户"),
    "consent.grant": _("授权场景"),
    "consent.revoke": _("撤回场景授权"),
    "county_control.set": _("设定全县双控目标"),
    "energy_budget.set": _("设定企业用能预算"),
    "headroom.allocation": _("登记用能空间分配"),
    "headroom.approval": _("登记节能审查批复"),
    "inclusion.fund": _("下达碳普惠预算"),
    "inclusion.settle": _("商户结算"),
    "inclusion_event.reverse": _("冲正碳普惠事件"),
    "inclusion_event.review": _("复核碳普惠事件"),
    "indicator_value.retract": _("撤回指标值"),
    "indicator_value.set": _("填报指标值"),
    "inventory.approve": _("审定年度核算"),
    "inventory.factor_set": _("更换核算因子库"),
    "inventory.import": _("导入核算数据"),
    "inventory.indicators_skipped": _("审定时跳过的指标"),
    "inventory.params": _("修改核算参数"),
    "inventory.reopen": _("重新打开年度核算"),
    "key_user_list.publish": _("公布重点用能单位名单"),
    "methodology.publish": _("公示方法学"),
    "plan.import": _("载入方案"),
    "reading.correct": _("更正读数"),
    "reading.manual": _("手工录入读数"),
    "reading_correction.request": _("申请更正读数"),
    "reading_correction.review": _("审核读数更正"),
    "redemption.verify": _("核销兑换码"),
    "report.submit": _("报送季度进展"),
    "resident.delete": _("注销碳普惠账户"),
    "resident.join": _("加入碳普惠"),
    "resident.leaderboard": _("设置是否参加排行榜"),
    "operator_scope.set": _("设定数据运营方范围"),
    "enterprise.managers": _("指定企业能源管理员"),
    "user.create": _("新建账户"),
    "review_project.status": _("更新节能审查项目状态"),
    "round.close": _("关闭季度调度"),
    "round.open": _("开启季度调度"),
    "scenario.run": _("运行情景"),
    "target.assignments": _("调整指标分工"),
    "task.assignments": _("调整任务分工"),
    "task.status": _("更新任务状态"),
    "target.update": _("修改目标"),
    "waste.case.assign": _("指派预警案件"),
    "waste.case.follow": _("跟进预警案件"),
    "waste.case.close": _("办结预警案件"),
    "waste.case.autoclose": _("自动办结预警案件"),
    "waste.case.reopen": _("预警再次出现，重新打开案件"),
    "waste.year.approve": _("审定建筑垃圾资源化利用率"),
    "waste.year.reopen": _("重新打开建筑垃圾资源化利用率"),
    "waste.client_scope": _("设定地磅与定位平台上报范围"),
}
# the construction-waste registers and loads: waste.<kind>.<verb>
WASTE_OBJECTS = {
    "sites": _("工地"),
    "carriers": _("运输企业"),
    "vehicles": _("运输车辆"),
    "destinations": _("处置场所"),
    "permits": _("处置核准"),
    "manifests": _("运输联单"),
    "receipts": _("过磅单"),
    "gps": _("车辆定位"),
}
OBJECTS = {
    "benchmark": _("行业碳效基准"),
    "calendar": _("节假日安排"),
    "enterprise": _("企业"),
    "factor_set": _("因子库版本"),
    "inventory": _("年度核算"),
    "meter": _("计量器具"),
    "scenario": _("情景"),
    "round": _("季度调度"),
    "task": _("任务"),
    "target": _("指标"),
}
VERBS = {
    "create": _("新建"),
    "update": _("修改"),
    "delete": _("删除"),
    "set": _("设定"),
    "approve": _("审定"),
    "submit": _("提交"),
    "publish": _("公布"),
    "import": _("导入"),
    "review": _("审核"),
    "open": _("开启"),
    "close": _("关闭"),
    "remind": _("催报"),
}


def action_label(action: str) -> str:
    if action in ACTIONS:
        return str(ACTIONS[action])
    obj, _dot, verb = action.partition(".")
    if obj == "waste":
        kind, _dot, verb = verb.partition(".")
        if kind in WASTE_OBJECTS and verb in VERBS:
            return f"{VERBS[verb]}{WASTE_OBJECTS[kind]}"
    if obj in OBJECTS and verb in VERBS:
        return f"{VERBS[verb]}{OBJECTS[obj]}"
    return str(_("其他操作"))


# models whose verbose name is not (yet) Chinese
MODELS = {
    "enterprises.benchmark": _("行业碳效基准"),
    "enterprises.calendarday": _("节假日安排"),
    "enterprises.carbonaccount": _("企业碳账户"),
    "enterprises.headroomentry": _("用能空间台账"),
    "enterprises.publishedlist": _("公布名单"),
    "inclusion.consent": _("场景授权"),
    "inclusion.methodology": _("方法学"),
    "inclusion.resident": _("居民碳账户"),
    "inclusion.scenario": _("碳普惠场景"),
}


def object_type_label(object_type: str) -> str:
    if object_type in MODELS:
        return str(MODELS[object_type])
    try:
        name = str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return str(_("其他对象"))
    english = (get_language() or "").startswith("en")
    return name if english or not name.isascii() else str(_("其他对象"))  # no bare model names in Chinese


_DEFAULT_STR = re.compile(r"^\w+ object \((\d+)\)$")


def object_label(object_type: str, object_id: str, object_repr: str) -> str:
    """The stored repr, unless it is Django's default `Consent object (3)`: then the type's name and number."""
    if not object_repr or _DEFAULT_STR.match(object_repr):
        return f"{object_type_label(object_type)} #{object_id}"
    return object_repr


def actor_names(labels: set[str]) -> dict[str, str]:
    """Stored actor labels (login names, `api:NAME`, `system`) → what a reader knows them by; one query."""
    from carbonpeak.accounts.models import User

    names = {u: d or u for u, d in User.objects.filter(username__in=labels).values_list("username", "display_name")}
    for label in labels:
        if label in names:
            continue
        if label == "system":
            names[label] = str(_("系统"))
        elif label.startswith("api:"):
            names[label] = str(_("接口客户端 %(name)s") % {"name": label[4:]})
        else:
            names[label] = label
    return names
