"""Multi-select questions exported as one column per option, folded into one channel column."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd

from kit.data.sources.common import Adapted, flags, fold

CHANNEL_WORDS = re.compile(r"电话|热线|400|呼叫|微信|公众号|小程序|门店|网点|柜台|app|邮件|邮箱|e-?mail|在线|网页|官网|"
                           r"短信|微博|抖音|phone|call|chat|store|branch|web|online|social|wechat")
UNCHOSEN = {"", "0", "0.0", "false", "否", "未选"}


def fold_options(adapted: Adapted, option: re.Pattern) -> Adapted:
    """``adapted`` with each run of option columns of one question (``option`` matches a header into its
    groups ``number``, ``option`` — the option's name — and ``question``, the header before the option) whose options name channels replaced by one ``channel`` column:
    the first option chosen (a cell holding 1 or the option's own text)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for position, header in enumerate(adapted.headers):
        found = option.match(str(header))
        if found:
            groups.setdefault(found["number"], []).append((position, found["option"].strip(), found["question"]))
    table, headers, fields = adapted.table.copy(), list(adapted.headers), dict(adapted.fields)
    dropped = []
    for number, members in groups.items():
        names = [name for _, name, _ in members]
        if len(members) < 2 or sum(bool(CHANNEL_WORDS.search(fold(n))) for n in names) * 2 < len(names):
            continue
        chosen = pd.Series(pd.NA, index=table.index, dtype=object)
        for position, name, _ in reversed(members):
            chosen = chosen.mask(~flags(table[position], UNCHOSEN), name)
        first = members[0][0]
        question = members[0][2].strip()
        header = question if len(question) > len(number) + 2 else f"{number}、{' / '.join(names)}"
        table[first], headers[first], fields[first] = chosen, header, "channel"
        dropped += [position for position, _, _ in members[1:]]
    keep = [p for p in range(len(headers)) if p not in dropped]
    renumber = {old: new for new, old in enumerate(keep)}
    return replace(adapted, table=table[keep].set_axis(range(len(keep)), axis=1),
                   headers=[headers[p] for p in keep], fields={renumber[p]: f for p, f in fields.items() if p in renumber})
