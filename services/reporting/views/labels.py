"""Chinese names for the codes the dashboard and the exports show (regions, sectors, KPIs).

Reporting learns codes from events, never names: regions are reference data of the members
service (its migration 20261127120200_baseline.sql). The province, its cities and the
counties of the cities onboarded so far are copied here; an unknown code shows as itself.
Sectors and channels are named by the platform's one vocabulary (shared/contracts/vocabulary.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.contracts import vocabulary

REGIONS: dict[str, str] = {
    "230000": "黑龙江省",
    "230100": "哈尔滨市",
    "230200": "齐齐哈尔市",
    "230300": "鸡西市",
    "230400": "鹤岗市",
    "230500": "双鸭山市",
    "230600": "大庆市",
    "230700": "伊春市",
    "230800": "佳木斯市",
    "230900": "七台河市",
    "231000": "牡丹江市",
    "231100": "黑河市",
    "231200": "绥化市",
    "232700": "大兴安岭地区",
    # 鸡西市
    "230302": "鸡冠区",
    "230303": "恒山区",
    "230304": "滴道区",
    "230305": "梨树区",
    "230306": "城子河区",
    "230307": "麻山区",
    "230321": "鸡东县",
    "230381": "虎林市",
    "230382": "密山市",
    # 哈尔滨市
    "230102": "道里区",
    "230103": "南岗区",
    "230104": "道外区",
    "230108": "平房区",
    "230109": "松北区",
    "230110": "香坊区",
    "230111": "呼兰区",
    "230112": "阿城区",
    "230113": "双城区",
    "230123": "依兰县",
    "230124": "方正县",
    "230125": "宾县",
    "230126": "巴彦县",
    "230127": "木兰县",
    "230128": "通河县",
    "230129": "延寿县",
    "230183": "尚志市",
    "230184": "五常市",
}

SECTORS = vocabulary.SECTORS

# The summary's counts, in the order a reader expects them.
COUNTS: dict[str, str] = {
    "contacts": "联系次数",
    **{f"contacts_{code}": f"联系次数·{name}" for code, name in vocabulary.CHANNELS_SHORT.items()},
    "people_reached": "走访人次",
    "heart_to_heart_talks": "谈心谈话人次",
    "liaisons_active": "联系人数",
    "liaisons_contacted": "已联系联系人数",
    "obligations_due": "必访任务数",
    "obligations_fulfilled_on_time": "按期完成必访",
    "obligations_fulfilled_late": "逾期完成必访",
    "obligations_fulfilled": "已完成必访（含逾期）",
    "obligations_overdue": "逾期未完成必访",
    "obligations_escalated": "已上报未完成必访",
    "obligations_escalated_fulfilled": "上报后逾期完成必访",
    "concerns_collected": "收集问题建议",
    "concerns_handled": "已办结问题建议",
    "concerns_assigned": "已交办",
    "concerns_replied": "已办复",
    "concerns_replied_on_time": "按时办复",
    "concerns_rated": "已评价",
    "concerns_satisfied": "满意",
    "concerns_resolved": "已解决",
    "public_opinion_reports": "社情民意信息",
    "proposals": "提案",
    "notifications_reached": "通知送达人次",
}

RATES: dict[str, str] = {
    "coverage": "联系人覆盖率",
    "compliance": "必访履约率",
    "fulfilment_rate": "必访完成率",
    "reply_rate": "办复率",
    "on_time_reply_rate": "按时办复率",
    "resolution_rate": "解决率",
    "satisfaction_rate": "满意率",
    "handled_rate": "办结率",
}

# The first column's heading: what the key of a row is, per grouping.
GROUP_KEYS: dict[str | None, str] = {
    None: "范围",
    "province": "省份代码",
    "city": "市代码",
    "county": "县（市、区）代码",
    "sector": "界别代码",
    "special_committee": "专委会代码",
    "member": "委员编号",
    "workstation": "委员工作站编号",
    "year": "年份",
    "month": "月份",
    "day": "日期",
}


def ordered(known: Iterable[str], present: Iterable[str]) -> list[str]:
    """Names in the order people read them, then any the projections added since, by name.

    `known` is a label table (or the domain's rates); `present` what the rows carry."""
    first = list(known)
    return first + sorted(set(present) - set(first))


def key_label(group_by: str | None, key: str) -> str | None:
    """The name of a row's key where reporting knows one (members' names come from the view)."""
    if group_by in ("province", "city", "county") or (group_by is None and key != "all"):
        return REGIONS.get(key)
    if group_by == "sector":
        return SECTORS.get(key)
    return None
