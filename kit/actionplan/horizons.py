"""Planning horizons: :data:`HORIZONS` of [000] (30 d, 90 d, 180 d, long term) and [002] (90 d, 1 y, 3 y),
:data:`HORIZON_CONTENT` (what belongs in each); :func:`horizon` names the horizon of a due day and :func:`place`
sorts a plan's actions into them. Due dates given as text ("3个月内", "by the end of June") are read by the
deadline reader of :mod:`kit.actionplan.smart` (a month is 30 days).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re

from kit.errors import KitError

from .common import _is_blank
from .smart import _deadlines, _normalise, _today

HORIZONS = {
    "000": {"30d": 30, "90d": 90, "180d": 180, "long": None},
    "002": {"90d": 90, "1y": 365, "3y": 3 * 365},
}
"""Planning horizons per source: code → last day it covers (inclusive; None: open-ended). [000]: 30 d, 90 d,
180 d, long term; [002]: 90 d, 1 y, 3 y — an action due after 3 years is ``"beyond"`` [002]'s plan."""
HORIZON_CONTENT = {
    "000": {"30d": ("baseline", "urgent_pains", "contact_rhythm", "awareness_training"),
            "90d": ("feedback_system", "standards_docs", "qc_checkpoints", "skills_training"),
            "180d": ("end_to_end", "crm", "dashboard", "incentives"),
            "long": ("culture", "leadership", "knowledge_mgmt", "brand")},
    "002": {"90d": ("feedback_system", "quick_fixes", "training"),
            "1y": ("standardise", "digital", "capability"),
            "3y": ("culture", "new_models", "data")},
}
"""What belongs in each horizon, per source ([000] 30 d: baseline, urgent pains, contact rhythm, awareness
training …; [002] 90 d: feedback system, quick fixes, training …); names via ``label("content", code)``."""
BEYOND = "beyond"


def _scheme(scheme) -> dict:
    scheme = str(scheme).strip("[] ")
    if scheme not in HORIZONS:
        raise KitError("actionplan_bad_scheme", value=scheme, schemes=", ".join(HORIZONS))
    return HORIZONS[scheme]


def _days(days, action=None) -> float:
    if isinstance(days, bool) or not isinstance(days, numbers.Real) or math.isnan(days) or days < 0:
        raise KitError("actionplan_bad_days", value=repr(days), action=action or "—")
    return float(days)


def horizon(days, scheme: str = "000") -> str:
    """The horizon an action due in ``days`` falls into: the first whose last day is ≥ ``days`` (boundaries
    inclusive, so 30 → ``"30d"``, 31 → ``"90d"``). [000]: 30d, 90d, 180d, long; [002]: 90d, 1y (365 days),
    3y (1,095 days), then ``"beyond"``.

    >>> horizon(30), horizon(31), horizon(200), horizon(200, scheme="002"), horizon(1200, "002")
    ('30d', '90d', 'long', '1y', 'beyond')
    """
    days = _days(days)
    for code, last in _scheme(scheme).items():
        if last is None or days <= last:
            return code
    return BEYOND


def _due_days(when, today: dt.date, action) -> float:
    """Days until ``when``: a number of days, a date, or a text ("2026-06-30", "3个月内", "by the end of June")."""
    if isinstance(when, dt.datetime):
        when = when.date()
    if isinstance(when, dt.date):
        return float((when - today).days)
    if isinstance(when, str):
        s = _normalise(when).strip()
        if re.fullmatch(r"\d+(?:\.\d+)?", s):
            return float(s)
        found = _deadlines(s, today) or _deadlines(f"在{s}内", today)
        if found:
            return float(found[0].days if found[0].date is None else (found[0].date - today).days)
        raise KitError("actionplan_bad_when", value=when, action=action)
    if isinstance(when, numbers.Real) and not isinstance(when, bool) and not _is_blank(when):
        return _days(when, action)
    raise KitError("actionplan_bad_when", value=repr(when), action=action)


def place(actions, scheme: str = "000", today=None) -> dict[str, list]:
    """Sort actions into the horizons of ``scheme`` ([000] or [002]): ``actions`` maps each action to when
    it is due — a number of days, a date, or a text such as "2026-06-30", "3个月内", "within 90 days" — or is a
    list of (action, due) pairs. Returns ``{horizon: [actions]}`` for every horizon in order (empty ones too);
    dates count from ``today`` (default the current date).

    >>> place({"建立基线": 20, "上线 CRM": "半年内", "服务文化": "2027-12-31"}, today="2026-03-01")
    {'30d': ['建立基线'], '90d': [], '180d': ['上线 CRM'], 'long': ['服务文化']}
    """
    bounds = _scheme(scheme)
    today = _today(today)
    try:
        pairs = list(actions.items()) if hasattr(actions, "items") else list(actions)
    except TypeError:
        raise KitError("actionplan_bad_actions", value=repr(actions)[:60]) from None
    names = []
    out = {code: [] for code in bounds} | ({BEYOND: []} if None not in bounds.values() else {})
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise KitError("actionplan_bad_actions", value=repr(pair)[:60])
        action, when = pair
        if action in names:
            raise KitError("actionplan_duplicate_action", action=action)
        names.append(action)
        out[horizon(_due_days(when, today, action), scheme)].append(action)
    return out
