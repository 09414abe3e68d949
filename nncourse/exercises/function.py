"""Function exercises: the student writes a function; its outputs are compared with the package's."""
from __future__ import annotations

import copy
import re
import zlib
from typing import Callable

import numpy as np

from nncourse.exercises.base import Case, CaseResult, Exercise, SanitizeError, fixed_rng, resolve


def _fmt(v: float) -> str:
    return f"{float(v):.6g}"


def _index(name: str, idx: tuple) -> str:
    return f"{name}[{', '.join(str(int(i)) for i in idx)}]" if idx else name


def flat_inputs(args: tuple, names: tuple) -> list[tuple[str, object]]:
    """``[(label, value)]`` for every input, nested tuples flattened.

    ``names`` mirrors ``args``; a nested tuple is named by a one-key dict:
    ``("dout", {"cache": ("x", "W", "b")})`` labels ``(dout, (x, W, b))`` as
    ``dout``, ``x (cache[0])``, ``W (cache[1])``, ``b (cache[2])``.
    """
    out = []
    for v, n in zip(args, names):
        if isinstance(n, dict):
            (parent, inner), = n.items()
            if type(v) in (tuple, list):
                out.extend((f"{m} ({parent}[{j}])", w) for j, (w, m) in enumerate(zip(v, inner)))
            else:
                out.append((parent, v))
        else:
            out.append((n, v))
    return out


