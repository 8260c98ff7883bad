import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from kit import plots  # noqa: E402


def glyph_warnings(draw) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = draw()
        fig.canvas.draw()
        plt.close(fig)
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def chinese_figure():
    fig, ax = plt.subplots()
    ax.set_title("客户满意度与服务品质")
    ax.set_xlabel("推荐意愿（0–10）")
    ax.bar(["电话", "邮件", "在线"], [3, 2, 5])
    return fig


def test_theme_picks_an_installed_cjk_font():
    family = plots.set_theme()
    assert family in plots.CJK_FAMILIES, "no CJK font: run `make setup` (installs fonts-noto-cjk)"
    assert matplotlib.rcParams["font.sans-serif"][0] == family


def test_chinese_text_renders_without_missing_glyphs():
    plots.set_theme()
    assert glyph_warnings(chinese_figure) == []


def test_glyph_check_catches_a_latin_only_font():
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        assert glyph_warnings(chinese_figure), "the missing-glyph check must be able to fail"


@pytest.fixture
def survey():
    return pd.DataFrame(
        {
            "submitted_at": pd.to_datetime(["2025-01-03", "2025-01-20", "2025-02-11", "2025-03-01"]),
            "channel": ["phone", "online", "phone", pd.NA],
            "nps": pd.array([10, 6, 8, 9], dtype="Int64"),
            "csat": pd.array([5, 2, 4, pd.NA], dtype="Int64"),
        }
    )


def test_score_distribution_shows_every_scale_point_with_nps_bands(survey):
    plots.set_theme()
    ax = plots.score_distribution(survey, x="nps", lang="zh")
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 11 and sum(heights) == 4 and heights[10] == 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["贬损者（0–6）", "中立者（7–8）", "推荐者（9–10）"]
    assert ax.get_title() == "推荐意愿（n = 4）"
    assert glyph_warnings(lambda: ax.figure) == []


def test_score_distribution_of_csat_ignores_missing(survey):
    ax = plots.score_distribution(survey, x="csat", lang="en")
    assert [p.get_height() for p in ax.patches] == [0, 1, 0, 1, 1]
    assert ax.get_legend() is None
    plt.close(ax.figure)


def test_volume_by_month_stacks_channels_with_labels(survey):
    ax = plots.volume_by_month(survey, lang="zh")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2025-01", "2025-02", "2025-03"]
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"电话", "在线", "?"}
    assert sum(p.get_height() for p in ax.patches) == 4
    plt.close(ax.figure)


@pytest.fixture(scope="module")
def sample():
    from kit.data import synth

    return synth.survey_responses(3000, seed=0), synth.kano_answers(120, seed=0)


def test_nps_bars_mix_sums_to_100_and_greys_small_segments(sample):
    survey, _ = sample
    plots.set_theme()
    mix, value = plots.nps_bars(survey, "channel", min_n=400, lang="zh")
    widths = [p.get_width() for p in mix.patches]
    n_segments = survey["channel"].nunique()
    assert len(widths) == 3 * n_segments
    totals = [sum(widths[i::n_segments]) for i in range(n_segments)]
    assert totals == pytest.approx([100.0] * n_segments)
    grey = [line for line in value.lines if line.get_color() == "#b0b0b0" and line.get_marker() == "o"]
    small = (survey["channel"].value_counts() < 400).sum()
    assert sum(len(line.get_xdata()) for line in grey) == small


def test_nps_bars_draw_an_interval_that_misses_the_score_at_tiny_n():
    """Rocks' adjusted-Wald interval is centred near, not on, the score: one promoter scores +100 with an upper
    bound below 100. The plot draws the interval from low to high instead of failing."""
    import pandas as pd

    from kit.metrics import nps

    tiny = nps([10])
    assert tiny.value == 100 and tiny.ci[1] < 100
    survey = pd.DataFrame({"nps": [10, 9, 10, 3, 8, 10, 7], "channel": ["phone"] + ["store"] * 6})
    mix, value = plots.nps_bars(survey, "channel", min_n=1, lang="en")
    spans = value.collections[0].get_segments()
    assert len(spans) == 2 and spans[0][1][0] == pytest.approx(tiny.ci[1])
    assert glyph_warnings(lambda: mix.figure) == []


