"""What every course notebook uses around its lessons: the run's seed, claims, and the student's own code.

- :func:`seed` derives an experiment's seed from the run's base seed, the environment variable
  ``NNCOURSE_SEED`` (default 0), so a whole notebook can be re-run with other random draws
  (``NNCOURSE_SEED=3``) and every claim it asserts must still hold.
- :func:`claim` is what an ``assert`` of a solution notebook becomes in the student notebook: a claim
  that fails (after a student changed a setting, say) is reported as a note, not a traceback, unless
  ``NNCOURSE_STRICT_CLAIMS=1`` (as under ``make test``) makes it an ``AssertionError`` again.
- :func:`use` hands the cells after an exercise the student's function once it passes its check, and
  the package's reference (with a note saying so) until then, so a notebook runs top to bottom either way.
  With ``NNCOURSE_STRICT_CLAIMS=1`` a function that is written but does not pass is an error instead:
  under ``make test`` the solution notebooks must run every later cell on their own code.
"""
from __future__ import annotations

import html
import os
import textwrap

SEED_VARIABLE = "NNCOURSE_SEED"
STRICT_VARIABLE = "NNCOURSE_STRICT_CLAIMS"
#: seeds derived from one base seed never meet those of the next base seed below this many experiments
SEED_STRIDE = 1000


def base_seed() -> int:
    """The run's base seed: ``NNCOURSE_SEED`` from the environment, 0 when it is not set."""
    raw = os.environ.get(SEED_VARIABLE, "").strip()
    if not raw:
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{SEED_VARIABLE}={raw!r} is not a whole number; expected a seed such as 0, 1 or 4, "
                         f"or leave {SEED_VARIABLE} unset for 0") from None
    if value < 0:
        raise ValueError(f"{SEED_VARIABLE}={value} is negative; expected a seed of 0 or more")
    return value


def seed(k: int = 0) -> int:
    """The seed of experiment number ``k`` of this run: ``1000 * NNCOURSE_SEED + k``.

    With ``NNCOURSE_SEED`` unset (or 0) this is ``k`` itself. Give each experiment of a notebook its
    own ``k`` (0, 1, 2, ...) so that they draw independent numbers.

    >>> seed(3)  # with NNCOURSE_SEED unset
    3
    """
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k < SEED_STRIDE:
        raise ValueError(f"expected an experiment number k from 0 to {SEED_STRIDE - 1}, got {k!r}")
    return SEED_STRIDE * base_seed() + k


def strict_claims() -> bool:
    """True when a failing claim must raise (``NNCOURSE_STRICT_CLAIMS=1``, as in CI)."""
    return os.environ.get(STRICT_VARIABLE, "").strip() not in ("", "0")


class ClaimNote:
    """The note shown for a claim that did not hold; HTML in Jupyter, plain text elsewhere."""

    def __init__(self, expected: str, observed: str):
        self.expected, self.observed = expected, observed

    def __str__(self) -> str:
        lines = [f"Note: this run does not show what the lesson expected: {self.expected}"]
        if self.observed:
            lines.append(f"  What your run shows: {self.observed}")
        lines.append("  With the notebook's own settings the claim holds (it is tested for seeds 0 to 4). If you "
                     "changed a setting or your own code, that can be why; compare with the original to see "
                     "what made the difference.")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        e = html.escape
        seen = f"<div>What your run shows: <code>{e(self.observed)}</code></div>" if self.observed else ""
        return ('<div class="nncourse-claim" style="border-left:4px solid #c77c02;padding:4px 10px;'
                'background:#fff7e6"><b>Note:</b> this run does not show what the lesson expected: '
                f"<code>{e(self.expected)}</code>{seen}<div>With the notebook's own settings the claim holds "
                "(it is tested for seeds 0 to 4). If you changed a setting or your own code, that can be why; "
                "compare with the original to see what made the difference.</div></div>")


class UseNote:
    """Which function the cells after an exercise use; HTML in Jupyter, text wrapped between words elsewhere."""

    def __init__(self, text: str, ok: bool):
        self.text, self.ok = text, ok

    def __str__(self) -> str:
        return textwrap.fill(self.text, width=100, break_long_words=False, break_on_hyphens=False)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#c77c02"
        return (f'<div class="nncourse-use" style="border-left:4px solid {colour};padding:2px 10px">'
                f"{html.escape(self.text)}</div>")


def _show(note) -> None:
    try:
        from IPython.display import display
    except ImportError:  # plain Python: print it
        print(note)
    else:
        display(note)


def _readable(value) -> str:
    """A measured value as a reader wants it: floats to 4 significant digits, inside tuples, lists and dicts too."""
    import numbers

    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.4g}"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_readable(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_readable(v)}" for k, v in value.items()) + "}"
    return str(value)


def claim(holds, message=None, expected: str = "") -> None:
    """Report a claim of the lesson: silent when ``holds`` is true, a note (or, strict, an error) when not.

    Parameters
    ----------
    holds : bool
        The claim's outcome in this run.
    message : object, optional
        What the run measured (the ``assert``'s message), shown with the note.
    expected : str
        The claim as written in the lesson (the ``assert``'s condition).

    Nothing is returned, so a claim at the end of a cell shows no ``Out``.
    """
    if bool(holds):
        return None
    observed = "" if message is None else _readable(message)
    if strict_claims():
        raise AssertionError(observed or expected)
    _show(ClaimNote(expected or "(a claim of this cell)", observed))


def use(exercise_id: str, answer, *, seed: int = 0):
    """The function the cells after an exercise should call: yours once it passes, the reference until then.

    Runs the exercise's check quietly (the same cases every time, ``seed``); with full points it returns
    ``answer`` itself, otherwise it prints which function stands in and why, and returns the package's
    reference implementation.

    Parameters
    ----------
    exercise_id : str
        A function exercise, e.g. ``"backprop.linear_backward"``.
    answer : callable
        Your function.
    """
    from nncourse import exercises

    ex = exercises.get(exercise_id)
    if ex.kind != "function":
        raise ValueError(f"use() takes a function exercise; {exercise_id!r} is a {ex.kind} question")
    if not callable(answer):
        raise TypeError(f"use({exercise_id!r}, ...) expects your function itself, as in "
                        f"use({exercise_id!r}, {ex.target}); got a value of type {type(answer).__name__}")
    results = exercises.run_cases(ex, answer, ex.cases(seed))
    points, status, _ = ex.grade(results)
    if points >= ex.points:
        _show(UseNote(f"Using your {ex.target} (it passes its check).", ok=True))
        return answer
    if status != "not attempted" and strict_claims():
        # a solution notebook under make test: every later cell must run on the notebook's own code
        raise AssertionError(f"use({exercise_id!r}, ...): {ex.target} does not pass its check "
                             f"({points:g} / {ex.points:g} points), so the cells after it would not run on it")
    reason = "you have not written it yet" if status == "not attempted" else \
        f"it does not pass its check yet ({points:g} / {ex.points:g} points)"
    _show(UseNote(f"Using the package's reference {ex.target} instead of yours: {reason}. Run this cell "
                  f"again once nncourse.check({exercise_id!r}, {ex.target}) gives full points.", ok=False))
    from nncourse.exercises.base import resolve

    return resolve(ex.reference)
