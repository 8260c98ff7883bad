"""Schemas of the kit's data tables: columns, types, ranges, allowed values and header aliases.

One :class:`Schema` per kind of table (``SCHEMAS[kind]``). :mod:`kit.data.io` validates user files against
them, :mod:`kit.data.synth` generates data that fits them, and ``data/README.md`` is rendered from them
(``kit data docs``), so the three can never disagree.

Categorical values are stored as short English codes (``phone``, ``outcome``); the Chinese labels and
their common variants are accepted on input (``choices`` maps code → accepted labels, the first one
being the Chinese display label).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

TYPES = ("id", "text", "label", "int", "float", "percent", "datetime", "date", "period", "bool")
"""id: identifier; text: free text (formula-injection checked); label: short free category;
int/float: numbers; percent: 0–100 (a column of fractions ≤ 1 is rescaled and reported, unless the field says ``fractions=False``); datetime/date;
period: month ``2025-03`` or quarter ``2025Q1``; bool: 是/否, yes/no, 1/0."""


@dataclass(frozen=True)
class Field:
    """One column: canonical name, type, Chinese header, English meaning and the rules it obeys."""

    name: str
    type: str
    zh: str
    doc: str
    required: bool = False
    min: float | None = None
    max: float | None = None
    choices: dict | None = None
    aliases: tuple[str, ...] = ()
    pii: bool = False
    fractions: bool = True  # percent only: a column whose values all lie in 0–1 holds shares (×100)
    open: bool = False  # label with choices: a value outside them is kept as its own category (and reported)
    en: str = ""  # short English display label for plots and tables (default: ``doc``)

    @property
    def label_en(self) -> str:
        return self.en or self.doc

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"{self.name}: unknown type {self.type!r}")

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header a user file may use for this column."""
        return (self.name, self.zh, *self.aliases)

    def range_text(self) -> str:
        """Human-readable allowed values, e.g. '0–10' or 'phone (电话), email (邮件)'."""
        if self.choices:
            return ", ".join(f"{code} ({labels[0]})" for code, labels in self.choices.items())
        if self.min is not None and self.max is not None:
            return f"{_num(self.min)}–{_num(self.max)}"
        if self.min is not None:
            return f"≥ {_num(self.min)}"
        return {"percent": "0–100", "bool": "yes/no (是/否)", "period": "YYYY-MM or YYYYQn"}.get(self.type, "")


@dataclass(frozen=True)
class Schema:
    """A kind of table: its fields, its key (unique together) and cross-column order rules."""

    kind: str
    zh: str
    doc: str
    fields: tuple[Field, ...]
    key: tuple[str, ...] = ()
    order: tuple[tuple[str, str], ...] = ()  # (a, b): where both are present, a <= b
    by_name: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    def subset(self, names) -> Schema:
        """This schema restricted to the columns ``names`` (schema order; unknown names raise ValueError);
        the key and order rules keep only what those columns can still check."""
        unknown = sorted(set(names) - set(self.by_name))
        if unknown:
            raise ValueError(f"not columns of {self.kind}: {', '.join(unknown)}")
        fields = tuple(f for f in self.fields if f.name in set(names))
        kept = {f.name for f in fields}
        key = self.key if set(self.key) <= kept else ()
        order = tuple((a, b) for a, b in self.order if a in kept and b in kept)
        return replace(self, fields=fields, key=key, order=order)

    def header_index(self) -> dict[str, str]:
        """Normalised header → canonical column name, over every accepted alias."""
        return {normalise_header(h): f.name for f in self.fields for h in f.headers}


def normalise_header(text: str) -> str:
    """Fold a header for matching: NFKC (full-width → half-width), case, spaces, ``_-./``,
    and a trailing unit in brackets: ``' 推荐值（0-10） '`` → ``'推荐值'``, ``'Response ID'`` → ``'responseid'``."""
    text = unicodedata.normalize("NFKC", str(text)).strip().casefold()
    text = re.sub(r"[(\[][^)\]]*[)\]]$", "", text)
    return re.sub(r"[\s_\-./:]+", "", text)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


