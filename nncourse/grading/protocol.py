"""The files the grader and its worker process exchange, and how values are written to them.

Everything goes through a private job directory, never through the worker's stdout:

``job.json``
    written by the grader: the course's import cells and, per exercise, its id, kind, target,
    cell source and cases (arguments encoded as below).
``inputs.npz``
    the arrays of those cases.
``ready``
    written by the worker once the import cells have run.
``out-<i>.npz``, ``out-<i>.json``
    written by the worker when exercise ``i`` is done: per case either a value or a decided result.
    The ``.json`` file is renamed into place last, so its presence means the exercise is complete.
``imports-error.json``
    written by the worker when an import cell failed.

A value is a JSON tree whose leaves are Python scalars and strings, with arrays stored in the
``.npz`` file by key. Only plain data can be encoded: ``numpy.ndarray`` (numeric dtypes), numpy
numeric scalars, ``bool``, ``int``, ``float``, ``complex``, ``str``, ``None``, ``...``, and tuples
and lists of those. Anything else raises :class:`Unsupported`, which the worker reports as "wrong
type". Arrays are read back with ``allow_pickle=False``; nothing is ever pickled.
"""
from __future__ import annotations

import json
import os
import stat
import zipfile

import numpy as np

JOB, INPUTS, READY, IMPORTS_ERROR = "job.json", "inputs.npz", "ready", "imports-error.json"

#: limits on what one encoded value may hold
MAX_DEPTH = 8
MAX_ITEMS = 10_000
MAX_STR = 100_000
MAX_ARRAY_BYTES = 64 * 2**20
#: the grader refuses to read output files larger than this
MAX_JSON_BYTES = 16 * 2**20
MAX_NPZ_BYTES = 256 * 2**20

_NUMERIC = "biufc"
_ndarray, _generic, _asarray, _isfinite = np.ndarray, np.generic, np.asarray, np.isfinite


class Unsupported(TypeError):
    """The value holds something other than plain data (the message names what)."""


def out_names(index: int) -> tuple[str, str]:
    """The ``.json`` and ``.npz`` file names of exercise ``index``'s results."""
    return f"out-{index}.json", f"out-{index}.npz"


def _type_name(x) -> str:
    t = type(x)
    return t.__name__ if t.__module__ in ("builtins", None) else f"{t.__module__}.{t.__qualname__}"


def encode(x, arrays: dict, depth: int = 0):
    """The JSON tree of ``x``; arrays go into ``arrays`` (key -> ndarray). Raises Unsupported."""
    if depth > MAX_DEPTH:
        raise Unsupported(f"a value nested more than {MAX_DEPTH} levels deep")
    t = type(x)
    if x is None:
        return {"t": "none"}
    if x is Ellipsis:
        return {"t": "ellipsis"}
    if isinstance(x, str):
        s = str.__str__(x)
        if len(s) > MAX_STR:
            raise Unsupported(f"a string of {len(s)} characters (at most {MAX_STR})")
        return {"t": "str", "v": s}
    if isinstance(x, (_ndarray, _generic)):
        arr = _asarray(x)
        if type(arr) is not _ndarray:
            arr = arr.view(_ndarray)
        if arr.dtype.kind not in _NUMERIC or arr.dtype.fields is not None:
            raise Unsupported(f"an array of dtype {arr.dtype} (only numbers can be graded)")
        if arr.nbytes > MAX_ARRAY_BYTES:
            raise Unsupported(f"an array of {arr.nbytes} bytes (at most {MAX_ARRAY_BYTES})")
        key = f"a{len(arrays)}"
        arrays[key] = arr.copy()
        return {"t": "scalar" if isinstance(x, _generic) else "array", "k": key}
    if isinstance(x, bool):
        return {"t": "bool", "v": x}
    if isinstance(x, int):
        v = int.__index__(x)
        if abs(v) >= 2**256:
            raise Unsupported("an int with more than 77 digits")
        return {"t": "int", "v": v}
    if isinstance(x, float):
        return {"t": "float", "v": float.__float__(x)}
    if isinstance(x, complex):
        c = complex.__complex__(x)
        return {"t": "complex", "v": [c.real, c.imag]}
    if isinstance(x, (tuple, list)):
        items = list(tuple.__iter__(x) if isinstance(x, tuple) else list.__iter__(x))
        if len(items) > MAX_ITEMS:
            raise Unsupported(f"a {t.__name__} of {len(items)} items (at most {MAX_ITEMS})")
        kind = "tuple" if isinstance(x, tuple) else "list"
        return {"t": kind, "v": [encode(i, arrays, depth + 1) for i in items]}
    raise Unsupported(f"a {_type_name(x)} object")