def test_trend_marks_the_dip_months(sample):
    from kit.data.synth import DIP_MONTHS

    survey, _ = sample
    ax = plots.trend(survey, "nps", lang="en")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    statistical, rule = ax.collections[-2].get_offsets(), ax.collections[-1].get_offsets()
    dip = {f"2025-{month:02d}" for month in DIP_MONTHS}
    assert {labels[int(x)] for x, _ in statistical} & dip
    assert f"2025-{DIP_MONTHS[-1]:02d}" in {labels[int(x)] for x, _ in rule}
    assert ax.get_title() == "NPS over time"
    plt.close(ax.figure)


def test_servqual_plots_show_every_dimension(sample):
    survey, _ = sample
    bars = plots.servqual_gaps(survey, lang="zh")
    assert [t.get_text() for t in bars.get_yticklabels()] == ["有形性", "可靠性", "响应性", "保证性", "移情性"]
    assert all(p.get_width() < 0 for p in bars.patches), "every synthetic gap is a shortfall"
    radar = plots.servqual_radar(survey, lang="en")
    assert radar.name == "polar" and len(radar.lines) == 2
    plt.close("all")


def test_kano_map_places_each_feature_by_better_and_worse(sample):
    from kit.kano import summary

    _, kano = sample
    ax = plots.kano_map(kano, lang="en")
    table = summary(kano).table
    points = np.vstack([c.get_offsets() for c in ax.collections])
    expected = np.column_stack([-table["worse"], table["better"]])
    assert sorted(map(tuple, points.round(6))) == sorted(map(tuple, expected.round(6)))
    assert {t.get_text() for t in ax.texts} == set(table.index)
    plt.close(ax.figure)


def test_importance_performance_labels_drivers_and_quadrants(sample):
    survey, _ = sample
    drivers = ["f_product", "f_price", "f_channel", "f_competitor"]
    ax = plots.importance_performance(survey, "csat", drivers, lang="zh")
    texts = {t.get_text() for t in ax.texts}
    assert {"产品因素", "价格因素", "渠道因素", "竞争对手因素"} <= texts
    assert len(ax.collections[0].get_offsets()) == 4
    assert glyph_warnings(lambda: ax.figure) == []


def drawn(ax) -> tuple:
    """What an Axes shows: its bars, lines, point and band vertices, texts and title."""
    return ([(p.get_x(), p.get_y(), p.get_width(), p.get_height()) for p in ax.patches],
            [line.get_xydata().tolist() for line in ax.lines],
            [(np.asarray(c.get_offsets()).tolist(), [path.vertices.tolist() for path in c.get_paths()])
             for c in ax.collections],
            [t.get_text() for t in ax.texts], ax.get_title())


def test_a_result_already_computed_is_drawn_as_the_plot_computes_it(sample, tickets):
    from kit.drivers import key_drivers
    from kit.metrics import period_trend
    from kit.recovery import recovery_paradox
    from kit.servqual import gaps

    survey, _ = sample
    drivers = ["f_product", "f_price", "f_channel", "f_competitor"]
    with_intervals = key_drivers(survey, "csat", drivers, n_boot=20)  # the report's result, intervals and all
    pairs = [
        (plots.servqual_gaps(survey), plots.servqual_gaps(survey, result=gaps(survey))),
        (plots.trend(survey, "csat"), plots.trend(survey, "csat", result=period_trend(survey, "csat"))),
        (plots.importance_performance(survey, "csat", drivers),
         plots.importance_performance(survey, "csat", drivers, result=with_intervals)),
        (plots.recovery_paradox(tickets, survey),
         plots.recovery_paradox(tickets, survey, result=recovery_paradox(tickets, survey))),
    ]
    for own, given in pairs:
        assert drawn(own) == drawn(given)
    plt.close("all")


def test_the_report_plots_draw_a_bounded_number_of_artists_whatever_the_answers(sample):
    """Every survey plot of the CX report draws per segment, month, dimension or driver, never per answer: the
    few dozen artists and points for 3,000 answers as for 30,000."""
    from kit.data import synth

    small, _ = sample
    large = synth.survey_responses(10 * len(small), seed=0)
    drivers = ["f_product", "f_price", "f_channel", "f_competitor"]

    def artists(survey) -> list[int]:
        axes = [*plots.nps_bars(survey, "channel"), plots.trend(survey, "nps"), plots.servqual_gaps(survey),
                plots.importance_performance(survey, "csat", drivers)]
        counts = [len(ax.get_children()) + sum(len(c.get_offsets()) for c in ax.collections) for ax in axes]
        plt.close("all")
        return counts

    assert all(n < 60 for n in artists(small) + artists(large))


