"""Customer-satisfaction metrics (满意度测量): NPS, CSAT, CES and friends."""

from __future__ import annotations

NPS_BANDS = ("detractor", "passive", "promoter")
"""0–6 detractors, 7–8 passives, 9–10 promoters (Reichheld 2003, external; the same bands in seed [002])."""


def nps_band(scores):
    """Band of each 0–10 score: ``'detractor'`` (0–6), ``'passive'`` (7–8) or ``'promoter'`` (9–10).

    Vectorised over a Series/array; missing scores stay missing.

    >>> list(nps_band([0, 6, 7, 8, 9, 10]))
    ['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter']
    """
    import pandas as pd

    scores = pd.Series(scores, dtype="Float64")
    return pd.cut(scores, bins=[-0.5, 6.5, 8.5, 10.5], labels=list(NPS_BANDS))
