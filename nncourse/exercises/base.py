"""The exercise registry: what every exercise knows, shared by ``nncourse.check`` and the batch grader.

An exercise has an id ``<notebook>.<name>`` (``backprop.linear_backward``), a kind (``"function"``:
the student writes a function; ``"quiz"``: the student sets a variable to an answer), points, a time
limit for all its cases, hints, and four steps that the two users of the registry run in this order:

1. ``cases(seed)``: the inputs. Public cases are fixed; randomized cases are drawn from ``seed``, so
   hard-coding the public outputs fails. A case's *shapes* never depend on the seed, only its values,
   which keeps every feedback message deterministic.
2. ``sanitize(raw)``: turn the student's return value into plain data (float64 arrays, tuples of
   them, numbers, strings) or raise :class:`SanitizeError` saying what type was expected. It never
   calls a method of the student's object, so an object whose ``__eq__`` always answers True fails.
3. ``expected(case)``: the reference output, computed by the package.
4. ``compare(got, expected, case) -> CaseResult`` and ``grade(case_results) -> (points, status, message)``.

The mechanics of calling a student function (copies of the inputs, detection of in-place changes,
warnings, exceptions, the time limit) live in :mod:`nncourse.exercises.runner`; :func:`run_cases`
and :func:`call_student` are re-exported from there.
"""
from __future__ import annotations

import difflib
import importlib
import sys
from dataclasses import dataclass, field

import numpy as np

#: every status a case or an exercise can have
CASE_STATUSES = ("passed", "failed", "error", "timeout", "not attempted")
EXERCISE_STATUSES = ("passed", "partial", "failed", "error", "timeout", "not attempted")


class SanitizeError(Exception):
    """The student's value has the wrong type or dtype; the message says what was expected."""


@dataclass(frozen=True)
class Case:
    """One test input.

    ``args``/``kwargs`` hold only numpy arrays, Python scalars, strings and (nested) tuples of those,
    so a case can be pickled between processes. ``public`` cases may show values in feedback.
    """

    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    public: bool = True


@dataclass
class CaseResult:
    """The outcome of one case; ``message`` is empty when it passed.

    ``credit`` is the share of the case earned by a failed case that is right on some of its outputs
    (``dx`` and ``db`` right, ``dW`` wrong: 2/3); None means all (passed) or nothing (otherwise).
    """

    name: str
    status: str
    message: str = ""
    public: bool = True
    warnings: tuple = ()
    credit: float | None = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def score(self) -> float:
        """The share of this case earned, in [0, 1]."""
        if self.passed:
            return 1.0
        return float(self.credit) if self.credit is not None and self.status == "failed" else 0.0


