"""KPI targets and the red/amber/green scorecard: each KPI's actual against its target."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from kit.errors import KitError

from .arguments import check_positive
from .estimates import ces, csat, nps

DIRECTIONS = {">=": "≥", "≥": "≥", "<=": "≤", "≤": "≤"}
STATUSES = ("met", "near", "missed", "no_data")
DURATIONS = ("resp_min", "resolve_h")
"""KPIs measured on skewed durations, where the target must say which statistic it means."""
STATISTICS = ("mean", "median", "p90", "share_within")
"""How a duration KPI summarises its tickets: the mean, the median, the 90th percentile, or the % of tickets
within ``within`` (a duration in the KPI's unit; the target is then a percent)."""
PRESETS = {"course": None, "consulting": "000", "frontline": "001"}
"""The course's target sets by the name a manager picks: the course default, [000]'s consulting benchmarks,
[001]'s frontline service KPI table."""
COLUMNS = ["kpi", "direction", "target", "unit", "source", "name_key", "statistic", "within"]
EXACT = 9
"""Actuals and targets are compared after rounding to 9 decimals, so 49.99999999999999 meets a target of 50."""


def _targets_path() -> Path:
    from kit.paths import COURSE

    return COURSE / "config" / "targets.yml"


def _load_targets(path=None) -> tuple[dict, str]:
    from kit import yamlfiles

    with open(path or _targets_path(), encoding="utf-8") as fh:
        config = yamlfiles.load(fh) or {}
    kpis = {}
    for kpi, spec in (config.get("kpis") or {}).items():
        direction = DIRECTIONS.get(str(spec.get("direction", "")).strip())
        if direction is None:
            raise KitError("metrics_bad_direction", kpi=kpi, value=spec.get("direction"))
        variants = {}
        for source, target in (spec.get("targets") or {}).items():
            entry = target if isinstance(target, Mapping) else {"target": target}
            variants[_source_tag(source)] = {"target": float(entry["target"]), "name": entry.get("name", kpi)}
        kpis[kpi] = {"direction": direction, "unit": spec.get("unit", ""), "targets": variants,
                     "statistic": spec.get("statistic", "mean" if kpi in DURATIONS else "")}
    return kpis, _source_tag(config.get("default_source", "000"))


def _source_tag(source) -> str:
    if isinstance(source, (int, np.integer)) and not isinstance(source, bool):
        return f"{int(source):03d}"
    return str(source).strip().strip("[]")


def kpi_targets(source: str | None = None, path=None) -> pd.DataFrame:
    """The KPI targets of the seeds, from ``course/config/targets.yml``: one row per KPI (and source).

    ``source=None``: every KPI once; a KPI that several seeds set takes the file's ``default_source``
    ([001], the frontline KPI table, whose NPS ≥ 60 is the stricter bar), single-seed KPIs keep their own.
    ``source="000"`` / ``"001"``: only the KPIs that seed sets ([000] consulting, [001] frontline).
    ``source="all"``: every variant, each tagged with its seed (the config switch of the course brief).

    >>> kpi_targets("all").query("kpi == 'nps'")[["kpi", "direction", "target", "source"]]
       kpi direction  target source
    0  nps         ≥    50.0    000
    1  nps         ≥    60.0    001
    """
    kpis, default = _load_targets(path)
    sources = sorted({s for spec in kpis.values() for s in spec["targets"]})
    wanted = None if source is None else _source_tag(source)
    if wanted not in (None, "all", *sources):
        raise KitError("metrics_unknown_source", source=source, sources=", ".join([*sources, "all"]))
    rows = []
    for kpi, spec in kpis.items():
        variants = spec["targets"]
        if wanted == "all":
            chosen = sorted(variants)
        elif wanted is not None:
            chosen = [wanted] if wanted in variants else []
        else:
            chosen = [default if default in variants else sorted(variants)[0]]
        for src in chosen:
            rows.append({"kpi": kpi, "direction": spec["direction"], "target": variants[src]["target"],
                         "unit": spec["unit"], "source": src, "name_key": variants[src]["name"],
                         "statistic": spec["statistic"], "within": np.nan})
    return pd.DataFrame(rows, columns=COLUMNS)


def _user_targets(targets: Mapping) -> pd.DataFrame:
    known, _ = _load_targets()
    rows = []
    for kpi, spec in targets.items():
        if isinstance(spec, Mapping):
            direction, target, source = spec.get("direction"), spec.get("target"), spec.get("source", "user")
        elif isinstance(spec, (tuple, list)):
            (direction, target), source = spec, "user"
        else:
            direction, target, source = None, spec, "user"
        if direction is None:
            if kpi not in known:
                raise KitError("metrics_unknown_kpi", kpi=kpi, kpis=", ".join(known))
            direction = known[kpi]["direction"]
        symbol = DIRECTIONS.get(str(direction).strip())
        if symbol is None:
            raise KitError("metrics_bad_direction", kpi=kpi, value=direction)
        unit = known.get(kpi, {}).get("unit", "")
        rows.append({"kpi": kpi, "direction": symbol, "target": float(target), "unit": unit,
                     "source": _source_tag(source), "name_key": kpi,
                     "statistic": known.get(kpi, {}).get("statistic", ""), "within": np.nan})
    return pd.DataFrame(rows, columns=COLUMNS)


def read_targets(path) -> pd.DataFrame:
    """A company's own targets file (YAML; template ``course/config/targets-template.yml``, docs/targets.md):
    ``name`` and ``kpis``, each KPI with ``target``, ``direction`` (">=" / "<="), for durations a ``statistic``
    (:data:`STATISTICS`; ``within`` for share_within) and a ``note`` saying where the target comes from.
    Returns the rows :func:`scorecard` scores against, tagged with the note (else the file's name).

    >>> from kit.paths import COURSE
    >>> row = read_targets(COURSE / "config" / "targets-template.yml").set_index("kpi").loc["resp_min"]
    >>> row["statistic"], float(row["target"]), float(row["within"])
    ('share_within', 90.0, 60.0)
    """
    from kit import yamlfiles
    from kit.paths import resolve

    path = resolve(path)
    if not path.is_file():
        raise KitError("file_not_found", file=path)
    with open(path, encoding="utf-8") as fh:
        config = yamlfiles.load(fh)
    if not isinstance(config, Mapping) or not isinstance(config.get("kpis"), Mapping) or not config["kpis"]:
        raise KitError("metrics_targets_file", file=path.name)
    known, _ = _load_targets()
    rows = [_target_row(path.name, kpi, spec, known) for kpi, spec in config["kpis"].items()]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame.attrs["name"] = str(config.get("name") or path.stem)
    return frame


def _target_row(file: str, kpi: str, spec, known: Mapping) -> dict:
    """One KPI of a targets file, checked: a known KPI, a number, a direction, a statistic durations allow."""
    if kpi not in known:
        raise KitError("metrics_targets_unknown_kpi", file=file, kpi=kpi, kpis=", ".join(known))
    spec = spec if isinstance(spec, Mapping) else {"target": spec}
    try:
        target = float(spec.get("target"))
    except (TypeError, ValueError):
        raise KitError("metrics_targets_bad_value", file=file, kpi=kpi, value=spec.get("target")) from None
    direction = DIRECTIONS.get(str(spec.get("direction", known[kpi]["direction"])).strip())
    if direction is None:
        raise KitError("metrics_bad_direction", kpi=kpi, value=spec.get("direction"))
    statistic = str(spec.get("statistic", known[kpi]["statistic"]))
    within = spec.get("within")
    if kpi in DURATIONS and (statistic not in STATISTICS or (statistic == "share_within") != (within is not None)):
        raise KitError("metrics_targets_bad_statistic", file=file, kpi=kpi, value=statistic,
                       choices=", ".join(STATISTICS))
    unit = "%" if statistic == "share_within" else known[kpi]["unit"]
    return {"kpi": kpi, "direction": direction, "target": target, "unit": unit,
            "source": str(spec.get("note") or file), "name_key": kpi,
            "statistic": statistic if kpi in DURATIONS else "", "within": np.nan if within is None else float(within)}


def choose_targets(choice=None) -> pd.DataFrame:
    """The targets a report scores against: a preset by name (:data:`PRESETS`; "000"/"001" also accepted),
    or a company's targets file (:func:`read_targets`). The frame's ``attrs["preset"]`` names the preset
    (None for a file, whose ``attrs["name"]`` is its own).

    >>> chosen = choose_targets("consulting")
    >>> chosen.attrs["preset"], float(chosen.set_index("kpi").loc["nps", "target"])
    ('consulting', 50.0)
    """
    if choice is None or str(choice).strip() in (*PRESETS, *PRESETS.values()):
        name = next((k for k, v in PRESETS.items() if str(choice).strip() in (k, v)), "course")
        frame = kpi_targets(PRESETS[name])
        frame.attrs["preset"] = name
        return frame
    if Path(str(choice)).suffix.lower() not in (".yml", ".yaml"):
        raise KitError("metrics_unknown_targets", value=choice, presets=", ".join(PRESETS))
    return read_targets(choice)


def _kpi_name(key: str, lang: str | None, statistic: str = "", within=np.nan, unit: str = "") -> str:
    """Display name of a KPI from the locale files (the key itself when it has none), with the statistic a
    duration KPI is measured by: "Time to first reply: median (minutes)", "… share within 60 min (%)"."""
    from kit.i18n import t

    try:
        name = t(f"metrics.kpi.{key}", lang)
    except KeyError:
        return str(key)
    if not statistic:
        return name
    units = t(f"metrics.unit.{key}", lang)
    if statistic == "share_within":
        return t("metrics.statistic.share_within", lang, name=name, within=f"{within:g}", unit=units)
    return t(f"metrics.statistic.{statistic}", lang, name=name, unit=units)


def _actuals_frame(actuals) -> pd.DataFrame:
    if isinstance(actuals, pd.DataFrame):
        return actuals
    if isinstance(actuals, pd.Series):
        return actuals.to_frame().T
    return pd.DataFrame([dict(actuals)])


def survey_kpis(df: pd.DataFrame, *, weights=None) -> dict[str, float]:
    """The scorecard KPIs a survey table gives directly, for the score columns it has: ``nps`` (NPS points),
    ``csat_mean`` (mean CSAT, the [001] definition) and ``ces`` (mean effort) — keys as in :func:`scorecard`.
    ``weights``: survey weights, a column name or one value per row.

    >>> survey_kpis(pd.DataFrame({"nps": [10, 9, 6, 8], "csat": [5, 4, 4, 3]}))
    {'nps': 25.0, 'csat_mean': 4.0}
    """
    w = df[weights] if isinstance(weights, str) else weights
    kpis = {}
    if "nps" in df:
        kpis["nps"] = nps(df["nps"], weights=w).value
    if "csat" in df:
        kpis["csat_mean"] = csat(df["csat"], weights=w).mean
    if "ces" in df:
        kpis["ces"] = ces(df["ces"], weights=w).value
    return kpis


def scorecard(actuals, targets=None, source: str | None = None, *, near: float = 0.05,
              lang: str | None = None) -> pd.DataFrame:
    """KPI scorecard (red/amber/green of exercise 4.9): each KPI's actual against its seed target.

    ``actuals``: a KPI snapshot under the ``kpi_snapshots`` column names (nps, csat_mean, ces, fcr,
    resp_min, resolve_h, complaint_rate, retention, churn, promise_kept) — a dict, a Series, a one-row
    frame, or a frame of many rows (then one block per row, led by its ``period``/``team`` columns, or by
    ``row`` = the frame's index when it has neither). Units are those of the table: percents 0–100,
    NPS in points. Columns without a target are ignored; a missing actual gets the status ``no_data``.

    ``targets``: None reads ``course/config/targets.yml`` and picks variants with ``source`` as in
    :func:`kpi_targets` (None = default: [001] where seeds disagree; "000"; "001"; "all"). Or a path to a
    file of the same form, or a mapping ``{kpi: target}`` (direction from the file), ``{kpi: (">=", 80)}``
    or ``{kpi: {"direction": …, "target": …, "source": …}}``, tagged ``user`` unless a source is given.

    Status, for direction ≥ (higher is better; mirrored for ≤):
    ``met`` when actual ≥ target (green); ``near`` when it misses by at most ``near`` (default 5 %) of the
    target, i.e. actual ≥ target − 0.05·|target| (amber); ``missed`` otherwise (red). ``gap`` = actual −
    target. Targets: NPS ≥ 50 [000] / ≥ 60 [001]; CSAT mean ≥ 4.5/5 [000][001]; CES ≤ 2/7 [000];
    first-contact resolution ≥ 75 % [001] / first-time resolution ≥ 80 % [000]; first reply ≤ 10 min,
    resolution ≤ 4 h, complaint rate ≤ 0.5 % [001]; retention ≥ 90 %, churn ≤ 5 %, promises kept ≥ 95 % [000].

    >>> card = scorecard({"nps": 48, "csat_mean": 4.6, "fcr": 70}, source="000", lang="en")
    >>> card[["kpi", "target", "direction", "actual", "status", "source"]]
             kpi  target direction  actual  status source
    0        nps    50.0         ≥    48.0    near    000
    1  csat_mean     4.5         ≥     4.6     met    000
    2        fcr    80.0         ≥    70.0  missed    000
    """
    near = check_positive("near", near, 0, inclusive=True)
    if targets is None:
        table = kpi_targets(source)
    elif isinstance(targets, pd.DataFrame):
        table = targets
    elif isinstance(targets, (str, Path)):
        table = read_targets(targets)
    else:
        table = _user_targets(targets)
    frame = _actuals_frame(actuals)
    table = table[table["kpi"].isin(frame.columns)]
    if table.empty:
        raise KitError("metrics_no_kpis", kpis=", ".join(kpi_targets("all")["kpi"].unique()))

    ids = [c for c in ("period", "team") if c in frame.columns]
    if not ids and len(frame) > 1:
        frame = frame.rename_axis("row").reset_index()
        ids = ["row"]
    blocks = []
    for position, (kpi, direction, target, unit, src, name_key, statistic, within) in enumerate(
            table[COLUMNS].itertuples(index=False)):
        block = frame[ids].copy()
        block["kpi"] = kpi
        block["name"] = _kpi_name(name_key, lang, statistic, within, unit)
        block["target"] = target
        block["direction"] = direction
        block["actual"] = pd.to_numeric(frame[kpi]).astype(float).to_numpy()
        block["source"] = src
        block["unit"] = unit
        block["_order"] = position
        blocks.append(block)
    out = pd.concat(blocks, ignore_index=True)
    out = out.sort_values([*ids, "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)

    actual, target = out["actual"].to_numpy().round(EXACT), out["target"].to_numpy().round(EXACT)
    higher = (out["direction"] == "≥").to_numpy()
    tolerance = (near * np.abs(target)).round(EXACT)
    with np.errstate(invalid="ignore"):
        met = np.where(higher, actual >= target, actual <= target)
        close = np.where(higher, actual >= (target - tolerance).round(EXACT),
                         actual <= (target + tolerance).round(EXACT))
    out["gap"] = actual - target
    out["status"] = np.select([np.isnan(actual), met, close], ["no_data", "met", "near"], "missed")
    return out[[*ids, "kpi", "name", "target", "direction", "actual", "gap", "status", "source", "unit"]]
