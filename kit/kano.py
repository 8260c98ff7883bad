"""Kano classification (Kano 模型需求分类): functional × dysfunctional answers → A/O/M/I/R/Q, Better/Worse.

The seeds describe three need levels — basic 基本/基础, expected 期望 and delight 兴奋/惊喜 — and their
drift over time, delight → expected → basic ([000][002], see :data:`DRIFT`). The questionnaire, its
5 × 5 evaluation table and the Better/Worse coefficients are external (Kano, Seraku, Takahashi & Tsuji
1984; Berger et al. 1993).

Categories: ``A`` attractive 魅力型 (delight), ``O`` one-dimensional 期望型 (expected), ``M`` must-be
必备型 (basic), ``I`` indifferent 无差异型, ``R`` reverse 反向型, ``Q`` questionable 可疑.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit.data.schemas import KANO_ANSWERS
from kit.errors import KitError
from kit.results import Result
from kit.scores import EXAMPLES, ScoreWarning, fold_answer, parse_numbers
from kit.stats import holm, two_proportions, wilson, z_crit

CATEGORIES = ("A", "O", "M", "I", "R", "Q")
"""Kano categories in reporting order."""
TIE_ORDER = ("M", "O", "A", "I", "R", "Q")
"""Priority when two categories are equally frequent: must-be before one-dimensional before attractive
before indifferent (the rule M > O > A > I, external: Berger et al. 1993; Matzler & Hinterhuber 1998 —
the category that hurts most when neglected wins); reverse and questionable come last (kit's choice)."""
DRIFT = ("A", "O", "M")
"""Need drift over time: delight → expected → basic [002]."""
ANSWERS = ("like", "must-be", "neutral", "live-with", "dislike")
"""The five Kano answers, codes 1–5 (external: Kano et al. 1984)."""

TABLE = np.array(
    [
        # dysfunctional: like  must-be neutral live-with dislike
        ["Q", "A", "A", "A", "O"],  # functional: like
        ["R", "I", "I", "I", "M"],  # must-be
        ["R", "I", "I", "I", "M"],  # neutral
        ["R", "I", "I", "I", "M"],  # live-with
        ["R", "R", "R", "R", "Q"],  # dislike
    ],
    dtype=object,
)
"""The Kano evaluation table, functional answer (rows) × dysfunctional answer (columns), codes 1–5
(external: Kano et al. 1984; Berger et al. 1993)."""

_WORDING = {  # whole answers, besides schemas' labels: the English questionnaire (Berger et al. 1993, external)
    # and the wordings of common Chinese Kano questionnaires
    1: ("i like it", "i like it that way", "like it", "i like it very much", "i love it", "i enjoy it",
        "我很喜欢", "很喜欢", "非常喜欢", "我非常喜欢", "我喜欢这样", "喜欢这样", "我喜欢它"),
    2: ("i expect it", "it must be that way", "i expect it to be that way", "must", "it must be this way",
        "it should be that way", "i expect it that way",
        "理所当然", "理所当然的", "我认为理所当然", "应该的", "应该这样", "理当如此", "本应如此", "本该如此",
        "应当如此", "必须的", "它必须这样", "它应该这样"),
    3: ("i am neutral", "i'm neutral", "indifferent", "i don't care", "i do not care", "i am indifferent",
        "i'm indifferent", "it does not matter", "it doesn't matter",
        "都可以", "都行", "无所谓的", "我无所谓", "没感觉", "没有感觉", "无差别"),
    4: ("i can live with it", "i can tolerate it", "i can live with it that way", "i can accept it",
        "我能忍受", "我可以忍受", "忍受", "勉强接受", "能接受", "可以接受", "我能接受", "我可以接受"),
    5: ("i dislike it", "i dislike it that way", "i don't like it", "dislike it", "i do not like it",
        "i don't like it that way", "i do not like it that way", "i hate it",
        "很不喜欢", "我很不喜欢", "非常不喜欢", "不喜欢这样", "我不喜欢这样", "讨厌", "我讨厌", "不能接受", "无法接受",
        "不能忍受", "无法忍受", "我不能忍受"),
}
_EDGE = " .。!~,;、"  # after NFKC: trailing stops and marks ("我很喜欢。", "I like it!") are not part of the answer


def _keys(text: pd.Series) -> pd.Series:
    """Whole answers made comparable: :func:`kit.scores.fold_answer` (width, case, apostrophes, spacing),
    then outer punctuation stripped."""
    return fold_answer(text).str.strip(_EDGE)


_LOOKUP = {key: float(code) for source in (KANO_ANSWERS, _WORDING) for code, labels in source.items()
           for key in _keys(pd.Series(list(labels), dtype="string"))}


def category_name(category: str, lang: str | None = None) -> str:
    """Display name of a Kano category (``'M'`` → ``'必备型（基础需求）'`` in Chinese).

    >>> category_name("A", "en")
    'Attractive (delighter)'
    """
    from kit.i18n import t

    return t(f"models.kano.categories.{category}", lang)


def answer_codes(answers, *, name: str = "answers", errors: str = "raise") -> np.ndarray:
    """Kano answer codes 1–5 as floats (NaN = missing) from codes or labels, vectorised.

    Accepts 1–5 (numbers or text), the Chinese and English labels of :data:`kit.data.schemas.KANO_ANSWERS`
    (喜欢, 理应如此, 无所谓, 能忍受, 不喜欢 and variants), the wordings of common Chinese questionnaires
    (我很喜欢, 理所当然, 应该的, 都可以, 我能忍受, 勉强接受, 我不喜欢这样, 不能接受 …) and the standard English
    wording ("I like it", "It must be that way", "I am neutral", "I can live with it", "I dislike it" …).
    A whole answer is matched after normalisation (width, case, outer punctuation and spacing ignored), never
    a part of it, so 不喜欢 is not 喜欢 and 不能接受 is not 能接受. Anything else raises
    ``KitError('kano_unknown_answer')`` with the count and examples, or with ``errors="coerce"`` becomes NaN
    with a :class:`kit.scores.ScoreWarning`.

    >>> answer_codes(["我很喜欢", "理所当然", 3, "我能忍受", "不喜欢", "I dislike it.", None]).tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0, 5.0, nan]
    """
    if errors not in ("raise", "coerce"):
        raise ValueError("errors must be 'raise' or 'coerce'")
    if isinstance(answers, pd.Series):
        series = answers
    else:
        series = pd.Series([answers] if np.ndim(answers) == 0 else answers)
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        codes = series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(codes)
    else:  # text: normalise and look up each distinct answer once, then spread back
        position, distinct = pd.factorize(series, use_na_sentinel=True)
        text = pd.Series(distinct, dtype=object).astype("string").str.strip()
        labelled = _keys(text).map(_LOOKUP).astype("Float64").fillna(parse_numbers(text))
        distinct_codes = np.append(labelled.to_numpy(dtype=float, na_value=np.nan), np.nan)
        distinct_missing = np.append((text == "").to_numpy(dtype=bool, na_value=True), True)
        codes, missing = distinct_codes[position], distinct_missing[position]  # position -1 → the NaN slot
    invalid = ~missing & ~np.isin(codes, (1.0, 2.0, 3.0, 4.0, 5.0))
    if invalid.any():
        count = int(invalid.sum())
        examples = ", ".join(str(v) for v in pd.unique(series[invalid].astype(str))[:EXAMPLES])
        if errors == "raise":
            raise KitError("kano_unknown_answer", name=name, count=count, examples=examples)
        warnings.warn(f"{name}: dropped {count} answer(s) that are not Kano answers (e.g. {examples})",
                      ScoreWarning, stacklevel=3)
        codes = np.where(invalid, np.nan, codes)
    return codes


def classify(functional, dysfunctional, *, errors: str = "raise"):
    """Kano category of each (functional, dysfunctional) answer pair, from the 5 × 5 evaluation table.

    ============== ==== ======= ======= ========= =======
    functional ＼   like must-be neutral live-with dislike
    ============== ==== ======= ======= ========= =======
    like           Q    A       A       A         O
    must-be        R    I       I       I         M
    neutral        R    I       I       I         M
    live-with      R    I       I       I         M
    dislike        R    R       R       R         Q
    ============== ==== ======= ======= ========= =======

    (external: Kano et al. 1984; Berger et al. 1993). The functional question asks about the feature being
    present, the dysfunctional one about it being absent; answers are codes 1–5 (like, must-be, neutral,
    live-with, dislike) or their labels (see :func:`answer_codes`). Vectorised: codes index the table.

    A scalar pair gives a single category; a Series gives a Series with its index; otherwise an array.
    A pair with a missing answer gives NaN. Unknown answers raise ``KitError('kano_unknown_answer')``,
    or with ``errors="coerce"`` give NaN with a warning.

    >>> classify(1, 5), classify("喜欢", "无所谓"), classify("理应如此", "不喜欢")
    ('O', 'A', 'M')
    >>> classify([1, 5, 3, 1], [1, 1, 3, None]).tolist()
    ['Q', 'R', 'I', nan]
    """
    scalar = np.ndim(functional) == 0 and np.ndim(dysfunctional) == 0
    f = answer_codes(functional, name="functional", errors=errors)
    d = answer_codes(dysfunctional, name="dysfunctional", errors=errors)
    if len(f) != len(d) and 1 not in (len(f), len(d)):
        raise KitError("kano_length_mismatch", n_functional=len(f), n_dysfunctional=len(d))
    f, d = np.broadcast_arrays(f, d)
    ok = ~np.isnan(f) & ~np.isnan(d)
    categories = np.full(f.shape, np.nan, dtype=object)
    categories[ok] = TABLE[f[ok].astype(int) - 1, d[ok].astype(int) - 1]
    if scalar:
        return categories[0]
    index = next((x.index for x in (functional, dysfunctional) if isinstance(x, pd.Series)
                  and len(x) == len(categories)), None)
    if index is not None:
        return pd.Series(categories, index=index, name="category")
    return categories


@dataclass(frozen=True, repr=False)
class KanoSummary(Result):
    """Kano summary per feature.

    ``table``, indexed by feature (and ``by``): counts ``A``, ``O``, ``M``, ``I``, ``R``, ``Q``; ``n`` classified
    pairs; the modal ``category`` (ties: :data:`TIE_ORDER`) and its ``share`` of ``n``; ``better`` and
    ``worse`` (Berger et al. 1993) with their Wilson intervals ``better_ci_low`` … ``worse_ci_high``. ``n``
    classified answer pairs in all, ``n_missing`` rows left out for a missing answer or feature.
    ``to_frame()`` returns ``table``; ``labelled(lang)`` adds the category's display name.
    """

    n: int
    n_missing: int
    table: pd.DataFrame = field(repr=False)

    def labelled(self, lang: str | None = None) -> pd.DataFrame:
        """``table`` with a ``category_name`` column (魅力型（惊喜需求） …)."""
        table = self.table.copy()
        table["category_name"] = table["category"].map(
            {c: category_name(c, lang) for c in CATEGORIES}
        )
        return table


def summary(df: pd.DataFrame, feature: str = "feature", functional: str = "functional",
            dysfunctional: str = "dysfunctional", *, by: str | list[str] | None = None,
            ci: float = 0.95, errors: str = "raise") -> KanoSummary:
    """Kano category counts, category and Better/Worse coefficients per feature, with Wilson intervals.

    Each row of ``df`` is one respondent's answer pair for one feature (the ``kano_answers`` table). With
    the counts :math:`A, O, M, I` of the categories (external: Berger et al. 1993),

    .. math::

        \\text{Better} = \\frac{A + O}{A + O + M + I}, \\qquad
        \\text{Worse} = -\\frac{O + M}{A + O + M + I}

    Better (0…1) is how much satisfaction the feature adds when present, Worse (−1…0) how much
    dissatisfaction its absence causes. Both are proportions of the A + O + M + I respondents, so each gets
    the Wilson (1927, external) score interval at confidence ``ci`` (:func:`kit.stats.wilson`):
    ``better_ci_low``/``better_ci_high`` for (A + O) of A + O + M + I, and ``worse_ci_low``/``worse_ci_high``
    for (O + M) of A + O + M + I with Worse's sign (−high, −low), so low ≤ worse ≤ high ≤ 0.

    The feature's ``category`` is the most frequent one; ties are broken by :data:`TIE_ORDER`,
    M > O > A > I > R > Q (the rule M > O > A > I of Berger et al. 1993, external), and ``share`` is that
    category's share of the classified pairs. Features with no classified pair keep a row with ``n`` = 0 and
    NaN statistics. ``by`` (e.g. a survey wave) adds outer index levels, so :data:`DRIFT` (A → O → M [002])
    can be followed over time; :func:`compare` tests the difference between two groups.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"feature": ["sms_alert"] * 4 + ["home_pickup"] * 4,
    ...                    "functional": [1, 1, 3, 2, 1, 1, 1, 4],
    ...                    "dysfunctional": [3, 5, 5, 5, 3, 3, 5, 4]})
    >>> summary(df).table[["A", "O", "M", "I", "n", "category", "better", "worse"]]  # doctest: +NORMALIZE_WHITESPACE
                 A  O  M  I  n category  better  worse
    feature
    sms_alert    1  1  2  0  4        M    0.50  -0.75
    home_pickup  2  1  0  1  4        A    0.75  -0.25
    >>> summary(df).table[["better_ci_low", "better_ci_high", "worse_ci_low", "worse_ci_high"]].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
                 better_ci_low  better_ci_high  worse_ci_low  worse_ci_high
    feature
    sms_alert            0.150           0.850        -0.954         -0.301
    home_pickup          0.301           0.954        -0.699         -0.046
    """
    z = z_crit(ci)
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    needed = [*by, feature, functional, dysfunctional]
    missing_columns = [c for c in needed if c not in df.columns]
    if missing_columns:
        raise KitError("model_columns_missing", columns=", ".join(map(str, missing_columns)),
                       available=", ".join(map(str, df.columns)))
    categories = classify(df[functional], df[dysfunctional], errors=errors)
    keys = [*by, feature]
    key_frame = df[keys]
    usable = categories.notna() & key_frame.notna().all(axis=1)
    all_groups = pd.MultiIndex.from_frame(key_frame.dropna().drop_duplicates()) if by else \
        pd.Index(df[feature].dropna().unique(), name=feature)
    counts = pd.crosstab([key_frame[c][usable] for c in keys], categories[usable])
    counts = counts.reindex(index=all_groups, columns=list(CATEGORIES), fill_value=0)
    counts.columns.name = None
    counts.index.names = keys

    table = counts.astype(int)
    table["n"] = counts.sum(axis=1).astype(int)
    modal = counts[list(TIE_ORDER)].idxmax(axis=1)
    table["category"] = modal.where(table["n"] > 0)
    liked, lacking, core = _better_worse_counts(counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share"] = counts.max(axis=1) / table["n"].where(table["n"] > 0)
        table["better"] = liked / core.where(core > 0)
        table["worse"] = -lacking / core.where(core > 0)
    table["better_ci_low"], table["better_ci_high"] = wilson(liked, core, z)
    worse_low, worse_high = wilson(lacking, core, z)
    table["worse_ci_low"], table["worse_ci_high"] = -worse_high, -worse_low
    return KanoSummary(n=int(usable.sum()), n_missing=int((~usable).sum()), table=table)


def _better_worse_counts(counts: pd.DataFrame):
    """A + O (Better's numerator), O + M (Worse's, unsigned) and A + O + M + I (both denominators)."""
    return (counts["A"] + counts["O"], counts["O"] + counts["M"],
            counts["A"] + counts["O"] + counts["M"] + counts["I"])


@dataclass(frozen=True, repr=False)
class KanoComparison(Result):
    """Better and Worse of two groups of respondents, feature by feature (:func:`compare`).

    ``table``, indexed like the summaries: ``n_a``, ``n_b`` (A + O + M + I in each group), then for ``better``
    and for ``worse``: the two coefficients ``better_a``, ``better_b``, the difference ``better_diff`` = a − b
    with its Newcombe interval ``better_diff_ci_low``/``better_diff_ci_high``, the two-proportion z test's
    ``better_z`` (signed like the difference) and ``better_p``, and ``better_p_holm`` adjusted over the features (likewise ``worse_…``).
    ``n_features`` counts the features with answers in both groups (the tests Holm adjusts for), ``ci`` is
    the confidence level.
    """

    n_features: int
    ci: float
    table: pd.DataFrame = field(repr=False)


def compare(a, b, ci: float = 0.95) -> KanoComparison:
    """Difference in Better and in Worse between two independent groups of respondents, per feature.

    ``a`` and ``b`` are :func:`summary` results (or their tables) of two groups of different respondents —
    segments, channels, or two survey waves — over the same features; rows are matched by the index
    (feature, or ``by`` levels and feature) and a feature missing from one group counts as n = 0 there.
    For each coefficient, with x of n (Better: x = A + O; Worse: x = O + M, of n = A + O + M + I) and
    p = x/n in each group (all external):

    - difference p_a − p_b (for Worse, with its sign: worse_a − worse_b = −(p_a − p_b));
    - Newcombe's (1998, method 10, hybrid score) interval from the two Wilson intervals (l, u):
      (d − √((p_a − l_a)² + (u_b − p_b)²), d + √((u_a − p_a)² + (p_b − l_b)²)), = statsmodels'
      ``confint_proportions_2indep(method="newcomb")``;
    - pooled two-proportion z test: p̄ = (x_a + x_b)/(n_a + n_b), z = (p_a − p_b)/√(p̄(1 − p̄)(1/n_a + 1/n_b)),
      two-sided p = 2·(1 − Φ(|z|)), = statsmodels' ``proportions_ztest``; when p̄ is 0 or 1 the two groups
      agree exactly and p = 1 (kit's choice, as :func:`kit.metrics.nps_diff`);
    - Holm's (1979) step-down adjustment over the features with a p-value, one family for Better and one
      for Worse: the i-th smallest of m p-values times (m − i + 1), kept non-decreasing, capped at 1.

    A feature with n = 0 in either group gives NaN, and no p-value to adjust.

    >>> import pandas as pd
    >>> north = pd.DataFrame({"feature": ["sms_alert"] * 10,
    ...                       "functional": [1] * 7 + [3] * 3, "dysfunctional": [3] * 5 + [5] * 5})
    >>> south = pd.DataFrame({"feature": ["sms_alert"] * 10,
    ...                       "functional": [1] * 2 + [3] * 8, "dysfunctional": [3] * 2 + [5] * 8})
    >>> d = compare(summary(north), summary(south))
    >>> d
    KanoComparison(n_features=1, ci=0.95)
    >>> d.table.loc["sms_alert", ["better_a", "better_b", "better_diff", "better_diff_ci_low",
    ...                           "better_diff_ci_high", "better_p", "worse_diff", "worse_p"]].round(3)
    better_a               0.700
    better_b               0.200
    better_diff            0.500
    better_diff_ci_low     0.066
    better_diff_ci_high    0.740
    better_p               0.025
    worse_diff             0.300
    worse_p                0.160
    Name: sms_alert, dtype: float64
    """
    z_level = z_crit(ci)
    tables = [getattr(x, "table", x) for x in (a, b)]
    if tables[0].index.names != tables[1].index.names:
        raise KitError("kano_compare_levels", a=", ".join(map(str, tables[0].index.names)),
                       b=", ".join(map(str, tables[1].index.names)))
    index = tables[0].index.union(tables[1].index, sort=False)
    (liked_a, lacking_a, n_a), (liked_b, lacking_b, n_b) = (
        _better_worse_counts(t.reindex(index)[["A", "O", "M", "I"]].fillna(0)) for t in tables)
    out = pd.DataFrame({"n_a": n_a.astype(int), "n_b": n_b.astype(int)}, index=index)
    for name, x_a, x_b, sign in (("better", liked_a, liked_b, 1), ("worse", lacking_a, lacking_b, -1)):
        p_a, p_b, diff, low, high, z, p = two_proportions(x_a.to_numpy(float), n_a.to_numpy(float),
                                                           x_b.to_numpy(float), n_b.to_numpy(float), z_level)
        out[f"{name}_a"], out[f"{name}_b"], out[f"{name}_diff"] = sign * p_a, sign * p_b, sign * diff
        out[f"{name}_diff_ci_low"], out[f"{name}_diff_ci_high"] = (low, high) if sign > 0 else (-high, -low)
        out[f"{name}_z"], out[f"{name}_p"] = sign * z, p
        out[f"{name}_p_holm"] = holm(p)
    return KanoComparison(n_features=int(((n_a > 0) & (n_b > 0)).sum()), ci=float(ci), table=out)
