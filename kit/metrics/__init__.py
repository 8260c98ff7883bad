"""Customer-satisfaction metrics (满意度测量): NPS, CSAT and CES with intervals, by segment, over time,
against targets — weighted when the sample needs it.

Every estimate comes with its n, an interval and the name of the interval's method, and missing answers are
counted, never silently lost. Scores go through :func:`kit.scores.clean_scores`: lists, arrays or Series of
numbers or text such as ``"9分"``; missing values are excluded and counted (``n_missing``); values off the
scale raise a :class:`kit.errors.KitError` with the count and examples (``errors="coerce"`` drops them
with a warning). Survey weights (``weights=``) come from the sampling design or :func:`kit.weights.rake`.

Layers: :mod:`.estimates` (one sample, from a tally of counts and weights), :mod:`.segments` (per segment,
with a test against the rest), :mod:`.trends` (early warning over periods), :mod:`.planning` (sample
sizes), :mod:`.targets` (KPI targets and the scorecard).

Sources: [000] consulting course, [001] frontline service course, [002] strategy course; definitions no
source gives are labelled *external* with their reference (Reichheld 2003, Rocks 2016, Wilson 1927,
Agresti & Caffo 2000, Kish 1965, Woodruff 1971, Korn & Graubard 1998, Holm 1979, Wald 1943, Cochran 1977,
Student 1908). Targets live in ``course/config/targets.yml``, each tagged with its source.
"""

from .estimates import (
    NPS_BANDS,
    CESResult,
    CSATResult,
    NPSDiffResult,
    NPSResult,
    ces,
    csat,
    nps,
    nps_band,
    nps_diff,
    z_test,
)
from .planning import nps_sample_size, sample_size
from .segments import by_segment, metric_name
from .targets import (
    DIRECTIONS,
    PRESETS,
    STATUSES,
    choose_targets,
    kpi_targets,
    read_targets,
    scorecard,
    survey_kpis,
)
from .trends import period_trend, trend_alert

__all__ = [
    "NPS_BANDS", "DIRECTIONS", "STATUSES", "NPSResult", "NPSDiffResult", "CSATResult", "CESResult", "nps",
    "nps_diff", "csat", "ces", "nps_band", "z_test", "sample_size", "nps_sample_size", "by_segment",
    "metric_name", "period_trend", "trend_alert", "kpi_targets", "choose_targets", "read_targets", "PRESETS", "scorecard", "survey_kpis",
]