# --- shared choices -----------------------------------------------------------------------------
CHANNELS = {
    "phone": ("电话", "热线", "呼叫中心", "400热线", "客服热线", "call", "phone call", "telephone"),
    "email": ("邮件", "电子邮件", "邮箱", "e-mail", "mail"),
    "online": ("在线", "在线客服", "网页", "官网", "app", "app在线客服", "手机app", "小程序", "chat", "live chat", "web",
               "website", "online chat"),
    "social": ("社交媒体", "微博", "微信", "微信公众号", "公众号", "抖音", "social media", "wechat"),
    "store": ("门店", "柜台", "线下", "网点", "到店", "branch", "counter", "in store", "in-store", "in person"),
}
SEGMENTS = {"B2B": ("企业客户", "企业", "对公"), "B2C": ("个人客户", "个人", "零售")}
TIERS = {"high": ("高价值", "高"), "medium": ("中价值", "中"), "low": ("低价值", "低")}
JOURNEY_STAGES = {  # [001] five stages
    "awareness": ("认知",),
    "purchase": ("购买",),
    "use": ("使用",),
    "service": ("服务",),
    "loyalty": ("忠诚",),
}
SURVEY_MODES = {"online": ("在线", "网络"), "phone": ("电话",), "intercept": ("拦截", "现场拦截", "face-to-face")}
FAILURE_TYPES = {  # [000] four failure types
    "outcome": ("结果", "结果失误"),
    "process": ("流程", "流程失误", "过程失误"),
    "communication": ("沟通", "沟通失误"),
    "interpersonal": ("人际", "人际失误", "态度"),
}
SEVERITIES = {"minor": ("一般", "普通", "低"), "major": ("严重", "高"), "crisis": ("危机", "紧急")}
TICKET_STATUSES = {  # [001] five-step complaint process
    "registered": ("受理与登记", "受理", "登记"),
    "investigating": ("调查与分析", "调查", "分析"),
    "resolving": ("解决与处理", "解决", "处理"),
    "follow_up": ("反馈与跟进", "反馈", "跟进", "follow-up"),
    "improving": ("改进与预防", "改进", "预防"),
}
KANO_ANSWERS = {  # external: Kano et al. (1984) answer scale
    1: ("喜欢", "我喜欢", "like"),
    2: ("理应如此", "必须这样", "它理应如此", "must-be", "must be", "expect"),
    3: ("无所谓", "中立", "neutral"),
    4: ("能忍受", "可以忍受", "live-with", "live with", "tolerate"),
    5: ("不喜欢", "我不喜欢", "dislike"),
}
MODULES = {m: (m,) for m in ("M1", "M2", "M3", "M4", "M5", "M6", "X1", "X2", "X3", "X4")}
PHASES = {"pre": ("前测", "培训前"), "post": ("后测", "培训后"), "exercise": ("练习", "作业")}
NINEGRID = {  # [001] service nine-grid: cognitive, behavioural, emotional × 3
    "knowledge": "知识",
    "analysis": "分析",
    "innovation": "创新",
    "communication": "沟通",
    "process": "流程执行",
    "crisis": "危机应对",
    "emotion": "情绪控制",
    "empathy": "同理心",
    "teamwork": "团队协作",
}
# SERVQUAL dimensions with their item counts (external: Parasuraman, Zeithaml & Berry 1988, 22 items)
SERVQUAL_DIMENSIONS = {
    "tangibles": ("有形性", 4),
    "reliability": ("可靠性", 5),
    "responsiveness": ("响应性", 4),
    "assurance": ("保证性", 4),
    "empathy": ("移情性", 5),
}
DRIVER_FACTORS = {"product": "产品", "price": "价格", "channel": "渠道", "competitor": "竞争对手"}  # [003]


def _servqual_fields() -> list[Field]:
    fields = []
    for side, side_zh, side_doc in (("exp", "期望", "Expectation"), ("perc", "感知", "Perception")):
        for dim, (dim_zh, n_items) in SERVQUAL_DIMENSIONS.items():
            for i in range(1, n_items + 1):
                fields.append(
                    Field(
                        f"{side}_{dim}_{i}",
                        "int",
                        f"{side_zh}_{dim_zh}_{i}",
                        f"SERVQUAL {side_doc.lower()}, {dim} item {i} (1 = strongly disagree … 7 = strongly agree)",
                        min=1,
                        max=7,
                        aliases=(f"{side_zh}{dim_zh}{i}",),
                    )
                )
    return fields


