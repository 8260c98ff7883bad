"""Kano classification: all 25 cells of the evaluation table, every answer label, and the per-feature summary
against an independent count."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest

import kit.kano as kano
from kit.data.schemas import KANO_ANSWERS
from kit.errors import KitError
from kit.kano import classify, summary
from kit.scores import ScoreWarning

LIKE, MUST, NEUTRAL, LIVE, DISLIKE = 1, 2, 3, 4, 5


def expected_category(f: int, d: int) -> str:
    """The Kano evaluation table written as rules (Berger et al. 1993), independent of kit's lookup array."""
    if (f, d) in ((LIKE, LIKE), (DISLIKE, DISLIKE)):
        return "Q"
    if f == LIKE:
        return "O" if d == DISLIKE else "A"
    if d == DISLIKE:
        return "M"
    if f == DISLIKE or d == LIKE:
        return "R"
    return "I"


CELLS = [(f, d) for f in range(1, 6) for d in range(1, 6)]


def test_all_25_cells():
    assert Counter(expected_category(f, d) for f, d in CELLS) == {"A": 3, "O": 1, "M": 3, "I": 9, "R": 7, "Q": 2}
    f, d = np.array(CELLS).T
    got = classify(f, d)
    assert got.tolist() == [expected_category(*cell) for cell in CELLS]
    for cell in CELLS:
        assert classify(*cell) == expected_category(*cell)


@pytest.mark.parametrize("label_index", [0, 1, -1])
def test_chinese_and_english_labels(label_index):
    f_labels = [KANO_ANSWERS[f][min(label_index, len(KANO_ANSWERS[f]) - 1)] for f, _ in CELLS]
    d_labels = [KANO_ANSWERS[d][min(label_index, len(KANO_ANSWERS[d]) - 1)] for _, d in CELLS]
    assert classify(f_labels, d_labels).tolist() == [expected_category(*cell) for cell in CELLS]


def test_every_schema_label_and_the_standard_wording():
    for code, labels in KANO_ANSWERS.items():
        assert kano.answer_codes(list(labels)).tolist() == [code] * len(labels)
    wording = ["I like it that way", "It must be that way", "I am neutral", "I can live with it that way",
               "I dislike it that way"]
    assert kano.answer_codes(wording).tolist() == [1, 2, 3, 4, 5]
    assert kano.answer_codes([" LIKE ", "Must Be", "ｄｉｓｌｉｋｅ", "５", "3.0", " 喜欢 "]).tolist() == [1, 2, 5, 5, 3, 1]


WORDINGS = [  # common Chinese questionnaire wordings and the English ones, with their Kano answer (1–5)
    ("喜欢", LIKE), ("我喜欢", LIKE), ("我很喜欢", LIKE), ("非常喜欢", LIKE), ("我喜欢这样", LIKE), ("I like it", LIKE),
    ("I like it that way", LIKE),
    ("理所当然", MUST), ("理应如此", MUST), ("它理应如此", MUST), ("应该的", MUST), ("必须这样", MUST), ("本应如此", MUST),
    ("It must be that way", MUST), ("I expect it", MUST),
    ("无所谓", NEUTRAL), ("都可以", NEUTRAL), ("都行", NEUTRAL), ("中立", NEUTRAL), ("I am neutral", NEUTRAL),
    ("I'm indifferent", NEUTRAL), ("I don’t care", NEUTRAL),
    ("能忍受", LIVE), ("可以忍受", LIVE), ("我能忍受", LIVE), ("勉强接受", LIVE), ("能接受", LIVE),
    ("I can live with it", LIVE), ("I can tolerate it", LIVE),
    ("不喜欢", DISLIKE), ("我不喜欢", DISLIKE), ("很不喜欢", DISLIKE), ("我不喜欢这样", DISLIKE), ("不能接受", DISLIKE),
    ("不能忍受", DISLIKE), ("I dislike it", DISLIKE), ("I don't like it", DISLIKE),
]


@pytest.mark.parametrize("wording, code", WORDINGS)
def test_each_wording(wording, code):
    assert kano.answer_codes([wording]).tolist() == [code]
    dressed = f" {wording.upper()}。" if wording.isascii() else f"　{wording}！"  # case, full-width space, end mark
    assert kano.answer_codes([dressed]).tolist() == [code]