class Exercise:
    """Base class of every exercise; subclasses implement ``cases``, ``expected``, ``sanitize``, ``compare``.

    Parameters
    ----------
    id : str
        ``"<notebook>.<name>"``, e.g. ``"backprop.linear_backward"``.
    target : str
        The global the exercise cell defines (the function's name, or the quiz answer variable).
    points : float
        Points for passing every case; a partly right function earns the passed fraction.
    time_limit : float
        Seconds for all the cases together.
    hints : tuple of str
        Shown to the student when a case fails, gentlest first: the first says what is wrong and
        where to look (which output; shape, sign, scale, the batch axis) and never holds the
        solution; the formula comes last (see :meth:`hint_for`).
    title : str
        One line saying what the exercise asks.
    """

    kind = ""

    def __init__(self, id: str, *, target: str, points: float = 1.0, time_limit: float = 10.0,
                 hints: tuple = (), title: str = ""):
        if not isinstance(id, str) or id.count(".") != 1 or not all(id.split(".")):
            raise ValueError(f"expected an exercise id of the form '<notebook>.<name>', got {id!r}")
        if not points > 0:
            raise ValueError(f"expected points > 0, got {points!r}")
        if not time_limit > 0:
            raise ValueError(f"expected time_limit > 0 seconds, got {time_limit!r}")
        self.id = id
        self.notebook, self.name = id.split(".")
        self.target = target
        self.points = float(points)
        self.time_limit = float(time_limit)
        self.hints = tuple(hints)
        self.title = title

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id!r}, target={self.target!r}, points={self.points:g})"

    # -- the four steps -------------------------------------------------------------------------
    def cases(self, seed: int) -> list[Case]:
        raise NotImplementedError

    def expected(self, case: Case) -> object:
        raise NotImplementedError

    def sanitize(self, raw: object) -> object:
        raise NotImplementedError

    def compare(self, got: object, expected: object, case: Case) -> CaseResult:
        raise NotImplementedError

    def hint_ladder(self, message: str) -> list[str]:
        """The hints that fit a failure ``message``, gentlest first, the formula last.

        For most exercises that is ``hints`` as given; subclasses keep only the hints about what
        the message says is wrong (see :meth:`FunctionExercise.hint_ladder`).
        """
        return list(self.hints)

    def hint_for(self, message: str, level: int = 0) -> str:
        """The hint for a failure ``message`` at ``level`` (0: the gentlest; higher: stronger).

        Level 0 says what is wrong and where to look and never holds the solution; the last rung
        (any ``level`` at or past it, or ``level=-1``) is the strongest, usually the formula. The
        batch grader shows ``hint_for(message)`` (level 0) in its feedback files; ``nncourse.check``
        climbs one rung per failed attempt at the same exercise.

        Parameters
        ----------
        message : str
            The failure, as :meth:`grade` returns it (``"public 1: wrong values in db: ..."``).
        level : int
            0 for the first failure, 1 for the second, ...; -1 for the strongest hint.

        Returns
        -------
        str
            "" when the exercise has no hints.
        """
        ladder = [h for h in self.hint_ladder(message) if h]
        if not ladder:
            return ""
        if level < 0 or level >= len(ladder):
            return ladder[-1]
        return ladder[level]

    def is_unattempted(self, raw: object) -> bool:
        """True when a quiz answer is still the stub value (None or ``...``); functions: never."""
        return False

    def grade(self, case_results: list[CaseResult]) -> tuple[float, str, str]:
        """Points, overall status and the first problem (``"random 2: ..."``) of a list of case results.

        Points are ``self.points`` times the mean score of the cases (1 for a passed case, the share
        of right outputs for a case right on some outputs only), rounded to 2 decimals. The status is
        ``"passed"`` (all), ``"not attempted"`` (all), ``"partial"`` (some credit), or when there is
        none ``"timeout"``/``"error"`` (every case timed out / raised) or ``"failed"``. Edge cases
        (named ``"edge ..."``, e.g. a drop probability of 0 or 1, where a wrong idea can give the
        right output) count only when a regular case earns something too: edge cases alone earn
        nothing.
        """
        if not case_results:
            return 0.0, "error", "no test cases were run"
        statuses = [r.status for r in case_results]
        scores = [r.score for r in case_results]
        regular = [r for r in case_results if not is_edge(r.name)]
        if regular and not all(r.passed for r in case_results) and not any(r.score > 0 for r in regular):
            scores = [0.0] * len(scores)
        points = round(self.points * sum(scores) / len(scores), 2)
        first = next((r for r in case_results if r.status != "passed"), None)
        message = "" if first is None else f"{first.name}: {first.message}"
        if all(s == "passed" for s in statuses):
            return points, "passed", ""
        if all(s == "not attempted" for s in statuses):
            return 0.0, "not attempted", message
        if points > 0:
            return points, "partial", message
        for status in ("timeout", "error"):
            if all(s == status for s in statuses):
                return 0.0, status, message
        return 0.0, "failed", message


def is_edge(case_name: str) -> bool:
    """True for an edge case (``"edge 1"``): it counts only when a regular case passes too."""
    return case_name.startswith("edge")


# -- the registry ---------------------------------------------------------------------------------
#: modules of ``nncourse.exercises`` that hold the machinery rather than a notebook's exercises
INFRASTRUCTURE = frozenset({"base", "function", "quiz", "runner"})

#: the course's notebooks in teaching order (the numbers of ``solutions/NN_<notebook>.ipynb``). An
#: exercise module may instead (or also) set ``NOTEBOOK_NUMBER = NN`` for the notebooks it registers;
#: notebooks known to neither come last, by name.
COURSE_ORDER = {"backprop": 1, "initialization": 2, "failures": 3, "scaling": 4, "optimizers": 5,
                "regularization": 6, "dropout": 7, "transfer": 8, "questions_to_answer": 9, "playground": 90}