SURVEY_RESPONSES = Schema(
    "survey_responses",
    "满意度调查",
    "One row per completed customer survey.",
    (
        Field("response_id", "id", "问卷编号", "Survey response identifier", required=True, aliases=("答卷编号", "序号", "ID")),
        Field("customer_id", "id", "客户编号", "Customer identifier (pseudonymised in reports)", pii=True, aliases=("客户ID", "会员号")),
        Field("submitted_at", "datetime", "提交时间", "When the survey was submitted", required=True, aliases=("提交日期", "填写时间", "日期", "date")),
        Field("mode", "label", "调查方式", "How the survey was collected", choices=SURVEY_MODES),
        Field("channel", "label", "服务渠道", "Channel of the service being rated", choices=CHANNELS, open=True, aliases=("渠道",), en="Channel"),
        Field("segment", "label", "客户类型", "Business or consumer customer", choices=SEGMENTS, aliases=("客户类别",), en="Segment"),
        Field("tier", "label", "价值等级", "Customer value tier", choices=TIERS, aliases=("客户等级", "value tier"), en="Value tier"),
        Field("region", "label", "地区", "Region", aliases=("区域",)),
        Field("journey_stage", "label", "旅程阶段", "Customer-journey stage [001]", choices=JOURNEY_STAGES, en="Journey stage"),
        Field("touchpoint", "label", "触点", "Touchpoint being rated"),
        Field("agent_id", "id", "服务人员", "Staff member who served the customer (a trainee id when trained)", aliases=("客服编号", "坐席", "agent")),
        Field("nps", "int", "推荐意愿", "Likelihood to recommend, 0–10 (NPS question)", min=0, max=10, aliases=("推荐值", "推荐分", "推荐可能性", "NPS", "净推荐值"), en="Likelihood to recommend (0–10)"),
        Field("csat", "int", "满意度", "Overall satisfaction, 1–5 (CSAT)", min=1, max=5, aliases=("满意度评分", "总体满意度", "CSAT"), en="Satisfaction (1–5)"),
        Field("ces", "int", "费力度", "Customer effort, 1–7, lower = easier [000]", min=1, max=7, aliases=("客户费力度", "努力度", "CES"), en="Effort (1–7, lower is easier)"),
        *_servqual_fields(),
        *[
            Field(f"f_{k}", "int", f"{v}因素", f"Four-factor driver rating: {k} (1–5) [003]", min=1, max=5,
                  en=k.capitalize())
            for k, v in DRIVER_FACTORS.items()
        ],
        Field("met_expectation", "bool", "是否符合期望", "Did the service meet expectations?", aliases=("符合期望",)),
        Field("comment", "text", "开放意见", "Free-text comment (Chinese or English)", aliases=("意见", "评论", "建议", "留言")),
        Field("duration_s", "int", "答题时长", "Seconds taken to answer", min=1, max=86400, aliases=("答题时长秒", "用时")),
        Field("weight", "float", "权重", "Survey weight (design or raking weight, kit.weights.rake); reports weight every estimate when present",
              min=0, aliases=("样本权重", "加权系数", "wt"), en="Weight"),
    ),
    key=("response_id",),
)

KANO_ANSWERS_SCHEMA = Schema(
    "kano_answers",
    "Kano问卷",
    "One row per respondent × feature: the functional (feature present) and dysfunctional (absent) answers.",
    (
        Field("response_id", "id", "问卷编号", "Respondent / questionnaire identifier", required=True, aliases=("答卷编号", "受访者")),
        Field("feature", "label", "功能", "Feature asked about", required=True, aliases=("功能点", "特性", "属性")),
        Field("functional", "int", "正向问题", "Answer if the feature is present: 1 like … 5 dislike (Kano scale, external)", required=True, min=1, max=5, choices=KANO_ANSWERS, aliases=("正向", "具备时")),
        Field("dysfunctional", "int", "反向问题", "Answer if the feature is absent: 1 like … 5 dislike", required=True, min=1, max=5, choices=KANO_ANSWERS, aliases=("反向", "不具备时")),
    ),
    key=("response_id", "feature"),
)

