"""Seeded synthetic data for every table kind of the kit (合成示例数据).

The story: a Chinese service company (retail, e-commerce and bank-style counters) surveys its customers
through 2025. NPS drifts upwards around +5…+15, until a billing-system migration goes wrong: in
:data:`DIP_MONTHS` NPS and the CSAT top-2-box share fall by more than 10 % two months in a row, then
recover. Reliability and responsiveness show the largest SERVQUAL gaps (:data:`SERVQUAL_TRUE_GAPS`)
and drive satisfaction; price is the four-factor shortfall (:data:`FOUR_FACTOR_SHORTFALL`); high-value
customers are the happiest. Complaints follow a Pareto of root causes; tickets answered within 24 h and
fixed within 72 h end up with more promoters than the untroubled survey base (the recovery paradox),
slow ones lose customers. Two training cohorts (March and June) learn the course; their customers' scores
rise after training, their test scores rise from pre to post test, one test item is deliberately poor
(:data:`POOR_TEST_ITEM`) and crisis handling stays the weakest nine-grid ability. The team in
:data:`KPI_DIP_TEAM` shows the same incident in the KPI snapshots.

Every function is deterministic by ``seed``: each table (and each part of a table) draws from its own
random stream, so changing one table's size never changes another table's values. Generation is
vectorised; :func:`survey_responses` makes a million rows in a few seconds.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from itertools import product
from pathlib import Path
from statistics import NormalDist
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kit.data.schemas import (
    CHANNELS,
    DRIVER_FACTORS,
    FAILURE_TYPES,
    JOURNEY_STAGES,
    KINDS,
    NINEGRID,
    SCHEMAS,
    SEGMENTS,
    SERVQUAL_DIMENSIONS,
    SEVERITIES,
    SURVEY_MODES,
    TICKET_STATUSES,
    TIERS,
)
from kit.data.spreadsheet import neutralise_frame

# --- truths the data is built to show (tests and exercise keys check against them) -------------------
DIP_MONTHS = (8, 9)
"""1-based months of the window in which NPS and CSAT top-2-box fall by >10 % each (the incident)."""
SERVQUAL_TRUE_GAPS = {"tangibles": -0.1, "reliability": -1.0, "responsiveness": -0.8, "assurance": -0.4, "empathy": -0.5}
"""Mean perception − expectation gap per SERVQUAL dimension."""
SERVQUAL_DRIVERS = ("reliability", "responsiveness")
"""The two dimensions whose perception gaps drive satisfaction most (key-driver analysis top 2)."""
FOUR_FACTOR_SHORTFALL = "price"
"""The four-factor driver with the lowest rating and the strongest pull on satisfaction (服务短板)."""
JOURNEY_PAIN_POINT = ("service", "维修网点")
"""Journey stage and touchpoint with the lowest satisfaction."""
TRAINING_EFFECT = 0.25
"""Latent satisfaction uplift (in SD units) of responses served by a trainee after their training date;
doubled for CSAT, which rates the served transaction itself."""
KANO_TRUE_CATEGORIES = {
    "预约办理": "O",
    "移动服务车": "A",
    "进度短信提醒": "M",
    "专属客户经理": "A",
    "24小时在线客服": "O",
    "电子发票": "M",
    "上门取件": "O",
    "会员积分": "I",
    "营销短信推送": "R",
}
"""Each Kano feature's true category (A attractive, O one-dimensional, M must-be, I indifferent, R reverse)."""
POOR_TEST_ITEM = ("M3-test", "Q07")
"""(exercise_id, item) of the test item with near-zero discrimination."""
NINEGRID_WEAK = "crisis"
"""The nine-grid ability that is weakest cohort-wide, before and after training."""
KPI_DIP_TEAM = "在线客服"
"""The one team whose csat_t2b and nps fall by >10 % in two consecutive periods (at DIP_MONTHS)."""
KPI_DIP_PERIODS = tuple(str(pd.Period("2025-01", "M") + (m - 1)) for m in DIP_MONTHS)
"""The dip periods ("2025-08", "2025-09") for the default start month 2025-01."""

# --- shared vocabularies and mixes ------------------------------------------------------------------
TEAMS = ("客服一部", "客服二部", "在线客服", "大客户服务")
REGIONS = {"华东": 0.28, "华南": 0.20, "华北": 0.18, "华中": 0.12, "西南": 0.11, "西北": 0.05, "东北": 0.06}
_HOUR_PROFILE = (1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 4, 6, 7, 7, 6, 6, 7, 7, 6, 6, 6, 6, 5, 4, 3, 2)
_NPS_MIX = (0.02, 0.01, 0.02, 0.025, 0.03, 0.07, 0.115, 0.15, 0.20, 0.17, 0.19)  # 29 % D, 35 % P, 36 % promoters
_CSAT_MIX = (0.03, 0.05, 0.12, 0.42, 0.38)  # mean ≈ 4.07, top-2-box 80 %
_CES_MIX = (0.20, 0.27, 0.22, 0.14, 0.09, 0.05, 0.03)  # median 3, lower = easier
_NORMAL = NormalDist()

# --- survey -----------------------------------------------------------------------------------------
_SURVEY_DRIFT = (-0.03, 0.03)  # latent shift of the first and the last month
_DIP_SHIFT = {"nps": (0.25, 0.50, 0.10), "csat": (0.36, 0.64, 0.05)}  # latent drop in the dip months and the month after
_SEGMENT_MIX = {"B2B": 0.3, "B2C": 0.7}
_TIER_MIX = {"B2B": (0.35, 0.35, 0.30), "B2C": (0.136, 0.279, 0.585)}  # high/medium/low ≈ 20/30/50 overall
_TIER_EFFECT = {"high": 0.35, "medium": 0.10, "low": -0.12}
_CHANNEL_MIX = {"phone": 0.28, "email": 0.10, "online": 0.32, "social": 0.14, "store": 0.16}
_CHANNEL_EFFECT = {"phone": 0.0, "email": -0.05, "online": 0.0, "social": -0.08, "store": 0.08}
_MODE_BY_CHANNEL = {  # survey mode mix (online, phone, intercept) per service channel
    "phone": (0.35, 0.60, 0.05),
    "email": (0.90, 0.08, 0.02),
    "online": (0.90, 0.08, 0.02),
    "social": (0.90, 0.08, 0.02),
    "store": (0.30, 0.15, 0.55),
}
_STAGES = {  # stage: (share, satisfaction effect, touchpoints); the pain point's stage has the lowest effect
    "awareness": (0.08, 0.05, ("广告", "社交媒体", "朋友推荐")),
    "purchase": (0.20, 0.05, ("官网", "门店", "销售顾问")),
    "use": (0.27, -0.05, ("产品使用", "说明书", "使用指导")),
    "service": (0.35, -0.10, ("客服中心", "维修网点", "在线客服")),
    "loyalty": (0.10, 0.15, ("会员活动", "升级换购", "推荐奖励")),
}
_PAIN_POINT_EFFECT = -0.35
_SERVQUAL_EXPECTATION = {"tangibles": 5.2, "reliability": 5.8, "responsiveness": 5.6, "assurance": 5.5, "empathy": 5.3}
_SERVQUAL_WEIGHT = {"tangibles": 0.05, "assurance": 0.12, "empathy": 0.10} | dict(zip(SERVQUAL_DRIVERS, (0.35, 0.28), strict=True))
_SERVQUAL_ANSWER_RATE = 0.6
_FACTOR_RATING = {  # rating mix 1–5 and pull on satisfaction of the other four-factor drivers
    "product": ((0.03, 0.08, 0.22, 0.42, 0.25), 0.5),
    "channel": ((0.04, 0.10, 0.25, 0.40, 0.21), 0.4),
    "competitor": ((0.03, 0.09, 0.30, 0.38, 0.20), 0.2),
}
_SHORTFALL_RATING = ((0.10, 0.22, 0.38, 0.22, 0.08), 0.7)  # the lowest ratings and the strongest pull
_MISSING = {"csat": 0.02, "ces": 0.03, "factor": 0.015, "met_expectation": 0.01}
_COMMENT_RATE = {"promoter": 0.30, "passive": 0.20, "detractor": 0.42}
_COMMENT_ZH_SHARE = 0.75
_TOPICS = ("praise", "wait", "staff", "billing", "delivery", "app")
_TOPIC_WEIGHTS = {  # per tone; the billing weight is multiplied in the dip months
    "pos": (4, 1, 3, 1, 1.5, 1.5),
    "neu": (2, 2, 1.5, 1, 1.5, 1.5),
    "neg": (0, 3, 2.5, 2, 2, 2),
}
_DIP_BILLING_BOOST = 4.0
_SLOTS = {
    "min": ("15", "20", "30", "40", "45", "60"),
    "hour": ("2", "3", "5", "24", "48"),
    "day": ("2", "3", "5", "7"),
    "yuan": ("20", "35", "50", "99", "120"),
    "n": ("3", "5", "8"),
}
_COMMENTS = {
    "zh": {
        "pos": {
            "praise": ["整体服务很满意，会推荐给朋友。", "体验非常好，比上次进步很多！", "专业又耐心，点赞", "问题一次就解决了，效率很高。"],
            "staff": ["客服小姐姐态度特别好，讲解很耐心。", "工作人员很热情，主动帮我办好了手续。", "经理亲自回电跟进，很负责。"],
            "wait": ["排队不到{min}分钟就办好了，很快。", "电话一打就通，几乎没等。"],
            "billing": ["账单清楚明白，没有乱收费。"],
            "delivery": ["快递第二天就到了，包装也很好。", "送货师傅很准时，还帮忙搬上楼。"],
            "app": ["App操作简单，几步就办完了。", "线上预约很方便，省了不少时间。"],
        },
        "neu": {
            "praise": ["总体还行，有些细节可以再改进。", "服务一般吧，中规中矩。"],
            "wait": ["等了{min}分钟才轮到我，希望再快一点。", "电话有点难打通，其他还好。"],
            "staff": ["客服态度还可以，就是回答不太专业。"],
            "billing": ["账单上有一项费用没看懂，希望说明清楚些。"],
            "delivery": ["快递比预计晚了{day}天，不过东西没问题。"],
            "app": ["App有时候有点卡，希望优化一下。"],
        },
        "neg": {
            "wait": ["排队等了{min}分钟都没人管！", "打了{n}次电话都没人接，太耽误事了。", "等了{hour}个小时还没人回复。"],
            "staff": ["客服态度很差，说话很不耐烦。", "工作人员互相推诿，没人愿意负责。", "问了三遍还是答非所问，服务太敷衍。"],
            "billing": ["账单多扣了{yuan}元，到现在还没退。", "莫名其妙多收了费用，要求马上退款。", "套餐明明取消了还在扣费，太离谱了。"],
            "delivery": ["快递延迟了{day}天，也没有任何通知。", "收到的商品有破损，换货流程太麻烦。"],
            "app": ["App一直闪退，根本没法用。", "系统升级以后登录不上，验证码也收不到。", "网上预约总是显示失败。"],
        },
    },
    "en": {
        "pos": {
            "praise": ["Great service, I'd recommend you to friends.", "Really smooth experience this time.", "Problem solved on the first call, thanks!"],
            "staff": ["The agent was friendly and very patient.", "Staff went the extra mile to help me."],
            "wait": ["Got through in under {min} minutes, impressive."],
            "billing": ["Clear bill, no surprises."],
            "delivery": ["Parcel arrived a day early, well packed."],
            "app": ["The app is easy to use, booked in a few taps."],
        },
        "neu": {
            "praise": ["It was OK overall, nothing special.", "Decent service but room to improve."],
            "wait": ["Waited about {min} minutes, a bit long."],
            "staff": ["Agent was polite but not very knowledgeable."],
            "billing": ["One charge on my bill is unclear."],
            "delivery": ["Delivery was {day} days late but the item was fine."],
            "app": ["App is a bit slow sometimes."],
        },
        "neg": {
            "wait": ["On hold for {min} minutes and nobody answered!", "Still waiting for a reply after {hour} hours."],
            "staff": ["Rude agent, kept interrupting me.", "Nobody takes responsibility, I was passed around."],
            "billing": ["I was overcharged {yuan} yuan and still no refund.", "Charged twice this month, please fix it.", "Billing errors again since your system change."],
            "delivery": ["Order is {day} days late with no update.", "Item arrived damaged and the return is a hassle."],
            "app": ["App keeps crashing when I try to pay.", "Can't log in since the update, no SMS code."],
        },
    },
}
_EMOJI = {"pos": "👍", "neu": "🤔", "neg": "😡"}
_NOISE_P = (0.70, 0.12, 0.10, 0.08)  # plain, emoji, extra spaces, shouting