def exercise_modules() -> tuple[str, ...]:
    """Names of the modules that define exercises: one per notebook, named after its notebook id."""
    import pkgutil
    from pathlib import Path

    here = [str(Path(__file__).parent)]
    return tuple(sorted(m.name for m in pkgutil.iter_modules(here)
                        if not m.name.startswith("_") and m.name not in INFRASTRUCTURE))


_REGISTRY: dict[str, Exercise] = {}
_NUMBERS: dict[str, float] = {}
_PLACE: dict[str, tuple] = {}  # exercise id -> (its module's short name, registration number)
_LOADED = False


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to the registry; returns it.

    Each module calls this at import, in the order its notebook asks the exercises. Within a
    notebook, the exercises of the module named after it come first, then those of other modules
    (by module name), each module's in the order it registers them, whatever order the modules
    happen to be imported in.
    """
    if exercise.id in _REGISTRY and _REGISTRY[exercise.id] is not exercise:
        raise ValueError(f"exercise id {exercise.id!r} is registered twice")
    if exercise.id not in _REGISTRY:
        module = sys._getframe(1).f_globals.get("__name__", "")
        _PLACE[exercise.id] = (module.rpartition(".")[2], len(_PLACE))
    _REGISTRY[exercise.id] = exercise
    return exercise


def _load() -> None:
    global _LOADED
    if not _LOADED:
        for name in exercise_modules():
            before = set(_REGISTRY)
            module = importlib.import_module(f"nncourse.exercises.{name}")
            number = getattr(module, "NOTEBOOK_NUMBER", None)
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                for ex_id in set(_REGISTRY) - before:
                    _NUMBERS.setdefault(_REGISTRY[ex_id].notebook, float(number))
        _LOADED = True


def notebook_number(notebook: str) -> float:
    """The position of a notebook in the course (its ``NN``); ``inf`` for a notebook of unknown place."""
    _load()
    if notebook in _NUMBERS:
        return _NUMBERS[notebook]
    return float(COURSE_ORDER.get(notebook, float("inf")))


def all_exercises() -> dict[str, Exercise]:
    """Every registered exercise, by id, in course order: notebook by notebook, each in its own order."""
    _load()
    rank = {n: i for i, n in enumerate(notebooks())}

    def key(ex_id: str) -> tuple:
        notebook = _REGISTRY[ex_id].notebook
        module, number = _PLACE.get(ex_id, ("", 0))
        return rank[notebook], module != notebook, module, number

    ids = sorted(_REGISTRY, key=key)
    return {i: _REGISTRY[i] for i in ids}


def get(exercise_id: str) -> Exercise:
    """The exercise with this id; a ValueError naming the closest known ids otherwise."""
    _load()
    if not isinstance(exercise_id, str):
        raise TypeError(f"expected an exercise id string such as 'backprop.linear_backward', "
                        f"got {type(exercise_id).__name__}")
    if exercise_id in _REGISTRY:
        return _REGISTRY[exercise_id]
    known = sorted(_REGISTRY)
    close = difflib.get_close_matches(exercise_id, known, n=3, cutoff=0.5)
    if not close:  # same notebook, or a bare name without the notebook part
        close = [k for k in known if k.split(".")[0] == exercise_id.split(".")[0]
                 or k.split(".")[1] == exercise_id.split(".")[-1]][:5]
    hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else \
        f"known ids: {', '.join(known)}"
    raise ValueError(f"unknown exercise id {exercise_id!r}; {hint}")


def for_notebook(notebook: str) -> list[Exercise]:
    """The exercises of one notebook (``"backprop"``) in the order it asks them; empty for an unknown notebook."""
    return [ex for ex in all_exercises().values() if ex.notebook == notebook]


def notebooks() -> list[str]:
    """The ids of every notebook that has exercises, in course order."""
    _load()
    return sorted({ex.notebook for ex in _REGISTRY.values()}, key=lambda n: (notebook_number(n), n))


def resolve(dotted: str):
    """Import ``"package.module:attribute"`` lazily (references are looked up at check time)."""
    module, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module), attr)


def fixed_rng(*key: int) -> np.random.Generator:
    """A Generator for a public case: the same bits on every call."""
    return np.random.default_rng(list(key))
