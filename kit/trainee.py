"""One trainee against their cohort, for the per-trainee report: the cohort's statistics from
:mod:`kit.assessment`, read off for one ``trainee_id``.

Every function takes a :class:`kit.cohort.Cohort` (the trainee's cohort, :func:`kit.cohort.of_trainee`) and
returns None when the table it needs is absent or holds nothing for this trainee.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit import assessment
from kit.i18n import get_lang, t

MISSING = "—"


def profile(data, trainee_id: str, lang: str | None = None) -> dict:
    """Display values of the trainee's roster row: ``name``, ``role`` (label in ``lang``), ``dept``,
    ``cohort``, ``trained_on`` (ISO date), and ``n`` trainees in the cohort; a missing value is "—"."""
    from kit.plots import value_label

    row = data.trainees.set_index("trainee_id").loc[trainee_id]

    def shown(value):
        return MISSING if pd.isna(value) else value

    return {
        "trainee": trainee_id,
        "name": shown(row.get("name")),
        "role": MISSING if pd.isna(row.get("role")) else value_label("trainees", "role", row["role"], lang or get_lang()),
        "dept": shown(row.get("dept")),
        "cohort": shown(row.get("cohort")),
        "trained_on": MISSING if pd.isna(row.get("trained_on")) else f"{pd.Timestamp(row['trained_on']):%Y-%m-%d}",
        "n": len(data.trainees),
    }


def scores(data, trainee_id: str, pass_mark: float = assessment.PASS_MARK) -> pd.DataFrame | None:
    """Per assessment (module × exercise × phase, best attempt): the trainee's ``pct``, the cohort's ``median``
    and ``n``, and ``passed`` (pct ≥ 100 · ``pass_mark``). None without marks for the trainee."""
    if data.marks is None or not (data.marks["trainee_id"] == trainee_id).any():
        return None
    totals = assessment.totals(data.marks)
    keys = ["module", "exercise_id", "phase"]
    cohort = totals.groupby(keys, sort=False)["pct"].agg(median="median", n="count").reset_index()
    mine = totals.loc[totals["trainee_id"] == trainee_id, [*keys, "pct"]]
    table = cohort.merge(mine, on=keys, how="inner")
    table["passed"] = table["pct"] >= 100 * pass_mark
    return table.sort_values(keys, kind="stable").reset_index(drop=True)


def gains(data, trainee_id: str) -> pd.DataFrame | None:
    """Per module the trainee sat before and after: ``pre`` and ``post`` %, ``diff`` (points) and Hake's
    normalised gain ``g`` = (post − pre)/(100 − pre) (NaN at 100 % before; Hake 1998, external), plus the
    ``all`` row over those modules and the cohort's mean ``cohort_diff``. None without a paired test."""
    if data.marks is None:
        return None
    tests = assessment.test_scores(data.marks)
    pre, post = tests["pre"], tests["post"]
    if trainee_id not in pre.index or trainee_id not in post.index:
        return None
    table = pd.DataFrame({"pre": pre.loc[trainee_id], "post": post.loc[trainee_id]}).dropna()
    if table.empty:
        return None
    table["diff"] = table["post"] - table["pre"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["g"] = (table["diff"] / (100 - table["pre"])).where(table["pre"] < 100)
    table["cohort_diff"] = (post - pre).mean().reindex(table.index)
    return table.rename_axis("module")


def ninegrid_ratings(data, trainee_id: str) -> tuple[pd.Series, pd.Series] | None:
    """The trainee's nine-grid self-ratings ``(pre, post)`` (``ng_`` columns), None unless both are recorded."""
    grid = data.ninegrid
    if grid is None:
        return None
    rows = grid[grid["trainee_id"] == trainee_id]
    columns = [c for c in grid.columns if c.startswith("ng_")]
    phases = {p: rows.loc[rows["phase"] == p, columns] for p in ("pre", "post")}
    if any(p.empty or p.iloc[-1].isna().any() for p in phases.values()):
        return None
    return phases["pre"].iloc[-1], phases["post"].iloc[-1]


def behaviour(data, trainee_id: str) -> pd.DataFrame | None:
    """The trainee's observed behaviour items per wave (:func:`kit.assessment.behaviour`, first coding of
    double-coded visits); None without observations."""
    obs = data.observations
    if obs is None or not (obs["trainee_id"] == trainee_id).any():
        return None
    return assessment.behaviour(obs[obs["trainee_id"] == trainee_id])


def missed_at_latest(table: pd.DataFrame) -> list[str]:
    """Behaviour items not met at the latest observed wave of a :func:`behaviour` table."""
    latest = table[(table["wave"] == table["wave"].max()) & (table["item"] != "all")]
    return latest.loc[latest["share"] < 1, "item"].tolist()


def customers(data, trainee_id: str):
    """Kirkpatrick level 4 for one trainee: their customers' NPS and CSAT before vs after their training date
    (:func:`kit.assessment.results`); None when they served no surveyed customer."""
    survey = data.survey
    if survey is None or not (survey["agent_id"] == trainee_id).any():
        return None
    return assessment.results(survey[survey["agent_id"] == trainee_id], data.trainees[data.trainees["trainee_id"] == trainee_id])


def risk_row(data, trainee_id: str, pass_mark: float = assessment.PASS_MARK) -> pd.Series | None:
    """The trainee's row of :func:`kit.assessment.at_risk` (the rules tripped and the numbers behind them), or
    None when no rule fires."""
    risk = assessment.at_risk(data.trainees, data.marks, data.observations, data.ninegrid, pass_mark=pass_mark)
    row = risk[risk["trainee_id"] == trainee_id]
    return None if row.empty else row.iloc[0]


def follow_up(data, trainee_id: str, pass_mark: float = assessment.PASS_MARK, lang: str | None = None) -> list[str]:
    """The at-risk rules of :func:`kit.assessment.at_risk` the trainee trips, as display names in ``lang``
    (naming the modules whose post-test is missing)."""
    row = risk_row(data, trainee_id, pass_mark)
    if row is None:
        return []
    return assessment.reason_names(row["reasons"], row.get("missing_post", ""), lang or get_lang())


def overview(data, trainee_id: str, text, pass_mark: float = assessment.PASS_MARK, lang: str | None = None) -> pd.DataFrame:
    """The first screen of the trainee's report, one row per part that has data: assessments passed, the
    before/after test score, the weakest self-rated abilities, the behaviours met at the latest observation,
    the customers' NPS change and the follow-up; each with the cohort's figure beside it where there is one.
    Cells are plain text (the caller escapes them); wording from the report's ``overview_*`` texts."""
    from kit import formats
    from kit import ninegrid as nine

    lang = lang or get_lang()
    rows = []
    passed = scores(data, trainee_id, pass_mark)
    if passed is not None:
        rows.append(("scores", text["overview_passed"].format(passed=int(passed["passed"].sum()), taken=len(passed)), formats.MISSING))
    change = gains(data, trainee_id)
    if change is not None:
        everything = change.loc["all"]
        rows.append(("gain", text["overview_gain"].format(pre=formats.number(everything["pre"], ".0f"), post=formats.number(everything["post"], ".0f"),
                                                          diff=formats.number(everything["diff"], "+.0f")),
                     text["overview_points"].format(diff=formats.number(everything["cohort_diff"], "+.1f"))))
    ratings = ninegrid_ratings(data, trainee_id)
    if ratings is not None:
        rows.append(("ninegrid", listed((nine.ability_name(a, lang) for a in nine.assess(ratings[1]).weakest), lang), formats.MISSING))
    observed = behaviour(data, trainee_id)
    if observed is not None:
        latest = observed[(observed["wave"] == observed["wave"].max()) & (observed["item"] != "all")]
        cohort = assessment.behaviour(data.observations)
        share = cohort.loc[(cohort["wave"] == latest["wave"].iloc[0]) & (cohort["item"] == "all"), "share"]
        rows.append(("behaviour", text["overview_behaviour"].format(met=int((latest["share"] == 1).sum()), total=len(latest),
                                                                     wave=int(latest["wave"].iloc[0])),
                     text["overview_share"].format(share=formats.number(share.iloc[0], ".0%"))))
    served = customers(data, trainee_id)
    if served is not None and served.n_before and served.n_after:
        rows.append(("customers", formats.estimate(served.nps_diff, *served.nps_diff_ci, "+.0f", lang), formats.MISSING))
    reasons = follow_up(data, trainee_id, pass_mark, lang)
    rows.append(("followup", listed(reasons, lang) if reasons else text["overview_none"], formats.MISSING))
    frame = pd.DataFrame(rows, columns=["part", "you", "cohort"])
    frame["part"] = [text[f"overview_part_{p}"] for p in frame["part"]]
    return frame.rename(columns={c: text[f"overview_col_{c}"] for c in frame.columns})


def next_steps(data, trainee_id: str, text, today, pass_mark: float = assessment.PASS_MARK, lang: str | None = None) -> list[str]:
    """The trainee's next steps, most urgent first, each with its due date (``today`` + days): a missing
    post-test to sit (14 days), a resit below the pass mark (30), a SMART goal for the weakest ability (7),
    coaching on a behaviour not yet seen (30), then the weekly practice every trainee keeps up. Markdown
    sentences from the report's ``step_*`` texts."""
    import datetime as dt

    from kit import ninegrid as nine

    lang = lang or get_lang()
    due = lambda days: f"{today + dt.timedelta(days=days):%Y-%m-%d}"  # noqa: E731
    steps = []
    row = risk_row(data, trainee_id, pass_mark)
    if row is not None and row["no_post_test"]:
        steps.append(text.format("step_post_test", modules=listed(row["missing_post"].split(","), lang), due=due(14)))
    if row is not None and row["post_below_pass"]:
        steps.append(text.format("step_resit", due=due(30)))
    ratings = ninegrid_ratings(data, trainee_id)
    if ratings is not None:
        steps.append(text.format("step_goal", ability=nine.ability_name(nine.assess(ratings[1]).weakest[0], lang), due=due(7)))
    observed = behaviour(data, trainee_id)
    missed = missed_at_latest(observed) if observed is not None else []
    if missed:
        steps.append(text.format("step_behaviour", items=listed((assessment.behaviour_name(i, lang) for i in missed), lang), due=due(30)))
    steps += [text.format("step_practice", due=due(30)), text.format("step_review", due=due(30))]
    return steps


def listed(names, lang: str | None = None) -> str:
    """Display names joined by the language's list separator (、 in Chinese)."""
    return t("assessment.list_sep", lang).join(names)


def phase_labels(lang: str | None = None) -> tuple[str, str]:
    """Legend names of the after- and before-training lines of the trainee's nine-grid radar."""
    return t("trainee.after", lang), t("trainee.before", lang)


def gains_view(table: pd.DataFrame, lang: str | None = None):
    """A :func:`gains` table for reading: module, pre %, post %, gain (points), normalised gain, cohort gain."""
    from kit.formats import number
    from kit.tables import headed

    lang = lang or get_lang()
    view = table.reset_index()
    view["module"] = view["module"].replace({"all": t("trainee.all_modules", lang)})
    headers = {c: t(f"trainee.column.{c}", lang) for c in ("module", "pre", "post", "diff", "g", "cohort_diff")}
    spec = {"pre": ".0f", "post": ".0f", "diff": "+.0f", "g": ".2f", "cohort_diff": "+.1f"}
    return headed(view, headers, {c: (lambda x, f=f: number(x, f)) for c, f in spec.items()})


def _mark(share: float) -> str:
    return "✓" if share == 1 else "✗" if share == 0 else f"{share:.0%}"


def behaviour_view(table: pd.DataFrame, lang: str | None = None):
    """A :func:`behaviour` table for reading: one row per behaviour, met or not at each wave (✓ / ✗)."""
    from kit.tables import headed

    lang = lang or get_lang()
    met = table[table["item"] != "all"].pivot_table(index="item", columns="wave", values="share", sort=False)
    view = met.apply(lambda col: col.map(_mark, na_action="ignore")).reset_index()
    view["item"] = [assessment.behaviour_name(i, lang) for i in view["item"]]
    headers = {"item": t("trainee.column.behaviour", lang),
               **{w: t("trainee.column.wave", lang, wave=w) for w in met.columns}}
    return headed(view, headers)
