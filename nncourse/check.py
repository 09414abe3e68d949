"""In-notebook checks: ``nncourse.check("<id>", your_function)`` and ``nncourse.progress()``.

``check`` runs the exercise's public cases (fixed inputs) and randomized cases (fresh inputs on every
call, so hard-coded outputs fail) against the package's reference and returns a :class:`CheckResult`:
rich HTML in Jupyter, deterministic plain text elsewhere. Your function gets copies of the inputs;
warnings it raises are listed but never cost points; an untouched stub counts as "not attempted".
How the time limit works (and where it cannot) is explained in :mod:`nncourse.exercises.runner`.

Hints escalate: the first failed check of an exercise in this session gets the gentlest hint (what
is wrong and where to look), each further failed check of the same exercise a stronger one, and the
formula comes last; ``check(..., hint=True)`` shows the strongest hint at once. The hint depends
only on the sequence of attempts, so the text stays deterministic; :func:`reset_progress` starts
the count again.
"""
from __future__ import annotations

import html
import inspect
import re
import secrets

from nncourse import exercises
from nncourse.exercises.base import CaseResult, is_edge

_COLORS = {"passed": "#1a7f37", "partial": "#9a6700", "failed": "#cf222e", "error": "#cf222e",
           "timeout": "#cf222e", "not attempted": "#57606a", "not checked": "#57606a"}

# the latest result of each exercise checked in this Python process (this kernel session)
_SESSION: dict = {}
_LAST_NOTEBOOK: list = []
# failed checks so far, per exercise id and kind of problem (its hint ladder): the rung of the next hint
_ATTEMPTS: dict = {}


def _badge(status: str, text: str) -> str:
    color = _COLORS.get(status, "#57606a")
    return f'<span style="color:{color};font-weight:bold">{html.escape(text)}</span>'


