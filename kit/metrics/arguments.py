"""Argument checks shared by the metrics: whole numbers, positive numbers and proportions, each refused with
a kit error that names the parameter and the value."""

from __future__ import annotations

import math

import numpy as np

from kit.errors import KitError


def check_whole(param: str, value, low: int, high: float) -> int:
    """``value`` as an int when it is a whole number (not a bool) in ``low``…``high``.

    >>> check_whole("min_n", 30.0, 0, math.inf)
    30
    >>> try:
    ...     check_whole("min_n", True, 0, 100)
    ... except KitError as error:
    ...     error.code
    'metrics_bad_whole'
    """
    whole = isinstance(value, (int, np.integer)) or (isinstance(value, (float, np.floating))
                                                      and float(value).is_integer())
    if isinstance(value, bool) or not whole or not low <= value <= high:
        raise KitError("metrics_bad_whole", param=param, value=value, low=low, high=high)
    return int(value)


def check_positive(param: str, value, minimum: float = 0, *, inclusive: bool = False) -> float:
    """``value`` as a float when it is a finite number above ``minimum`` (or equal, when ``inclusive``).

    >>> check_positive("drop", 0, inclusive=True)
    0.0
    >>> try:
    ...     check_positive("margin", float("inf"))
    ... except KitError as error:
    ...     error.code
    'metrics_bad_number'
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and (value >= minimum if inclusive else value > minimum)
    if not ok:
        raise KitError("metrics_bad_number", param=param, value=value, minimum=minimum)
    return float(value)


def check_share(param: str, value) -> float:
    """``value`` as a float when it is a proportion strictly between 0 and 1.

    >>> check_share("power", 0.8)
    0.8
    >>> try:
    ...     check_share("alpha", 5)  # a percentage is not a share
    ... except KitError as error:
    ...     error.code
    'metrics_bad_share'
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise KitError("metrics_bad_share", param=param, value=value)
    return float(value)
