"""Findings a report leads with: what the data show and, when it calls for one, what to do, by whom and by when.

The CX report (:mod:`kit.cxsummary`) and the cohort report (:mod:`kit.cohortsummary`) rank their own findings;
this module holds what they share: the finding itself, how one is worded from a report's text
(``finding_<key>``, ``action_<key>``, ``owner_<role>``, ``action_line``, ``action_none``) and the Markdown lists
of the first screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kit.text import Markdown


@dataclass(frozen=True)
class Finding:
    """One finding of a report: what the data show, and (when it calls for one) what to do, by whom, by when."""

    key: str
    text: str
    action: str | None = None
    owner: str | None = None
    due: dt.date | None = None


def worded(key: str, facts: dict, text, owner: tuple[str, int], today: dt.date) -> Finding:
    """The finding of kind ``key`` from its ``facts`` (a ``variant`` fact picks ``finding_<key><variant>``), its
    action owned by ``owner`` = (role, days until due). A finding without an ``action_…`` text has no action."""
    facts = dict(facts)
    variant = facts.pop("variant", "")
    role, days = owner
    name = f"action_{key}{variant}"
    if name not in text:
        return Finding(key, text.format(f"finding_{key}{variant}", **facts))
    return Finding(key, text.format(f"finding_{key}{variant}", **facts), text.format(name, **facts),
                   text[f"owner_{role}"], today + dt.timedelta(days=days))


def action_lines(items: list[Finding], text, limit: int | None = None) -> Markdown:
    """The actions of ``items`` as a numbered Markdown list: what to do, the owner role and the due date."""
    actions = [f for f in items if f.action][:limit]
    if not actions:
        return Markdown(text["action_none"])
    return Markdown("\n".join(f"{i}. {text.format('action_line', action=Markdown(f.action), owner=Markdown(f.owner), due=Markdown(f'{f.due:%Y-%m-%d}'))}"
                              for i, f in enumerate(actions, start=1)))


def finding_lines(items: list[Finding], limit: int | None = None) -> Markdown:
    """The findings of ``items`` as a Markdown bullet list."""
    return Markdown("\n".join(f"- {f.text}" for f in items[:limit]))