class CheckResult:
    """The outcome of one ``check``: points, a status, one line per case, warnings and a hint.

    Attributes
    ----------
    exercise_id : str
    points, max_points : float
    status : str
        ``"passed"``, ``"partial"``, ``"failed"``, ``"error"``, ``"timeout"`` or ``"not attempted"``.
    message : str
        The first problem, prefixed by its case (``"public 1: wrong shape for dW: ..."``); "" if passed.
    cases : list of CaseResult
    warnings : tuple of str
        Warnings your code raised (deduplicated); they cost no points.
    hint : str
        Shown when something is wrong; "" when passed.
    """

    def __init__(self, exercise, points: float, status: str, message: str, cases: list[CaseResult],
                 level: int = 0):
        self.exercise_id = exercise.id
        self.title, self.kind = exercise.title, exercise.kind
        self.points, self.max_points = float(points), float(exercise.points)
        self.status, self.message, self.cases = status, message, list(cases)
        self.warnings = tuple(dict.fromkeys(w for c in cases for w in c.warnings))
        self.hint_rung, self.hint_rungs = 0, 0
        self.hint = self._hint(exercise, level)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def _hint(self, exercise, level: int) -> str:
        """The hint at ``level`` (0: gentlest; -1: strongest); sets ``hint_rung`` of ``hint_rungs``."""
        if self.status in ("passed", "not attempted"):
            return ""
        public_ok = all(c.passed for c in self.cases if c.public)
        if self.status == "partial" and public_ok and any(c.public for c in self.cases) and level == 0:
            return ("your function passes the public cases but not the randomized ones: make sure it works "
                    "for any input and any N, D, H, not only for the examples")
        ladder = [h for h in exercise.hint_ladder(self.message) if h] if hasattr(exercise, "hint_ladder") else []
        if "level" in inspect.signature(exercise.hint_for).parameters:
            hint = exercise.hint_for(self.message, level=level)
        else:  # an exercise written before hints had levels
            hint = exercise.hint_for(self.message)
        if hint and hint in ladder:
            self.hint_rung, self.hint_rungs = ladder.index(hint) + 1, len(ladder)
        return hint

    # -- plain text ----------------------------------------------------------------------------------
    def _case_lines(self) -> list[tuple[str, str, str]]:
        """(names, status, detail): one row per problem; cases with the same problem share one row.

        Two messages are the same problem when they differ only in numbers (a numpy error names the
        sizes of each case); the first case's message is shown, and the row says how many more cases
        had it.
        """
        groups: dict = {}
        rows: list = []
        for c in self.cases:
            if c.passed and is_edge(c.name) and self.points == 0:
                rows.append([[c.name], c.status, "an edge case: it counts once a regular case earns something"])
                continue
            if c.passed or not c.message:
                rows.append([[c.name], c.status, c.message])
                continue
            key = (c.status, re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "#", c.message))
            if key in groups:
                groups[key][0].append(c.name)
            else:
                groups[key] = [[c.name], c.status, c.message]
                rows.append(groups[key])
        out = []
        for names, status, detail in rows:
            if len(names) > 1:
                more = len(names) - 1
                detail += f" (same {'error' if status == 'error' else 'problem'} in {more} more " \
                          f"case{'s' if more > 1 else ''}: {', '.join(names[1:])})"
            out.append((names[0], status, detail))
        return out

    def _hint_label(self) -> str:
        if self.hint_rungs < 2:
            return "Hint"
        if self.hint_rung >= self.hint_rungs:
            return f"Hint ({self.hint_rung} of {self.hint_rungs}, the strongest)"
        return f"Hint ({self.hint_rung} of {self.hint_rungs})"

    def _hint_more(self) -> str:
        if self.hint_rungs and self.hint_rung < self.hint_rungs:
            return (f"Each failed check gives a stronger hint; nncourse.check({self.exercise_id!r}, ..., "
                    "hint=True) shows the strongest now.")
        return ""

    def __str__(self) -> str:
        head = f"{self.exercise_id}: {self.points:g} / {self.max_points:g} points ({self.status})"
        if self.status == "not attempted":
            todo = ("set your answer in the cell above" if self.kind == "quiz"
                    else "write your code in the exercise cell above")
            return f"{head}\n  {todo}, run that cell, then run this check again."
        lines = [head]
        width = max(len(c.name) for c in self.cases)
        for name, status, detail in self._case_lines():
            lines.append(f"  {name:<{width}}  {status}" + (f": {detail}" if detail else ""))
        if self.warnings:
            lines.append("Warnings from your code (they cost no points):")
            lines.extend(f"  {w}" for w in self.warnings)
        if self.hint:
            lines.append(f"{self._hint_label()}: {self.hint}")
            if self._hint_more():
                lines.append(f"  {self._hint_more()}")
        return "\n".join(lines)

    __repr__ = __str__

    # -- HTML ------------------------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        e = html.escape
        title = f" &mdash; {e(self.title)}" if self.title else ""
        out = [f'<div class="nncourse-check" style="border-left:4px solid {_COLORS.get(self.status, "#57606a")};'
               f'padding:4px 10px;margin:4px 0">',
               f"<div><code>{e(self.exercise_id)}</code>{title}: "
               f"{_badge(self.status, f'{self.points:g} / {self.max_points:g} points ({self.status})')}</div>"]
        if self.status == "not attempted":
            out.append(f"<div>{e(str(self).splitlines()[1].strip())}</div></div>")
            return "".join(out)
        out.append('<table style="margin:4px 0">')
        for name, status, detail in self._case_lines():
            out.append(f"<tr><td style='text-align:left;padding-right:1em'>{e(name)}</td>"
                       f"<td style='text-align:left;padding-right:1em'>{_badge(status, status)}</td>"
                       f"<td style='text-align:left'>{e(detail)}</td></tr>")
        out.append("</table>")
        if self.warnings:
            items = "".join(f"<li><code>{e(w)}</code></li>" for w in self.warnings)
            out.append(f"<div>Warnings from your code (they cost no points):<ul>{items}</ul></div>")
        if self.hint:
            more = f" <i>{e(self._hint_more())}</i>" if self._hint_more() else ""
            out.append(f"<div><b>{e(self._hint_label())}:</b> {e(self.hint)}{more}</div>")
        out.append("</div>")
        return "".join(out)