TICKETS = Schema(
    "tickets",
    "投诉工单",
    "One row per complaint or service ticket, with its timestamps and recovery outcome.",
    (
        Field("ticket_id", "id", "工单号", "Ticket identifier", required=True, aliases=("工单编号", "投诉编号")),
        Field("customer_id", "id", "客户编号", "Customer identifier (pseudonymised in reports)", pii=True, aliases=("客户ID",)),
        Field("customer_name", "label", "客户姓名", "Customer name (pseudonymised in reports)", pii=True, aliases=("姓名", "联系人")),
        Field("phone", "label", "联系电话", "Customer phone (pseudonymised in reports)", pii=True, aliases=("电话", "手机", "手机号", "手机号码", "客户手机号")),
        Field("email", "label", "邮箱", "Customer e-mail (pseudonymised in reports)", pii=True, aliases=("电子邮箱", "e-mail")),
        Field("channel", "label", "渠道", "Channel the complaint came in by", choices=CHANNELS, open=True, aliases=("投诉渠道", "来电渠道", "受理渠道")),
        Field("category", "label", "投诉类别", "Complaint category", aliases=("类别", "投诉类型")),
        Field("failure_type", "label", "失误类型", "Service-failure type [000]", choices=FAILURE_TYPES),
        Field("severity", "label", "严重等级", "Severity grade [001]", choices=SEVERITIES, open=True, aliases=("严重程度", "等级")),
        Field("received_at", "datetime", "受理时间", "When the complaint was received", required=True, aliases=("投诉时间", "创建时间")),
        Field("first_response_at", "datetime", "首次响应时间", "First reply to the customer", aliases=("首次回复时间", "响应时间")),
        Field("solution_at", "datetime", "方案时间", "Solution proposed"),
        Field("resolved_at", "datetime", "解决时间", "Problem fixed", aliases=("完成时间",)),
        Field("verified_at", "datetime", "回访时间", "Follow-up call / satisfaction check"),
        Field("status", "label", "处理阶段", "Stage in the five-step complaint process [001]", choices=TICKET_STATUSES, aliases=("状态",)),
        Field("root_cause", "label", "根本原因", "Root cause found", aliases=("原因",)),
        Field("recovery_action", "label", "补救措施", "Recovery action taken", aliases=("处理措施",)),
        Field("compensation", "float", "补偿金额", "Compensation paid, in yuan", min=0, aliases=("补偿", "赔偿金额")),
        Field("fcr", "bool", "首问解决", "Resolved at first contact", aliases=("首次解决",)),
        Field("post_csat", "int", "处理后满意度", "Satisfaction after recovery, 1–5", min=1, max=5, aliases=("回访满意度",)),
        Field("post_nps", "int", "处理后推荐意愿", "Likelihood to recommend after recovery, 0–10", min=0, max=10),
        Field("churned_90d", "bool", "90天流失", "Customer lost within 90 days", aliases=("是否流失",)),
        Field("complaint_text", "text", "投诉内容", "What the customer wrote or said", aliases=("内容", "描述", "问题描述", "投诉描述")),
    ),
    key=("ticket_id",),
    order=(
        ("received_at", "first_response_at"),
        ("first_response_at", "solution_at"),
        ("solution_at", "resolved_at"),
        ("resolved_at", "verified_at"),
    ),
)

TRANSCRIPTS = Schema(
    "transcripts",
    "沟通记录",
    "One row per turn of a service conversation.",
    (
        Field("session_id", "id", "会话编号", "Conversation identifier", required=True),
        Field("ticket_id", "id", "工单号", "Related ticket, if any"),
        Field("turn", "int", "轮次", "Turn number within the conversation", required=True, min=1),
        Field("speaker", "label", "说话人", "Who spoke", required=True, choices={"agent": ("客服", "坐席"), "customer": ("客户", "顾客"), "bot": ("机器人", "智能客服")}),
        Field("text", "text", "内容", "What was said (Chinese or English)", required=True, aliases=("发言", "文本")),
        Field("gold_step", "label", "步骤标注", "Expert tag of the model step (LEAF/HEAT/LESCANT/EARS/SPIN)"),
        Field("emotion", "int", "情绪", "Customer emotion, −2 (angry) … +2 (delighted)", min=-2, max=2),
    ),
    key=("session_id", "turn"),
)

