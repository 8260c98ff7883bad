"""Question-text headers matched to kit columns by their wording, and label answers decoded to scores.

A platform export names a column by its question ("1、您向朋友或同事推荐我们的可能性有多大？", "How likely are you
to recommend …"). :data:`RULES` say which wording means which kit column; a header that is already a kit header
or alias (:meth:`kit.data.schemas.Schema.header_index`) is left to the schema. Label answers (非常满意 … 非常不满意,
"Extremely satisfied" …, "10 - Extremely likely") become scores by :data:`SCALES`; a multi-select answer
("电话┋门店", "Phone, WeChat") keeps its first channel; durations ("125秒", "3分50秒", "00:03:50") become seconds.
A CRM's 备注 (remarks) is the staff's note, not the customer's words: it is never read as a comment.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd

from kit.data.sources.common import PLACEHOLDERS, Adapted, distinct, fold, numbered, per_value

RULES = (  # (kit column, pattern on the folded header without its numbering, pattern it must not match)
    ("nps", r"推荐.*(朋友|同事|亲友|家人|他人|别人)|(朋友|同事|亲友).*推荐|^推荐(指数|度|意向)$|recommend",
     r"group|原因|为什么|why"),
    ("ces", r"费力|省力|effort|容易|轻松|\beasy\b|\bease\b", r"原因|why"),
    ("csat", r"满意|satisf", r"原因|为什么|why|reason|哪些|which|不满意的"),
    ("channel", r"渠道|途径|哪种方式|contact us|reach us|channel", r"other.*text|其他.*填写|distribution|来源"),
    ("comment", r"建议|意见|想说|留言|补充|comment|suggest|anything else|tell us|do better|share", r"备注"),
    ("submitted_at", r"^(提交答卷时间|提交时间|结束答题时间|end ?date|timestamp|时间戳)$|^(回访|调查|填写|提交|答卷|评价)(日期|时间)$",
     r""),
    ("duration_s", r"^(所用时间|答题时长|答题用时|用时|duration.*)$", r""),
    ("response_id", r"^(序号|编号|答卷编号|答卷序号|respondent ?id|response ?id)$", r""),
)
SCALES = {  # folded label → score; 5-point satisfaction in Chinese and English
    **dict.fromkeys(("非常满意", "很满意", "extremely satisfied", "very satisfied"), 5),
    **dict.fromkeys(("满意", "比较满意", "satisfied", "somewhat satisfied"), 4),
    **dict.fromkeys(("一般", "中立", "还行", "neither satisfied nor dissatisfied", "neutral"), 3),
    **dict.fromkeys(("不满意", "不太满意", "比较不满意", "dissatisfied", "somewhat dissatisfied"), 2),
    **dict.fromkeys(("非常不满意", "很不满意", "extremely dissatisfied", "very dissatisfied"), 1),
}
LEADING_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[-–—:：]\s*\D.*$")
"""A label that starts with its score: "10 - Extremely likely", "0 - Not at all likely" (a number with a unit,
"9分", is read by the schema's number parsing)."""
NUMBERED_OPTIONS = ("qualtrics", "surveymonkey")
"""Platforms whose "numeric values" export numbers options in the order they were listed, which may run from
the best answer down: the scores are taken as written, with a note."""
MULTI_SEPARATORS = re.compile(r"\s*(?:┋|\||；|;|,|，|、)\s*")
FILL_IN = re.compile(r"^\s*(其他|其它|other)\s*[〖【\[(（].*[〗】\])）]\s*$", re.IGNORECASE)
DURATION = re.compile(r"^\s*(?:(?P<h>\d+)\s*(?:小时|时|h))?\s*(?:(?P<m>\d+)\s*(?:分钟|分|min))?\s*"
                      r"(?:(?P<s>\d+(?:\.\d+)?)\s*(?:秒|s|sec))?\s*$")
EASE = re.compile(r"容易|轻松|\beasy\b|\bease\b")
"""An effort question worded as ease ("How easy was it …", "是否容易"): its answers run the other way from the kit's
CES (1–7, lower = easier)."""
CES_POINTS = 7
DECODED = ("nps", "csat", "ces", "duration_s", "channel", "comment")
"""Kit columns whose answers :func:`decode` reads."""
CLOCK = re.compile(r"^\s*(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{2})\s*$")


def match(adapted: Adapted) -> Adapted:
    """``adapted`` with every unclaimed question header matched by :data:`RULES` (first column wins per kit
    column) and the answers of every matched column decoded."""
    from kit.data.schemas import get_schema, normalise_header

    known = get_schema("survey_responses").header_index()
    fields = dict(adapted.fields)
    by_schema = {p: known[normalise_header(h)] for p, h in enumerate(adapted.headers)
                 if p not in fields and normalise_header(h) in known}
    taken = set(fields.values()) | set(by_schema.values())
    for position, header in enumerate(adapted.headers):
        if position in fields or position in by_schema:
            continue
        name = question_field(header)
        if name and name not in taken:
            fields[position] = name
            taken.add(name)
    table, decoded, headers = adapted.table.copy(), dict(adapted.decoded), list(adapted.headers)
    originals = dict(adapted.originals)
    notes = list(adapted.notes)
    for position, name in {**by_schema, **fields}.items():
        if name == "channel" and _codes_only(table[position]):  # 1, 2, "1,3": numbered options, names unknown
            fields.pop(position, None)
            notes.append(("channel_codes", {"column": headers[position]}))
            continue
        if name == "ces" and EASE.search(fold(headers[position])):
            reversed_, note = ease_to_effort(table[position], headers[position])
            notes.append(note)
            if reversed_ is None:  # the scale cannot be told from the answers: not read as CES
                fields.pop(position, None)
                continue
            originals.setdefault(position, table[position])
            table[position] = reversed_
            continue
        column, mapping = decode(table[position], name)
        if mapping:
            originals.setdefault(position, table[position])
            table[position], decoded[position] = column, mapping
        elif name in ("csat", "ces") and adapted.platform in NUMBERED_OPTIONS:
            notes.append(("numbered_scale", {"column": headers[position]}))
    return replace(adapted, table=table, headers=headers, fields=fields, decoded=decoded, originals=originals,
                   notes=notes)


def ease_to_effort(column: pd.Series, header: str) -> tuple[pd.Series | None, tuple[str, dict]]:
    """Answers to an ease question as the kit's effort score, 8 − answer, when they show a 7-point scale (some
    answer above 5); else None, since 1–5 could be a 5-point ease scale or part of a 7-point one. And the note
    that says which."""
    numbers = pd.to_numeric(distinct(column)[1], errors="coerce")
    if len(numbers) and numbers.notna().all() and numbers.between(1, CES_POINTS).all() and numbers.max() > 5:
        return per_value(column, lambda answers: (CES_POINTS + 1) - pd.to_numeric(answers)), \
            ("ease_reversed", {"column": header})
    return None, ("ease_unknown", {"column": header})


def question_field(header: str) -> str | None:
    """The kit column a question header asks for, by its wording; None when no rule fits."""
    text = fold(numbered(header))
    for name, wanted, unwanted in RULES:
        if re.search(wanted, text) and not (unwanted and re.search(unwanted, text)):
            return name
    return None


def decode(column: pd.Series, name: str) -> tuple[pd.Series, dict]:
    """Answers of kit column ``name`` as scores / seconds / one channel; and ``{answer: value}`` for every
    answer that changed (empty when none did)."""
    if name not in DECODED:
        return column, {}
    values = distinct(column)[1]
    if name in ("nps", "csat", "ces"):
        mapping = {v: score(v, name) for v in values if not _numeric(v) and score(v, name) is not None}
    elif name == "duration_s":
        mapping = {v: seconds(v) for v in values if not _numeric(v) and seconds(v) is not None}
    elif name == "channel":
        mapping = {v: first_choice(v) for v in values if first_choice(v) != v}
    else:  # a platform's "(空)" is no verbatim comment; in a score column it is a non-answer, counted apart
        mapping = {v: None for v in values if fold(v) in PLACEHOLDERS}
    if not mapping:
        return column, {}
    return per_value(column, lambda answers: answers.astype(object).map(lambda a: mapping.get(a, a))), mapping


def score(label, name: str = "csat") -> int | None:
    """The score of a label answer to kit column ``name``: a satisfaction label (:data:`SCALES`, CSAT only) or a
    label starting with its score."""
    text = fold(label)
    if name == "csat" and text in SCALES:
        return SCALES[text]
    found = LEADING_NUMBER.match(text)
    return int(found.group(1)) if found else None


def seconds(text) -> float | None:
    """A duration in seconds: "125秒", "3分50秒", "1小时2分", "00:03:50"; None when it is none of these."""
    found = DURATION.match(fold(text)) or CLOCK.match(fold(text))
    if not found or not any(found.groupdict().values()):
        return None
    parts = {k: float(v) if v else 0.0 for k, v in found.groupdict().items()}
    return parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def first_choice(answer):
    """The first option of a multi-select answer joined by ┋ / , / ; ("电话┋门店" → "电话"), without the text a
    respondent wrote into an "other" option ("其他〖小红书留言〗" → "其他", as 问卷星 writes it)."""
    parts = [p for p in MULTI_SEPARATORS.split(str(answer).strip()) if p]
    first = parts[0] if parts else str(answer)
    written = FILL_IN.match(first)
    return written.group(1) if written else first if len(parts) > 1 else answer


def _codes_only(column: pd.Series) -> bool:
    """Whether every answer is an option number or a list of them ("2", "1,3")."""
    values = distinct(column)[1].astype(str).str.strip()
    return bool(len(values)) and values.str.fullmatch(r"\d+(?:\s*[,;┋]\s*\d+)*").all()


def _numeric(value) -> bool:
    return isinstance(value, int | float) or bool(re.fullmatch(r"\s*-?\d+(?:\.\d+)?\s*", str(value)))

