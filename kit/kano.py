"""Kano classification (Kano 模型需求分类): functional × dysfunctional answers → A/O/M/I/R/Q, Better/Worse.

The seeds describe three need levels — basic 基本/基础, expected 期望 and delight 兴奋/惊喜 — and their
drift over time, delight → expected → basic ([000][002], see :data:`DRIFT`). The questionnaire, its
5 × 5 evaluation table and the Better/Worse coefficients are external (Kano, Seraku, Takahashi & Tsuji
1984; Berger et al. 1993).

Categories: ``A`` attractive 魅力型 (delight), ``O`` one-dimensional 期望型 (expected), ``M`` must-be
必备型 (basic), ``I`` indifferent 无差异型, ``R`` reverse 反向型, ``Q`` questionable 可疑.
"""

from __future__ import annotations

import unicodedata
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit.errors import KitError
from kit.results import Result
from kit.schemas import KANO_ANSWERS
from kit.scores import EXAMPLES, ScoreWarning, parse_numbers

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

_WORDING = {  # the standard English questionnaire wording (Berger et al. 1993), besides schemas' labels
    1: ("i like it", "i like it that way", "like it"),
    2: ("i expect it", "it must be that way", "i expect it to be that way", "must"),
    3: ("i am neutral", "i'm neutral", "indifferent", "i don't care"),
    4: ("i can live with it", "i can tolerate it", "i can live with it that way"),
    5: ("i dislike it", "i dislike it that way", "i don't like it", "dislike it"),
}


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


_LOOKUP = {_key(label): float(code) for source in (KANO_ANSWERS, _WORDING)
           for code, labels in source.items() for label in labels}


def category_name(category: str, lang: str | None = None) -> str:
    """Display name of a Kano category (``'M'`` → ``'必备型（基本需求）'`` in Chinese).

    >>> category_name("A", "en")
    'Attractive (delighter)'
    """
    from kit.i18n import t

    return t(f"models.kano.categories.{category}", lang)


def answer_codes(answers, *, name: str = "answers", errors: str = "raise") -> np.ndarray:
    """Kano answer codes 1–5 as floats (NaN = missing) from codes or labels, vectorised.

    Accepts 1–5 (numbers or text), the Chinese and English labels of :data:`kit.schemas.KANO_ANSWERS`
    (喜欢, 理应如此, 无所谓, 能忍受, 不喜欢 and variants) and the standard English wording ("I like it",
    "I can live with it" …), case- and width-insensitive. Anything else raises
    ``KitError('kano_unknown_answer')`` with the count and examples, or with ``errors="coerce"`` becomes NaN
    with a :class:`kit.scores.ScoreWarning`.

    >>> answer_codes(["喜欢", "must-be", 3, "能忍受", "I dislike it", None]).tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0, nan]
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
        keys = text.str.normalize("NFKC").str.casefold().str.split().str.join(" ")
        labelled = keys.map(_LOOKUP).astype("Float64").fillna(parse_numbers(text))
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
    ``worse`` (Berger et al. 1993). ``n`` classified answer pairs in all, ``n_missing`` rows left out for a
    missing answer or feature. ``to_frame()`` returns ``table``; ``labelled(lang)`` adds the category's
    display name.
    """

    n: int
    n_missing: int
    table: pd.DataFrame = field(repr=False)

    def labelled(self, lang: str | None = None) -> pd.DataFrame:
        """``table`` with a ``category_name`` column (魅力型（兴奋需求） …)."""
        table = self.table.copy()
        table["category_name"] = table["category"].map(
            {c: category_name(c, lang) for c in CATEGORIES}
        )
        return table


def summary(df: pd.DataFrame, feature: str = "feature", functional: str = "functional",
            dysfunctional: str = "dysfunctional", *, by: str | list[str] | None = None,
            errors: str = "raise") -> KanoSummary:
    """Kano category counts, category and Better/Worse coefficients per feature.

    Each row of ``df`` is one respondent's answer pair for one feature (the ``kano_answers`` table). With
    the counts :math:`A, O, M, I` of the categories (external: Berger et al. 1993),

    .. math::

        \\text{Better} = \\frac{A + O}{A + O + M + I}, \\qquad
        \\text{Worse} = -\\frac{O + M}{A + O + M + I}

    Better (0…1) is how much satisfaction the feature adds when present, Worse (−1…0) how much
    dissatisfaction its absence causes. The feature's ``category`` is the most frequent one; ties are broken
    by :data:`TIE_ORDER`, M > O > A > I > R > Q (the rule M > O > A > I of Berger et al. 1993, external),
    and ``share`` is that category's share of the classified pairs. Features with no classified pair keep
    a row with ``n`` = 0 and NaN statistics. ``by`` (e.g. a survey wave) adds outer index levels, so
    :data:`DRIFT` (A → O → M [002]) can be followed over time.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"feature": ["sms_alert"] * 4 + ["home_pickup"] * 4,
    ...                    "functional": [1, 1, 3, 2, 1, 1, 1, 4],
    ...                    "dysfunctional": [3, 5, 5, 5, 3, 3, 5, 4]})
    >>> summary(df).table[["A", "O", "M", "I", "n", "category", "better", "worse"]]  # doctest: +NORMALIZE_WHITESPACE
                 A  O  M  I  n category  better  worse
    feature
    sms_alert    1  1  2  0  4        M    0.50  -0.75
    home_pickup  2  1  0  1  4        A    0.75  -0.25
    """
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
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share"] = counts.max(axis=1) / table["n"].where(table["n"] > 0)
        core = (counts["A"] + counts["O"] + counts["M"] + counts["I"]).where(lambda s: s > 0)
        table["better"] = (counts["A"] + counts["O"]) / core
        table["worse"] = -(counts["O"] + counts["M"]) / core
    return KanoSummary(n=int(usable.sum()), n_missing=int((~usable).sum()), table=table)