TRAINEES = Schema(
    "trainees",
    "学员名册",
    "The trainee roster: one row per trainee.",
    (
        Field("trainee_id", "id", "学员编号", "Trainee identifier", required=True, aliases=("工号", "学号")),
        Field("name", "label", "姓名", "Trainee name", pii=True, aliases=("学员姓名",)),
        Field("dept", "label", "部门", "Department"),
        Field("role", "label", "岗位", "Role", choices={"agent": ("客服", "一线客服"), "manager": ("管理层", "主管", "经理"), "consultant": ("顾问", "咨询顾问")}),
        Field("cohort", "label", "培训批次", "Training cohort", required=True, aliases=("批次", "班级")),
        Field("mentor_id", "id", "导师", "Mentor's trainee or staff id", aliases=("导师编号",)),
        Field("level", "label", "服务等级", "Career level [001]", choices={"apprentice": ("学徒",), "skilled": ("能手",), "star": ("明星",), "master": ("大师",)}),
        Field("lang", "label", "授课语言", "Course language", choices={"zh": ("中文", "汉语", "chinese"), "en": ("英文", "英语", "english")}),
        Field("hours_ytd", "float", "年度学时", "Learning hours this year (target ≥ 80 [000])", min=0, max=2000),
        Field("trained_on", "date", "培训日期", "Date the cohort was trained"),
    ),
    key=("trainee_id",),
)

MARKS = Schema(
    "marks",
    "考核成绩",
    "One row per trainee × assessment item × attempt: tests before and after training and exercise marks.",
    (
        Field("trainee_id", "id", "学员编号", "Trainee identifier", required=True),
        Field("module", "label", "模块", "Course module (M1–M6, X1–X4)", choices=MODULES),
        Field("exercise_id", "label", "练习编号", "Test or exercise identifier", required=True, aliases=("考试编号",)),
        Field("item", "label", "题目", "Question / item within the exercise", required=True, aliases=("题号",)),
        Field("attempt", "int", "次数", "Attempt number", min=1),
        Field("score", "float", "得分", "Marks obtained", required=True, min=0, aliases=("分数", "成绩")),
        Field("max_score", "float", "满分", "Maximum marks for the item", required=True, min=0, aliases=("总分",)),
        Field("graded_by", "label", "评分方式", "Auto-graded or by the trainer", choices={"auto": ("自动",), "trainer": ("讲师", "人工")}),
        Field("phase", "label", "阶段", "Pre-test, post-test or exercise", required=True, choices=PHASES, aliases=("前测/后测",)),
    ),
    key=("trainee_id", "exercise_id", "item", "attempt", "phase"),
    order=(("score", "max_score"),),
)

REACTION = Schema(
    "reaction",
    "培训反应评估",
    "Kirkpatrick level 1: the trainees' reaction survey at course end.",
    (
        Field("trainee_id", "id", "学员编号", "Trainee identifier", required=True),
        Field("overall", "int", "总体满意度", "Overall satisfaction with the course, 1–5", required=True, min=1, max=5),
        Field("relevance", "int", "内容相关性", "Relevance to the job, 1–5", min=1, max=5),
        Field("trainer", "int", "讲师评价", "Rating of the trainer, 1–5", min=1, max=5),
        Field("pace", "label", "节奏", "Pace of the course", choices={"slow": ("慢", "太慢"), "right": ("合适", "适中"), "fast": ("快", "太快")}),
        Field("recommend", "int", "推荐意愿", "Would recommend the course, 0–10", min=0, max=10),
        Field("best", "text", "最有用", "What was most useful"),
        Field("improve", "text", "待改进", "What should improve"),
    ),
    key=("trainee_id",),
)

