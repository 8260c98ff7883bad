"""The action-plan template (行动计划模板 [002]): its 7 fields (:data:`TEMPLATE_FIELDS`), :func:`completeness`
— how many of them a trainee's plan fills — and :func:`smart_quality` — how SMART its goal is (by
:func:`kit.actionplan.smart.parse_smart`); both feed the cohort report. Fields are named by code or by their zh/en
label. :func:`plan_sections` reads a plan written in Markdown under headings (the capstone exercise's answer)
into such a mapping. The RACI matrix a plan holds is checked on its own, by :func:`kit.actionplan.raci.check_raci`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from kit.errors import KitError
from kit.i18n import LANGS, get_lang, t

from .common import _fold, _is_blank, _Record
from .smart import SmartGoal, _empty_goal, parse_smart

TEMPLATE_FIELDS = ("smart_goal", "raci", "steps", "resources", "milestones", "risks", "success_measures")
"""[002]'s 7-field action-plan template (行动计划模板): SMART goal, RACI matrix, steps, resources (people,
material, money, time), milestones, risks, success measures."""
RESOURCE_KINDS = ("people", "material", "money", "time")
"""The resources of [002]'s template: 人、物、财、时."""
_FIELD_ALIASES = {
    "smart_goal": ("goal", "smart", "smartgoal", "目标", "smart目标", "行动目标"),
    "raci": ("racimatrix", "责任矩阵", "responsibilitymatrix", "raci矩阵", "分工"),
    "steps": ("actions", "actionsteps", "步骤", "行动步骤", "实施步骤", "行动"),
    "resources": ("resource", "资源", "所需资源", "资源需求"),
    "milestones": ("milestone", "里程碑"),
    "risks": ("risk", "风险", "风险与对策", "风险应对"),
    "success_measures": ("successmeasure", "successmetrics", "measures", "成功标准", "成功衡量标准", "衡量标准",
                         "成功指标"),
}
_PLACEHOLDERS = {"无", "暂无", "待定", "待补充", "n/a", "na", "none", "tbd", "todo", "-", "—", "/", "?", "？"}


def _field_of() -> dict[str, str]:
    """Folded key → field code: the codes, their aliases and their zh and en labels."""
    lookup = {}
    for code in TEMPLATE_FIELDS:
        for name in (code, *_FIELD_ALIASES[code], *(t(f"actionplan.fields.{code}", lang) for lang in LANGS)):
            lookup[_fold(name)] = code
    return lookup


def _plan_fields(plan) -> tuple[dict[str, object], tuple[str, ...]]:
    """``({field code: value}, extra keys)``; two keys naming the same field are an error."""
    if not hasattr(plan, "items") or isinstance(plan, str):
        raise KitError("actionplan_bad_plan", value=type(plan).__name__)
    lookup, values, keys, extra = _field_of(), {}, {}, []
    for key, value in plan.items():
        code = lookup.get(_fold(key))
        if code is None:
            extra.append(str(key))
        elif code in values:
            raise KitError("actionplan_duplicate_field", field=code, keys=f"{keys[code]}, {key}")
        else:
            values[code], keys[code] = value, key
    return values, tuple(extra)


def _filled(value) -> bool:
    """Whether a template field holds something: not blank, not a placeholder (无, 待定, TBD …), and for a
    list, dict or table at least one filled entry."""
    if isinstance(value, str):
        return value.strip().casefold() not in _PLACEHOLDERS and bool(value.strip())
    if hasattr(value, "empty") and hasattr(value, "isna"):  # a DataFrame or Series
        return not value.empty and not bool(value.isna().to_numpy().all())
    if isinstance(value, Mapping):
        return any(_filled(v) for v in value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_filled(v) for v in value)
    return not _is_blank(value)


@dataclass(frozen=True, repr=False)
class Completeness(_Record):
    """How complete an action plan is: ``share`` of the 7 template fields filled (0–1), the ``filled`` and
    ``missing`` field codes (template order) and ``extra``: keys that are not template fields."""

    share: float
    filled: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...] = field(default=(), repr=False)


def completeness(plan) -> Completeness:
    """Share of [002]'s 7 template fields (:data:`TEMPLATE_FIELDS`) an action plan fills, and which are missing.

    ``plan`` is a dict (or a table row) keyed by field codes or their zh/en labels ("风险", "Milestones").
    A field counts as filled when it holds text other than a placeholder (无, 待定, TBD …), a number, or a
    list/dict/table with a filled entry.

    >>> completeness({"目标": "3 个月内把 FCR 从 72% 提升到 80%", "steps": ["每周复盘"], "风险": "待定", "raci": {}})
    Completeness(share=0.2857, filled=('smart_goal', 'steps'), missing=('raci', 'resources', 'milestones', 'risks', 'success_measures'))
    """
    values, extra = _plan_fields(plan)
    filled = tuple(code for code in TEMPLATE_FIELDS if code in values and _filled(values[code]))
    missing = tuple(code for code in TEMPLATE_FIELDS if code not in filled)
    return Completeness(share=round(len(filled) / len(TEMPLATE_FIELDS), 4), filled=filled, missing=missing,
                        extra=extra)


