"""RACI matrices (责任矩阵 [002]), the action-plan template's second field: :func:`check_raci` checks that
every task has exactly one A (one person accountable) and at least one R (someone does it), and flags cells that
are none of R, A, C, I (:class:`RaciCheck`, :class:`RaciProblem`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from kit.errors import KitError
from kit.i18n import get_lang, t

from .common import _check_lang, _is_blank, _Record

RACI_ROLES = ("R", "A", "C", "I")
"""Responsible (负责), Accountable (批准/问责), Consulted (咨询), Informed (知会) [002]."""
_ROLE_WORDS = {"responsible": "R", "负责": "R", "执行": "R", "accountable": "A", "approve": "A", "批准": "A",
               "问责": "A", "批准问责": "A", "consulted": "C", "consult": "C", "咨询": "C", "informed": "I",
               "inform": "I", "知会": "I", "告知": "I", "通知": "I"}


@dataclass(frozen=True)
class RaciProblem:
    """One problem of one task: ``code`` is ``no_accountable``, ``many_accountable``, ``no_responsible`` or
    ``unknown_role``; ``people`` are those concerned, ``value`` the unreadable cell."""

    task: str
    code: str
    people: tuple[str, ...] = ()
    value: str | None = None

    def text(self, lang: str | None = None) -> str:
        """The problem as a sentence in ``lang``.

        >>> RaciProblem("回访", "many_accountable", ("张三", "李四")).text("en")
        "Task '回访': 2 people are accountable (张三, 李四); exactly one person must be A."
        """
        lang = _check_lang(lang) or get_lang()
        return t(f"actionplan.raci.problems.{self.code}", lang, task=self.task, n=len(self.people),
                 people=t("actionplan.list_sep", lang).join(self.people), value=self.value)


@dataclass(frozen=True, repr=False)
class RaciCheck(_Record):
    """A checked RACI matrix: ``ok`` when every task has exactly one A and at least one R and no cell is
    unreadable; ``failing`` lists the tasks with problems, ``problems`` maps every task to its problems and
    ``roles`` every task to ``{person: "A/R"}`` (blank cells left out)."""

    ok: bool
    tasks: int
    failing: tuple[str, ...]
    problems: dict = field(repr=False)
    roles: dict = field(repr=False)

    def messages(self, lang: str | None = None) -> list[str]:
        """Every problem as a sentence, task by task.

        >>> check_raci({"回访": {"张三": "R", "李四": "I"}}).messages("zh")
        ['任务“回访”：没有人批准（A）；每项任务必须恰好有一人负最终责任。']
        """
        return [p.text(lang) for problems in self.problems.values() for p in problems]


def _roles(cell) -> tuple[set[str], str | None]:
    """The RACI letters of one cell and, when some part is unreadable, that part."""
    if _is_blank(cell):
        return set(), None
    if not isinstance(cell, str):
        return set(), str(cell)
    letters, unknown = set(), []
    for part in re.split(r"[/,;+&、|\s]+", unicodedata.normalize("NFKC", cell).strip()):
        folded = re.sub(r"[()（）\s]", "", part).casefold()
        if not folded:
            continue
        if folded in _ROLE_WORDS:
            letters.add(_ROLE_WORDS[folded])
        elif re.fullmatch(r"[raci]+", folded):
            letters.update(folded.upper())
        else:
            unknown.append(part)
    return letters, ("/".join(unknown) or None)


def _raci_rows(matrix) -> list[tuple[str, list[tuple[str, object]]]]:
    """``[(task, [(person, cell), …]), …]`` from a DataFrame (index tasks, columns people) or a dict of dicts."""
    if hasattr(matrix, "columns") and hasattr(matrix, "index") and hasattr(matrix, "itertuples"):
        for code, names in (("actionplan_raci_duplicate_task", matrix.index),
                            ("actionplan_raci_duplicate_person", matrix.columns)):
            folded = [str(n).strip() for n in names]
            dupes = sorted({n for n in folded if folded.count(n) > 1})
            if dupes:
                raise KitError(code, names=", ".join(dupes))
        people = list(matrix.columns)
        return [(task, list(zip(people, row, strict=True)))
                for task, *row in matrix.itertuples(index=True, name=None)]
    if not isinstance(matrix, Mapping):
        raise KitError("actionplan_raci_type", value=type(matrix).__name__)
    rows = []
    for task, row in matrix.items():
        if not isinstance(row, Mapping) and not hasattr(row, "items"):
            raise KitError("actionplan_raci_row", task=task, value=type(row).__name__)
        rows.append((task, list(row.items())))
    return rows


def check_raci(matrix) -> RaciCheck:
    """Check a RACI matrix (责任矩阵 [002]): tasks × people, each cell R, A, C or I (or 负责, 批准/问责, 咨询,
    知会; blank allowed; combined cells such as "A/R" allowed).

    Rule (external: PMBOK, not stated by [002]): every task has exactly one A (one person accountable) and at least
    one R (someone does it);
    a cell that is none of the four letters is flagged. ``matrix`` is a DataFrame (index tasks, columns
    people) or a dict ``{task: {person: cell}}``.

    >>> res = check_raci({"制定标准": {"张三": "A/R", "李四": "C"}, "培训": {"张三": "A", "李四": "A", "王五": "X"}})
    >>> res
    RaciCheck(ok=False, tasks=2, failing=('培训',))
    >>> [p.code for p in res.problems["培训"]]
    ['many_accountable', 'no_responsible', 'unknown_role']
    """
    rows = _raci_rows(matrix)
    if not rows:
        raise KitError("actionplan_raci_empty")
    tasks: list[str] = []
    problems, roles = {}, {}
    for task, cells in rows:
        task = str(task).strip() if not _is_blank(task) else ""
        if not task:
            raise KitError("actionplan_raci_blank_task")
        tasks.append(task)
        found, cell_roles, names = [], {}, []
        for person, cell in cells:
            person = str(person).strip() if not _is_blank(person) else ""
            if not person:
                raise KitError("actionplan_raci_blank_person", task=task)
            if person in names:
                raise KitError("actionplan_raci_duplicate_person", names=person)
            names.append(person)
            letters, unknown = _roles(cell)
            if letters:
                cell_roles[person] = "/".join(r for r in ("A", "R", "C", "I") if r in letters)
            if unknown is not None:
                found.append(RaciProblem(task, "unknown_role", (person,), unknown))
        accountable = tuple(p for p, r in cell_roles.items() if "A" in r)
        responsible = tuple(p for p, r in cell_roles.items() if "R" in r)
        checks = [(not accountable, RaciProblem(task, "no_accountable")),
                  (len(accountable) > 1, RaciProblem(task, "many_accountable", accountable)),
                  (not responsible, RaciProblem(task, "no_responsible"))]
        problems[task] = tuple([p for bad, p in checks if bad] + found)
        roles[task] = cell_roles
    dupes = sorted({n for n in tasks if tasks.count(n) > 1})
    if dupes:
        raise KitError("actionplan_raci_duplicate_task", names=", ".join(dupes))
    failing = tuple(task for task, found in problems.items() if found)
    return RaciCheck(ok=not failing, tasks=len(problems), failing=failing, problems=problems, roles=roles)
