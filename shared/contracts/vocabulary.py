"""The Chinese labels of the contracts' codes: one table per vocabulary, read by pages and exports.

Each table is keyed by the values of a `Literal` in the contracts (a test holds the two equal),
in the order people read them. The pages load these tables from `/app/kit/vocabulary.js`
(shared/web/pages.py), reporting's exports from here, so a new contact channel is one `Literal`
value and one line below. Sectors are reference data of the members service, not a `Literal`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, get_args, get_origin

from shared.contracts.notifications import Priority
from shared.contracts.visits import (
    Channel,
    ConcernKind,
    ConcernStatus,
    ObligationStatus,
    UpgradeTarget,
    VisitOccasion,
)

# 五种联系渠道
CHANNELS: Final[dict[Channel, str]] = {
    "face_to_face": "上门走访、座谈交流",
    "regular_work": "调查研究、征集社情民意",
    "online": "移动化线上互动",
    "service": "慰问走访、法律援助等服务活动",
    "innovative": "委员沙龙、委员工作站等创新形式",
}
# Where a dashboard card or a table column has room for a few characters only.
CHANNELS_SHORT: Final[dict[Channel, str]] = {
    "face_to_face": "上门走访座谈",
    "regular_work": "调研征集民意",
    "online": "线上互动",
    "service": "服务活动",
    "innovative": "创新形式",
}
# 八必访 and the everyday contact
OCCASIONS: Final[dict[VisitOccasion, str]] = {
    "routine": "日常联系",
    "leader_speech": "重要讲话、指示发布后",
    "congress_closed": "重要会议闭幕后",
    "policy_issued": "相关政策出台后",
    "plenary_upcoming": "政协全会召开前",
    "liaison_life_change": "联系人工作生活发生较大变化",
    "liaison_request": "联系人提出重要诉求建议",
    "liaison_hardship": "联系人遇到严重困难",
    "sector_festival": "界别节日",
}
# The constituent's form offers the first one first.
CONCERN_KINDS: Final[dict[ConcernKind, str]] = {
    "micro_suggestion": "微建议",
    "suggestion": "建议",
    "problem": "问题",
    "request": "诉求",
}
CONCERN_STATUSES: Final[dict[ConcernStatus, str]] = {
    "submitted": "待受理",
    "accepted": "已受理",
    "rejected": "未受理",
    "merged": "已合并",
    "assigned": "已交办",
    "replied": "已办复",
    "reopened": "重新办理",
    "closed": "已办结",
}
OBLIGATION_STATUSES: Final[dict[ObligationStatus, str]] = {
    "open": "待走访",
    "overdue": "已逾期",
    "escalated": "已上报",
    "fulfilled": "已完成",
    "withdrawn": "已撤销",
}
UPGRADE_TARGETS: Final[dict[UpgradeTarget, str]] = {
    "public_opinion_report": "社情民意信息",
    "proposal": "提案",
}
PRIORITIES: Final[dict[Priority, str]] = {
    "urgent": "紧急",
    "normal": "普通",
    "low": "一般",
}
# 界别 by their short names: codes of the members service's reference data (its migration
# 20261127110100_reference_data.sql, which has the full names).
SECTORS: Final[dict[str, str]] = {
    "cpc": "中国共产党",
    "rcck": "中国国民党革命委员会",
    "cdl": "中国民主同盟",
    "cndca": "中国民主建国会",
    "capd": "中国民主促进会",
    "pwdp": "中国农工民主党",
    "zhigong": "中国致公党",
    "jiusan": "九三学社",
    "tdsl": "台湾民主自治同盟",
    "non_party": "无党派人士",
    "youth": "共青团和青联",
    "trade_union": "总工会",
    "women": "妇联",
    "industry_commerce": "工商联",
    "science_association": "科协",
    "taiwan_compatriots": "台联",
    "overseas_chinese": "侨联",
    "culture_arts": "文化艺术界",
    "science_tech": "科学技术界",
    "social_sciences": "社会科学界",
    "economy": "经济界",
    "agriculture": "农业界",
    "education": "教育界",
    "sports": "体育界",
    "press_publishing": "新闻出版界",
    "medicine_health": "医药卫生界",
    "foreign_friendship": "对外友好界",
    "social_welfare": "社会福利和社会保障界",
    "ethnic_minorities": "少数民族界",
    "religion": "宗教界",
    "hong_kong": "特邀香港人士",
    "macao": "特邀澳门人士",
    "special_invitees": "特别邀请人士",
    "environment_resources": "环境资源界",
}

# Every vocabulary under the name the pages use, with the `Literal` that owns its codes.
TABLES: Final[Mapping[str, Mapping[Any, str]]] = {
    "channel": CHANNELS,
    "channel_short": CHANNELS_SHORT,
    "occasion": OCCASIONS,
    "concern_kind": CONCERN_KINDS,
    "concern_status": CONCERN_STATUSES,
    "obligation_status": OBLIGATION_STATUSES,
    "upgrade_target": UPGRADE_TARGETS,
    "priority": PRIORITIES,
    "sector": SECTORS,
}
LITERALS: Final[Mapping[str, object]] = {
    "channel": Channel,
    "channel_short": Channel,
    "occasion": VisitOccasion,
    "concern_kind": ConcernKind,
    "concern_status": ConcernStatus,
    "obligation_status": ObligationStatus,
    "upgrade_target": UpgradeTarget,
    "priority": Priority,
}


def codes(literal: object) -> tuple[str, ...]:
    """The values of a `Literal`, also of a union of them (`OccasionKind | Literal["routine"]`)."""
    if get_origin(literal) is Literal:
        return tuple(str(v) for v in get_args(literal))
    return tuple(code for part in get_args(literal) for code in codes(part))
