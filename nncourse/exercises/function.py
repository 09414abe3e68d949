"""Function exercises: the student writes a function; its outputs are compared with the package's.

A wrong output's message says what is wrong and, where it can tell, how the student's values relate
to the expected ones (:func:`relation`: transposed, the wrong sign, off by the batch size or by
another constant factor, off by a constant, zeros in the wrong places), so the feedback points at
the bug rather than only at its symptom. A :class:`Convention` recognises a correct alternative way
of writing the function (PyTorch's momentum, a keep probability for dropout) and says which
convention the course uses and why, or accepts it.
"""
from __future__ import annotations

import copy
import re
import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from nncourse.exercises.base import Case, CaseResult, Exercise, SanitizeError, fixed_rng, resolve


def _fmt(v: float) -> str:
    return f"{float(v):.6g}"


def _index(name: str, idx: tuple) -> str:
    return f"{name}[{', '.join(str(int(i)) for i in idx)}]" if idx else name


@dataclass(frozen=True)
class Convention:
    """A correct alternative convention for an exercise's function, recognised by its outputs.

    Parameters
    ----------
    name : str
        What the student's function does, e.g. ``"PyTorch's form of momentum"``.
    outputs : callable ``(case) -> tuple of ndarray``
        What a function written in that convention returns on ``case``, aligned with the
        exercise's ``outputs``.
    message : str
        Which convention the course uses and why (shown when the student's outputs match).
    accept : bool
        True: the case passes, with ``message`` as a note; False: it fails, with ``message``.
    """

    name: str
    outputs: Callable
    message: str
    accept: bool = False


