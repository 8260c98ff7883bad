"""Kano classification: all 25 cells of the evaluation table, every answer label, and the per-feature summary
against an independent count."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest

import kit.kano as kano
from kit.errors import KitError
from kit.kano import classify, summary
from kit.schemas import KANO_ANSWERS
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
    assert list(table.columns) == ["A", "O", "M", "I", "R", "Q", "n", "category", "share", "better", "worse"]
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
    bad.loc[0, "functional"] = "很喜欢"
    with pytest.raises(KitError):
        summary(bad)
    with pytest.warns(ScoreWarning):
        assert summary(bad, errors="coerce").n == 39
    labelled = summary(df).labelled("zh")
    names = {kano.category_name(c, "zh") for c in kano.CATEGORIES}
    assert set(labelled["category_name"]) <= names
    assert kano.category_name("M", "zh") == "必备型（基本需求）"
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