def _comment_noise(text: str, key: tuple) -> list[str]:
    """The plain comment and three noisy variants typed by real respondents."""
    lang, tone, _ = key
    if lang == "zh":
        return [text, text + _EMOJI[tone], "  " + text.replace("，", " ， ") + " ", text.rstrip("。！") + "！！！"]
    return [text, f"{text} {_EMOJI[tone]}", f"  {text}  ", text.lower().rstrip(".!") + "!!"]


# --- Kano -------------------------------------------------------------------------------------------
_KANO_TABLE = ("QAAAO", "RIIIM", "RIIIM", "RIIIM", "RRRRQ")  # functional 1–5 × dysfunctional 1–5 (Berger et al. 1993)
_KANO_CLASSES = "AOMIRQ"
_KANO_TYPICAL = {"A": (1, 3), "O": (1, 5), "M": (3, 5), "I": (3, 3), "R": (5, 1), "Q": (1, 1)}  # most typical answer pair
_KANO_CONFUSION = {"O": {"A": 0.5, "M": 0.5}, "A": {"I": 0.6, "O": 0.4}, "M": {"O": 0.5, "I": 0.5}, "I": {"A": 0.5, "M": 0.5}, "R": {"I": 0.6, "A": 0.2, "M": 0.2}}
_KANO_TRUE_SHARE = (0.58, 0.70)
_KANO_Q_SHARE = 0.03

# --- tickets ----------------------------------------------------------------------------------------
ROOT_CAUSES = ("流程设计缺陷", "人员培训不足", "系统稳定性问题", "物流合作方延误", "计费规则配置错误", "信息同步不及时", "供应商来料问题", "客户操作失误")


class _Category(NamedTuple):
    share: float
    failure: dict  # failure-type mix
    causes: tuple  # weights over ROOT_CAUSES
    issue: tuple  # (zh, en) phrase naming the problem in dialogues
    fix: tuple  # (zh, en) phrase naming the corrective action in dialogues
    actions: tuple  # non-monetary recovery actions


_CATEGORIES = {
    "配送延迟": _Category(0.20, {"process": 0.6, "outcome": 0.3, "communication": 0.1}, (45, 15, 20, 15, 0, 5, 0, 0), ("订单配送延迟", "the late delivery"), ("加急重新发货", "an express re-delivery"), ("加急处理", "补发商品", "道歉并解释")),
    "产品质量": _Category(0.14, {"outcome": 0.85, "process": 0.1, "communication": 0.05}, (40, 20, 15, 0, 0, 0, 20, 5), ("商品质量问题", "the faulty product"), ("免费换新", "a free replacement"), ("换货", "上门维修", "道歉并解释")),
    "收费争议": _Category(0.14, {"process": 0.5, "communication": 0.35, "outcome": 0.15}, (30, 15, 30, 0, 20, 5, 0, 0), ("扣费错误", "the billing error"), ("退还多扣的费用", "a refund of the overcharge"), ("更正账单", "道歉并解释")),
    "服务态度": _Category(0.12, {"interpersonal": 0.85, "communication": 0.15}, (25, 65, 0, 0, 0, 5, 0, 5), ("服务态度问题", "the staff's attitude"), ("安排主管回访", "a call-back from a supervisor"), ("道歉并解释", "主管回访")),
    "系统故障": _Category(0.10, {"process": 0.6, "outcome": 0.4}, (15, 5, 70, 0, 5, 5, 0, 0), ("系统故障", "the system outage"), ("手动补办业务", "a manual workaround"), ("加急处理", "道歉并解释")),
    "信息错误": _Category(0.09, {"communication": 0.7, "process": 0.3}, (30, 30, 10, 0, 0, 25, 0, 5), ("信息错误", "the wrong information"), ("更正信息并书面确认", "a written correction"), ("更正信息", "道歉并解释")),
    "等待时间过长": _Category(0.15, {"process": 0.8, "interpersonal": 0.1, "communication": 0.1}, (50, 25, 20, 0, 0, 5, 0, 0), ("等待时间过长", "the long wait"), ("优先处理", "priority handling"), ("加急处理", "道歉并解释")),
    "退换货困难": _Category(0.06, {"process": 0.7, "communication": 0.2, "interpersonal": 0.1}, (45, 25, 10, 15, 0, 5, 0, 0), ("退换货困难", "the return problem"), ("安排上门取件", "a free pickup"), ("上门取件", "换货", "道歉并解释")),
}
_MONETARY_ACTIONS = ("退款", "优惠券补偿", "费用减免", "现金补偿")
_COMPLAINTS = {
    "配送延迟": {
        "zh": ["订单下了{day}天还没发货，客服也联系不上。", "说好的次日达，结果等了{day}天，耽误事了。", "物流信息{day}天没更新，到底送不送？"],
        "en": ["My order is {day} days late and there's no tracking update.", "Promised next-day delivery, still waiting after {day} days."],
    },
    "产品质量": {
        "zh": ["收到的商品有明显划痕，要求换货。", "用了不到{day}天就坏了，质量太差。", "包装破损，里面的东西也摔坏了。"],
        "en": ["The product stopped working after {day} days.", "Item arrived scratched and damaged, I want a replacement."],
    },
    "收费争议": {
        "zh": ["账单多扣了{yuan}元，一直没退。", "取消的套餐还在扣费，要求退款。", "同一笔订单被重复扣款{yuan}元。"],
        "en": ["I was charged {yuan} yuan twice for the same order.", "Still billed for a plan I cancelled last month."],
    },
    "服务态度": {
        "zh": ["客服说话很冲，还直接挂了我电话。", "门店工作人员爱理不理，态度很差。", "问了好几遍，客服一直不耐烦。"],
        "en": ["The agent was rude and hung up on me.", "Staff at the store ignored me for {min} minutes."],
    },
    "系统故障": {
        "zh": ["App支付时一直报错，付不了款。", "系统升级后登录不上，验证码收不到。", "网上预约提交了{n}次都失败。"],
        "en": ["The app crashes every time I try to pay.", "Can't log in since the update, no verification code."],
    },
    "信息错误": {
        "zh": ["客服告诉我的政策和实际不一样。", "发票抬头开错了，要求重开。", "订单地址被改错了，东西送到别处去了。"],
        "en": ["The invoice has the wrong company name.", "I was given wrong information about the refund policy."],
    },
    "等待时间过长": {
        "zh": ["热线排队{min}分钟都没人接。", "在门店等了{min}分钟才轮到我。", "在线客服{hour}小时都没回复。"],
        "en": ["On hold for {min} minutes, nobody answered.", "No reply from online chat after {hour} hours."],
    },
    "退换货困难": {
        "zh": ["申请退货{day}天了还没人上门取件。", "退款流程太复杂，来回跑了好几次。", "换货要求我自己承担运费，不合理。"],
        "en": ["Return requested {day} days ago, no pickup yet.", "The refund process is far too complicated."],
    },
}
_TICKET_CHANNEL_MIX = {"phone": 0.42, "email": 0.18, "online": 0.33, "social": 0.07}
_SEVERITY_MIX = {"minor": 0.70, "major": 0.25, "crisis": 0.05}
_FIRST_REPLY = {  # severity: (median minutes, share forgotten in a queue for a day or more)
    "minor": (32, 0.14),
    "major": (22, 0.08),
    "crisis": (8, 0.0),
}
_CHANNEL_SPEED = {"phone": 0.6, "email": 2.5, "online": 0.8, "social": 0.7}  # multiplies the reply median
_QUEUE_MEDIAN_H = 32
_MAX_REPLY_H = 72
_FCR_RATE = {"minor": 0.84, "major": 0.70, "crisis": 0.45}
_STALLED_RATE = 0.02
_COMPENSATION_RATE = {"minor": 0.2, "major": 0.5, "crisis": 0.8}
_POST_SURVEY_RATE = 0.8
_COMPLAINT_ZH_SHARE = 0.8
_SURNAMES = {  # surname: (pinyin, weight)
    "王": ("wang", 7.1), "李": ("li", 7.0), "张": ("zhang", 6.7), "刘": ("liu", 5.4), "陈": ("chen", 4.5), "杨": ("yang", 3.1),
    "赵": ("zhao", 2.3), "黄": ("huang", 2.2), "周": ("zhou", 2.1), "吴": ("wu", 2.0), "徐": ("xu", 1.7), "孙": ("sun", 1.5),
    "胡": ("hu", 1.3), "朱": ("zhu", 1.3), "高": ("gao", 1.2), "林": ("lin", 1.2), "何": ("he", 1.2), "郭": ("guo", 1.1),
    "马": ("ma", 1.1), "罗": ("luo", 0.9), "梁": ("liang", 0.8), "宋": ("song", 0.8), "郑": ("zheng", 0.8), "谢": ("xie", 0.7),
    "韩": ("han", 0.7), "唐": ("tang", 0.6), "冯": ("feng", 0.6), "于": ("yu", 0.6), "董": ("dong", 0.5), "萧": ("xiao", 0.3),
    "欧阳": ("ouyang", 0.1), "司马": ("sima", 0.05),
}
_GIVEN = {
    "伟": "wei", "芳": "fang", "娜": "na", "秀": "xiu", "敏": "min", "静": "jing", "丽": "li", "强": "qiang", "磊": "lei",
    "军": "jun", "洋": "yang", "勇": "yong", "艳": "yan", "杰": "jie", "娟": "juan", "涛": "tao", "明": "ming", "超": "chao",
    "霞": "xia", "平": "ping", "刚": "gang", "英": "ying", "华": "hua", "玉": "yu", "文": "wen", "辉": "hui", "建": "jian",
    "婷": "ting", "宇": "yu", "晨": "chen", "浩": "hao", "欣": "xin", "悦": "yue", "子": "zi", "梓": "zi", "涵": "han",
    "一": "yi", "嘉": "jia", "思": "si", "雨": "yu", "博": "bo", "俊": "jun", "佳": "jia", "鑫": "xin", "志": "zhi", "海": "hai",
}
_SINGLE_GIVEN_SHARE = 0.3
_MAIL_DOMAINS = ("example.com", "example.cn", "example.net", "mail.example.com")
_PHONE_PREFIXES = ("13", "15", "18")