def relation(got: np.ndarray, expected: np.ndarray, *, batch: int | None = None, rtol: float = 1e-6,
             atol: float = 1e-9, sizes: dict | None = None, values: bool = True) -> str:
    """How a wrong array relates to the expected one, in words; "" when no simple relation holds.

    Parameters
    ----------
    got, expected : ndarray
        The student's output and the reference (any shapes).
    batch : int, optional
        The batch size N of the case, so that a factor N (a sum where a mean belongs) is named as such.
    sizes : dict, optional
        Other sizes of the case that a factor may equal, ``{4: "the number of columns of X"}``.
    values : bool
        False: name a factor or an offset without its value (for randomized cases, whose values
        change with the seed, so that the feedback stays the same from one check to the next).
    rtol, atol : float
        The exercise's tolerance (a relation is accepted within 10 times it).
    """
    tol = {"rtol": max(10 * rtol, 1e-9), "atol": max(10 * atol, 1e-12)}
    if got.shape != expected.shape:
        if got.ndim == 2 and got.shape == expected.shape[::-1] and np.allclose(got, expected.T, **tol):
            return "its numbers are right but transposed"
        return ""
    if got.size == 0 or not np.isfinite(got).all():
        return ""
    if np.allclose(got, 0.0, rtol=0.0, atol=tol["atol"]):
        return "it is all zeros"
    if got.ndim == 2 and got.shape[0] == got.shape[1] > 1 and np.allclose(got, expected.T, **tol):
        return "it is the transpose of the expected matrix: check the order of the factors"
    each = "every entry is" if got.size > 1 else "it is"
    norm = float((expected * expected).sum())
    if norm > 0:
        c = float((got * expected).sum()) / norm
        if np.allclose(got, c * expected, **tol):
            if np.isclose(c, -1.0):
                return f"it has the wrong sign: {each} minus the expected value"
            if batch == 2 and np.isclose(abs(c), 2.0, rtol=1e-6):
                return (f"{each} {c:.4g} times the expected value: a factor 2 too many, or a sum over "
                        "the N = 2 examples of the batch where a mean belongs?")
            if batch and batch > 1 and np.isclose(c, batch, rtol=1e-6):
                return (f"{each} {batch} times the expected value, and {batch} is the batch size N: "
                        "look at how the N examples are combined (a sum where a mean belongs?)")
            if batch and batch > 1 and np.isclose(c, 1.0 / batch, rtol=1e-6):
                return (f"{each} 1/{batch} of the expected value, and {batch} is the batch size N: "
                        "look at how the N examples are combined (a mean where a sum belongs?)")
            for size, what in (sizes or {}).items():
                if size > 2 and size != batch and np.isclose(c, size, rtol=1e-6):
                    return (f"{each} {size} times the expected value, and {size} is {what}: look at how "
                            "the entries along that axis are combined (a sum where a mean belongs?)")
                if size > 2 and size != batch and np.isclose(c, 1.0 / size, rtol=1e-6):
                    return (f"{each} 1/{size} of the expected value, and {size} is {what}: look at how "
                            "the entries along that axis are combined (a mean where a sum belongs?)")
            if batch and batch > 1 and np.isclose(abs(c), batch, rtol=1e-6):
                return f"{each} {c:.4g} times the expected value: minus the batch size N = {batch}"
            factor = f"{c:.4g} times" if values else "the same multiple of"
            return f"{each} {factor} the expected value: a scale factor is missing or extra"
    diff = got - expected
    if np.allclose(diff, diff.flat[0], **tol):
        amount = f" ({float(diff.flat[0]):.4g})" if values else ""
        if got.size == 1:
            return f"it is off by a constant{amount}"
        return f"every entry is off by the same amount{amount}: something is added that should not be"
    close = np.isclose(got, expected, **tol)
    zero = np.isclose(expected, 0.0, rtol=0.0, atol=tol["atol"])
    if close[~zero].all() and not close[zero].all():
        return ("it is right wherever the expected value is nonzero, but nonzero where it should be 0: "
                "check which entries are set to zero")
    if (~close).any() and np.allclose(got[~close], 0.0, rtol=0.0, atol=tol["atol"]):
        return "it is 0 in places where the expected value is not: check which entries are set to zero"
    return ""


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
    edge_shapes : list of dict, optional
        Fixed cases named ``"edge 1"``, ... (e.g. a drop probability of 0 or 1) that a wrong idea may
        pass: they count only when a regular case passes too (see :meth:`Exercise.grade`).
    conventions : tuple of Convention, optional
        Correct alternative conventions to recognise (see :class:`Convention`).
    output_credit : bool
        True: a case right on some outputs earns that share of the case (``dx`` and ``db`` right,
        ``dW`` wrong: 2/3), so an idea that is wrong on one output earns the other outputs' share and
        nothing for that one. False (the default): a case earns all or nothing.
    batch : str or None
        The input whose first axis is the batch (``"x"``); ``"auto"`` (the default): the first input
        array with two or more axes; None: the inputs have no batch axis. Used to name a result that
        is off by a factor of the batch size.
    """

    kind = "function"

    def __init__(self, id: str, *, target: str, reference: str, make_args: Callable,
                 public_shapes: list, random_shapes: list, arg_names: tuple, outputs,
                 rtol: float = 1e-6, atol: float = 1e-9, numerical: Callable | None = None,
                 fd_tolerance: float = 1e-7, points: float = 1.0, time_limit: float = 10.0,
                 hints: tuple = (), title: str = "", edge_shapes: list = (), conventions: tuple = (),
                 batch: str | None = "auto", output_credit: bool = False):
        super().__init__(id, target=target, points=points, time_limit=time_limit, hints=hints, title=title)
        self.edge_shapes = [dict(s) for s in edge_shapes]
        self.conventions = tuple(conventions)
        self.batch = batch
        self.output_credit = bool(output_credit)
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
        cases += [Case(f"edge {i + 1}", tuple(self.make_args(fixed_rng(key, 1000 + i), **shape)), {}, True)
                  for i, shape in enumerate(self.edge_shapes)]
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

    def hint_ladder(self, message: str) -> list[str]:
        """The hints about the output the message names (and the general ones), gentlest first.

        A hint belongs to an output when it names it (``db``); a hint naming no output is general.
        For a message about ``db``, the ladder is the general hints and those naming ``db``.
        """
        found = re.search(r"wrong (?:values in|shape for) (\w+)|(\w+) contains (?:NaN|inf)|"
                          r"wrong dtype: (\w+) has|expected (\w+) to be a numpy", message)
        name = found and next(g for g in found.groups() if g)
        if not name or name not in self.outputs:
            return list(self.hints)
        others = [o for o in self.outputs if o != name]
        return [h for h in self.hints if re.search(rf"\b{re.escape(name)}\b", h)
                or not any(re.search(rf"\b{re.escape(o)}\b", h) for o in others)]

    # -- comparison -------------------------------------------------------------------------------
    def _shape_hint(self, case: Case, shape: tuple) -> str:
        same = [label.split(" ")[0] for label, v in flat_inputs(case.args, self.arg_names)
                if isinstance(v, np.ndarray) and v.shape == shape]
        return f" (the shape of {same[0]})" if same else ""

    def batch_size(self, case: Case) -> int | None:
        """N of this case: the first axis of the ``batch`` input (by default the first 2-D input)."""
        if self.batch is None:
            return None
        for label, v in flat_inputs(case.args, self.arg_names):
            if isinstance(v, np.ndarray) and v.ndim >= 2 and self.batch in ("auto", label.split(" ")[0]):
                return int(v.shape[0])
        return None

    def _relation(self, g: np.ndarray, e: np.ndarray, case: Case) -> str:
        sizes = {}
        for label, v in flat_inputs(case.args, self.arg_names):
            if isinstance(v, np.ndarray) and v.dtype.kind == "f":
                for axis, n in enumerate(v.shape[1:], start=1):
                    sizes.setdefault(int(n), f"the size of axis {axis} of {label.split(' ')[0]}")
        found = relation(g, e, batch=self.batch_size(case), rtol=self.rtol, atol=self.atol, sizes=sizes,
                         values=case.public)
        return f"; {found}" if found else ""

    def _problem(self, name: str, g: np.ndarray, e: np.ndarray, case: Case) -> str:
        """What is wrong with one output, or "" when it matches."""
        if g.shape != e.shape:
            return (f"wrong shape for {name}: got {g.shape}, expected {e.shape}{self._shape_hint(case, e.shape)}"
                    f"{self._relation(g, e, case)}")
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
        how = self._relation(g, e, case)
        if case.public:
            idx = tuple(np.argwhere(wrong)[0])
            return (f"wrong values in {name}{how}{';' if how else ':'} first mismatch {_index(name, idx)} = {_fmt(g[idx])}, "
                    f"expected {_fmt(e[idx])}; {int(wrong.sum())} of {wrong.size} entries are outside the {tol}")
        return (f"wrong values in {name}{how}{';' if how else ':'} outside the {tol} (values of randomized cases are not shown; "
                f"the public cases show an example)")

    def convention_of(self, got: tuple, case: Case) -> Convention | None:
        """The first alternative convention whose outputs ``got`` matches on this case, if any."""
        for conv in self.conventions:
            alt = conv.outputs(case)
            alt = (alt,) if self.single and not isinstance(alt, tuple) else tuple(alt)
            if len(alt) == len(got) and all(
                    np.shape(a) == g.shape and np.allclose(g, a, rtol=self.rtol, atol=self.atol)
                    for g, a in zip(got, alt)):
                return conv
        return None

    def compare(self, got: tuple, expected: tuple, case: Case) -> CaseResult:
        problems = [self._problem(n, g, e, case) for n, g, e in zip(self.outputs, got, expected)]
        wrong = [i for i, p in enumerate(problems) if p]
        if not wrong:
            return CaseResult(case.name, "passed", "", case.public)
        conv = self.convention_of(got, case)
        if conv is not None:
            status = "passed" if conv.accept else "failed"
            return CaseResult(case.name, status, f"{conv.name}: {conv.message}", case.public)
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
        credit = len(right) / len(self.outputs) if self.output_credit else None
        return CaseResult(case.name, "failed", message, case.public, credit=credit)