def test_whole_answers_are_matched_not_parts():
    # find-and-replace would turn 不喜欢 into 不 + 喜欢 and 不能接受 into 不 + 能接受
    pairs = [("喜欢", "不喜欢"), ("能接受", "不能接受"), ("能忍受", "不能忍受"), ("I like it", "I dislike it")]
    for plain, negated in pairs:
        assert kano.answer_codes([plain, negated]).tolist()[1] == DISLIKE != kano.answer_codes([plain])[0]
    for mixed in ("我不喜欢但能忍受", "喜欢，也能忍受", "看情况"):
        with pytest.raises(KitError):
            kano.answer_codes([mixed])


def test_no_wording_has_two_answers():
    codes = {}
    for source in (KANO_ANSWERS, kano._WORDING):
        for code, labels in source.items():
            for label, key in zip(labels, kano._keys(pd.Series(list(labels), dtype="string")), strict=True):
                assert codes.setdefault(key, code) == code, label


def test_shapes_in_and_out():
    assert classify("喜欢", "不喜欢") == "O" and isinstance(classify(1, 5), str)
    assert classify(np.int64(2), 5.0) == "M"
    assert np.isnan(classify(None, 5)) and np.isnan(classify(1, ""))
    s = classify(pd.Series([1, 3], index=["x", "y"]), pd.Series([3, 3], index=["x", "y"]))
    assert isinstance(s, pd.Series) and s.to_dict() == {"x": "A", "y": "I"}
    assert isinstance(classify([1, 2], [5, 5]), np.ndarray)
    assert classify([1, 2, 3], 5).tolist() == ["O", "M", "M"]  # a scalar is broadcast
    nullable = classify(pd.Series([1, None, 2], dtype="Int64"), pd.Series([3, 3, pd.NA], dtype="Int64"))
    assert nullable.iloc[0] == "A" and nullable.iloc[1:].isna().all()


def test_unknown_answers_are_errors_or_coerced():
    with pytest.raises(KitError) as info:
        classify([1, 6, 0, "maybe", 2], [1, 1, 1, 1, 1])
    err = info.value
    assert err.code == "kano_unknown_answer" and err.params["count"] == 3
    assert "6, 0, maybe" in str(err) and "functional" in str(err)
    assert "喜欢" in err.render("zh") and "maybe" in err.render("zh")
    with pytest.raises(KitError):
        classify([1, 2], [1.5, 2])
    with pytest.warns(ScoreWarning, match="3 answer"):
        got = classify([1, 6, 0, "maybe", 2], [5, 5, 5, 5, 5], errors="coerce")
    assert got[0] == "O" and got[4] == "M" and all(isinstance(x, float) and np.isnan(x) for x in got[1:4])
    with pytest.raises(KitError) as info:
        classify([1, 2, 3], [1, 2])
    assert info.value.code == "kano_length_mismatch" and "3" in info.value.render("zh")
    with pytest.raises(ValueError):
        classify(1, 1, errors="ignore")


