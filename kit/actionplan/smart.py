"""SMART goals (SMART原则 [002]): :func:`parse_smart` reads a goal sentence into metric, baseline, target,
unit and deadline (:class:`SmartGoal`) and says which of the checkable parts (S, M, T) is missing; the sources'
own examples [001][002][004] parse.

The deadline reader here also serves :mod:`kit.actionplan.horizons`. Durations count a month as 30 days, a
quarter as 90 and a year as 365 (:data:`DAYS_PER`), so "3 个月" is 90 days and "半年" 180 days — the boundaries
of the horizons.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from kit.errors import KitError
from kit.i18n import get_lang, t

from .common import _check_lang, _Record

SMART_PARTS = ("S", "M", "A", "R", "T")
"""The five SMART letters [002]: specific, measurable, achievable, relevant, time-bound."""
SMART_CHECKED = ("S", "M", "T")
"""The parts a parser can check: a named metric (S), a number to reach (M), a deadline (T). Whether a goal is
achievable (A) and relevant (R) is for a person to judge, so they are never reported missing."""
UNITS = ("percent", "pp", "points", "hours", "minutes", "seconds", "days", "yuan", "times")
"""Unit codes of parsed goal values; display names under ``actionplan.units`` in the locale."""
DAYS_PER = {"day": 1, "week": 7, "month": 30, "quarter": 90, "year": 365}
_TIME_UNITS = {"seconds": 1 / 3600, "minutes": 1 / 60, "hours": 1.0, "days": 24.0}  # in hours


# --- dates and durations -------------------------------------------------------------------------------


def _today(today) -> dt.date:
    """``today`` as a date (a date, a datetime/Timestamp or an ISO text); None is the current date."""
    if today is None:
        return dt.date.today()
    if isinstance(today, dt.datetime):
        return today.date()
    if isinstance(today, dt.date):
        return today
    if isinstance(today, str):
        try:
            return dt.date.fromisoformat(unicodedata.normalize("NFKC", today).strip()[:10])
        except ValueError:
            pass
    raise KitError("actionplan_bad_today", value=repr(today))


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "零〇一二两三四五六七八九十百"


def _cn_number(text: str) -> int | None:
    """A Chinese numeral as an int: 三 → 3, 十二 → 12, 九十 → 90, 一百二十 → 120, 二〇二六 → 2026."""
    if not text or any(c not in _CN for c in text):
        return None
    if "十" not in text and "百" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, digit = 0, 0
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        else:
            total += (digit or 1) * (10 if c == "十" else 100)
            digit = 0
    return total + digit


_CN_NUMERAL_UNITS = re.compile(
    rf"(?P<n>[{_CN}]+)(?P<u>\s*(?:个半月|个月|个星期|个礼拜|星期|礼拜|周|天|年半|年|个季度|季度|个小时|小时|分钟"
    rf"|个百分点|百分点|月(?=\s*(?:底|末|初|前|内|\d|[{_CN}]+\s*[日号]))))")
_EN_NUMBERS = {w: i for i, w in enumerate(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                                            "nine", "ten", "eleven", "twelve"])}
_EN_NUMBERS.update({"a": 1, "an": 1, "fifteen": 15, "eighteen": 18, "twenty": 20, "thirty": 30, "forty": 40,
                    "forty-five": 45, "sixty": 60, "ninety": 90, "hundred": 100})


def _normalise(text: str) -> str:
    """NFKC (full-width ``７０％`` → ``70%``, ``～`` → ``~``), thousands separators dropped, Chinese and English
    number words before time units as digits (三个月 → 3个月, 两周 → 2周, 半年 → 6个月, three months → 3 months),
    百分之七十 → 70%."""
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", s)
    s = re.sub(r"(?<![上下])半年", "6个月", s)
    s = s.replace("半个月", "15天")
    s = re.sub(rf"百分之\s*([{_CN}]+|\d+(?:\.\d+)?)",
               lambda m: f"{_cn_number(m[1]) if _cn_number(m[1]) is not None else m[1]}%", s)

    def cn(m):
        n, unit = _cn_number(m["n"]), m["u"]
        if n is None:
            return m[0]
        if unit.strip() == "年半":
            return f"{12 * n + 6}个月"
        if unit.strip() == "个半月":
            return f"{30 * n + 15}天"
        return f"{n}{unit}"

    s = _CN_NUMERAL_UNITS.sub(cn, s)
    s = re.sub(rf"(?<=月)\s*([{_CN}]+)\s*(?=[日号])", lambda m: str(_cn_number(m[1])), s)
    s = re.sub(r"(?<![上下])(\d+)\s*年半", lambda m: f"{12 * int(m[1]) + 6}个月", s)
    s = re.sub(r"\bhalf\s+(?:a\s+)?year\b|\bhalf-year\b|\bsix-month\b", "6 months", s, flags=re.IGNORECASE)
    words = "|".join(sorted(map(re.escape, _EN_NUMBERS), key=len, reverse=True))
    return re.sub(rf"\b({words})[\s-]+(days?|weeks?|months?|quarters?|years?|hours?|minutes?)\b",
                  lambda m: f"{_EN_NUMBERS[m[1].lower()]} {m[2]}", s, flags=re.IGNORECASE)


_MONTHS = {name: i for i, names in enumerate(
    [(), ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")]) for name in names}
_MON = "(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?"
_EN_CUE = r"\b(?P<cue>by|before|until|till|no later than|not later than|on or before|due by|due)\s+(?:the\s+)?"
_ISO = r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
_ZH_AFTER = r"\s*(?P<post>之前|以前|前|为止|以内|之内|内)?"
_DAY_SUFFIX = r"(?:st|nd|rd|th)?"
# (kind, pattern): dates first, then durations; the first pattern to claim a stretch of text keeps it.
_DEADLINES = [
    ("iso", re.compile(rf"(?:{_EN_CUE})?(?<!\d){_ISO}(?!\d){_ZH_AFTER}", re.IGNORECASE)),
    ("ymd", re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*[日号]|(?P<end>底|末))"
                       + _ZH_AFTER)),
    ("ymd", re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?<!个)(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<post>之前|以前|前|以内|之内|内)")),
    ("ymd", re.compile(_EN_CUE + r"(?P<end>end)\s+of\s+" + _MON + r"(?:,?\s+(?P<y>\d{4}))?", re.IGNORECASE)),
    ("ymd", re.compile(_EN_CUE + _MON + rf"\s+(?P<d>\d{{1,2}}){_DAY_SUFFIX}\b(?:,?\s+(?P<y>\d{{4}}))?", re.IGNORECASE)),
    ("ymd", re.compile(_EN_CUE + rf"(?P<d>\d{{1,2}}){_DAY_SUFFIX}\s+(?:of\s+)?" + _MON + r"(?:,?\s+(?P<y>\d{4}))?",
                       re.IGNORECASE)),
    ("ymd", re.compile(_EN_CUE + _MON + r"(?:\s+(?P<y>\d{4}))?", re.IGNORECASE)),
    ("quarter", re.compile(_EN_CUE + r"(?:end\s+of\s+(?:the\s+)?)?Q(?P<q>[1-4])(?:\s+(?P<y>\d{4}))?", re.IGNORECASE)),
    ("quarter", re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?:第\s*)?(?:(?P<q>[1-4])\s*季度|Q(?P<q2>[1-4]))\s*(?:末|底)?"
                           + _ZH_AFTER)),
    ("year_end", re.compile(r"(?:(?P<y>\d{4})\s*年|(?P<rel>今年|本年度?|明年))\s*(?:年)?(?:底|末|内)" + _ZH_AFTER)),
    ("year_end", re.compile(r"(?<![上下\d\s个半])(?:年底|年末|年内)" + _ZH_AFTER)),
    ("year_end", re.compile(_EN_CUE + r"(?:end\s+of\s+(?:(?:the|this)\s+year|(?P<y>\d{4}))|year[-\s]?end)\b",
                            re.IGNORECASE)),
    ("month_end", re.compile(r"(?:(?:本月|这个月|当月)\s*(?:底|末|内)|(?<!\d)(?<!\d\s)月[底末])" + _ZH_AFTER)),
    ("month_end", re.compile(_EN_CUE + r"(?:end\s+of\s+(?:the|this)\s+month|month[-\s]?end)\b", re.IGNORECASE)),
    ("duration", re.compile(
        r"(?P<pre>(?:在|用|花|于|未来|接下来|今后|力争|争取)(?:的)?\s*)?(?<![到至\d.])(?P<n>\d+(?:\.\d+)?)"
        r"(?:\s*[~\-至到]\s*(?P<n2>\d+(?:\.\d+)?))?\s*(?P<u>个月|个星期|个礼拜|星期|礼拜|周|天|日|年|个季度)"
        r"\s*(?P<post>之内|以内|内|里|时间内)")),
    ("duration", re.compile(
        r"\b(?P<pre>within|in|over|during|inside)\s+(?:the\s+(?:next|coming|first)\s+)?(?P<n>\d+(?:\.\d+)?)"
        r"(?:\s*(?:-|~|to)\s*(?P<n2>\d+(?:\.\d+)?))?\s*(?P<u>days?|weeks?|months?|quarters?|years?)\b", re.IGNORECASE)),
]
_ZH_UNIT_DAYS = {"个月": "month", "个星期": "week", "个礼拜": "week", "星期": "week", "礼拜": "week", "周": "week",
                 "天": "day", "日": "day", "年": "year", "个季度": "quarter"}


@dataclass(frozen=True)
class _Deadline:
    start: int
    end: int
    text: str
    days: int | None = None
    date: dt.date | None = None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _resolve(kind: str, m: re.Match, today: dt.date) -> tuple[int | None, dt.date | None]:
    """(days, date) of one deadline match; a date without a year is the next one on or after ``today``."""
    g = {k: v for k, v in m.groupdict().items() if v is not None}
    if kind == "duration":
        unit = _ZH_UNIT_DAYS.get(g["u"]) or g["u"].lower().rstrip("s")
        return round(float(g.get("n2", g["n"])) * DAYS_PER[unit]), None
    if kind == "month_end":
        return None, _month_end(today.year, today.month)
    if kind == "year_end":
        year = int(g["y"]) if "y" in g else today.year + (g.get("rel") == "明年")
        return None, dt.date(year, 12, 31)
    if kind == "quarter":
        quarter = int(g.get("q") or g["q2"])
        year = int(g.get("y", today.year))
        end = _month_end(year, 3 * quarter)
        return None, (end if "y" in g or end >= today else _month_end(year + 1, 3 * quarter))
    month = int(g["m"]) if "m" in g else _MONTHS[g["mon"].lower().rstrip(".")]
    explicit = "y" in g
    year = int(g.get("y", today.year))
    cue = g.get("cue", "").lower()
    before_month = "d" not in g and "end" not in g and (g.get("post") in ("前", "之前", "以前") or cue == "before")

    def build(year):
        if before_month:  # 6月前 / before June: by the last day of May
            return dt.date(year, month, 1) - dt.timedelta(days=1)
        if "d" in g:
            return dt.date(year, month, int(g["d"]))
        return _month_end(year, month)

    try:
        date = build(year)
        if not explicit and date < today:
            date = build(year + 1)
    except ValueError:
        raise KitError("actionplan_bad_date", value=m[0].strip()) from None
    return None, date


def _deadlines(s: str, today: dt.date) -> list[_Deadline]:
    """Every deadline phrase in normalised text ``s``, in text order; a stretch claimed once is not read twice."""
    taken = [False] * len(s)
    found = []
    for kind, pattern in _DEADLINES:
        for m in pattern.finditer(s):
            if not m[0].strip() or any(taken[m.start():m.end()]):
                continue
            if kind == "duration" and (not (m["pre"] or m["post"])
                                       or re.search(r"(?:到|至|为|\bto)\s*$", s[:m.start()], re.IGNORECASE)):
                continue  # "缩短到 3 天内" is a value to reach, not a deadline
            days, date = _resolve(kind, m, today)
            found.append(_Deadline(m.start(), m.end(), m[0].strip(), days, date))
            taken[m.start():m.end()] = [True] * (m.end() - m.start())
    return sorted(found, key=lambda d: d.start)


# --- SMART goals ---------------------------------------------------------------------------------------

_UP = ["提升", "提高", "增加", "增长", "上升", "拉升", "增至", "升至", "raise", "increase", "lift", "boost", "grow",
       "rise", "climb", "up", "higher"]
_DOWN = ["降低", "下降", "减少", "缩短", "压缩", "缩减", "减至", "降至", "减低", "cut", "reduce", "lower", "decrease",
         "shorten", "drop", "fall", "decline", "down", "halve", "trim"]
_NEUTRAL = ["改善", "改进", "优化", "达到", "保持", "控制", "稳定", "improve", "bring", "get", "push", "drive", "move",
            "keep", "maintain", "hold", "reach", "achieve", "hit", "optimise", "optimize"]
_DIRECTION = {**{v: "up" for v in _UP}, **{v: "down" for v in _DOWN}, **{v: None for v in _NEUTRAL},
              "升": "up", "增": "up", "降": "down", "减": "down", "缩": "down"}


def _verb_alternation() -> str:
    latin = [v for v in _DIRECTION if v.isascii() and len(v) > 1]
    han = [v for v in _DIRECTION if not v.isascii() and len(v) > 1]
    return ("|".join(sorted(han, key=len, reverse=True)) + r"|[升降增减缩](?=\s*(?:到|至|了|为|\d|[+\-]))|"
            + r"\b(?:" + "|".join(sorted(latin, key=len, reverse=True)) + r")(?:s|es|d|ed|ing)?\b")


_VERB = re.compile(_verb_alternation(), re.IGNORECASE)
_UNIT_PATTERNS = [
    ("pp", r"个百分点|百分点|percentage\s+points?|pp\b"), ("percent", r"%|percent\b|per\s*cent\b"),
    ("minutes", r"分钟|minutes?\b|mins?\b"), ("hours", r"个小时|小时|钟头|hours?\b|hrs?\b|h\b"),
    ("seconds", r"秒钟|秒|seconds?\b|secs?\b|s\b"), ("days", r"个工作日|工作日|天|(?:working\s+|business\s+)?days?\b"),
    ("points", r"分(?!钟)|点|points?\b|pts?\b"), ("yuan", r"元|块钱|yuan\b|rmb\b"), ("times", r"次|times\b"),
]
_UNIT = "|".join(f"(?P<u_{code}>{p})" for code, p in _UNIT_PATTERNS)


def _num(tag: str) -> str:
    return (rf"(?P<{tag}c>¥|\$)?\s*(?P<{tag}>[+\-]?\d+(?:\.\d+)?)"
            rf"(?:\s*(?P<{tag}u>{_UNIT.replace('(?P<u_', f'(?P<{tag}_')}))?")


_FROM, _TO = r"(?:从|由|\bfrom\b)", r"(?:达到|到|至|为|成|\bto\b)"
_LIMIT = r"(?:(?:within|under|below|less\s+than|at\s+least|above)\s+)?"
_STRUCTURES = [
    ("from_to", re.compile(_FROM + r"\s*" + _num("a") + r"\s*(?P<verb>" + _VERB.pattern + r")?\s*" + _TO + r"\s*"
                           + _LIMIT + _num("b"), re.IGNORECASE)),
    ("from_by", re.compile(_FROM + r"\s*" + _num("a") + r"\s*(?:(?P<verb>" + _VERB.pattern + r")\s*了?|\bby\b)\s*"
                           + _num("b"), re.IGNORECASE)),
    ("to", re.compile(r"(?:达到|到|至|\bto\b|\breach(?:es|ing)?\b|\bhit\b|\bachieve\b)\s*" + _LIMIT + _num("b"),
                      re.IGNORECASE)),
    ("by", re.compile(r"\bby\s+" + _num("b"), re.IGNORECASE)),
    ("change", re.compile(r"(?P<verb>" + _VERB.pattern + r")\s*了?\s*" + _num("b"), re.IGNORECASE)),
    ("signed", re.compile(r"(?<![A-Za-z\d.])(?=[+\-]\d)" + _num("b"), re.IGNORECASE)),
    ("number", re.compile(r"(?<![A-Za-z\d.])" + _num("b"), re.IGNORECASE)),
]
_CLAUSE_BREAK = re.compile(r"[,;。!?\n、]|\band\b")
_ZH_LEAD = re.compile(r"^(?:.*?(?:把|将))|^(?:我们|我|团队|本组|全组|要|需要|争取|力争|在|的|并|且|同时|通过)+")
_ZH_TAIL = re.compile(r"(?:的|要|将|会|应|应该|需|需要|能|可以|得|再|持续|进一步|逐步|至少)+$")
_EN_LEAD = re.compile(r"^(?:(?:we|i|the\s+team|team|will|shall|must|should|to|and|our|my|the|a|an|its|their)\s+)+",
                      re.IGNORECASE)
_EN_TAIL = re.compile(r"(?:\s+(?:should|will|must|shall|would|can|needs?\s+to|has\s+to|is|are|to|of|by|from|for|the|at|in|on))+$",
                      re.IGNORECASE)


def _unit(m: re.Match, tag: str) -> str | None:
    if m.groupdict().get(f"{tag}c") == "¥":
        return "yuan"
    for code, _ in _UNIT_PATTERNS:
        if m.groupdict().get(f"{tag}_{code}"):
            return code
    return None


def _clean_metric(text: str) -> str | None:
    text = re.sub(r"\s+", " ", text).strip(" ,.;:'\"“”‘’()[]")
    for _ in range(3):
        text = _ZH_LEAD.sub("", text).strip()
        text = _ZH_TAIL.sub("", text).strip()
        text = _EN_LEAD.sub("", text).strip()
        text = _EN_TAIL.sub("", text).strip(" ,.;:'\"“”‘’()[]")
    return text if re.search(r"[\w\u4e00-\u9fff]", text) else None


def _clause(s: str, start: int, end: int) -> tuple[int, int]:
    """The clause of ``s`` around ``start``–``end``: between the nearest clause breaks (commas, 。, ``and`` …)."""
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(s, 0, start)), default=0)
    right = next((m.start() for m in _CLAUSE_BREAK.finditer(s, end)), len(s))
    return left, right


def _metric_and_verb(s: str, start: int, end: int) -> tuple[str | None, str | None]:
    """The metric named around the value stretch ``start``–``end`` and the verb of the goal (raise, 降低 …).

    The metric is the text between the verb and the values ("Raise **FCR** from …", "提高**满意度**到 …"), else
    the text before them ("把**准确率**从 …", "**NPS** 提升 8 分"), else after them ("达到 90% 的**首问解决率**")."""
    left, right = _clause(s, start, end)
    verbs = list(_VERB.finditer(s, left, right))
    inside = next((v for v in verbs if start <= v.start() < end), None)  # 从 70% 提升到 90%
    before = [v for v in verbs if v.end() <= start]
    if before:
        first = before[0]
        metric = _clean_metric(s[first.end():start]) or _clean_metric(s[left:first.start()])
    else:
        metric = _clean_metric(s[left:start])
    verb = inside or (before[0] if before else None)
    return metric or _clean_metric(s[end:right]), (verb[0].lower() if verb else None)


def _direction(verb: str | None) -> str | None:
    if verb is None:
        return None
    for word, direction in _DIRECTION.items():
        if verb == word or (word.isascii() and re.fullmatch(rf"{word}(?:s|es|d|ed|ing)?", verb)):
            return direction
    return None


def _in_unit(value: float, unit: str | None, to: str | None) -> float:
    """``value`` in ``unit`` converted to ``to`` when both are time units (30 minutes → 0.5 hours)."""
    if unit in _TIME_UNITS and to in _TIME_UNITS and unit != to:
        return value * _TIME_UNITS[unit] / _TIME_UNITS[to]
    return value


@dataclass(frozen=True, repr=False)
class SmartGoal(_Record):
    """A parsed SMART goal. ``target`` is the level to reach, or — when ``target_is_change`` (“NPS 提升 8 分”)
    — the signed change; ``change`` is the signed change whenever it is known. ``deadline_days`` counts from
    the reference date, ``deadline_date`` is the day it falls on, ``deadline_text`` the phrase as read (numerals as
    digits: 半年内 → 6个月内). ``missing`` lists the checkable SMART letters
    (S, M, T) the sentence lacks; ``score`` is the share of them present (0–1)."""

    metric: str | None
    direction: str | None
    baseline: float | None
    target: float | None
    target_is_change: bool
    change: float | None
    unit: str | None
    deadline_days: int | None
    deadline_date: dt.date | None
    missing: tuple[str, ...]
    is_smart: bool
    score: float
    deadline_text: str | None = field(default=None, repr=False)
    lang: str = field(default="en", repr=False)
    text: str = field(default="", repr=False)

    def explain(self, lang: str | None = None) -> list[str]:
        """One sentence per missing part, saying what to add, in ``lang``.

        >>> parse_smart("提高客户满意度", today="2026-03-01").explain("en")[0]
        'M (measurable): there is no number to reach — add a target such as "from 70% to 90%" or "+8 points".'
        """
        lang = _check_lang(lang) or get_lang()
        past = self.deadline_days is not None and self.deadline_days < 0
        return [t(f"actionplan.smart.missing.{'T_past' if part == 'T' and past else part}", lang)
                for part in self.missing]


def _empty_goal(text: str, lang: str) -> SmartGoal:
    return SmartGoal(metric=None, direction=None, baseline=None, target=None, target_is_change=False, change=None,
                     unit=None, deadline_days=None, deadline_date=None, missing=SMART_CHECKED, is_smart=False,
                     score=0.0, lang=lang, text=text)


def parse_smart(text: str, lang: str | None = None, today=None) -> SmartGoal:
    """Parse a SMART goal sentence (SMART原则 [002]) into metric, baseline, target, unit and deadline.

    Rule: a goal is SMART when it names a metric (S), gives a number to reach — a level or a change (M) —
    and a deadline that has not passed (T); A and R need a person's judgement (:data:`SMART_CHECKED`).
    Deadlines are durations ("3 个月内", "within 90 days"; a month counts 30 days) or dates ("2026年6月30日前",
    "6月底前", "by the end of June"; a date without a year is the next one from ``today``, default the current
    date). Full-width digits and signs (７０％), Chinese numerals of durations (三个月, 两周, 半年) and
    百分之七十 are read. ``lang`` is the sentence's language (detected from Chinese characters when None); of
    several deadlines the first counts in Chinese, the last in English.
    Examples from [001] and [002]:

    >>> parse_smart("每周练习，3 个月内把需求识别准确率从 70% 提升到 90%", today="2026-03-01")
    SmartGoal(metric='需求识别准确率', direction='up', baseline=70.0, target=90.0, target_is_change=False, change=20.0, unit='percent', deadline_days=90, deadline_date=datetime.date(2026, 5, 30), missing=(), is_smart=True, score=1.0)
    >>> goal = parse_smart("6 个月内 NPS 提升 8 分", today="2026-03-01")
    >>> goal.metric, goal.target, goal.target_is_change, goal.unit, goal.deadline_days
    ('NPS', 8.0, True, 'points', 180)
    >>> parse_smart("be more friendly").missing
    ('S', 'M', 'T')
    """
    if not isinstance(text, str):
        raise KitError("actionplan_bad_goal", value=repr(text)[:60])
    if not text.strip():
        raise KitError("actionplan_empty_goal")
    lang = _check_lang(lang) or ("zh" if re.search(r"[\u4e00-\u9fff]", text) else "en")
    today = _today(today)
    s = _normalise(text)

    deadlines = _deadlines(s, today)
    deadline = (deadlines[-1] if lang == "en" else deadlines[0]) if deadlines else None
    days, date = (deadline.days, deadline.date) if deadline else (None, None)
    if date is not None:
        days = (date - today).days
    elif days is not None:
        date = today + dt.timedelta(days=days)
    if deadline:  # blank the deadline out so its digits are not read as values
        s = s[:deadline.start] + " " * (deadline.end - deadline.start) + s[deadline.end:]

    baseline = target = change = unit = None
    is_change = False
    verb = metric = None
    for kind, pattern in _STRUCTURES:
        m = pattern.search(s)
        if m is None:
            continue
        b, b_unit = float(m["b"]), _unit(m, "b")
        metric, verb = _metric_and_verb(s, m.start(), m.end())
        if kind in ("from_to", "from_by"):
            baseline, a_unit = float(m["a"]), _unit(m, "a")
            unit = a_unit or b_unit
            b = _in_unit(b, b_unit, unit)
            if m["verb"]:
                verb = m["verb"].lower()
            if kind == "from_to":
                target, change = b, round(b - baseline, 9)
            else:
                change = -abs(b) if _direction(verb) == "down" else b
                target = round(baseline + change, 9)
        else:
            unit = b_unit
            if kind == "change" and m["verb"]:
                verb = m["verb"].lower()
            # "提高客户满意度 5 分" is a change; "保持在 95%" and "NPS 40 分" are levels
            level = kind == "to" or (kind == "number" and (_direction(verb) is None
                                                           or re.search(r"(?:[在为于]|\bat)\s*$", s[:m.start()])))
            if level:
                target = b
            else:
                is_change = True
                signed = m["b"].startswith(("+", "-"))
                change = target = -abs(b) if _direction(verb) == "down" and not signed else b
        break
    else:
        hits = list(_VERB.finditer(s))
        if hits:
            metric, verb = _metric_and_verb(s, hits[0].end(), hits[0].end())

    direction = _direction(verb)
    if baseline is not None and target is not None:
        direction = "up" if target > baseline else "down" if target < baseline else None
    elif is_change and change:
        direction = "up" if change > 0 else "down"
    missing = tuple(part for part, ok in (("S", metric is not None), ("M", target is not None),
                                          ("T", days is not None and days >= 0)) if not ok)
    return SmartGoal(metric=metric, direction=direction, baseline=baseline, target=target, target_is_change=is_change,
                     change=change, unit=unit, deadline_days=days, deadline_date=date, missing=missing,
                     is_smart=not missing, score=round(1 - len(missing) / len(SMART_CHECKED), 4),
                     deadline_text=deadline.text if deadline else None, lang=lang, text=text)