# --- transcripts ------------------------------------------------------------------------------------
LESCANT = ("listen", "empathize", "sorry", "correct", "act", "notify", "thank")
_STEP_TURNS = {"listen": (2, 5), "empathize": (1, 2), "sorry": (1, 2), "correct": (1, 3), "act": (2, 4), "notify": (1, 2), "thank": (1, 1)}
_AGENT_TURNS = (10, 19)  # agent turns per session; the customer opens, answers each of them and closes: 21–39 turns (+ bot)
_FLAWED_SHARE = 0.3
_FLAWS = ("no_empathy", "no_apology", "blame")
_BOT_SHARE = 0.4
_DIALOGUE_ZH_SHARE = 0.75
_CALMING = {"listen": 0.3, "empathize": 1.0, "sorry": 1.0, "correct": 0.6, "act": 1.0, "notify": 0.5, "thank": 0.3}
"""How far each agent step moves the customer from the opening towards the closing mood (blame: not at all)."""
_MOVES_IN_ORDER = ("listen", "correct", "act", "notify")
"""Steps whose lines are said in pool order (a greeting first, the offer before the extras); the others shuffle."""
_MUST_SAY = {"listen": ("greet", "order"), "act": ("offer",)}
"""Moves every session makes at that step: greet the customer and ask for the order; make the main offer."""
# Agent lines come as (text, move); the customer's next line answers that move, in the tone of their
# emotion (neg −2/−1, neu 0, pos 1/2; a move without a pos pool answers pos from neu). Slots are filled once
# per session, so the order number, the days waited, the fix, the hours and the time always agree.
# "{complaint}" is one of the ticket category's complaint texts (_COMPLAINTS).
_DIALOGUE = {
    "zh": {
        "bot": ["您好，我是智能客服小安，请简单描述您遇到的问题。", "欢迎联系客服中心，正在为您转接人工客服，请稍候。"],
        "open": ["我要投诉！{issue}到现在都没人处理。", "你们这个{issue}到底怎么回事？", "我已经是第三次打电话了，{issue}还是没解决。", "{issue}的事拖了{day}天了，到现在还没个说法。"],
        "agent": {
            "listen": [
                ("您好，我是客服{agent}，您先别着急，具体是什么情况？我在认真听。", "greet"),
                ("您好，客服{agent}为您服务，请您详细说一下遇到的问题。", "greet"),
                ("嗯嗯，您慢慢说，我都记着呢。", "detail"),
                ("请问是什么时候的事？方便提供一下订单号吗？", "order"),
                ("请问之前有同事跟您联系过吗？", "before"),
                ("除了这件事，还有其他让您不满意的地方吗？", "more"),
                ("我跟您确认一下，您说的是{issue}，对吗？", "confirm"),
            ],
            "empathize": [
                ("我非常理解您的心情，换作是我也会着急。", "empathize"),
                ("让您白白等了这么久，确实太耽误事了。", "empathize"),
                ("您的感受我完全理解，这件事确实给您添了很大麻烦。", "empathize"),
                ("您这么着急是完全可以理解的。", "empathize"),
            ],
            "sorry": [
                ("对于{issue}给您带来的麻烦，我代表公司向您郑重道歉。", "sorry"),
                ("让您等了这么久，非常抱歉，这是我们的失误。", "sorry"),
                ("很抱歉{issue}给您添了麻烦。", "sorry"),
                ("真的很对不起，这次是我们没有做好。", "sorry"),
            ],
            "blame": [
                ("这个不是我们的问题，但是您应该早点联系我们。", "blame"),
                ("但是您应该先看清楚规则再下单。", "blame"),
                ("系统就是这样规定的，您应该自己注意。", "blame"),
            ],
            "correct": [
                ("我查到了，问题出在我们这边，我马上为您处理。", "correct"),
                ("{issue}的原因已经找到了，我这边正在为您修正。", "correct"),
                ("我核实了您的信息，错误的地方已经更正了。", "correct"),
                ("这是我们内部流程的问题，我会协调相关部门一起处理。", "correct"),
            ],
            "act": [
                ("我现在就为您{fix}，预计{hour}小时内完成。", "offer"),
                ("我已经提交了加急，今天{time}前一定给您答复。", "rush"),
                ("另外给您申请了一张{voucher}元的补偿券，表示我们的歉意。", "voucher"),
                ("这件事我会全程跟进，直到彻底解决。", "follow"),
            ],
            "notify": [
                ("处理进度会短信通知您，{hour}小时内我再给您回个电话。", "callback"),
                ("结果一出来我第一时间联系您。", "contact"),
                ("明天{time}前我会把处理结果发到您的邮箱。", "email"),
            ],
            "thank": [
                ("感谢您的耐心和理解，也谢谢您把问题告诉我们。", "thank"),
                ("谢谢您的反馈，这能帮我们改进服务。", "thank"),
                ("感谢您的信任，祝您生活愉快！", "thank"),
            ],
        },
        "reply": {
            "greet": {"neg": ["{complaint}", "{complaint}真是气死我了。", "{complaint}你们到底管不管？"], "neu": ["{complaint}", "{complaint}你帮我看看吧。"]},
            "detail": {
                "neg": ["这事拖了这么久，我天天惦记着，烦死了。", "我打了好几次电话了，每次都说在处理。", "说实话，我现在一点都不相信你们了。"],
                "neu": ["就是一直拖着，也没人给个准话。", "我就想知道这事到底什么时候能解决。"],
                "pos": ["差不多就这些，谢谢你听我说完。"],
            },
            "order": {"neg": ["{day}天前的事了！订单号{order}，你们系统里查不到吗？", "订单号{order}，{day}天前，你自己查吧。"], "neu": ["订单号是{order}，{day}天前的事。", "我看一下……订单号{order}，是{day}天前。"]},
            "before": {"neg": ["没有！一个电话都没接到。", "打过一次，说会处理，然后就没下文了。"], "neu": ["有人回过一次电话，说会跟进，后来就没消息了。", "没有，一直是我自己在打电话。"]},
            "more": {"neg": ["光这一件还不够吗？", "还有，你们说好的回访短信我一条都没收到。"], "neu": ["别的没有，主要就是这件事。", "其他倒还好，就这个最闹心。"]},
            "confirm": {"neg": ["对！我都说了好几遍了。", "对，就是这个，赶紧处理吧。"], "neu": ["对，就是这个。", "没错，就是这件事。"]},
            "empathize": {
                "neg": ["理解有什么用，我要的是解决问题。", "你们每次都说理解，然后呢？", "光说好听的没用。"],
                "neu": ["嗯，你知道就好。", "唉，我也不是想为难你。", "行吧，主要是这事太耽误人了。"],
                "pos": ["谢谢你能理解。", "你这么说我心里舒服点了。"],
            },
            "sorry": {
                "neg": ["道歉有用的话，我就不用打这个电话了。", "别光道歉，先说怎么办。", "这句话我听了不止一次了。"],
                "neu": ["行吧，道歉我收下了，关键是怎么解决。", "嗯，知道是你们的问题就好。"],
                "pos": ["好，你这个态度还行。", "嗯，你们肯认就好。"],
            },
            "blame": {"neg": ["什么叫我应该？明明是你们出的错！", "你这是在怪我吗？我要找你们领导。", "怎么又成我的问题了？", "出了问题还推给客户，你们就是这么服务的？"]},
            "correct": {
                "neg": ["早干什么去了？", "查出来了又怎么样，我耽误的时间谁管？", "所以就是你们搞错了，对吧？"],
                "neu": ["原来是这样。那接下来怎么弄？", "行，以后别再出这种错了。", "好，查清楚了就好。"],
                "pos": ["好，总算查清楚了。", "那就好，谢谢你帮我查。", "行，这下我心里有数了。"],
            },
            "offer": {
                "neg": ["{hour}小时？就不能再快点吗？", "行吧，这回可别再拖了。"],
                "neu": ["{hour}小时的话，还行吧。", "好，那就{fix}吧。"],
                "pos": ["好的，{hour}小时内能弄好我就放心了。", "这样处理我可以接受。"],
            },
            "rush": {"neg": ["今天{time}前是吧？到时候没消息我还打。"], "neu": ["好，那我等到{time}。", "行，今天{time}前给我个准信。"], "pos": ["好的，那我今天{time}前等你消息。"]},
            "voucher": {
                "neg": ["券就算了，我只想把事情解决。", "一张券就想打发我？"],
                "neu": ["券我先收下，主要还是把事办好。", "行吧，券就先这样。"],
                "pos": ["还有补偿啊，那谢谢了。", "{voucher}元的券？挺有诚意的，谢谢。"],
            },
            "follow": {"neg": ["这可是你说的，到时候别又找不到人。", "希望这次是真的。"], "neu": ["好，有人跟着就行。", "那行，就麻烦你了。"], "pos": ["有你这句话我就放心了。", "好，那就拜托你了。"]},
            "callback": {"neg": ["我等着，{hour}小时内没电话我还会再打。"], "neu": ["好，我手机一直开着。", "行，那我等你电话。"], "pos": ["好的，那我等你电话。"]},
            "contact": {"neg": ["行吧，别又让我等好几天就行。"], "neu": ["好，我等你消息。"], "pos": ["好的，辛苦了。"]},
            "email": {"neg": ["发邮件可以，但明天{time}前一定要到。"], "neu": ["好，就发我留的那个邮箱。"], "pos": ["好的，我明天留意一下邮箱。"]},
            "thank": {"neg": ["希望这次说到做到吧。", "行了，就这样吧，我等结果。", "但愿别再有下次了。"], "neu": ["好，那先这样。", "嗯，再见。"], "pos": ["也谢谢你，拜拜。", "不客气，也谢谢你帮我解决。", "好的，谢谢，再见！"]},
        },
    },
    "en": {
        "bot": ["Hi, I'm the virtual assistant. Please describe your issue in a few words.", "Welcome to customer service. Connecting you to an agent, please hold."],
        "open": ["I want to make a complaint. Nobody has dealt with {issue}.", "What is going on with {issue}?", "This is my third call about {issue} and it's still not fixed.", "I complained about {issue} {day} days ago and still have no answer."],
        "agent": {
            "listen": [
                ("Hello, this is {agent}. Please tell me what happened, I'm listening.", "greet"),
                ("Hi, {agent} speaking. What seems to be the problem?", "greet"),
                ("I see. Please go on, I'm taking notes.", "detail"),
                ("When did this happen? Could you give me the order number?", "order"),
                ("Has anyone from our team been in touch with you about it?", "before"),
                ("Apart from this, is there anything else that upset you?", "more"),
                ("Just to confirm, this is about {issue}, right?", "confirm"),
            ],
            "empathize": [
                ("I completely understand how frustrating this is.", "empathize"),
                ("Waiting this long is really inconvenient, I get it.", "empathize"),
                ("I can see why you're upset, this has caused you real trouble.", "empathize"),
                ("Anyone would be annoyed in your position.", "empathize"),
            ],
            "sorry": [
                ("I'm sorry for the trouble {issue} has caused you.", "sorry"),
                ("I apologise for keeping you waiting so long, that's our mistake.", "sorry"),
                ("We're sorry about {issue}, we should have done better.", "sorry"),
                ("Please accept my apology, we let you down this time.", "sorry"),
            ],
            "blame": [
                ("That's not our fault, but you should have contacted us earlier.", "blame"),
                ("But you should have read the terms before ordering.", "blame"),
                ("That's just the policy, you should have checked it yourself.", "blame"),
            ],
            "correct": [
                ("I found it: the problem was on our side, and I'm sorting it out now.", "correct"),
                ("I've found the cause of the problem and I'm fixing it.", "correct"),
                ("I've checked your details and corrected the error.", "correct"),
                ("This was an internal process issue, I'll coordinate with the team.", "correct"),
            ],
            "act": [
                ("I'm arranging {fix} for you right now, it should be done within {hour} hours.", "offer"),
                ("I've marked it as urgent; you'll hear from us before {time} today.", "rush"),
                ("I've also requested a {voucher}-yuan voucher for you as an apology.", "voucher"),
                ("I'll follow this personally until it's fully resolved.", "follow"),
            ],
            "notify": [
                ("You'll get SMS updates, and I'll call you back within {hour} hours.", "callback"),
                ("I'll contact you as soon as there's a result.", "contact"),
                ("I'll email you the outcome before {time} tomorrow.", "email"),
            ],
            "thank": [
                ("Thank you for your patience and for telling us about this.", "thank"),
                ("Thanks for the feedback, it helps us improve.", "thank"),
                ("Thank you for your trust, have a nice day!", "thank"),
            ],
        },
        "reply": {
            "greet": {"neg": ["{complaint}", "{complaint} Frankly, I'm fed up.", "{complaint} Is anyone going to do something about it?"], "neu": ["{complaint}", "{complaint} Can you help me with that?"]},
            "detail": {
                "neg": ["This has been dragging on for ages and it's driving me mad.", "I've called several times and every time you say it's being handled.", "Honestly, I don't trust you people any more."],
                "neu": ["It just keeps dragging on and nobody gives me a straight answer.", "I just want to know when this will be sorted."],
                "pos": ["That's about it, thanks for hearing me out."],
            },
            "order": {"neg": ["It was {day} days ago! Order number {order}. Can't you see it in your system?", "Order {order}, {day} days ago. Look it up yourself."], "neu": ["The order number is {order}, and it was {day} days ago.", "Let me check... it's {order}. That was {day} days ago."]},
            "before": {"neg": ["No! Nobody has called me.", "Someone called once, said they'd handle it, and then nothing."], "neu": ["Someone called back once and said they'd follow up, then nothing.", "No, I've been the one chasing you."]},
            "more": {"neg": ["Isn't this enough?", "Also, I never got a single one of the update texts you promised."], "neu": ["No, it's mainly this.", "Not really, this is what bothers me."]},
            "confirm": {"neg": ["Yes! I've said it several times already.", "Yes, that's it. Just get on with it."], "neu": ["Yes, that's right.", "Exactly, that's the one."]},
            "empathize": {
                "neg": ["Understanding doesn't help, I need it solved.", "You always say you understand, and then what?", "Nice words don't fix anything."],
                "neu": ["Well, at least you get it.", "Look, I'm not trying to make your life hard.", "OK. It's just really held me up."],
                "pos": ["Thanks for understanding.", "OK, that makes me feel a bit better."],
            },
            "sorry": {
                "neg": ["If sorry fixed things I wouldn't be calling.", "Don't just apologise, tell me what you'll do.", "I've heard that apology before."],
                "neu": ["OK, apology accepted. What matters is fixing it.", "Fine, at least you admit it was your mistake."],
                "pos": ["OK, thanks for saying that.", "Alright, I appreciate the apology."],
            },
            "blame": {"neg": ["What do you mean, I should have? This is your mistake!", "Are you blaming me now? I want to speak to your manager.", "How is this suddenly my problem?", "So when you mess up, it's the customer's fault?"]},
            "correct": {
                "neg": ["Why didn't anyone find this earlier?", "Fine, you found it. And who pays for my lost time?", "So it was your mistake after all."],
                "neu": ["I see. So what happens now?", "OK, just make sure it doesn't happen again.", "Good, at least it's clear now."],
                "pos": ["Good, finally someone looked into it.", "Great, thanks for checking.", "OK, now I know where things stand."],
            },
            "offer": {
                "neg": ["{hour} hours? Can't you do it any faster?", "Fine, but this had better not drag on again."],
                "neu": ["{hour} hours, OK, I can live with that.", "OK, {fix} works for me."],
                "pos": ["Good, if it's done within {hour} hours I'm happy.", "OK, that works for me."],
            },
            "rush": {"neg": ["Before {time} today, right? If I hear nothing, I'm calling again."], "neu": ["OK, I'll wait until {time}.", "Fine, just give me a clear answer before {time}."], "pos": ["Great, I'll wait for your call before {time}."]},
            "voucher": {
                "neg": ["Keep the voucher, I just want this sorted.", "A voucher? Is that supposed to make up for it?"],
                "neu": ["I'll take the voucher, but sorting this out matters more.", "OK, the voucher is fine."],
                "pos": ["A voucher as well? Thank you.", "{voucher} yuan, that's generous, thanks."],
            },
            "follow": {"neg": ["You said it. Don't disappear on me this time.", "I hope you mean it this time."], "neu": ["OK, as long as someone's on it.", "Alright, thanks for taking it on."], "pos": ["Good, that puts my mind at rest.", "Great, I'll leave it with you then."]},
            "callback": {"neg": ["I'll be waiting. No call within {hour} hours and I'm calling back."], "neu": ["OK, my phone's on.", "Fine, I'll wait for your call."], "pos": ["Great, talk to you then."]},
            "contact": {"neg": ["Fine, just don't make me wait for days again."], "neu": ["OK, I'll wait to hear from you."], "pos": ["Great, thanks for your help."]},
            "email": {"neg": ["Email is fine, but it had better arrive before {time} tomorrow."], "neu": ["OK, send it to the address you have on file."], "pos": ["Great, I'll keep an eye on my inbox tomorrow."]},
            "thank": {"neg": ["I hope you actually keep your word this time.", "Right. I'll wait and see.", "Let's hope there's no next time."], "neu": ["OK, bye then.", "Fine, that's all for now."], "pos": ["Thank you too, bye!", "You're welcome, and thanks for sorting it out.", "Great, thanks. Goodbye!"]},
        },
    },
}
_DIALOGUE_SLOTS = {
    "zh": {"agent": ("小王", "小李", "小陈", "小林"), "time": ("下午5点", "晚上8点", "中午12点"), "voucher": ("10", "20", "30", "50")},
    "en": {"agent": ("Amy", "Kevin", "Lily", "Jason"), "time": ("5 pm", "8 pm", "noon"), "voucher": ("10", "20", "30", "50")},
}

