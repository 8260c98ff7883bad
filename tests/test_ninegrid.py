"""The service nine-grid [001]: layout, scoring by hand, pre → post change, the sample's weak ability, radar."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from kit import ninegrid  # noqa: E402
from kit.data import io  # noqa: E402
from kit.data.schemas import NINEGRID  # noqa: E402
from kit.data.synth import NINEGRID_WEAK  # noqa: E402
from kit.errors import KitError  # noqa: E402
from kit.paths import SAMPLE  # noqa: E402

RATINGS = {"knowledge": 4, "analysis": 3, "innovation": 2, "communication": 5, "process": 4, "crisis": 2,
           "emotion": 3, "empathy": 4, "teamwork": 5}


def grid_rows(rows):
    """A ninegrid table from (trainee, phase, {ability: rating}) triples; unlisted abilities rate 3."""
    return pd.DataFrame([{"trainee_id": who, "phase": phase,
                          **{f"ng_{a}": ratings.get(a, 3) for a in ninegrid.ABILITIES}}
                         for who, phase, ratings in rows])


def test_layout_is_three_by_three_in_the_seed_order_with_schema_codes():
    assert tuple(NINEGRID) == ninegrid.ABILITIES
    assert ninegrid.LAYOUT == {"cognitive": ("knowledge", "analysis", "innovation"),
                               "behavioural": ("communication", "process", "crisis"),
                               "emotional": ("emotion", "empathy", "teamwork")}
    assert ninegrid.DIMENSION_OF["crisis"] == "behavioural"


def test_assess_by_hand():
    res = ninegrid.assess(RATINGS)
    # cognitive (4 + 3 + 2)/3 = 3, behavioural (5 + 4 + 2)/3 = 11/3, emotional (3 + 4 + 5)/3 = 4
    assert res.dimensions.to_dict() == pytest.approx({"cognitive": 3.0, "behavioural": 11 / 3, "emotional": 4.0})
    assert res.mean == pytest.approx(32 / 9)
    # innovation and crisis tie at 2 (grid order breaks the tie), then the first 3 is analysis
    assert res.weakest == ("innovation", "crisis", "analysis")
    assert list(res.scores.index) == list(ninegrid.ABILITIES)
    assert ninegrid.assess(RATINGS, weakest=1).weakest == ("innovation",)


def test_assess_reads_a_table_row_text_and_cohort_means():
    row = pd.Series({"trainee_id": "S9", "phase": "pre", **{f"ng_{a}": f"{v}分" for a, v in RATINGS.items()}})
    assert ninegrid.assess(row).weakest == ("innovation", "crisis", "analysis")
    means = {a: v - 0.25 for a, v in RATINGS.items()}
    assert ninegrid.assess(means).mean == pytest.approx(32 / 9 - 0.25)


def test_assess_explains_missing_and_off_scale_ratings():
    with pytest.raises(KitError) as missing:
        ninegrid.assess({k: v for k, v in RATINGS.items() if k != "empathy"})
    assert "empathy" in missing.value.render("en") and "缺少" in missing.value.render("zh")
    with pytest.raises(KitError) as off_scale:
        ninegrid.assess({**RATINGS, "teamwork": 6})
    assert off_scale.value.code == "scores_off_scale"


def test_change_for_a_trainee_and_for_the_cohort():
    table = grid_rows([("A", "pre", {"crisis": 1}), ("A", "post", {"crisis": 4}),
                       ("B", "pre", {"crisis": 2, "teamwork": 5}), ("B", "post", {"crisis": 3, "teamwork": 4}),
                       ("C", "pre", {"crisis": 5})])  # C has no post rating: left out
    cohort = ninegrid.change(table)
    assert cohort.loc["crisis", ["pre", "post", "change"]].tolist() == [1.5, 3.5, 2.0]
    assert cohort.loc["teamwork", ["pre", "post", "change"]].tolist() == [4.0, 3.5, -0.5]
    assert (cohort["n"] == 2).all() and cohort.loc["knowledge", "change"] == 0
    assert ninegrid.change(table, "B").loc["crisis", "change"] == 1
    with pytest.raises(KitError) as unpaired:
        ninegrid.change(table, "C")
    assert unpaired.value.code == "ninegrid_no_pairs" and "C" in unpaired.value.render("zh")
    with pytest.raises(KitError) as missing:
        ninegrid.change(table.drop(columns="ng_empathy"))
    assert missing.value.code == "model_columns_missing"


def test_sample_cohort_is_weakest_in_crisis_response_and_improves():
    table, _ = io.load(SAMPLE / "ninegrid.csv", "ninegrid")
    cohort = ninegrid.change(table)
    assert ninegrid.assess(cohort["pre"]).weakest[0] == NINEGRID_WEAK
    assert ninegrid.assess(cohort["post"]).weakest[0] == NINEGRID_WEAK
    assert (cohort["change"] > 0).all()
    assert cohort["n"].iloc[0] == table["trainee_id"].nunique()


@pytest.mark.parametrize("lang, label", [("zh", "危机应对"), ("en", "Crisis response")])
def test_radar_is_polar_labelled_and_marks_the_weakest(lang, label):
    ax = ninegrid.radar(RATINGS, compare={a: 3 for a in ninegrid.ABILITIES}, lang=lang)
    try:
        assert ax.name == "polar"
        ticks = [tick.get_text() for tick in ax.get_xticklabels()]
        assert label in ticks and len(ticks) == 9
        legend = [text.get_text() for text in ax.get_legend().get_texts()]
        assert ninegrid.dimension_name("emotional", lang) in legend
        weakest = ax.collections[-1].get_offsets()
        assert sorted(weakest[:, 1].tolist()) == [2, 2, 3]
    finally:
        plt.close(ax.figure)


def test_every_ability_and_dimension_has_a_name_in_both_languages():
    for lang in ("zh", "en"):
        names = [ninegrid.ability_name(a, lang) for a in ninegrid.ABILITIES]
        assert len(set(names)) == 9
        assert {ninegrid.dimension_name(d, lang) for d in ninegrid.DIMENSIONS}
