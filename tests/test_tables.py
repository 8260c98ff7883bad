import pandas as pd

from kit import metrics, tables


def test_scorecard_table_is_localised_coloured_and_escaped():
    card = metrics.scorecard({"nps": 62, "csat_mean": 4.0}, source="001", lang="zh")
    html = tables.scorecard(card, lang="zh").to_html()
    for word in ("指标", "目标", "实际", "状态", "达标", "未达标", "≥ 60", "[001]"):
        assert word in html
    assert "#d8efe9" in html and "#f6d5da" in html


def test_scorecard_cells_are_html_escaped():
    card = pd.DataFrame({"name": ["<script>alert(1)</script>"], "direction": ["≥"], "target": [1.0],
                         "actual": [2.0], "status": ["met"], "source": ["001"]})
    html = tables.scorecard(card, lang="en").to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_labelled_rows_use_display_names_and_labels():
    rows = pd.DataFrame({"submitted_at": pd.to_datetime(["2025-03-01 09:05:33"]), "channel": ["phone"],
                         "csat": pd.array([4], dtype="Int64"), "comment": ["<b>很好</b>"]})
    html = tables.labelled(rows, "survey_responses", lang="zh").to_html()
    for word in ("提交时间", "服务渠道", "满意度", "开放意见", "电话", "2025-03-01 09:05"):
        assert word in html
    assert "<b>很好</b>" not in html and "&lt;b&gt;很好&lt;/b&gt;" in html
    english = tables.labelled(rows, "survey_responses", lang="en").to_html()
    assert "Channel" in english and "phone" in english
