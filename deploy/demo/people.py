"""Fictitious people: Chinese names, phone numbers nobody owns, and what they talk about.

Phones are in 170/171, the virtual-operator ranges; the demo gives no ID numbers at all, so no
real person's number can ever appear. Names are drawn from common characters and may of course
coincide with a real name, as any common name does.
"""

from __future__ import annotations

import random

_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
)
_GIVEN = (
    "建国秀英志强桂兰海燕明华丽娟春梅晓东玉珍红霞立新淑芬德胜雪松永福慧敏宏伟静怡子涵浩然"
    "文博宇轩欣悦佳琪俊杰思远雨桐嘉怡振华凤霞国庆玉兰树林金凤长青亚楠晓燕德明志刚丽萍"
)
VIRTUAL_RANGES = ("170", "171")


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(_SURNAMES) + given


def phone(n: int) -> str:
    """The n-th demo phone: 170/171 and eight digits, distinct for the first 200 million."""
    return f"{VIRTUAL_RANGES[n % 2]}{n // 2:08d}"


# Concern titles by sector (and a common pool): what people tell their members.
CONCERNS: dict[str, tuple[str, ...]] = {
    "education": (
        "乡村学校教师周转宿舍不足",
        "校车线路覆盖不到偏远屯",
        "寄宿制学校冬季取暖费用偏高",
        "课后服务课程种类少",
    ),
    "medicine_health": (
        "社区卫生服务中心缺少儿科医生",
        "乡镇卫生院检查设备老化",
        "慢病患者异地购药报销不便",
    ),
    "agriculture": ("春耕期间农资价格上涨", "村级晾晒场地不足", "农机补贴申请流程繁琐"),
    "economy": ("小微企业融资难融资贵", "营商环境投诉渠道不畅", "中小企业用工成本上升"),
    "industry_commerce": ("民营企业账款拖欠", "个体工商户年报操作复杂"),
    "science_tech": ("科技成果转化平台不足", "青年科技人才住房困难"),
}
COMMON_CONCERNS = (
    "老旧小区冬季供暖不热",
    "村屯道路破损影响出行",
    "城区停车难",
    "小区电梯年久失修",
    "公交线路夜间班次太少",
    "农村饮水水质需要改善",
    "路灯损坏夜间出行不便",
)
REPLIES = (
    "已列入年度计划，近期组织实施。",
    "已会同有关部门现场调研，正在推进解决。",
    "已协调解决，后续持续跟踪。",
    "已纳入专项资金支持范围，按程序办理。",
)
VISIT_SUMMARIES = {
    "face_to_face": ("上门走访联系群众，听取意见建议", "座谈交流，宣讲政策"),
    "regular_work": ("开展专题调研，收集社情民意", "走访调研，形成调研报告"),
    "online": ("线上互动答疑，收集意见", "通过工作群宣传政策、解答问题"),
    "service": ("慰问困难群众，开展法律援助", "送医送药送温暖服务活动"),
    "innovative": ("委员沙龙交流研讨", "委员工作站接待群众来访"),
}


def concern_title(rng: random.Random, sector: str) -> str:
    return rng.choice(CONCERNS.get(sector, ()) + COMMON_CONCERNS)
