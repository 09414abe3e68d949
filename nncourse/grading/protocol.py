"""What the grader and the sandboxed worker exchange, and how values are encoded for it.

This module needs only numpy and the standard library: the launcher loads it by path, without the
``nncourse`` package. Nothing goes through files the student's code could reach:

the job
    a JSON object (:func:`pack_job`: the course's import lines and, per exercise, its id, kind,
    target, cell source and cases) followed by the ``.npz`` bytes of the cases' arrays, in an
    unlinked memory file that the worker reads once and closes.
the results
    one *frame* per exercise on a pipe (:func:`frame`): a magic, the exercise's index, a JSON record
    (per case either a value or a decided outcome) and the ``.npz`` bytes of its arrays. The grader
    reads them with :class:`FrameReader`, which refuses anything malformed or too large at once.

A value is a JSON tree whose leaves are Python scalars and strings, with arrays stored in the
``.npz`` bytes by key. Only plain data can be encoded: ``numpy.ndarray`` (numeric dtypes), numpy
numeric scalars, ``bool``, ``int``, ``float``, ``complex``, ``str``, ``None``, ``...``, and tuples
and lists of those. Anything else raises :class:`Unsupported`, which the worker reports as "wrong
type". Arrays are read back with ``allow_pickle=False``; nothing is ever pickled.
"""
from __future__ import annotations

import io
import json
import struct
import zipfile

import numpy as np

#: limits on what one encoded value may hold
MAX_DEPTH = 8
MAX_ITEMS = 10_000
MAX_STR = 100_000
MAX_ARRAY_BYTES = 64 * 2**20
#: the grader refuses frames larger than this
MAX_JSON_BYTES = 16 * 2**20
MAX_NPZ_BYTES = 256 * 2**20
MAGIC = b"NNCR"
_HEAD = struct.Struct("<4sIIQ")  # magic, exercise index, JSON bytes, npz bytes

_NUMERIC = "biufc"
_ndarray, _generic, _asarray, _isfinite = np.ndarray, np.generic, np.asarray, np.isfinite


class Unsupported(TypeError):
    """The value holds something other than plain data (the message names what)."""


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


def npz_bytes(arrays: dict) -> bytes:
    """``arrays`` (key -> ndarray) as uncompressed ``.npz`` bytes (empty bytes for none)."""
    if not arrays:
        return b""
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def read_npz(data: bytes, limit: int = MAX_NPZ_BYTES) -> dict:
    """Every array of ``.npz`` bytes, read with ``allow_pickle=False``.

    ValueError if they hold more than ``limit`` bytes once inflated (a zip bomb), or anything that
    is not a plain array.
    """
    if not data:
        return {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
        if total > limit:
            raise ValueError(f"the arrays hold {total} bytes (at most {limit})")
        with np.load(io.BytesIO(data), allow_pickle=False) as loaded:
            return {k: loaded[k] for k in loaded.files}
    except ValueError:
        raise
    except Exception as exc:  # a broken zip or array header: whatever it is, not plain arrays
        raise ValueError(f"not valid .npz data ({type(exc).__name__})") from None


def pack_job(job: dict, arrays: dict) -> bytes:
    """The job as bytes: 8 bytes of JSON length, the JSON, then the ``.npz`` bytes of ``arrays``."""
    text = json.dumps(job).encode("utf-8")
    return struct.pack("<Q", len(text)) + text + npz_bytes(arrays)


def unpack_job(data: bytes) -> tuple[dict, dict]:
    (n,) = struct.unpack_from("<Q", data)
    return json.loads(data[8:8 + n].decode("utf-8")), read_npz(data[8 + n:])


def frame(index: int, record: dict, arrays: dict) -> bytes:
    """The bytes of one exercise's results (see :class:`FrameReader`)."""
    text = json.dumps(record).encode("utf-8", "backslashreplace")
    data = npz_bytes(arrays)
    return _HEAD.pack(MAGIC, index, len(text), len(data)) + text + data


class FrameReader:
    """Collects frames from the bytes of a results pipe, strictly in order.

    :meth:`feed` returns the complete frames ``(record, arrays)`` so far; a frame out of order, with
    a wrong magic or beyond the size limits raises ValueError as soon as its header is read, so a
    forged stream costs no more than its first 24 bytes.
    """

    def __init__(self):
        self.buffer = b""
        self.count = 0

    def feed(self, data: bytes) -> list:
        self.buffer += data
        out = []
        while len(self.buffer) >= _HEAD.size:
            magic, index, n_json, n_npz = _HEAD.unpack_from(self.buffer)
            if magic != MAGIC or index != self.count:
                raise ValueError("malformed results")
            if n_json > MAX_JSON_BYTES or n_npz > MAX_NPZ_BYTES:
                raise ValueError(f"results of {n_json + n_npz} bytes (at most {MAX_JSON_BYTES + MAX_NPZ_BYTES})")
            end = _HEAD.size + n_json + n_npz
            if len(self.buffer) < end:
                break
            body, self.buffer = self.buffer[_HEAD.size:end], self.buffer[end:]
            record = json.loads(body[:n_json].decode("utf-8"))
            if not isinstance(record, dict):
                raise ValueError("malformed results")
            out.append((record, read_npz(body[n_json:])))
            self.count += 1
        return out