# --- training cohort --------------------------------------------------------------------------------
_ROLE_MIX = {"agent": 0.75, "manager": 0.10, "consultant": 0.15}
_LEVEL_MIX = {"apprentice": 0.40, "skilled": 0.35, "star": 0.20, "master": 0.05}
_EN_SHARE = 0.1
_MENTORS = ("M01", "M02", "M03", "M04", "M05", "M06")
_COHORT_GAP_MONTHS = 3
_TEST_ITEMS = 10
_TEST_GAIN = (0.8, 0.4)  # mean and SD of the ability gain from pre to post test
_POST_ABSENT = 0.03
_EXERCISES = {  # module: (exercise_id, graded_by, max score per item)
    "M1": ("EX-1.6", "trainer", (5, 5, 5)),
    "M2": ("EX-2.11", "trainer", (5, 5, 5, 5)),
    "M3": ("EX-3.10", "trainer", (5, 5, 5, 5)),
    "M4": ("EX-4.5", "auto", (2, 2, 1, 1, 2)),
}
_RETRY_RATE = 0.6  # share of the weakest quarter who resubmit an exercise
_REACTION_RATE = 0.95
_REACTION_MIX = {
    "overall": (0.01, 0.03, 0.10, 0.45, 0.41),
    "relevance": (0.02, 0.05, 0.15, 0.42, 0.36),
    "trainer": (0.01, 0.02, 0.08, 0.40, 0.49),
    "recommend": (0, 0, 0.01, 0.01, 0.02, 0.04, 0.06, 0.12, 0.20, 0.24, 0.30),
}
_PACE_MIX = {"slow": 0.12, "right": 0.68, "fast": 0.20}
_REACTION_TEXTS = {
    "best": ["投诉处理的角色扮演很实用", "LESCANT七步法马上能用", "NPS和CSAT的计算讲得很清楚", "SERVQUAL差距分析很有启发", "真实案例讨论很有帮助", "提问技巧的练习很有收获", "情绪ABC模型对我帮助很大", "九宫格自评让我看清了短板"],
    "improve": ["时间有点紧，希望多留练习时间", "案例可以更贴近我们行业", "数据分析部分讲得太快", "希望提供课后练习材料", "分组讨论时间不够", "希望增加系统操作演示", "理论部分可以再精简一些"],
}
_REACTION_TEXT_RATE = {"best": 0.7, "improve": 0.55}
_OBSERVERS = ("O01", "O02", "O03", "O04", "O05")
_OBSERVED_ITEMS = {"three_rings": 0.9, "paraphrase": 0.2, "specific_apology": -0.5, "time_commitment": 0.0}  # logit of "met" at 30 days
_WAVE_GAIN = {30: 0.0, 90: 1.2}
_SCENARIO_MIX = {"hotel": 0.15, "bank": 0.35, "ecommerce": 0.35, "consulting": 0.15}
_DOUBLE_CODED = 0.2
_OBSERVER_AGREEMENT = 0.88
_NINEGRID_MEAN = 3.1
_NINEGRID_GAIN = 0.5

# --- KPI snapshots ----------------------------------------------------------------------------------
_KPI = {  # column: (value at team quality 0, change per unit of quality, noise SD, (low, high), decimals, log scale)
    "nps": (38.0, 7.0, 1.2, (-20, 70), 1, False),
    "csat_mean": (4.25, 0.12, 0.02, (3.6, 4.8), 2, False),
    "csat_t2b": (84.0, 5.0, 0.8, (60, 95), 1, False),
    "ces": (2.5, -0.2, 0.05, (1.5, 4.0), 2, False),
    "fcr": (76.0, 3.0, 1.0, (55, 90), 1, False),
    "resp_min": (12.0, -0.25, 0.08, (2, 60), 1, True),
    "resolve_h": (8.0, -0.2, 0.08, (1, 48), 1, True),
    "complaint_rate": (0.45, -0.25, 0.08, (0.1, 2.0), 2, True),
    "retention": (91.0, 1.5, 0.5, (80, 97), 1, False),
    "renewal": (72.0, 3.0, 1.2, (50, 90), 1, False),
    "promise_kept": (94.0, 1.2, 0.6, (85, 99.5), 1, False),
    "deliverable_q": (4.45, 0.10, 0.03, (3.8, 4.9), 2, False),
    "sla24": (93.0, 2.0, 0.8, (75, 99.8), 1, False),
}
_KPI_TEAM_SD = 0.4
_KPI_TREND = 0.5  # quality gain over the window
_KPI_MONTH_SD = 0.1
_KPI_DIP = (2.6, 5.0, 2.0)  # quality lost in the dip months and the month after

# --- sample -----------------------------------------------------------------------------------------
_STAFF_AGENTS = 40  # non-trainee agents serving survey customers in sample()
_DTYPES = {"int": "Int64", "bool": "boolean", "float": "float64", "percent": "float64", "datetime": "datetime64[ns]", "date": "datetime64[ns]"}


# === helpers ========================================================================================
def _rng(seed: int, stream: str) -> np.random.Generator:
    """An independent generator per (seed, stream), so no two tables or parts share random numbers."""
    return np.random.default_rng([zlib.crc32(stream.encode()), seed])


def _probs(mix: Mapping, keys: Sequence) -> np.ndarray:
    """The weights of ``mix`` in the order of ``keys`` (a schema's codes; absent ones weigh 0), normalised."""
    if set(mix) - set(keys):
        raise ValueError(f"unknown codes {sorted(set(mix) - set(keys))}; expected some of {list(keys)}")
    p = np.array([mix.get(k, 0.0) for k in keys], dtype=float)
    return p / p.sum()