def decode(tree, arrays) -> object:
    """The value a JSON tree stands for (``arrays``: a mapping key -> ndarray). Raises ValueError."""
    return _decode(tree, arrays, 0)


def _decode(tree, arrays, depth: int):
    if depth > MAX_DEPTH + 1 or type(tree) is not dict:
        raise ValueError("malformed value")
    t, v = tree.get("t"), tree.get("v")
    if t == "none":
        return None
    if t == "ellipsis":
        return Ellipsis
    if t == "bool" and type(v) is bool:
        return v
    if t == "int" and type(v) is int:
        return v
    if t == "float" and type(v) in (int, float):
        return float(v)
    if t == "complex" and type(v) is list and len(v) == 2 and all(type(p) in (int, float) for p in v):
        return complex(v[0], v[1])
    if t == "str" and type(v) is str:
        return v
    if t in ("array", "scalar"):
        key = tree.get("k")
        if type(key) is not str or key not in arrays:
            raise ValueError("malformed value: missing array")
        arr = arrays[key]
        if type(arr) is not np.ndarray or arr.dtype.kind not in _NUMERIC or arr.dtype.fields is not None:
            raise ValueError("malformed value: not a numeric array")
        if t == "scalar":
            if arr.ndim != 0:
                raise ValueError("malformed value: scalar with a shape")
            return arr[()]
        return arr
    if t in ("tuple", "list") and type(v) is list and len(v) <= MAX_ITEMS:
        items = [_decode(i, arrays, depth + 1) for i in v]
        return tuple(items) if t == "tuple" else items
    raise ValueError(f"malformed value of kind {t!r}")


def write_json(path: str, obj) -> None:
    """Write JSON to ``path`` atomically (a temporary file renamed into place)."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def write_npz(path: str, arrays: dict) -> None:
    """Write ``arrays`` uncompressed to ``path`` atomically."""
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
    os.replace(tmp, path)


def open_regular(path: str, limit: int):
    """Open ``path`` for reading only if it is a regular file (not a link, FIFO or device) of at most
    ``limit`` bytes; ValueError otherwise. Files written where student code runs are read this way."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ValueError(f"{os.path.basename(path)} cannot be opened ({exc.strerror})") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
        os.close(fd)
        what = "not a regular file" if not stat.S_ISREG(st.st_mode) else f"{st.st_size} bytes (at most {limit})"
        raise ValueError(f"{os.path.basename(path)} is {what}")
    return os.fdopen(fd, "rb")


def read_json(path: str, limit: int = MAX_JSON_BYTES):
    """Parse a JSON file no larger than ``limit`` bytes (ValueError otherwise)."""
    with open_regular(path, limit) as f:
        return json.loads(f.read().decode("utf-8"))


def read_npz(path: str, limit: int = MAX_NPZ_BYTES) -> dict:
    """Every array of an ``.npz`` file (none if it is missing), read with ``allow_pickle=False``.

    ValueError if it is not a regular file, too large, or holds more than ``limit`` bytes once
    inflated (a zip bomb), or anything that is not a plain array.
    """
    if not os.path.lexists(path):
        return {}
    with open_regular(path, limit) as f:
        try:
            with zipfile.ZipFile(f) as zf:
                total = sum(info.file_size for info in zf.infolist())
            if total > limit:
                raise ValueError(f"{os.path.basename(path)} holds {total} bytes (at most {limit})")
            f.seek(0)
            with np.load(f, allow_pickle=False) as data:
                return {k: data[k] for k in data.files}
        except ValueError:
            raise
        except Exception as exc:  # a broken zip or array header: whatever it is, not plain arrays
            raise ValueError(f"{os.path.basename(path)} is not a valid .npz file ({type(exc).__name__})") from None