def make_answers(seed=0, n=400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    features = np.array(["预约办理", "移动服务车", "电子发票", "营销短信推送"])
    return pd.DataFrame({
        "response_id": np.arange(n) // 4,
        "feature": features[np.arange(n) % 4],
        "functional": rng.choice([1, 1, 2, 3, 4, 5], n),
        "dysfunctional": rng.choice([1, 3, 4, 5, 5, 5], n),
    })


def test_summary_matches_an_independent_count():
    df = make_answers()
    res = summary(df)
    table = res.table
    assert table.index.tolist() == ["预约办理", "移动服务车", "电子发票", "营销短信推送"]
    assert list(table.columns) == ["A", "O", "M", "I", "R", "Q", "n", "category", "share", "better", "worse",
                                   "better_ci_low", "better_ci_high", "worse_ci_low", "worse_ci_high"]
    for feature, group in df.groupby("feature"):
        counts = Counter(expected_category(f, d) for f, d in zip(group.functional, group.dysfunctional, strict=True))
        row = table.loc[feature]
        assert {c: row[c] for c in "AOMIRQ"} == {c: counts.get(c, 0) for c in "AOMIRQ"}
        assert row["n"] == len(group)
        core = counts["A"] + counts["O"] + counts["M"] + counts["I"]
        assert row["better"] == pytest.approx((counts["A"] + counts["O"]) / core)
        assert row["worse"] == pytest.approx(-(counts["O"] + counts["M"]) / core)
        top = max(counts.values())
        assert row["share"] == pytest.approx(top / len(group))
        assert counts[row["category"]] == top
    assert (res.n, res.n_missing) == (400, 0)


@pytest.mark.parametrize("pairs, winner", [
    ([(2, 5), (2, 5), (1, 5), (1, 5)], "M"),  # M = O → M
    ([(1, 5), (1, 5), (1, 3), (1, 3)], "O"),  # O = A → O
    ([(1, 3), (1, 3), (3, 3), (3, 3)], "A"),  # A = I → A
    ([(3, 3), (5, 1), (1, 1)], "I"),          # I = R = Q → I
    ([(5, 1), (5, 1), (1, 1), (1, 1)], "R"),  # R = Q → R
    ([(1, 1), (1, 1), (1, 3)], "Q"),          # a clear mode wins whatever it is
])
def test_tie_rule(pairs, winner):
    f, d = zip(*pairs, strict=True)
    table = summary(pd.DataFrame({"feature": "x", "functional": f, "dysfunctional": d})).table
    assert table.loc["x", "category"] == winner


def test_missing_answers_and_empty_features():
    df = pd.DataFrame({
        "feature": ["a", "a", "a", "b", "b", None],
        "functional": [1, None, 2, None, "", 1],
        "dysfunctional": [3, 3, 5, 5, 5, 5],
    })
    res = summary(df)
    assert (res.n, res.n_missing) == (2, 4)
    assert res.table.loc["a", ["A", "M", "n"]].tolist() == [1, 1, 2]
    b = res.table.loc["b"]
    assert b["n"] == 0 and pd.isna(b["category"]) and np.isnan(b["better"]) and np.isnan(b["share"])


def test_summary_by_wave_follows_drift():
    early = pd.DataFrame({"wave": "2023", "feature": "移动服务车", "functional": [1] * 6 + [3], "dysfunctional": 3})
    late = pd.DataFrame({"wave": "2025", "feature": "移动服务车", "functional": [1] * 3 + [2] * 4, "dysfunctional": 5})
    table = summary(pd.concat([early, late]), by="wave").table
    assert table.index.names == ["wave", "feature"]
    assert table["category"].tolist() == ["A", "M"]
    assert kano.DRIFT.index("A") < kano.DRIFT.index("M")


def test_summary_errors_and_labels():
    df = make_answers(n=40)
    with pytest.raises(KitError) as info:
        summary(df, feature="功能")
    assert info.value.code == "model_columns_missing" and "功能" in info.value.render("zh")
    bad = df.astype({"functional": object})
    bad.loc[0, "functional"] = "看情况"
    with pytest.raises(KitError):
        summary(bad)
    with pytest.warns(ScoreWarning):
        assert summary(bad, errors="coerce").n == 39
    labelled = summary(df).labelled("zh")
    names = {kano.category_name(c, "zh") for c in kano.CATEGORIES}
    assert set(labelled["category_name"]) <= names
    assert kano.category_name("M", "zh") == "必备型（基础需求）"
    res = summary(df)
    assert res.to_frame() is res.table and repr(res) == "KanoSummary(n=40, n_missing=0)"


def test_classify_is_vectorised_and_fast():
    import time

    rng = np.random.default_rng(1)
    labels = np.array(["喜欢", "理应如此", "无所谓", "能忍受", "不喜欢"])
    f, d = labels[rng.integers(0, 5, 200_000)], labels[rng.integers(0, 5, 200_000)]
    start = time.perf_counter()
    got = classify(pd.Series(f), pd.Series(d))
    assert time.perf_counter() - start < 2
    assert got.iloc[:5].tolist() == [expected_category(int(np.where(labels == a)[0][0]) + 1,
                                                       int(np.where(labels == b)[0][0]) + 1)
                                     for a, b in zip(f[:5], d[:5], strict=True)]


# --- Better/Worse uncertainty: Wilson intervals, and two groups compared ---------------------------------------


@pytest.mark.parametrize("ci", [0.95, 0.9])
def test_better_worse_wilson_intervals_match_statsmodels(ci):
    from statsmodels.stats.proportion import proportion_confint

    df = pd.concat([make_answers(), pd.DataFrame({"feature": ["无人回答"], "functional": [None], "dysfunctional": [3]})])
    table = summary(df, ci=ci).table
    for feature, row in table.iterrows():
        core = row["A"] + row["O"] + row["M"] + row["I"]
        if core == 0:
            assert feature == "无人回答"
            assert table.loc[feature, ["better_ci_low", "better_ci_high", "worse_ci_low", "worse_ci_high"]].isna().all()
            continue
        low, high = proportion_confint(row["A"] + row["O"], core, alpha=1 - ci, method="wilson")
        assert (row["better_ci_low"], row["better_ci_high"]) == pytest.approx((low, high), abs=1e-12)
        low, high = proportion_confint(row["O"] + row["M"], core, alpha=1 - ci, method="wilson")
        assert (row["worse_ci_low"], row["worse_ci_high"]) == pytest.approx((-high, -low), abs=1e-12)  # Worse's sign
        assert row["better_ci_low"] <= row["better"] <= row["better_ci_high"]
        assert row["worse_ci_low"] <= row["worse"] <= row["worse_ci_high"] <= 0


def test_better_worse_intervals_at_the_ends():
    # everyone attractive: Better = 1 (Wilson upper end 1), Worse = 0 (upper end 0); one respondent is valid too
    table = summary(pd.DataFrame({"feature": ["x"] * 5 + ["y"], "functional": 1, "dysfunctional": 3})).table
    x, y = table.loc["x"], table.loc["y"]
    z = 1.959963984540054
    assert x["better_ci_high"] == 1 and x["better_ci_low"] == pytest.approx(5 / (5 + z**2))  # Wilson, k = n by hand
    assert x["worse_ci_high"] == pytest.approx(0, abs=1e-12) and x["worse_ci_low"] == pytest.approx(-z**2 / (5 + z**2))
    assert y["n"] == 1 and y["better_ci_low"] == pytest.approx(1 / (1 + z**2))
    with pytest.raises(KitError):
        summary(make_answers(n=8), ci=1.5)


def two_groups(seed=3):
    rng = np.random.default_rng(seed)
    a = make_answers(seed, 800)
    b = make_answers(seed + 1, 600)
    b = b.assign(functional=np.where(rng.random(600) < 0.3, 1, b["functional"]))  # group b likes features more
    return a, b


def test_compare_matches_statsmodels_newcombe_ztest_and_holm():
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    a, b = two_groups()
    res = kano.compare(summary(a), summary(b), ci=0.9)
    out = res.table
    assert res.n_features == 4 and res.ci == 0.9 and repr(res) == "KanoComparison(n_features=4, ci=0.9)"
    assert res.to_frame() is out
    assert out.index.tolist() == ["预约办理", "移动服务车", "电子发票", "营销短信推送"]
    for feature in out.index:
        counts = {}
        for name, group in (("a", a), ("b", b)):
            c = Counter(expected_category(f, d) for f, d in
                        zip(*group.loc[group.feature == feature, ["functional", "dysfunctional"]].to_numpy().T,
                            strict=True))
            counts[name] = (c["A"] + c["O"], c["O"] + c["M"], c["A"] + c["O"] + c["M"] + c["I"])
        (liked_a, lacking_a, n_a), (liked_b, lacking_b, n_b) = counts["a"], counts["b"]
        row = out.loc[feature]
        assert (row["n_a"], row["n_b"]) == (n_a, n_b)
        low, high = confint_proportions_2indep(liked_a, n_a, liked_b, n_b, method="newcomb", compare="diff", alpha=0.1)
        z, p = proportions_ztest([liked_a, liked_b], [n_a, n_b])
        assert row["better_diff"] == pytest.approx(liked_a / n_a - liked_b / n_b, abs=1e-12)
        assert (row["better_diff_ci_low"], row["better_diff_ci_high"]) == pytest.approx((low, high), abs=1e-12)
        assert (row["better_z"], row["better_p"]) == pytest.approx((z, p), abs=1e-12)
        low, high = confint_proportions_2indep(lacking_a, n_a, lacking_b, n_b, method="newcomb", compare="diff",
                                               alpha=0.1)
        z, p = proportions_ztest([lacking_a, lacking_b], [n_a, n_b])
        assert row["worse_a"] == pytest.approx(-lacking_a / n_a) and row["worse_b"] == pytest.approx(-lacking_b / n_b)
        assert row["worse_diff"] == pytest.approx(row["worse_a"] - row["worse_b"], abs=1e-12)  # Worse's sign
        assert (row["worse_diff_ci_low"], row["worse_diff_ci_high"]) == pytest.approx((-high, -low), abs=1e-12)
        assert (row["worse_z"], row["worse_p"]) == pytest.approx((-z, p), abs=1e-12)
    for name in ("better", "worse"):
        holm = multipletests(out[f"{name}_p"], method="holm")[1]
        assert out[f"{name}_p_holm"].to_numpy() == pytest.approx(holm, abs=1e-12)
    assert (out["better_diff"] < 0).all() and out["better_p_holm"].min() < 0.05  # b likes features more


def test_compare_missing_features_give_nan_and_leave_the_holm_family():
    from statsmodels.stats.multitest import multipletests

    a, b = two_groups()
    b = b[b.feature != "电子发票"]
    a = pd.concat([a, pd.DataFrame({"feature": ["只在一组", "只在一组"], "functional": [1, 2], "dysfunctional": [5, 5]})])
    out = kano.compare(summary(a), summary(b).table).table  # a summary or its table
    assert out.index.tolist() == ["预约办理", "移动服务车", "电子发票", "营销短信推送", "只在一组"]
    for feature in ("电子发票", "只在一组"):
        row = out.loc[feature]
        assert row["n_b"] == 0 and row["n_a"] > 0
        assert row.drop(["n_a", "n_b", "better_a", "worse_a"]).isna().all()
    tested = out["better_p"].notna()
    assert tested.sum() == 3 == kano.compare(summary(a), summary(b)).n_features
    holm = multipletests(out.loc[tested, "better_p"], method="holm")[1]
    assert out.loc[tested, "better_p_holm"].to_numpy() == pytest.approx(holm, abs=1e-12)


def test_compare_by_wave_and_degenerate_groups():
    same = pd.DataFrame({"wave": "2025", "feature": "移动服务车", "functional": [1] * 4, "dysfunctional": 3})
    out = kano.compare(summary(same, by="wave"), summary(same.head(3), by="wave")).table
    row = out.loc[("2025", "移动服务车")]
    # Better = 1 and Worse = 0 in both groups: no difference, pooled se = 0 → p = 1 by kit's rule, z undefined
    assert row["better_diff"] == 0 and row["better_p"] == 1 and np.isnan(row["better_z"])
    assert row["worse_diff"] == 0 and row["worse_p"] == 1 and row["better_p_holm"] == 1
    lo, hi = row["better_diff_ci_low"], row["better_diff_ci_high"]
    z = 1.959963984540054  # Newcombe from the Wilson lower ends n/(n + z²) of 4/4 (group a) and 3/3 (b), by hand
    assert (lo, hi) == pytest.approx((-(1 - 4 / (4 + z**2)), 1 - 3 / (3 + z**2)), abs=1e-12)
    with pytest.raises(KitError) as info:
        kano.compare(summary(same, by="wave"), summary(same))
    assert info.value.code == "kano_compare_levels" and "wave" in info.value.render("zh")


def test_holm_by_hand():
    from kit.stats import holm

    p = np.array([0.01, np.nan, 0.04, 0.03, 0.5])
    # sorted 0.01, 0.03, 0.04, 0.5 (m = 4) × 4, 3, 2, 1 → 0.04, 0.09, 0.08 → running max 0.09, 0.5
    assert holm(p)[[0, 3, 2, 4]] == pytest.approx([0.04, 0.09, 0.09, 0.5])
    assert np.isnan(holm(p)[1]) and holm([]).size == 0
    assert holm([0.6, 0.7]).tolist() == [1.0, 1.0]
