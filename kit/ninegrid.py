"""Service nine-grid self-assessment (服务力九宫格) of seed [001].

[001] rates nine service abilities from 1 to 5, three in each of three dimensions: cognitive 认知
(knowledge, analysis, innovation), behavioural 行为 (communication, process execution, crisis response)
and emotional 情感 (emotion control, empathy, teamwork). The self-rating profile shows where to train:
[001]'s action plan picks the three areas that most need work and sets a SMART goal for each. The
ability codes are those of :data:`kit.data.schemas.NINEGRID`; the ``ninegrid`` table stores them as
``ng_<code>`` columns, one row per trainee and phase (``pre``/``post``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit.data.schemas import NINEGRID
from kit.errors import KitError
from kit.i18n import get_lang, t
from kit.results import Result
from kit.scores import clean_frame, clean_scores

DIMENSIONS = ("cognitive", "behavioural", "emotional")
ABILITIES = tuple(NINEGRID)
"""The nine ability codes of :data:`kit.data.schemas.NINEGRID`, three per dimension in [001]'s order."""
LAYOUT = {dim: ABILITIES[3 * i : 3 * i + 3] for i, dim in enumerate(DIMENSIONS)}
"""The 3 × 3 grid of [001]: cognitive (knowledge, analysis, innovation), behavioural (communication,
process execution, crisis response), emotional (emotion control, empathy, teamwork)."""
DIMENSION_OF = {a: dim for dim, row in LAYOUT.items() for a in row}
SCALE = (1, 5)
PREFIX = "ng_"
DIMENSION_COLOURS = {"cognitive": "#30638e", "behavioural": "#00798c", "emotional": "#edae49"}


def ability_name(ability: str, lang: str | None = None) -> str:
    """Display name of an ability in ``lang``, in [001]'s wording.

    >>> ability_name("crisis", "zh"), ability_name("crisis", "en")
    ('危机应对', 'Crisis response')
    """
    return t(f"ninegrid.abilities.{ability}", lang)


def dimension_name(dimension: str, lang: str | None = None) -> str:
    """Display name of a dimension (cognitive, behavioural, emotional) in ``lang``.

    >>> dimension_name("emotional", "zh")
    '情感'
    """
    return t(f"ninegrid.dimensions.{dimension}", lang)


@dataclass(frozen=True, repr=False)
class Assessment(Result):
    """A scored nine-grid: ``mean`` of the nine ratings, the ``weakest`` abilities (lowest first),
    ``dimensions`` (mean per dimension) and ``scores`` (per ability, in grid order)."""

    mean: float
    weakest: tuple[str, ...]
    dimensions: pd.Series = field(repr=False)
    scores: pd.Series = field(repr=False)


def _ratings(ratings) -> pd.Series:
    """Ratings keyed by ability code (``knowledge`` or ``ng_knowledge``), in grid order, checked 1–5."""
    given = {str(k).removeprefix(PREFIX): v for k, v in dict(ratings).items()}
    missing = [a for a in ABILITIES if a not in given or pd.isna(given[a])]
    if missing:
        raise KitError("ninegrid_missing", missing=", ".join(missing), abilities=", ".join(ABILITIES))
    clean = clean_scores([given[a] for a in ABILITIES], *SCALE, name="nine-grid", whole=False)
    return pd.Series(clean.values, index=pd.Index(ABILITIES, name="ability"), name="score")


def assess(ratings: Mapping, weakest: int = 3) -> Assessment:
    """Score a nine-grid self-assessment [001]: dimension means and the abilities to work on.

    ``ratings`` maps each of the nine abilities (:data:`ABILITIES`, with or without the ``ng_`` prefix) to
    a rating on 1–5 — a dict, a Series or a row of the ``ninegrid`` table; cohort means are fine too.
    Each dimension's score is the mean of its three abilities. ``weakest`` abilities are returned lowest
    first; ties keep the grid's order (cognitive, behavioural, emotional), so the result is reproducible.

    >>> res = assess({"knowledge": 4, "analysis": 3, "innovation": 2, "communication": 5, "process": 4,
    ...               "crisis": 2, "emotion": 3, "empathy": 4, "teamwork": 5})
    >>> res
    Assessment(mean=3.556, weakest=('innovation', 'crisis', 'analysis'))
    >>> res.dimensions.round(2).to_dict()
    {'cognitive': 3.0, 'behavioural': 3.67, 'emotional': 4.0}
    """
    scores = _ratings(ratings)
    dimensions = scores.groupby(scores.index.map(DIMENSION_OF), sort=False).mean()
    dimensions.index.name = "dimension"
    order = scores.sort_values(kind="stable").index[:weakest]
    return Assessment(mean=float(scores.mean()), weakest=tuple(order), dimensions=dimensions, scores=scores)


