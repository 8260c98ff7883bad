"""Team capability and action planning (团队能力与行动计划, capstone X4): the checks behind the lesson, in the
order a trainee builds the plan.

1. Read your nine-grid and pick the focus areas — :mod:`.focus`: :func:`ninegrid_focus`, the k lowest of the
   nine-grid self-ratings [001], the areas the plan works on.
2. Write a SMART goal for each — :mod:`.smart`: :func:`parse_smart` reads the sentence (SMART原则 [002]) into
   metric, baseline, target, unit and deadline, and names the checkable part (S, M, T) it lacks.
3. Fill the 7-field template with a RACI matrix — :mod:`.template`: :data:`TEMPLATE_FIELDS` ([002]'s 行动计划模板),
   :func:`completeness` (how much of it is filled) and :func:`smart_quality` (how SMART its goal is), for the
   cohort report; :mod:`.raci`: :func:`check_raci`, exactly one A and at least one R per task (责任矩阵 [002]).
4. Place the actions on horizons — :mod:`.horizons`: :data:`HORIZONS` of [000] (30 d, 90 d, 180 d, long term)
   and [002] (90 d, 1 y, 3 y), :data:`HORIZON_CONTENT` (what belongs in each), :func:`horizon` and :func:`place`.

:mod:`.common` holds what the steps share, among it :func:`label`, the zh/en name of any code above. Only core
modules are imported (no pandas, numpy or matplotlib).

>>> ninegrid_focus({"knowledge": 4, "analysis": 3, "innovation": 2, "communication": 5, "process": 4,
...                 "crisis": 2, "emotion": 3, "empathy": 4, "teamwork": 5}).abilities
('innovation', 'crisis', 'analysis')
>>> goal = "3 个月内把危机处理满意度从 70% 提升到 85%"
>>> parse_smart(goal, today="2026-03-01").is_smart
True
>>> plan = {"目标": goal, "raci": {"危机演练": {"张三": "A/R", "李四": "C"}}, "steps": ["每月一次危机演练"]}
>>> completeness(plan).share, check_raci(plan["raci"]).ok
(0.4286, True)
>>> place({"危机演练": 20, "复盘机制": "3个月内"}, today="2026-03-01")
{'30d': ['危机演练'], '90d': ['复盘机制'], '180d': [], 'long': []}
"""

from .common import label
from .focus import ABILITIES, Focus, ninegrid_focus
from .horizons import BEYOND, HORIZON_CONTENT, HORIZONS, horizon, place
from .raci import RACI_ROLES, RaciCheck, RaciProblem, check_raci
from .smart import DAYS_PER, SMART_CHECKED, SMART_PARTS, UNITS, SmartGoal, parse_smart
from .template import (
    RESOURCE_KINDS,
    TEMPLATE_FIELDS,
    Completeness,
    completeness,
    plan_sections,
    smart_quality,
)

__all__ = [
    # 1. nine-grid → focus areas
    "ABILITIES", "Focus", "ninegrid_focus",
    # 2. SMART goal
    "SMART_PARTS", "SMART_CHECKED", "UNITS", "DAYS_PER", "SmartGoal", "parse_smart",
    # 3. the 7-field template and its RACI matrix
    "TEMPLATE_FIELDS", "RESOURCE_KINDS", "Completeness", "completeness", "plan_sections", "smart_quality",
    "RACI_ROLES", "RaciProblem", "RaciCheck", "check_raci",
    # 4. horizons
    "HORIZONS", "HORIZON_CONTENT", "BEYOND", "horizon", "place",
    # names of the codes above
    "label",
]