def overlap(a, b) -> float:
    return max(0, min(a.x1, b.x1) - max(a.x0, b.x0)) * max(0, min(a.y1, b.y1) - max(a.y0, b.y0))


def kano_answers(patterns: dict[str, list[tuple[int, int]]], n: int = 20) -> pd.DataFrame:
    """A Kano questionnaire export by hand: respondent i answers each feature with the (functional,
    dysfunctional) pair ``i % len(pairs)`` of its list; features sharing a list land on the same point."""
    return pd.DataFrame([{"response_id": f"R{i:03d}", "feature": feature, "functional": pairs[i % len(pairs)][0],
                          "dysfunctional": pairs[i % len(pairs)][1]}
                         for i in range(n) for feature, pairs in patterns.items()])


def test_kano_labels_overlap_neither_each_other_nor_the_legend():
    from matplotlib.text import Text

    plots.set_theme()
    performance, must, attractive = [(1, 5), (1, 5), (2, 5), (1, 3)], [(3, 5), (4, 5), (3, 5), (1, 5)], [(1, 3)] * 3
    crowded = kano_answers({"预约办理": performance, "上门取件服务": performance, "移动服务车": performance[:3],
                            "会员积分兑换": must, "夜间人工客服": must, "一次办结": must[:3] + [(3, 4)],
                            "电子发票": attractive + [(3, 3)], "进度短信提醒": attractive + [(1, 4)]})
    ax = plots.kano_map(crowded, lang="zh")
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [Text.get_window_extent(a, renderer) for a in ax.texts]  # the words, without their leader lines
    legend = ax.get_legend().get_window_extent(renderer)
    assert {a.get_text() for a in ax.texts} == set(crowded["feature"])
    assert all(overlap(a, b) == 0 for i, a in enumerate(labels) for b in labels[i + 1:]), "labels on labels"
    assert all(overlap(box, legend) == 0 for box in labels), "a label under the legend"
    assert all(overlap(box, ax.get_window_extent(renderer)) == box.width * box.height for box in labels)
    assert glyph_warnings(lambda: fig) == []


def test_durations_are_labelled_as_people_say_them_not_as_powers_of_ten():
    received = pd.Timestamp("2025-03-03 09:00")
    minutes = [2, 7, 20, 45, 90, 180, 600, 1500, 3000, 6000, 14000]
    tickets = pd.DataFrame({"received_at": [received] * len(minutes),
                            "resolved_at": [received + pd.Timedelta(minutes=m) for m in minutes]})
    for lang, said in (("zh", {"15 分钟", "24 小时", "7 天"}), ("en", {"15 min", "24 h", "7 d"})):
        ax = plots.resolution_hours(tickets, lang=lang)
        ax.figure.canvas.draw()
        ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert said <= set(ticks) and not any("10" in t and "^" in t for t in ticks), ticks
        assert ticks == [plots.duration_label(v, lang) for v in ax.get_xticks() if v > 0][:len(ticks)]
        plt.close(ax.figure)
    assert [plots.duration_label(h, "zh") for h in (0.25, 1, 36, 168)] == ["15 分钟", "1 小时", "36 小时", "7 天"]


def test_a_ces_alert_is_named_as_a_rise_because_more_effort_is_worse():
    rng = np.random.default_rng(3)
    months = pd.date_range("2025-01-01", periods=6, freq="MS")
    survey = pd.DataFrame({
        "submitted_at": np.repeat(months, 300),
        "ces": np.concatenate([rng.integers(2, 5, 300) for _ in range(5)] + [rng.integers(4, 8, 300)]),
    })
    ax = plots.trend(survey, "ces", lang="zh")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("显著上升" in text for text in legend) and not any("下降" in text for text in legend), legend
    rise = [c for c in ax.collections if c.get_label().startswith("预警")]
    assert len(rise) == 1 and len(rise[0].get_offsets()) == 1
    plt.close(ax.figure)


def test_the_trainee_legend_sits_beside_the_boxes_not_on_them():
    scores = pd.DataFrame({"trainee_id": [f"S{i:03d}" for i in range(40)] * 2,
                           "module": ["M1"] * 40 + ["M2"] * 40, "phase": ["pre", "post"] * 40,
                           "pct": np.linspace(20, 100, 80)})
    ax = plots.training_scores(scores, highlight="S001", lang="zh")
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    assert overlap(ax.get_legend().get_window_extent(renderer), ax.get_window_extent(renderer)) == 0
    plt.close(ax.figure)