def check(exercise_id: str, answer, *, seed: int | None = None, hint: bool = False) -> CheckResult:
    """Check your function (or your quiz answer) for one exercise.

    Parameters
    ----------
    exercise_id : str
        ``"<notebook>.<name>"``, as printed in the exercise cell, e.g. ``"backprop.linear_backward"``.
    answer : callable or value
        Your function for a function exercise (the function itself: ``linear_backward``, not a call);
        your answer (a letter, a shape, a number) for a quiz question.
    seed : int, optional
        Seed of the randomized cases; by default fresh random inputs on every call.
    hint : bool
        True: if something is wrong, show the strongest hint (usually the formula) at once instead
        of the next one on the ladder.

    Returns
    -------
    CheckResult
        Points, status and one line per case; it displays itself in a notebook.
    """
    ex = exercises.get(exercise_id)
    if ex.kind == "function" and not callable(answer):
        raise TypeError(f"check({exercise_id!r}, ...) expects your function itself, as in "
                        f"check({exercise_id!r}, {ex.target}); got a value of type {type(answer).__name__}")
    if seed is None:
        seed = secrets.randbits(32)
    cases = ex.cases(seed)
    results = exercises.run_cases(ex, answer, cases)
    points, status, message = ex.grade(results)
    # the hints climb with each failed check of the same problem (the same output wrong, say), so a
    # new problem starts again from its gentlest hint
    key = (ex.id, tuple(ex.hint_ladder(message)) if hasattr(ex, "hint_ladder") else ())
    level = _ATTEMPTS.get(key, 0)
    if status not in ("passed", "not attempted"):
        _ATTEMPTS[key] = level + 1
    result = CheckResult(ex, points, status, message, results, level=-1 if hint else level)
    _SESSION[ex.id] = result
    _LAST_NOTEBOOK[:] = [ex.notebook]
    return result


class Progress:
    """Points so far in this session, per exercise; HTML in Jupyter, plain text elsewhere."""

    def __init__(self, title: str, rows: list[tuple[str, str, float, float, str]]):
        self.title, self.rows = title, rows
        self.points = sum(r[2] for r in rows)
        self.max_points = sum(r[3] for r in rows)

    def __str__(self) -> str:
        lines = [f"{self.title}: {self.points:g} / {self.max_points:g} points"]
        width = max((len(r[0]) for r in self.rows), default=0)
        for ex_id, _, pts, mx, status in self.rows:
            lines.append(f"  {ex_id:<{width}}  {pts:g} / {mx:g}  {status}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        e = html.escape
        rows = "".join(f"<tr><td style='text-align:left'><code>{e(i)}</code></td><td style='text-align:left'>"
                       f"{e(t)}</td><td>{p:g} / {m:g}</td><td style='text-align:left'>{_badge(s, s)}</td></tr>"
                       for i, t, p, m, s in self.rows)
        return (f'<div class="nncourse-progress"><b>{e(self.title)}: {self.points:g} / {self.max_points:g} '
                f"points</b><table>{rows}</table></div>")


def progress(notebook: str | None = None) -> Progress:
    """Your points so far in this kernel session.

    Parameters
    ----------
    notebook : str, optional
        A notebook id such as ``"backprop"``, or ``"all"`` for every notebook. By default the
        notebook of your latest ``check`` (every notebook if you have not checked anything yet).
        Exercises are listed in course order: notebook by notebook, each in the order it asks them.
    """
    if notebook is None:
        notebook = _LAST_NOTEBOOK[0] if _LAST_NOTEBOOK else "all"
    known = exercises.notebooks()
    if notebook != "all" and notebook not in known:
        raise ValueError(f"unknown notebook {notebook!r}; choose one of {', '.join(known)} or 'all'")
    rows = []
    for ex in exercises.all_exercises().values():
        if notebook in ("all", ex.notebook):
            r = _SESSION.get(ex.id)
            rows.append((ex.id, ex.title, r.points if r else 0.0, ex.points, r.status if r else "not checked"))
    title = "Progress in all notebooks" if notebook == "all" else f"Progress in {notebook}"
    return Progress(title, rows)


def reset_progress() -> None:
    """Forget every result of this session (``progress()`` starts again from zero, hints from the gentlest)."""
    _SESSION.clear()
    _LAST_NOTEBOOK.clear()
    _ATTEMPTS.clear()