class FunctionExercise(Exercise):
    """An exercise where the student writes a function, e.g. ``linear_backward(dout, cache)``.

    Parameters
    ----------
    id, target, points, time_limit, hints, title
        As in :class:`~nncourse.exercises.base.Exercise`.
    reference : str
        ``"module:function"`` of the package's implementation (imported at check time).
    make_args : callable ``(rng, **shape) -> tuple``
        Builds the positional arguments of one case; ``shape`` is a dict such as ``{"N": 3, "D": 4}``.
    public_shapes, random_shapes : list of dict
        One dict per public case (fixed values) and per randomized case (values from the seed).
    arg_names : tuple
        Names of the arguments; a tuple argument is named by a one-key dict:
        ``("dout", {"cache": ("x", "W", "b")})`` (see :func:`flat_inputs`).
    outputs : str or tuple of str
        ``"dx"`` for a function returning one array, ``("dx", "dW", "db")`` for a tuple of arrays.
    rtol, atol : float
        A value passes when ``|got - expected| <= atol + rtol * |expected|``.
    numerical : callable ``(case) -> tuple of ndarray``, optional
        Finite-difference gradients aligned with ``outputs``; when given, a wrong output's feedback
        also states its relative error against them (``fd_tolerance`` is what a correct one beats).
    """

    kind = "function"

    def __init__(self, id: str, *, target: str, reference: str, make_args: Callable,
                 public_shapes: list, random_shapes: list, arg_names: tuple, outputs,
                 rtol: float = 1e-6, atol: float = 1e-9, numerical: Callable | None = None,
                 fd_tolerance: float = 1e-7, points: float = 1.0, time_limit: float = 10.0,
                 hints: tuple = (), title: str = ""):
        super().__init__(id, target=target, points=points, time_limit=time_limit, hints=hints, title=title)
        self.reference = reference
        self.make_args = make_args
        self.public_shapes = [dict(s) for s in public_shapes]
        self.random_shapes = [dict(s) for s in random_shapes]
        self.arg_names = tuple(arg_names)
        self.single = isinstance(outputs, str)
        self.outputs = (outputs,) if self.single else tuple(outputs)
        self.rtol, self.atol = float(rtol), float(atol)
        self.numerical = numerical
        self.fd_tolerance = float(fd_tolerance)

    # -- cases and the reference ----------------------------------------------------------------
    def cases(self, seed: int) -> list[Case]:
        if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"expected seed to be a non-negative int, got {seed!r}")
        key = zlib.crc32(self.id.encode())
        cases = [Case(f"public {i + 1}", tuple(self.make_args(fixed_rng(key, i), **shape)), {}, True)
                 for i, shape in enumerate(self.public_shapes)]
        cases += [Case(f"random {i + 1}",
                       tuple(self.make_args(np.random.default_rng([int(seed), key, i]), **shape)), {}, False)
                  for i, shape in enumerate(self.random_shapes)]
        return cases

    def expected(self, case: Case):
        out = resolve(self.reference)(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        out = (out,) if self.single else tuple(out)
        return tuple(np.array(o, dtype=np.float64) for o in out)

    # -- the student's value ----------------------------------------------------------------------
    def _want(self) -> str:
        if self.single:
            return f"{self.outputs[0]} as a numpy array"
        return f"a tuple ({', '.join(self.outputs)}) of {len(self.outputs)} numpy arrays"

    def _array(self, raw, name: str) -> np.ndarray:
        if not issubclass(type(raw), np.ndarray):
            what = type(raw).__name__
            extra = " (return the array, not a list; np.array(...) converts one)" if what == "list" else ""
            raise SanitizeError(f"wrong type: expected {name} to be a numpy array, got {what}{extra}")
        arr = np.array(raw, copy=True, subok=False)
        if arr.dtype.kind != "f":
            raise SanitizeError(f"wrong dtype: {name} has dtype {arr.dtype}, expected float64 "
                                f"(a gradient has fractional values; did an integer or boolean array slip in?)")
        if arr.dtype != np.float64:
            raise SanitizeError(f"wrong dtype: {name} has dtype {arr.dtype}, expected float64 "
                                f"(the inputs are float64: keep that precision)")
        return arr

    def sanitize(self, raw) -> tuple:
        """Plain float64 arrays, one per output (a tuple even for a single output)."""
        if self.single:
            if type(raw) in (tuple, list):
                raise SanitizeError(f"wrong type: expected {self._want()}, got a {type(raw).__name__} "
                                    f"of {len(raw)} items")
            return (self._array(raw, self.outputs[0]),)
        if type(raw) not in (tuple, list):
            got = f"a single array of shape {raw.shape}" if issubclass(type(raw), np.ndarray) \
                else type(raw).__name__
            raise SanitizeError(f"wrong type: expected {self._want()}, got {got}")
        if len(raw) != len(self.outputs):
            raise SanitizeError(f"wrong type: expected {self._want()}, got a {type(raw).__name__} "
                                f"of {len(raw)} items")
        return tuple(self._array(raw[i], name) for i, name in enumerate(self.outputs))

    def hint_for(self, message: str) -> str:
        """For wrong values in one output, the first hint after the first that names that output."""
        found = re.search(r"wrong values in (\w+)|(\w+) contains (?:NaN|inf)", message)
        name = found and (found.group(1) or found.group(2))
        for hint in self.hints[1:] if name else ():
            if re.search(rf"\b{name}\b", hint):
                return hint
        return super().hint_for(message)

    # -- comparison -------------------------------------------------------------------------------
    def _shape_hint(self, case: Case, shape: tuple) -> str:
        same = [label.split(" ")[0] for label, v in flat_inputs(case.args, self.arg_names)
                if isinstance(v, np.ndarray) and v.shape == shape]
        return f" (the shape of {same[0]})" if same else ""

    def _problem(self, name: str, g: np.ndarray, e: np.ndarray, case: Case) -> str:
        """What is wrong with one output, or "" when it matches."""
        if g.shape != e.shape:
            return f"wrong shape for {name}: got {g.shape}, expected {e.shape}{self._shape_hint(case, e.shape)}"
        bad = ~np.isfinite(g)
        if bad.any():
            idx = tuple(np.argwhere(bad)[0])
            kind = "NaN" if np.isnan(g[idx]) else "inf"
            where = f" at {_index(name, idx)}" if case.public else ""
            return f"{name} contains {kind}{where}; every expected value is finite"
        wrong = ~np.isclose(g, e, rtol=self.rtol, atol=self.atol)
        if not wrong.any():
            return ""
        tol = f"tolerance |got - expected| <= {self.atol:g} + {self.rtol:g} * |expected|"
        if case.public:
            idx = tuple(np.argwhere(wrong)[0])
            return (f"wrong values in {name}: first mismatch {_index(name, idx)} = {_fmt(g[idx])}, "
                    f"expected {_fmt(e[idx])}; {int(wrong.sum())} of {wrong.size} entries are outside the {tol}")
        return (f"wrong values in {name}: outside the {tol} (values of randomized cases are not shown; "
                f"the public cases show an example)")

    def compare(self, got: tuple, expected: tuple, case: Case) -> CaseResult:
        problems = [self._problem(n, g, e, case) for n, g, e in zip(self.outputs, got, expected)]
        wrong = [i for i, p in enumerate(problems) if p]
        if not wrong:
            return CaseResult(case.name, "passed", "", case.public)
        first = wrong[0]
        message = problems[first]
        if self.numerical is not None and got[first].shape == expected[first].shape \
                and np.isfinite(got[first]).all():
            from nncourse.gradcheck import rel_error

            err = float(rel_error(got[first], self.numerical(case)[first]))
            if case.public:
                message += (f"; its relative error against finite differences is {err:.1e} "
                            f"(a correct {self.outputs[first]} gives less than {self.fd_tolerance:g})")
            elif err > self.fd_tolerance:
                message += f"; it also disagrees with finite differences (relative error above {self.fd_tolerance:g})"
        right = [self.outputs[i] for i in range(len(problems)) if not problems[i]]
        also = [self.outputs[i] for i in wrong[1:]]
        if also:
            message += f" (also wrong: {', '.join(also)})"
        elif right and len(self.outputs) > 1:
            message += f" ({' and '.join(right)} {'is' if len(right) == 1 else 'are'} right)"
        return CaseResult(case.name, "failed", message, case.public)
