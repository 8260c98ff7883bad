"""Service-quality training and analysis kit (客户满意度与服务品质培训分析套件).

``import kit`` stays light: submodules (and pandas, matplotlib, papermill behind them)
load on first attribute access, e.g. ``kit.data.load(...)``.
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "actionplan", "assessment", "checks", "cli", "cohort", "cohortsummary", "communication", "cxsummary", "data", "drivers", "errors",
    "findings", "formats", "grading", "i18n",
    "improvement", "kano", "metrics", "needs", "ninegrid", "paths", "periods", "personal", "pipeline", "plots", "privacy", "process",
    "recovery", "reliability", "report", "results", "scores", "servqual", "stats", "tables",
    "text", "trainee", "weights", "widgets",
}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"kit.{name}")
    raise AttributeError(f"module 'kit' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