def _draw(rng: np.random.Generator, probs, size: int | None = None) -> np.ndarray:
    """Category indices drawn with ``probs`` (k,), or with one row of probabilities per draw (n, k)."""
    p = np.asarray(probs, dtype=float)
    cum = np.cumsum(p, axis=-1)
    cum /= cum[..., -1:]
    if p.ndim == 1:
        return np.searchsorted(cum, rng.random(size), side="right")
    return np.minimum((rng.random(len(p))[:, None] >= cum).sum(axis=1), p.shape[1] - 1)


def _codes(kind: str, column: str) -> list:
    """The canonical codes a schema column allows."""
    return list(SCHEMAS[kind].by_name[column].choices)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _ordinal(latent: np.ndarray, mix, low: int = 0, calibrate: bool = True) -> np.ndarray:
    """Ordered scores low, low + 1, … from a latent value with the shares of ``mix``: cut at the latent's own
    quantiles (``calibrate``, the overall mix is then exact) or at standard-normal quantiles."""
    q = np.cumsum(mix)[:-1] / np.sum(mix)
    cuts = np.quantile(latent, q) if calibrate else np.array([_NORMAL.inv_cdf(x) for x in np.clip(q, 1e-12, 1 - 1e-12)])
    return (np.searchsorted(cuts, latent) + low).astype(np.int8)


def _labels(options: Sequence[str], idx: np.ndarray, missing: np.ndarray | None = None) -> pd.api.extensions.ExtensionArray:
    """String column picking ``options[idx]``; rows flagged ``missing`` (or idx −1) are empty."""
    idx = np.asarray(idx) if missing is None else np.where(missing, -1, idx)
    return pd.array(list(options), dtype="str").take(idx, allow_fill=True)


def _int(values, missing: np.ndarray | None = None) -> pd.arrays.IntegerArray:
    values = np.asarray(values, dtype=np.int64)
    return pd.arrays.IntegerArray(values, np.zeros(len(values), bool) if missing is None else missing)


def _bool(values, missing: np.ndarray | None = None) -> pd.arrays.BooleanArray:
    values = np.asarray(values, dtype=bool)
    return pd.arrays.BooleanArray(values, np.zeros(len(values), bool) if missing is None else missing)


def _format_ids(prefix: str, numbers: np.ndarray, width: int) -> pd.api.extensions.ExtensionArray:
    """``prefix`` + each number zero-padded to ``width`` digits (Arrow string kernels: fast for millions)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0")
    return pd.array(pc.binary_join_element_wise(prefix, digits, ""), dtype="str")


def _ids(prefix: str, n: int, width: int = 3) -> pd.api.extensions.ExtensionArray:
    """``prefix`` + 1…n, zero-padded to at least ``width`` digits: S001, R000001."""
    return _format_ids(prefix, np.arange(1, n + 1), max(width, len(str(n))))


NOT_SIMULATED = {"survey_responses": {"weight"}}
"""Schema columns a simulated table leaves out: the sample is a simple random sample, so it has no weights."""


def _frame(kind: str, columns: Mapping) -> pd.DataFrame:
    """The table of ``kind``: exactly its schema's columns (but those :data:`NOT_SIMULATED`), in schema order,
    with the kit's dtypes."""
    fields = [f for f in SCHEMAS[kind].fields if f.name not in NOT_SIMULATED.get(kind, ())]
    if set(columns) != {f.name for f in fields}:
        raise ValueError(f"{kind}: columns differ from the schema: {sorted(set(columns) ^ {f.name for f in fields})}")
    return pd.DataFrame({f.name: _as(pd.Series(columns[f.name], copy=False), _DTYPES.get(f.type, "str")) for f in fields}, copy=False)


def _as(column: pd.Series, dtype: str) -> pd.Series:
    return column if column.dtype == dtype else column.astype(dtype)


def _month_edges(start, months: int) -> np.ndarray:
    """The ``months + 1`` month boundaries of the window, as datetime64[s]."""
    return pd.date_range(pd.Timestamp(start), periods=months + 1, freq=pd.DateOffset(months=1)).values.astype("datetime64[s]")


