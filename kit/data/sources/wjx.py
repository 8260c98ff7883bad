"""问卷星 (wjx.cn) export, 按选项文本 or 按分数, xlsx or csv.

Platform columns: 序号, 提交答卷时间, 所用时间 ("125秒"), 来源, 来源详情, 来自IP. Questions are numbered ("1、…").
A multi-select question in the score export is one column per option ("3、(电话)", 1 = chosen): when its options
are channels it becomes one channel column holding the first option chosen.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from kit.data.sources.common import Adapted, by_header, fold
from kit.data.sources.options import fold_options

NAME = "wjx"
FIELDS = {"序号": "response_id", "提交答卷时间": "submitted_at", "所用时间": "duration_s"}
OPTION = re.compile(r"^(?P<question>\s*(?P<number>\d+)\s*[、.．]\s*)[(（](?P<option>.+)[)）]\s*$")


def detect(table: pd.DataFrame, headers: list[str]) -> bool:
    names = {fold(h) for h in headers}
    return "提交答卷时间" in names or {"所用时间", "来自ip"} <= names


def adapt(table: pd.DataFrame, headers: list[str], rows: np.ndarray) -> Adapted:
    adapted = fold_options(Adapted(NAME, table, headers, rows), OPTION)
    return replace(adapted, fields={**adapted.fields, **by_header(adapted.headers, FIELDS)})