def smart_quality(plan, today=None) -> SmartGoal:
    """The :func:`parse_smart` result of a plan's SMART goal field; a plan without a goal gives a goal with
    every checkable part missing (score 0), so that each trainee gets a row in the cohort report.

    >>> smart_quality({"SMART 目标": "半年内市场份额提高 5%"}, today="2026-03-01").to_dict()["missing"]
    ''
    >>> smart_quality({"steps": "每周复盘"}).missing
    ('S', 'M', 'T')
    """
    values, _ = _plan_fields(plan)
    goal = values.get("smart_goal")
    if _is_blank(goal):
        return _empty_goal("", get_lang())
    return parse_smart(goal, today=today)


_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_BOLD = re.compile(r"^ {0,3}(\*\*|__)(.+?)\1[ \t]*[:：]?[ \t]*$")
_LABELLED = re.compile(r"^(?! {4}|\t)([^:：\-*+>|#\d\s][^:：]{0,24})[:：][ \t]*(\S.*)$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_NUMBERING = re.compile(r"^(?:\(?\d{1,2}[.、)）]|\d{1,2}\s|[一二三四五六七八九十]{1,2}[、.．]|第[一二三四五六七八九十\d]{1,2}[项步部分节]?[:：、.]?)\s*")
_NOT_CONTAINED = {"行动"}  # too common to name a field inside a longer heading ("行动计划" is the plan's title)
BODY_LEVEL = 7  # a bold line or a "Field: text" line: below every Markdown heading


def _heading_field(heading: str, lookup: dict[str, str], *, exact: bool = False) -> str | None:
    """The template field a heading names: exactly (a code, an alias, a zh/en label, after numbering such as
    "1." or "一、" and emphasis are dropped) or — unless ``exact`` — by holding the name of exactly one field
    ("Risks and responses", "时间表与里程碑")."""
    text = _NUMBERING.sub("", unicodedata.normalize("NFKC", heading).strip().strip("*_ ").rstrip(":： "))
    folded = _fold(text)
    if not folded:
        return None
    if folded in lookup or exact:
        return lookup.get(folded)
    found = {code for name, code in lookup.items() if name not in _NOT_CONTAINED and len(name) > 1 and name in folded}
    return found.pop() if len(found) == 1 else None


def plan_sections(markdown: str) -> dict[str, str]:
    """A plan written in Markdown, read into ``{field code: text}`` for :func:`completeness` and
    :func:`smart_quality`: each heading that names a template field (by code, alias or zh/en label, as
    :func:`completeness` reads keys; or by containing exactly one field's name, e.g. "Risks and responses") gets
    the text under it, up to the next heading that names a field or is of the same or a higher level. Headings are
    Markdown headings (``#`` … ``######``), a line in bold on its own naming a field, and a line ``Field: text``
    naming one exactly (its text is the section's first line). A Markdown heading that names no field is kept under its
    own text (``Completeness.extra``); a field written twice is joined; text before the first heading and
    headings inside code blocks are ignored.

    >>> plan = plan_sections("#### SMART 目标\\n3 个月内把首问解决率从 72% 提升到 80%\\n\\n"
    ...                      "#### 1. Risks and responses\\n旺季没时间练：改为每天 10 分钟\\n#### 里程碑\\n待定\\n#### 备注\\n—")
    >>> plan["smart_goal"], plan["risks"], list(plan)
    ('3 个月内把首问解决率从 72% 提升到 80%', '旺季没时间练：改为每天 10 分钟', ['smart_goal', 'risks', 'milestones', '备注'])
    >>> completeness(plan).filled
    ('smart_goal', 'risks')
    """
    if not isinstance(markdown, str):
        raise KitError("actionplan_bad_plan", value=type(markdown).__name__)
    lookup = _field_of()
    heads: list[tuple[int, int, str, str]] = []  # (line, level, key, text on the heading line)
    lines = markdown.splitlines()
    fenced = False
    for number, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        atx, bold, labelled = _ATX.match(line), _BOLD.match(line), _LABELLED.match(line)
        if atx:
            key = _heading_field(atx[2], lookup) or atx[2].strip().strip("*_ ").rstrip(":： ")
            if key:
                heads.append((number, len(atx[1]), key, ""))
        elif bold and (code := _heading_field(bold[2], lookup)):
            heads.append((number, BODY_LEVEL, code, ""))
        elif labelled and (code := _heading_field(labelled[1], lookup, exact=True)):
            heads.append((number, BODY_LEVEL, code, labelled[2]))
    sections: dict[str, str] = {}
    for i, (number, level, key, first) in enumerate(heads):
        end = next((n for n, lvl, k, _ in heads[i + 1:] if lvl <= level or k in TEMPLATE_FIELDS), len(lines))
        body = "\n".join([first, *lines[number + 1:end]]).strip()
        sections[key] = f"{sections[key]}\n\n{body}".strip() if key in sections else body
    return sections
