"""Numbers written for people: p-values, intervals, counts and signed figures as a report's reader expects
them, in zh and en.

- ``p_value(0.00000044)`` → ``"p < 0.001"``; ``p_value(0.0312)`` → ``"p = 0.031"`` (APA 7th ed. §6.36: exact p
  to three decimals, below 0.001 as "< 0.001").
- ``interval(-26.2, 4.1, "+.0f", "zh")`` → ``"−26 至 +4"``; in en ``"−26 to +4"`` (true minus sign U+2212).
- ``count(24.0)`` → ``"24"``; ``count(12345)`` → ``"12,345"``; a missing value → ``"—"``.
"""

from __future__ import annotations

from kit.i18n import get_lang, t

MISSING = "—"
MINUS = "\u2212"


def is_missing(value) -> bool:
    """None, NaN, NaT or pd.NA."""
    import pandas as pd

    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def number(value, spec: str = ".1f") -> str:
    """``value`` formatted by ``spec`` with a true minus sign; "—" when missing (None, NaN, pd.NA)."""
    if is_missing(value):
        return MISSING
    text = format(float(value), spec)
    if text.lstrip("+-") in {"0", "0.0", "0.00", "0.000"} or set(text.lstrip("+-")) <= {"0", ".", "%"}:
        text = text.lstrip("+-")  # "−0" and "+0.0" read as a change that is not there
    return text.replace("-", MINUS)


def count(value) -> str:
    """A count as an integer with thousands separators ("—" when missing): ``24.0`` → ``"24"``."""
    return MISSING if is_missing(value) else f"{round(float(value)):,}"


def interval(low, high, spec: str = ".1f", lang: str | None = None) -> str:
    """A confidence interval as "low 至 high" (zh) / "low to high" (en), both ends formatted by ``spec``."""
    if is_missing(low) or is_missing(high):
        return MISSING
    return t("formats.interval", lang or get_lang(), low=number(low, spec), high=number(high, spec))


def estimate(value, low, high, spec: str = ".1f", lang: str | None = None) -> str:
    """An estimate with its interval as people write it: "+12.3（+8.1 至 +16.5）" / "+12.3 (+8.1 to +16.5)";
    "—" when the estimate is missing, the value alone when its interval is."""
    if is_missing(value):
        return MISSING
    if is_missing(low) or is_missing(high):
        return number(value, spec)
    span = interval(low, high, spec, lang)
    return f"{number(value, spec)}（{span}）" if (lang or get_lang()) == "zh" else f"{number(value, spec)} ({span})"


def p_value(p) -> str:
    """A p-value as APA writes it: "p = 0.031", "p < 0.001" (never "p = 0.000" or "4.4e-07")."""
    if is_missing(p):
        return MISSING
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def yes_no(flag, lang: str | None = None) -> str:
    """A boolean as 是/否 (zh) or yes/no (en); "—" when missing."""
    if is_missing(flag):
        return MISSING
    return t("formats.yes" if bool(flag) else "formats.no", lang or get_lang())