OBSERVATIONS = Schema(
    "observations",
    "行为观察",
    "Kirkpatrick level 3: on-the-job behaviour observed 30 and 90 days after training.",
    (
        Field("trainee_id", "id", "学员编号", "Trainee observed", required=True),
        Field("observer_id", "id", "观察人", "Who observed", required=True),
        Field("date", "date", "观察日期", "Date observed", required=True),
        Field("wave", "int", "观察时点", "Days after training: 30 or 90 [000]", required=True, choices={30: ("30天",), 90: ("90天",)}),
        Field("scenario", "label", "场景", "Scenario observed", choices={"hotel": ("酒店",), "bank": ("银行",), "ecommerce": ("电商",), "consulting": ("咨询",)}),
        Field(
            "item",
            "label",
            "行为项",
            "Behaviour checked [001]",
            required=True,
            choices={
                "three_rings": ("三声内接听",),
                "paraphrase": ("复述确认",),
                "specific_apology": ("具体致歉",),
                "time_commitment": ("时间承诺",),
            },
        ),
        Field("met", "bool", "是否达成", "Behaviour shown", required=True),
        Field("rating", "int", "评分", "Quality of the behaviour, 1–5", min=1, max=5),
    ),
    key=("trainee_id", "observer_id", "wave", "item"),
)

NINEGRID_SCHEMA = Schema(
    "ninegrid",
    "服务力九宫格",
    "Service nine-grid self-assessment [001]: nine abilities rated 1–5, before and after training.",
    (
        Field("trainee_id", "id", "学员编号", "Trainee identifier", required=True),
        Field("phase", "label", "阶段", "Before or after training", required=True, choices={"pre": PHASES["pre"], "post": PHASES["post"]}),
        *[Field(f"ng_{k}", "int", v, f"Nine-grid ability: {k} (1–5)", required=True, min=1, max=5) for k, v in NINEGRID.items()],
    ),
    key=("trainee_id", "phase"),
)

KPI_SNAPSHOTS = Schema(
    "kpi_snapshots",
    "KPI快照",
    "One row per period × team: the service KPIs of the [001]/[000] scorecards.",
    (
        Field("period", "period", "期间", "Month (2025-03) or quarter (2025Q1)", required=True, aliases=("月份", "统计期间", "季度")),
        Field("team", "label", "团队", "Team or service line", required=True, aliases=("部门", "小组")),
        Field("nps", "float", "NPS", "Net Promoter Score, −100…100", min=-100, max=100, aliases=("净推荐值",)),
        Field("csat_mean", "float", "满意度均值", "Mean CSAT, 1–5", min=1, max=5),
        Field("csat_t2b", "percent", "满意占比", "Share of CSAT 4–5, %"),
        Field("ces", "float", "费力度", "Mean customer effort, 1–7 (lower is better)", min=1, max=7),
        Field("fcr", "percent", "首问解决率", "First-contact resolution, %"),
        Field("resp_min", "float", "平均响应分钟", "Mean minutes to first reply", min=0, aliases=("响应时间",)),
        Field("resolve_h", "float", "平均解决小时", "Mean hours to resolution", min=0, aliases=("解决时间",)),
        Field("complaint_rate", "percent", "投诉率", "Complaints ÷ service volume, % (values below 1 % are normal, so never read as fractions)", fractions=False),
        Field("retention", "percent", "留存率", "Customer retention, %"),
        Field("churn", "percent", "流失率", "Customer churn, %"),
        Field("renewal", "percent", "续约率", "Contract renewal, %"),
        Field("promise_kept", "percent", "承诺兑现率", "Promises fulfilled, % [000]"),
        Field("deliverable_q", "float", "交付物质量", "Deliverable quality rating, 1–5", min=1, max=5),
        Field("sla24", "percent", "24小时达标率", "Complaints answered within 24 h, %"),
    ),
    key=("period", "team"),
)

SCHEMAS: dict[str, Schema] = {
    s.kind: s
    for s in (
        SURVEY_RESPONSES,
        KANO_ANSWERS_SCHEMA,
        TICKETS,
        TRANSCRIPTS,
        TRAINEES,
        MARKS,
        REACTION,
        OBSERVATIONS,
        NINEGRID_SCHEMA,
        KPI_SNAPSHOTS,
    )
}
KINDS = tuple(SCHEMAS)


def get_schema(kind: str) -> Schema:
    """The schema of ``kind``; a KitError lists the kinds when it is unknown."""
    from kit.errors import KitError

    if kind not in SCHEMAS:
        raise KitError("unknown_kind", kind=kind, kinds=", ".join(KINDS))
    return SCHEMAS[kind]