def change(table: pd.DataFrame, trainee_id: str | None = None) -> pd.DataFrame:
    """Pre → post change per ability, for one trainee or (``trainee_id=None``) the cohort.

    ``table`` is a ``ninegrid`` table: ``trainee_id``, ``phase`` (``pre``/``post``) and the nine ``ng_``
    columns. Only trainees rated in both phases count. Returns one row per ability (grid order) with its
    ``dimension``, mean ``pre`` and ``post`` ratings, ``change`` = post − pre and ``n`` trainees.

    >>> grid = pd.DataFrame([{"trainee_id": "S1", "phase": p, **{f"ng_{a}": v for a in ABILITIES}}
    ...                      for p, v in (("pre", 2), ("post", 4))])
    >>> change(grid).loc["crisis"].to_dict()
    {'dimension': 'behavioural', 'pre': 2.0, 'post': 4.0, 'change': 2.0, 'n': 1}
    """
    columns = [PREFIX + a for a in ABILITIES]
    missing = [c for c in ("trainee_id", "phase", *columns) if c not in table.columns]
    if missing:
        raise KitError("model_columns_missing", columns=", ".join(missing),
                       available=", ".join(map(str, table.columns)))
    rows = table if trainee_id is None else table[table["trainee_id"] == trainee_id]
    values, _ = clean_frame(rows[columns], name="nine-grid", low=SCALE[0], high=SCALE[1], whole=True)
    values = values.set_axis(list(ABILITIES), axis=1)
    phase, ids = rows["phase"].astype(str).to_numpy(), rows["trainee_id"].to_numpy()
    means = {p: values[phase == p].groupby(ids[phase == p]).mean() for p in ("pre", "post")}
    pre, post = means["pre"].align(means["post"], join="inner", axis=0)
    paired = (pre.notna() & post.notna()).all(axis=1)
    if not paired.any():
        raise KitError("ninegrid_no_pairs", trainee=trainee_id or "—")
    pre, post = pre[paired].mean(), post[paired].mean()
    return pd.DataFrame({"dimension": [DIMENSION_OF[a] for a in ABILITIES], "pre": pre, "post": post,
                         "change": post - pre, "n": int(paired.sum())}, index=pd.Index(ABILITIES, name="ability"))


def radar(scores, *, compare=None, labels: tuple[str, str] | None = None, weakest: int = 3,
          lang: str | None = None, ax=None):
    """The nine abilities on a radar (polar) chart, the three dimensions as shaded sectors, the
    ``weakest`` abilities marked in red. ``scores`` and the optional ``compare`` (e.g. pre-training or
    the cohort mean, drawn grey) are anything :func:`assess` takes; ``labels`` names the two lines.
    Labels are in ``lang``. Returns the Axes.

    >>> ax = radar({a: 3 for a in ABILITIES}, lang="en")
    >>> ax.name, [label.get_text() for label in ax.get_xticklabels()][:2]
    ('polar', ['Expert knowledge', 'Problem analysis'])
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    lang = lang or get_lang()
    result = assess(scores, weakest=weakest)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.6, 5.6), subplot_kw={"projection": "polar"}, layout="constrained")
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    angles = np.linspace(0, 2 * np.pi, len(ABILITIES), endpoint=False)
    width = 2 * np.pi / len(ABILITIES)
    for dimension, colour in DIMENSION_COLOURS.items():
        inside = [i for i, a in enumerate(ABILITIES) if DIMENSION_OF[a] == dimension]
        ax.bar(angles[inside], SCALE[1], width=width, bottom=0, color=colour, alpha=0.12, edgecolor="none",
               label=dimension_name(dimension, lang))
    names = labels or (t("ninegrid.self", lang), t("ninegrid.compare", lang))
    closed = np.append(angles, angles[0])
    if compare is not None:
        other = _ratings(compare).to_numpy()
        ax.plot(closed, np.append(other, other[0]), color="#888888", lw=1.4, ls="--", label=names[1])
    values = result.scores.to_numpy()
    ax.plot(closed, np.append(values, values[0]), color="#30638e", marker="o", lw=2, label=names[0])
    ax.fill(closed, np.append(values, values[0]), color="#30638e", alpha=0.15)
    weak = [ABILITIES.index(a) for a in result.weakest]
    ax.scatter(angles[weak], values[weak], s=110, color="#d1495b", zorder=4,
               label=t("ninegrid.weakest", lang, k=len(weak)))
    ax.set_xticks(angles, [ability_name(a, lang) for a in ABILITIES])
    ax.set_ylim(0, SCALE[1])
    ax.set_yticks(range(1, SCALE[1] + 1))
    ax.set_rlabel_position(180 / len(ABILITIES))
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.12, 1.0), fontsize=8)
    ax.set_title(t("ninegrid.title", lang), pad=16)
    return ax
