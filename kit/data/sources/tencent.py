"""腾讯问卷 (wj.qq.com) CSV/XLSX export: 编号, 用户ID, 来源渠道, 开始答题时间, 结束答题时间, 答题时长 ("3分50秒",
分 = minutes), then the questions ("1.您…"); a multi-select question is one column per option
("3.您通过哪些渠道联系过我们？:电话", holding the option text when chosen)."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from kit.data.sources.common import Adapted, by_header, fold
from kit.data.sources.options import fold_options

NAME = "tencent"
FIELDS = {"编号": "response_id", "结束答题时间": "submitted_at", "答题时长": "duration_s"}
OPTION = re.compile(r"^(?P<question>\s*(?P<number>\d+)\s*[.．、]\s*.*)[:：](?P<option>.+)$")


def detect(table: pd.DataFrame, headers: list[str]) -> bool:
    names = {fold(h) for h in headers}
    return "答题时长" in names and bool({"开始答题时间", "结束答题时间"} & names)


def adapt(table: pd.DataFrame, headers: list[str], rows: np.ndarray) -> Adapted:
    adapted = fold_options(Adapted(NAME, table, headers, rows), OPTION)
    return replace(adapted, fields={**adapted.fields, **by_header(adapted.headers, FIELDS)})