def _times(rng: np.random.Generator, n: int, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """n sorted timestamps over the window with a day-time profile, and each one's month index."""
    days = int((edges[-1] - edges[0]) // np.timedelta64(1, "D"))
    seconds = rng.integers(0, days, n) * 86400 + _draw(rng, _HOUR_PROFILE, n) * 3600 + rng.integers(0, 3600, n)
    when = np.sort(edges[0] + seconds.astype("timedelta64[s]"))
    return when.astype("datetime64[ns]"), np.searchsorted(edges, when, side="right") - 1


def _month_shift(months: int, drift: tuple[float, float], dip: Sequence[float]) -> np.ndarray:
    """Latent shift per month: a linear drift, minus ``dip`` in DIP_MONTHS and the month after."""
    shift = np.linspace(*drift, months)
    for month, drop in zip(range(DIP_MONTHS[0] - 1, months), dip, strict=False):
        shift[month] -= drop
    return shift


def _expand(template: str) -> list[str]:
    """The template filled with every value of its ``{slot}`` (if any)."""
    slot = re.search(r"\{(\w+)\}", template)
    return [template] if slot is None else [template.replace(slot.group(0), v) for v in _SLOTS[slot.group(1)]]


class _Texts:
    """Text templates grouped by key and expanded once into a flat pool, so rows pick texts by index."""

    def __init__(self, groups: Mapping[tuple, Sequence[str]], noise: Callable[[str, tuple], list[str]] | None = None, noise_p=(1.0,)):
        texts, starts, sizes = [], [], []
        for key, templates in groups.items():
            bases = [t for template in templates for t in _expand(template)]
            starts.append(len(texts) // len(noise_p))
            sizes.append(len(bases))
            texts += [v for b in bases for v in (noise(b, key) if noise else [b])]
        self.sizes = np.array(sizes)
        self._starts = np.array(starts)
        self._noise_p = noise_p
        self._texts = pd.array(texts, dtype="str")

    def pick(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        """The pool index of one random text per entry of ``group`` (the groups' positions, in given order)."""
        base = self._starts[group] + (rng.random(len(group)) * self.sizes[group]).astype(np.int64)
        return base * len(self._noise_p) + _draw(rng, self._noise_p, len(group))

    def text(self, idx: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """The texts at pool indices ``idx`` (−1: empty)."""
        return self._texts.take(idx, allow_fill=True)


_COMMENT_TEXTS = _Texts(
    {(lang, tone, topic): _COMMENTS[lang][tone].get(topic, []) for lang, tone, topic in product(("zh", "en"), ("pos", "neu", "neg"), _TOPICS)},
    _comment_noise,
    _NOISE_P,
)
_COMPLAINT_TEXTS = _Texts({(cat, lang): _COMPLAINTS[cat][lang] for cat, lang in product(_CATEGORIES, ("zh", "en"))})


def _names(rng: np.random.Generator, n: int) -> tuple[pd.Series, pd.Series]:
    """n Chinese names (surname + one or two given-name characters) and their pinyin."""
    surnames, (sur_py, sur_w) = list(_SURNAMES), zip(*_SURNAMES.values(), strict=True)
    sur = _draw(rng, sur_w, n)
    chars, char_py = list(_GIVEN), list(_GIVEN.values())
    first = rng.integers(0, len(chars), n)
    second = (first + rng.integers(1, len(chars), n)) % len(chars)  # never the first character again
    second[rng.random(n) < _SINGLE_GIVEN_SHARE] = -1
    name = pd.Series(_labels(surnames, sur)) + pd.Series(_labels(chars, first)) + pd.Series(_labels(chars, second)).fillna("")
    given_py = pd.Series(_labels(char_py, first)) + pd.Series(_labels(char_py, second)).fillna("")
    return name, given_py + pd.Series(_labels(list(sur_py), sur))


# === tables =========================================================================================
def survey_responses(
    n: int = 5000,
    seed: int = 0,
    start="2025-01-01",
    months: int = 12,
    customers: Sequence[str] | None = None,
    agents: Sequence[str] | pd.Series | None = None,
) -> pd.DataFrame:
    """Customer survey responses (``survey_responses``) over ``months`` months from ``start``.

    ``customers``: ids to draw respondents from (else C ids; some customers answer several times).
    ``agents``: staff ids, or a Series of training dates indexed by agent id (NaT = untrained): responses an
    agent serves after their date get the :data:`TRAINING_EFFECT` uplift.
    """
    rng = _rng(seed, "survey")
    edges = _month_edges(start, months)
    submitted, month = _times(rng, n, edges)

    # who answered: customer attributes are fixed per customer
    pool = n if customers is None else len(customers)
    who = rng.integers(0, pool, n)
    seg_pool = _draw(rng, _probs(_SEGMENT_MIX, SEGMENTS), pool)
    tier_pool = _draw(rng, np.array([_TIER_MIX[s] for s in SEGMENTS])[seg_pool])
    region_pool = _draw(rng, list(REGIONS.values()), pool)
    segment, tier = seg_pool[who], tier_pool[who]
    customer_id = _format_ids("C", who + 1, max(6, len(str(pool)))) if customers is None else _labels(list(customers), who)

    # what was rated
    channel = _draw(rng, _probs(_CHANNEL_MIX, CHANNELS), n)
    mode = _draw(rng, np.array([_probs(dict(zip(SURVEY_MODES, _MODE_BY_CHANNEL[c], strict=True)), SURVEY_MODES) for c in CHANNELS])[channel])
    stage = _draw(rng, [_STAGES[s][0] for s in JOURNEY_STAGES], n)
    touch_names = [t for s in JOURNEY_STAGES for t in _STAGES[s][2]]
    touch_offset = np.cumsum([0] + [len(_STAGES[s][2]) for s in JOURNEY_STAGES])
    touch = touch_offset[stage] + (rng.random(n) * np.diff(touch_offset)[stage]).astype(np.int64)

    # who served: agent ids and training dates
    if isinstance(agents, pd.Series):
        agent_ids, trained_on = list(agents.index), pd.to_datetime(agents).to_numpy("datetime64[ns]")
    else:
        agent_ids = list(agents) if agents is not None else list(_ids("A", max(10, n // 200)))
        trained_on = np.full(len(agent_ids), np.datetime64("NaT"), "datetime64[ns]")
    agent = rng.integers(0, len(agent_ids), n)
    no_agent = stage == list(JOURNEY_STAGES).index("awareness")  # ads and referrals have no staff
    trained = (submitted >= trained_on[agent]) & ~no_agent  # NaT compares False

    # SERVQUAL: per-dimension perception deviations (with a halo) drive satisfaction
    halo = rng.standard_normal(n, dtype=np.float32)
    dims = list(SERVQUAL_DIMENSIONS)
    quality = 0.55 * halo[:, None] + 0.835 * rng.standard_normal((n, len(dims)), dtype=np.float32)

    stage_effect = np.array([_STAGES[s][1] for s in JOURNEY_STAGES])[stage]
    touch_effect = _PAIN_POINT_EFFECT * (touch == touch_names.index(JOURNEY_PAIN_POINT[1]))
    latent = (
        _month_shift(months, _SURVEY_DRIFT, _DIP_SHIFT["nps"])[month]
        + np.array([_TIER_EFFECT[t] for t in TIERS])[tier]
        + np.array([_CHANNEL_EFFECT[c] for c in CHANNELS])[channel]
        + stage_effect
        + touch_effect
        + quality @ np.array([_SERVQUAL_WEIGHT[d] for d in dims], dtype=np.float32)
        + TRAINING_EFFECT * trained
        + 0.74 * rng.standard_normal(n, dtype=np.float32)
    )
    nps = _ordinal(latent, _NPS_MIX)
    csat_latent = (
        latent
        + TRAINING_EFFECT * trained
        + _month_shift(months, (0, 0), _DIP_SHIFT["csat"])[month]
        + 0.6 * rng.standard_normal(n, dtype=np.float32)
    )
    csat = _ordinal(csat_latent, _CSAT_MIX, low=1)
    ces = _ordinal(-0.7 * latent + 0.8 * rng.standard_normal(n, dtype=np.float32), _CES_MIX, low=1)
    met = _ordinal(latent + 0.6 * rng.standard_normal(n, dtype=np.float32), (0.32, 0.68)).astype(bool)

    servqual, answered = _servqual_items(_rng(seed, "survey.servqual"), quality)
    duration = rng.lognormal(np.log(170), 0.35, n) + 110 * answered
    cols = {
        "response_id": _ids("R", n, 6),
        "customer_id": customer_id,
        "submitted_at": submitted,
        "mode": _labels(list(SURVEY_MODES), mode),
        "channel": _labels(list(CHANNELS), channel),
        "segment": _labels(list(SEGMENTS), segment),
        "tier": _labels(list(TIERS), tier),
        "region": _labels(list(REGIONS), region_pool[who]),
        "journey_stage": _labels(list(JOURNEY_STAGES), stage),
        "touchpoint": _labels(touch_names, touch),
        "agent_id": _labels(agent_ids, agent, no_agent),
        "nps": _int(nps),
        "csat": _int(csat, rng.random(n) < _MISSING["csat"]),
        "ces": _int(ces, rng.random(n) < _MISSING["ces"]),
        **servqual,
        **_factor_ratings(_rng(seed, "survey.factors"), latent),
        "met_expectation": _bool(met, rng.random(n) < _MISSING["met_expectation"]),
        "comment": _comments(_rng(seed, "survey.comments"), nps, np.isin(month + 1, DIP_MONTHS)),
        "duration_s": _int(np.clip(np.rint(duration), 60, 600)),
    }
    return _frame("survey_responses", cols)


def _servqual_items(rng: np.random.Generator, quality: np.ndarray) -> tuple[dict, np.ndarray]:
    """The 22 expectation and 22 perception items (1–7) of the ~60 % who answer the SERVQUAL block, and
    who answered it."""
    n = len(quality)
    answered = rng.random(n) < _SERVQUAL_ANSWER_RATE
    rows, m = np.flatnonzero(answered), int(answered.sum())
    style = rng.standard_normal(m, dtype=np.float32)  # how high a respondent sets expectations overall
    cols = {}
    for d, (dim, (_, k)) in enumerate(SERVQUAL_DIMENSIONS.items()):
        offsets = rng.uniform(-0.2, 0.2, k).astype(np.float32)
        offsets -= offsets.mean()
        expectation = 0.6 * style + 0.8 * rng.standard_normal(m, dtype=np.float32)
        for side, mean, factor, load, noise in (
            ("exp", _SERVQUAL_EXPECTATION[dim], expectation, 0.75, 0.6),
            ("perc", _SERVQUAL_EXPECTATION[dim] + SERVQUAL_TRUE_GAPS[dim], quality[rows, d], 0.85, 0.65),
        ):
            items = mean + offsets + load * factor[:, None] + noise * rng.standard_normal((m, k), dtype=np.float32)
            items = np.clip(np.rint(items), 1, 7)
            for i in range(k):
                values = np.zeros(n, np.int64)
                values[rows] = items[:, i]
                cols[f"{side}_{dim}_{i + 1}"] = _int(values, ~answered)
    return cols, answered


def _factor_ratings(rng: np.random.Generator, latent: np.ndarray) -> dict:
    """The four-factor driver ratings f_<factor> (1–5); the shortfall factor rates lowest and pulls hardest."""
    n, sd = len(latent), latent.std()
    cols = {}
    for factor in DRIVER_FACTORS:
        mix, pull = _SHORTFALL_RATING if factor == FOUR_FACTOR_SHORTFALL else _FACTOR_RATING[factor]
        score = pull * latent / sd + np.sqrt(1 - pull**2) * rng.standard_normal(n, dtype=np.float32)
        cols[f"f_{factor}"] = _int(_ordinal(score, mix, low=1), rng.random(n) < _MISSING["factor"])
    return cols


def _comments(rng: np.random.Generator, nps: np.ndarray, dip: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Open comments (~30 % filled, ~75 % Chinese) whose tone follows the NPS class; billing complaints
    pile up in the dip months."""
    n = len(nps)
    tone = np.where(nps >= 9, 0, np.where(nps >= 7, 1, 2))  # pos, neu, neg
    rate = np.array([_COMMENT_RATE[c] for c in ("promoter", "passive", "detractor")])[tone]
    rows = np.flatnonzero(rng.random(n) < rate)
    tone, dip = tone[rows], dip[rows]
    lang = (rng.random(len(rows)) >= _COMMENT_ZH_SHARE).astype(np.int64)
    boost = np.ones(len(_TOPICS))
    boost[_TOPICS.index("billing")] = _DIP_BILLING_BOOST
    weights = np.array([_TOPIC_WEIGHTS[t] for t in ("pos", "neu", "neg")])[tone] * np.where(dip[:, None], boost, 1)
    has_text = _COMMENT_TEXTS.sizes.reshape(2, 3, len(_TOPICS))[lang, tone] > 0
    idx = np.full(n, -1)
    idx[rows] = _COMMENT_TEXTS.pick(rng, (lang * 3 + tone) * len(_TOPICS) + _draw(rng, weights * has_text))
    return _COMMENT_TEXTS.text(idx)


def kano_answers(n_respondents: int = 300, seed: int = 0) -> pd.DataFrame:
    """Kano questionnaire answers, long format (respondent × feature), generated from the Kano 5×5 table so
    that each feature's :data:`KANO_TRUE_CATEGORIES` class is the modal one with ~60–70 % of answers."""
    rng = _rng(seed, "kano")
    table = np.array([list(row) for row in _KANO_TABLE]).ravel()
    f_ans, d_ans = np.divmod(np.arange(25), 5)
    cell_probs = np.zeros((len(_KANO_CLASSES), 25))
    for c, cls in enumerate(_KANO_CLASSES):
        f0, d0 = _KANO_TYPICAL[cls]
        cell_probs[c] = (table == cls) / (1 + np.abs(f_ans + 1 - f0) + np.abs(d_ans + 1 - d0))
    features = list(KANO_TRUE_CATEGORIES)
    answers = []
    for true in KANO_TRUE_CATEGORIES.values():
        share = rng.uniform(*_KANO_TRUE_SHARE)
        mix = {cls: (1 - share - _KANO_Q_SHARE) * w for cls, w in _KANO_CONFUSION[true].items()}
        mix |= {true: share, "Q": _KANO_Q_SHARE}
        cls = _draw(rng, [mix.get(c, 0.0) for c in _KANO_CLASSES], n_respondents)
        answers.append(_draw(rng, cell_probs[cls]))
    cell = np.array(answers).T.ravel()  # respondent-major
    return _frame(
        "kano_answers",
        {
            "response_id": np.repeat(np.asarray(_ids("K", n_respondents, 4)), len(features)),
            "feature": np.tile(features, n_respondents),
            "functional": cell // 5 + 1,
            "dysfunctional": cell % 5 + 1,
        },
    )


def tickets(n: int = 1500, seed: int = 0, start="2025-01-01", months: int = 12, customers: Sequence[str] | None = None) -> pd.DataFrame:
    """Complaint tickets with timestamps through the five-step process and the recovery outcome.

    ``customers``: ids to draw complainants from (else C ids). Tickets still open at the end of the window
    miss their later timestamps; the post-recovery survey and 90-day churn are known only once due.
    """
    rng = _rng(seed, "tickets")
    edges = _month_edges(start, months)
    now = edges[-1].astype("datetime64[ns]")
    received, _ = _times(rng, n, edges)
    pool = np.asarray(_ids("C", max(n, 100), 6)) if customers is None else np.asarray(list(customers), dtype=object)
    customer = rng.integers(0, len(pool), n)
    unique, inverse = np.unique(customer, return_inverse=True)
    contacts = _contacts(_rng(seed, "tickets.contacts"), len(unique))

    categories = list(_CATEGORIES)
    cat = _draw(rng, [c.share for c in _CATEGORIES.values()], n)
    failure = _draw(rng, np.array([_probs(c.failure, FAILURE_TYPES) for c in _CATEGORIES.values()])[cat])
    cause = _draw(rng, np.array([c.causes for c in _CATEGORIES.values()], dtype=float)[cat])
    severity = _draw(rng, _probs(_SEVERITY_MIX, SEVERITIES), n)
    channel = _draw(rng, _probs(_TICKET_CHANNEL_MIX, CHANNELS), n)
    sev_codes = list(SEVERITIES)
    crisis = severity == sev_codes.index("crisis")

    # the timeline, in minutes after receipt
    median, queue_rate = (np.array([_FIRST_REPLY[s][i] for s in SEVERITIES])[severity] for i in (0, 1))
    median = median * np.array([_CHANNEL_SPEED.get(c, 1.0) for c in CHANNELS])[channel]
    queued = rng.random(n) < queue_rate
    reply = np.where(queued, rng.lognormal(np.log(_QUEUE_MEDIAN_H * 60), 0.45, n), rng.lognormal(np.log(median), 1.1))
    reply = np.where(reply > _MAX_REPLY_H * 60, rng.uniform(24 * 60, _MAX_REPLY_H * 60, n), reply)
    stalled = rng.random(n) < _STALLED_RATE
    fcr = (rng.random(n) < np.array([_FCR_RATE[s] for s in SEVERITIES])[severity] * np.where(queued, 0.5, 1)) & ~stalled
    slow = np.where(queued, 3.0, 1.0)
    to_solution = np.where(fcr, rng.lognormal(np.log(8), 0.6, n), rng.lognormal(np.log(6 * 60), 1.0, n) * slow)
    to_resolved = np.where(fcr, rng.lognormal(np.log(5), 0.6, n), rng.lognormal(np.log(10 * 60), 1.0, n) * slow)
    to_verified = rng.uniform(18 * 60, 120 * 60, n)
    steps = np.cumsum(np.stack([reply, to_solution, to_resolved, to_verified], axis=1), axis=1)
    stamps = received[:, None] + (steps * 60).astype("timedelta64[s]")
    stamps[stalled, 1:] = np.datetime64("NaT")
    reached = stamps <= now  # NaT compares False
    reached = np.cumprod(reached, axis=1).astype(bool)  # a step counts only if all earlier ones happened
    stamps[~reached] = np.datetime64("NaT")
    stage = reached.sum(axis=1)
    has_solution, resolved, verified = reached[:, 1], reached[:, 2], reached[:, 3]

    compensated = has_solution & (rng.random(n) < np.array([_COMPENSATION_RATE[s] for s in SEVERITIES])[severity])
    amount = rng.lognormal(np.log(120), 0.9, n) * np.where(crisis, 3, 1)
    amount = np.clip(np.where(amount >= 500, np.rint(amount / 50) * 50, np.rint(amount / 10) * 10), 50, 2000)
    compensation = np.where(has_solution, np.where(compensated, amount, 0.0), np.nan)
    actions = sorted({a for c in _CATEGORIES.values() for a in c.actions}) + list(_MONETARY_ACTIONS)
    action_probs = np.array([[a in c.actions for a in actions] for c in _CATEGORIES.values()], dtype=float)
    monetary = np.isin(actions, _MONETARY_ACTIONS).astype(float)
    action = _draw(rng, np.where(compensated[:, None], monetary, action_probs[cat]))

    # recovery outcome: fast and well-resolved beats no complaint at all; slow recovery loses customers
    fast = reply <= 24 * 60
    well = resolved & (steps[:, 2] <= 72 * 60)
    outcome = np.where(fast & well, 0.3, np.where(fast, -0.35, -1.1)) + 0.2 * fcr + 0.15 * compensated - 0.25 * crisis
    outcome = np.where(resolved, outcome, -1.5) + rng.standard_normal(n)
    no_post = ~verified | (rng.random(n) >= _POST_SURVEY_RATE)
    churned = rng.random(n) < _sigmoid(-2.6 - 1.2 * outcome)
    churn_unknown = received + np.timedelta64(90, "D") > now

    lang = (rng.random(n) >= _COMPLAINT_ZH_SHARE).astype(np.int64)
    return _frame(
        "tickets",
        {
            "ticket_id": _ids("T", n, 6),
            "customer_id": pool[customer],
            **{col: values.to_numpy()[inverse] for col, values in contacts.items()},
            "channel": _labels(list(CHANNELS), channel),
            "category": _labels(categories, cat),
            "failure_type": _labels(list(FAILURE_TYPES), failure),
            "severity": _labels(sev_codes, severity),
            "received_at": received,
            "first_response_at": stamps[:, 0],
            "solution_at": stamps[:, 1],
            "resolved_at": stamps[:, 2],
            "verified_at": stamps[:, 3],
            "status": _labels(list(TICKET_STATUSES), stage),
            "root_cause": _labels(ROOT_CAUSES, cause),
            "recovery_action": _labels(actions, action, ~has_solution),
            "compensation": compensation,
            "fcr": _bool(fcr & resolved),
            "post_csat": _int(_ordinal(outcome + 0.5 * rng.standard_normal(n), _CSAT_MIX, low=1, calibrate=False), no_post),
            "post_nps": _int(_ordinal(outcome, _NPS_MIX, calibrate=False), no_post),
            "churned_90d": _bool(churned, churn_unknown),
            "complaint_text": _COMPLAINT_TEXTS.text(_COMPLAINT_TEXTS.pick(rng, cat * 2 + lang)),
        },
    )


def _contacts(rng: np.random.Generator, n: int) -> dict[str, pd.Series]:
    """Name, mobile number and e-mail (pinyin-based or random, at example domains) of n customers."""
    name, pinyin = _names(rng, n)
    user = np.where(rng.random(n) < 0.6, pinyin + pd.Series(rng.integers(1, 1000, n)).astype(str), _random_handles(rng, n))
    domain = pd.Series(_labels(_MAIL_DOMAINS, rng.integers(0, len(_MAIL_DOMAINS), n)))
    prefix = pd.Series(_labels(_PHONE_PREFIXES, rng.integers(0, len(_PHONE_PREFIXES), n)))
    phone = prefix + pd.Series(rng.integers(0, 10**9, n)).astype(str).str.zfill(9)
    return {"customer_name": name, "phone": phone, "email": pd.Series(user) + "@" + domain}


def _random_handles(rng: np.random.Generator, n: int) -> np.ndarray:
    """n random lowercase e-mail user names: 5–9 letters, the later ones sometimes digits."""
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyz0123456789"))
    chars = alphabet[rng.integers(0, 26, (n, 9))]
    chars[:, 5:] = np.where(rng.random((n, 4)) < 0.5, alphabet[rng.integers(26, 36, (n, 4))], chars[:, 5:])
    chars[np.arange(9) >= rng.integers(5, 10, n)[:, None]] = ""
    return np.ascontiguousarray(chars).view("<U9").ravel()  # the rows' characters joined


def transcripts(n_sessions: int = 60, seed: int = 0, tickets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Complaint-handling dialogues, one row per turn (20–40 per session): LESCANT step tags on agent turns,
    the customer's emotion (−2…2) on customer turns. The customer opens, answers every agent line (gives the
    order number when asked, reacts to the apology, takes up or questions the offer just made) and closes
    after the thanks; the order number, the days waited, the fix and the promised times agree within a
    session. ~30 % of sessions are flawed on purpose: empathy or the apology is skipped, or the apology is
    replaced by blame ("但是您应该…", untagged), and those customers stay angry longer.
    ``tickets``: link the sessions to these tickets and talk about their category."""
    rng = _rng(seed, "transcripts")
    categories = list(_CATEGORIES)
    if tickets is None:
        ticket_ids = np.full(n_sessions, None)
        topics = [categories[i] for i in rng.integers(0, len(categories), n_sessions)]
    else:
        linked = rng.integers(0, len(tickets), n_sessions)
        ticket_ids, topics = tickets["ticket_id"].to_numpy()[linked], tickets["category"].to_numpy()[linked]
    flawed = np.zeros(n_sessions, bool)
    flawed[rng.choice(n_sessions, round(_FLAWED_SHARE * n_sessions), replace=False)] = True
    sessions = []
    for s, (ticket_id, topic) in enumerate(zip(ticket_ids, topics, strict=True)):
        flaw = _FLAWS[rng.integers(len(_FLAWS))] if flawed[s] else None
        lang = "zh" if rng.random() < _DIALOGUE_ZH_SHARE else "en"
        turns = pd.DataFrame(_dialogue(rng, lang, topic, flaw), columns=["speaker", "text", "gold_step", "emotion"])
        sessions.append(turns.assign(session_id=f"SES{s + 1:03d}", ticket_id=ticket_id, turn=np.arange(1, len(turns) + 1)))
    return _frame("transcripts", pd.concat(sessions, ignore_index=True))


def _dialogue(rng: np.random.Generator, lang: str, topic: str, flaw: str | None) -> list[tuple]:
    """(speaker, text, gold_step, emotion) per turn of one session about a complaint of category ``topic``:
    [bot,] customer opener, then each agent line followed by the customer's answer to it."""
    category, lines, k = _CATEGORIES[topic], _DIALOGUE[lang], ("zh", "en").index(lang)
    slots = {"issue": category.issue[k], "fix": category.fix[k], "order": str(rng.integers(10**9, 10**10))}
    slots |= {name: values[rng.integers(len(values))] for name, values in (_SLOTS | _DIALOGUE_SLOTS[lang]).items()}
    complaints = _COMPLAINTS[topic][lang]
    slots["complaint"] = complaints[rng.integers(len(complaints))].format(**slots)
    decks: dict[tuple, list[int]] = {}

    def say(key: tuple, pool: Sequence[str]) -> str:  # deal lines from a shuffled deck, so a session rarely repeats itself
        if not decks.get(key):
            decks[key] = list(rng.permutation(len(pool)))
        return pool[decks[key].pop()].format(**slots)

    skipped = {"no_empathy": "empathize", "no_apology": "sorry"}.get(flaw)
    low = np.array([0 if step == skipped else _STEP_TURNS[step][0] for step in LESCANT])
    room = np.array([0 if step == skipped else _STEP_TURNS[step][1] for step in LESCANT]) - low
    total = min(int(rng.integers(_AGENT_TURNS[0], _AGENT_TURNS[1] + 1)), int(low.sum() + room.sum()))
    counts = low + rng.multivariate_hypergeometric(room, total - low.sum())
    agent = _agent_moves(rng, lines["agent"], dict(zip(LESCANT, counts, strict=True)), flaw)

    # the customer's mood: from angry to pleased, or only to grudging when the agent gets it wrong; it follows
    # how far the agent has come (empathy, apology and action calm most, blame not at all) and never drops but
    # after blame, when the customer flares up
    weights = np.array([0.0 if gold is None else _CALMING[gold] for _, _, gold in agent])
    progress = np.concatenate([[0.0], np.cumsum(weights)]) / weights.sum()
    start, end = rng.choice([-2, -1]), rng.choice([-1, 0]) if flaw else rng.choice([1, 2])
    mood = np.clip(np.rint(start + (end - start) * progress**0.8 + rng.normal(0, 0.3, len(progress))), -2, 2)
    mood[0] = min(mood[0], -1)
    mood = np.maximum.accumulate(mood)
    blamed = [i + 1 for i, (_, move, _) in enumerate(agent) if move == "blame"]  # the customer turns answering blame
    if blamed:
        mood[blamed[0] :] -= 1
        mood[blamed] = np.minimum(mood[blamed], -1)
    mood = np.clip(mood, -2, 2).astype(int)

    turns = [("bot", say(("bot",), lines["bot"]), None, None)] if rng.random() < _BOT_SHARE else []
    turns.append(("customer", say(("open",), lines["open"]), None, mood[0]))
    for (text, move, gold), emotion in zip(agent, mood[1:], strict=True):
        turns.append(("agent", text.format(**slots), gold, None))
        tone = "neg" if emotion < 0 else "neu" if emotion == 0 else "pos"
        replies = lines["reply"][move]
        turns.append(("customer", say((move, tone), replies.get(tone) or replies["neu"]), None, emotion))
    return turns


def _agent_moves(rng: np.random.Generator, pools: Mapping, counts: Mapping[str, int], flaw: str | None) -> list[tuple]:
    """(text template, move, gold_step) of each agent turn: ``counts[step]`` distinct lines per LESCANT step, the
    :data:`_MUST_SAY` moves always among them, in pool order for :data:`_MOVES_IN_ORDER`; a blaming agent says
    blame lines (no gold step) instead of the apology."""
    said = []
    for step, count in counts.items():
        blame = flaw == "blame" and step == "sorry"
        options = pools["blame" if blame else step]
        must = () if blame else _MUST_SAY.get(step, ())
        picks = [int(rng.choice([i for i, (_, move) in enumerate(options) if move == m])) for m in must]
        rest = [i for i, (_, move) in enumerate(options) if move not in must]
        picks += [int(i) for i in rng.choice(rest, count - len(picks), replace=False)]
        if step in _MOVES_IN_ORDER:
            picks.sort()
        said += [(*options[i], None if blame else step) for i in picks]
    return said


def cohort(n_trainees: int = 48, seed: int = 0, cohorts: Sequence[str] = ("2025-A", "2025-B"), start="2025-03-01") -> dict[str, pd.DataFrame]:
    """A training cohort's records: ``trainees``, ``marks``, ``reaction``, ``observations``, ``ninegrid``.

    Cohorts are trained three months apart from ``start``; post tests beat pre tests, behaviour improves from
    30 to 90 days, and :data:`POOR_TEST_ITEM` / :data:`NINEGRID_WEAK` are built in."""
    rng = _rng(seed, "cohort")
    n = n_trainees
    ids = _ids("S", n)
    group = np.arange(n) * len(cohorts) // n
    trained_on = pd.date_range(start, periods=len(cohorts), freq=pd.DateOffset(months=_COHORT_GAP_MONTHS)).values[group]
    name, _ = _names(_rng(seed, "cohort.names"), n)
    trainees = _frame(
        "trainees",
        {
            "trainee_id": ids,
            "name": name,
            "dept": _labels(TEAMS, rng.integers(0, len(TEAMS), n)),
            "role": _labels(_codes("trainees", "role"), _draw(rng, _probs(_ROLE_MIX, _codes("trainees", "role")), n)),
            "cohort": _labels(list(cohorts), group),
            "mentor_id": _labels(_MENTORS, rng.integers(0, len(_MENTORS), n)),
            "level": _labels(_codes("trainees", "level"), _draw(rng, _probs(_LEVEL_MIX, _codes("trainees", "level")), n)),
            "lang": np.where(rng.random(n) < _EN_SHARE, "en", "zh"),
            "hours_ytd": np.clip(np.rint(rng.gamma(4, 14, n) * 2) / 2, 0, 120),
            "trained_on": trained_on,
        },
    )
    ability = rng.standard_normal(n)
    return {
        "trainees": trainees,
        "marks": _marks(_rng(seed, "cohort.marks"), ids, ability),
        "reaction": _reaction(_rng(seed, "cohort.reaction"), ids),
        "observations": _observations(_rng(seed, "cohort.observations"), ids, trained_on, ability),
        "ninegrid": _ninegrid(_rng(seed, "cohort.ninegrid"), ids, ability),
    }


def _mark_rows(ids, module: str, exercise_id: str, items: list[str], scores: np.ndarray, max_score, *, phase: str, attempt: int = 1, graded_by: str = "auto", rows=None) -> pd.DataFrame:
    """Long-format marks of one test or exercise: trainee × item, for the trainees in ``rows`` (all by default)."""
    rows = np.arange(len(ids)) if rows is None else np.asarray(rows)
    k = len(items)
    return pd.DataFrame(
        {
            "trainee_id": np.repeat(np.asarray(ids)[rows], k),
            "module": module,
            "exercise_id": exercise_id,
            "item": np.tile(items, len(rows)),
            "attempt": attempt,
            "score": scores[rows].ravel().astype(float),
            "max_score": np.tile(np.asarray(max_score, dtype=float), len(rows)),
            "graded_by": graded_by,
            "phase": phase,
        }
    )


def _marks(rng: np.random.Generator, ids, ability: np.ndarray) -> pd.DataFrame:
    """Pre and post tests per module (same items; 2PL-style item response) and one exercise per module."""
    n = len(ids)
    post = ability + rng.normal(*_TEST_GAIN, n)
    parts = []
    for module in _EXERCISES:  # the sample cohort took modules 1–4
        test = f"{module}-test"
        items = [f"Q{i + 1:02d}" for i in range(_TEST_ITEMS)]
        max_score = rng.choice([1, 2, 2, 3, 4, 5], _TEST_ITEMS)
        difficulty = np.clip(rng.normal(0, 0.7, _TEST_ITEMS), -1.2, 1.2)
        discrimination = rng.uniform(1.0, 2.2, _TEST_ITEMS)
        if test == POOR_TEST_ITEM[0]:
            discrimination[items.index(POOR_TEST_ITEM[1])] = 0.0
        present = rng.random(n) >= _POST_ABSENT
        for phase, theta, rows in (("pre", ability, None), ("post", post, np.flatnonzero(present))):
            scores = rng.binomial(max_score, _sigmoid(discrimination * (theta[:, None] - difficulty)))
            parts.append(_mark_rows(ids, module, test, items, scores, max_score, phase=phase, rows=rows))

        exercise, graded_by, max_score = _EXERCISES[module]
        items = [f"R{i + 1}" for i in range(len(max_score))]
        difficulty = rng.normal(-0.5, 0.6, len(max_score))
        first = rng.binomial(max_score, _sigmoid(1.2 * (post[:, None] - difficulty)))
        weakest = np.argsort(first.sum(axis=1) + rng.random(n))[: n // 4]  # random order among ties
        retry = np.sort(weakest[rng.random(len(weakest)) < _RETRY_RATE])
        second = rng.binomial(max_score, _sigmoid(1.2 * (post[:, None] + 0.8 - difficulty)))
        for attempt, scores, rows in ((1, first, None), (2, second, retry)):
            parts.append(_mark_rows(ids, module, exercise, items, scores, max_score, phase="exercise", attempt=attempt, graded_by=graded_by, rows=rows))
    return _frame("marks", pd.concat(parts, ignore_index=True))


def _reaction(rng: np.random.Generator, ids) -> pd.DataFrame:
    """End-of-course reaction survey (Kirkpatrick level 1) of the ~95 % who fill it in."""
    rows = np.flatnonzero(rng.random(len(ids)) < _REACTION_RATE)
    m = len(rows)
    liking = rng.standard_normal(m)
    scores = {
        col: _ordinal(liking if col == "overall" else 0.75 * liking + 0.66 * rng.standard_normal(m), mix, low=0 if col == "recommend" else 1)
        for col, mix in _REACTION_MIX.items()
    }
    pace = _codes("reaction", "pace")
    texts = {col: _labels(pool, rng.integers(0, len(pool), m), rng.random(m) >= _REACTION_TEXT_RATE[col]) for col, pool in _REACTION_TEXTS.items()}
    return _frame("reaction", {"trainee_id": np.asarray(ids)[rows], **scores, "pace": _labels(pace, _draw(rng, _probs(_PACE_MIX, pace), m)), **texts})


def _observations(rng: np.random.Generator, ids, trained_on: np.ndarray, ability: np.ndarray) -> pd.DataFrame:
    """On-the-job behaviour checks at 30 and 90 days (Kirkpatrick level 3); ~20 % of visits double-coded."""
    n = len(ids)
    waves, items = _codes("observations", "wave"), _codes("observations", "item")
    scenarios = _codes("observations", "scenario")
    shape = (n, len(waves), len(items))
    trainee, wave, item = (a.ravel() for a in np.indices(shape))
    visit = trainee * len(waves) + wave  # one observer visit per trainee and wave
    logit = np.array([_OBSERVED_ITEMS[i] for i in items])[item] + np.array([_WAVE_GAIN[w] for w in waves])[wave] + 0.5 * ability[trainee]
    met = rng.random(len(item)) < _sigmoid(logit)
    observer = rng.integers(0, len(_OBSERVERS), n * len(waves))[visit]
    date = trained_on[trainee] + np.array(waves, dtype="timedelta64[D]")[wave] + rng.integers(0, 7, n * len(waves))[visit].astype("timedelta64[D]")
    scenario = _draw(rng, _probs(_SCENARIO_MIX, scenarios), n)[trainee]

    second = np.flatnonzero((rng.random(n * len(waves)) < _DOUBLE_CODED)[visit])
    all_rows = np.concatenate([np.arange(len(item)), second])
    met = np.concatenate([met, met[second] ^ (rng.random(len(second)) >= _OBSERVER_AGREEMENT)])
    shift = rng.integers(1, len(_OBSERVERS), n * len(waves))[visit[second]]  # a different observer
    observer = np.concatenate([observer, (observer[second] + shift) % len(_OBSERVERS)])
    rating = np.where(met, 3 + rng.binomial(2, 0.6, len(met)), 1 + rng.binomial(2, 0.4, len(met)))
    return _frame(
        "observations",
        {
            "trainee_id": np.asarray(ids)[trainee[all_rows]],
            "observer_id": _labels(_OBSERVERS, observer),
            "date": date[all_rows],
            "wave": np.array(waves)[wave[all_rows]],
            "scenario": _labels(scenarios, scenario[all_rows]),
            "item": _labels(items, item[all_rows]),
            "met": met,
            "rating": rating,
        },
    )


def _ninegrid(rng: np.random.Generator, ids, ability: np.ndarray) -> pd.DataFrame:
    """Nine-grid self-ratings (1–5) before and after training; NINEGRID_WEAK stays lowest."""
    n, k = len(ids), len(NINEGRID)
    mean = _NINEGRID_MEAN + rng.uniform(-0.3, 0.3, k)
    mean[list(NINEGRID).index(NINEGRID_WEAK)] = _NINEGRID_MEAN - 0.8
    pre = mean + 0.5 * ability[:, None] + 0.6 * rng.standard_normal((n, k))
    post = pre + _NINEGRID_GAIN + 0.3 * rng.standard_normal((n, 1)) + 0.3 * rng.standard_normal((n, k))
    scores = np.clip(np.rint(np.stack([pre, post], axis=1)), 1, 5).reshape(2 * n, k)  # trainee-major: pre, post
    return _frame(
        "ninegrid",
        {"trainee_id": np.repeat(np.asarray(ids), 2), "phase": np.tile(["pre", "post"], n), **{f"ng_{a}": scores[:, j] for j, a in enumerate(NINEGRID)}},
    )


def kpi_snapshots(seed: int = 0, start="2025-01", months: int = 12, teams: Sequence[str] = TEAMS) -> pd.DataFrame:
    """Monthly KPI snapshots per team, within realistic ranges. :data:`KPI_DIP_TEAM` (or the first team when
    it is not among ``teams``) loses >10 % of csat_t2b and nps in two consecutive months at DIP_MONTHS."""
    rng = _rng(seed, "kpi")
    periods = pd.period_range(start, periods=months, freq="M").astype(str)
    dip_team = list(teams).index(KPI_DIP_TEAM) if KPI_DIP_TEAM in teams else 0
    quality = (
        rng.normal(0, _KPI_TEAM_SD, len(teams))
        + np.linspace(0, _KPI_TREND, months)[:, None]
        + rng.normal(0, _KPI_MONTH_SD, (months, len(teams)))
    )
    quality[:, dip_team] += _month_shift(months, (0, 0), _KPI_DIP)
    cols = {"period": np.repeat(periods, len(teams)), "team": np.tile(list(teams), months)}
    for col, (base, slope, sd, (low, high), decimals, log) in _KPI.items():
        noise = rng.normal(0, sd, quality.shape)
        value = np.exp(np.log(base) + slope * quality + noise) if log else base + slope * quality + noise
        cols[col] = np.round(np.clip(value, low, high), decimals).ravel()
    cols["churn"] = np.round(100 - cols["retention"], 1)
    return _frame("kpi_snapshots", cols)


def sample(seed: int = 0, *, n_survey: int = 5000, n_tickets: int = 1500, n_trainees: int = 48) -> dict[str, pd.DataFrame]:
    """One linked dataset of every kind (keys in schema order): ticket customers are surveyed customers,
    trained agents serve survey customers (and do better after training), transcripts discuss tickets."""
    people = cohort(n_trainees, seed)
    serving = people["trainees"][people["trainees"]["role"] == "agent"]
    agents = pd.concat(
        [
            pd.Series(serving["trained_on"].to_numpy(), index=serving["trainee_id"].to_numpy()),
            pd.Series(pd.NaT, index=np.asarray(_ids("A", _STAFF_AGENTS)), dtype="datetime64[ns]"),
        ]
    )
    survey = survey_responses(n_survey, seed, agents=agents)
    complaints = tickets(n_tickets, seed, customers=survey["customer_id"].unique())
    tables = {
        "survey_responses": survey,
        "kano_answers": kano_answers(seed=seed),
        "tickets": complaints,
        "transcripts": transcripts(seed=seed, tickets=complaints),
        **people,
        "kpi_snapshots": kpi_snapshots(seed),
    }
    return {kind: tables[kind] for kind in KINDS}


def write_sample(out_dir, seed: int = 0, **sizes) -> list[Path]:
    """Write :func:`sample` as ``<kind>.csv`` files (UTF-8, canonical headers, ISO dates and times, true/false
    booleans, formula-like text quoted as :func:`kit.data.spreadsheet.neutralise` does) into ``out_dir``; returns the
    paths in schema order."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind, table in sample(seed, **sizes).items():
        path = out / f"{kind}.csv"
        neutralise_frame(_for_csv(kind, table)).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths


def _for_csv(kind: str, table: pd.DataFrame) -> pd.DataFrame:
    """A copy with dates, times and booleans spelled as the CSV files carry them."""
    out = table.copy()
    for f in SCHEMAS[kind].fields:
        if f.type in ("datetime", "date"):
            out[f.name] = table[f.name].dt.strftime("%Y-%m-%dT%H:%M:%S" if f.type == "datetime" else "%Y-%m-%d")
        elif f.type == "bool":
            out[f.name] = table[f.name].astype("str").str.lower()
    return out
