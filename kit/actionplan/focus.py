"""Nine-grid focus (服务力九宫格 [001]): :func:`ninegrid_focus` picks the k lowest of a trainee's nine
self-ratings, the areas an action plan works on. The ability codes come from :data:`kit.data.schemas.NINEGRID`
(a plain data module).
"""

from __future__ import annotations

import math
import numbers
import unicodedata
from dataclasses import dataclass

from kit.data.schemas import NINEGRID
from kit.errors import KitError
from kit.i18n import LANGS, t

from .common import _check_lang, _fold, _Record

ABILITIES = tuple(NINEGRID)
"""The nine ability codes of [001]'s service nine-grid (:data:`kit.data.schemas.NINEGRID`), in grid order."""


@dataclass(frozen=True, repr=False)
class Focus(_Record):
    """The focus areas of a nine-grid: ``abilities`` (lowest first, ties in grid order), their ``scores``,
    and ``tied``: abilities left out although they score the same as the last one picked."""

    abilities: tuple[str, ...]
    scores: tuple[float, ...]
    tied: tuple[str, ...]

    def names(self, lang: str | None = None) -> list[str]:
        """The focus abilities' names in ``lang``.

        >>> Focus(abilities=("crisis",), scores=(2.0,), tied=()).names("zh")
        ['危机应对']
        """
        return [t(f"ninegrid.abilities.{a}", _check_lang(lang)) for a in self.abilities]


def _ability_of() -> dict[str, str]:
    lookup = {}
    for code, short in NINEGRID.items():
        for name in (code, f"ng_{code}", short, *(t(f"ninegrid.abilities.{code}", lang) for lang in LANGS)):
            lookup[_fold(name)] = code
    return lookup


def _rating(value, ability: str) -> float:
    if isinstance(value, str):
        try:
            value = float(unicodedata.normalize("NFKC", value).strip())
        except ValueError:
            raise KitError("actionplan_bad_rating", ability=ability, value=repr(value)) from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value) or not 1 <= value <= 5:
        raise KitError("actionplan_bad_rating", ability=ability, value=repr(value))
    return float(value)


def ninegrid_focus(ratings, k: int = 3) -> Focus:
    """The ``k`` lowest of a trainee's nine-grid self-ratings (服务力九宫格 [001], 1–5): the areas an action
    plan works on ([001]: nine-grid → 3 areas → SMART goal). Ties are broken by the grid's order
    (cognitive, behavioural, emotional). ``ratings`` maps each of the nine abilities — by code, ``ng_`` column
    or zh/en name — to its rating.

    >>> ninegrid_focus({"knowledge": 4, "analysis": 3, "innovation": 2, "communication": 5, "process": 4,
    ...                 "crisis": 2, "emotion": 3, "empathy": 4, "teamwork": 5})
    Focus(abilities=('innovation', 'crisis', 'analysis'), scores=(2.0, 2.0, 3.0), tied=('emotion',))
    """
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(ABILITIES):
        raise KitError("actionplan_bad_k", value=repr(k), n=len(ABILITIES))
    if not hasattr(ratings, "items"):
        raise KitError("actionplan_bad_ratings", value=type(ratings).__name__)
    lookup, scores, unknown = _ability_of(), {}, []
    for key, value in ratings.items():
        code = lookup.get(_fold(key))
        if code is None:
            unknown.append(str(key))  # other columns of a table row (trainee_id, phase …)
        elif code in scores:
            raise KitError("actionplan_duplicate_ability", ability=code)
        else:
            scores[code] = _rating(value, code)
    missing = [a for a in ABILITIES if a not in scores]
    if missing and unknown:
        raise KitError("actionplan_unknown_ability", value=", ".join(unknown), missing=", ".join(missing),
                       abilities=", ".join(ABILITIES))
    if missing:
        raise KitError("ninegrid_missing", missing=", ".join(missing), abilities=", ".join(ABILITIES))
    order = sorted(ABILITIES, key=lambda a: scores[a])  # stable: ties keep the grid's order
    chosen = order[:k]
    tied = tuple(a for a in order[k:] if scores[a] == scores[chosen[-1]])
    return Focus(abilities=tuple(chosen), scores=tuple(scores[a] for a in chosen), tied=tied)
