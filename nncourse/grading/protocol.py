"""What the grader and the sandboxed worker exchange, and how values are encoded for it.

This module needs only numpy and the standard library: the launcher loads it by path, without the
``nncourse`` package. Nothing goes through files the student's code could reach:

the job
    a JSON object (:func:`pack_job`: the course's import lines and, per exercise, its id, kind,
    target, cell source and cases) followed by the raw bytes of the cases' arrays
    (:func:`pack_arrays`), in an unlinked memory file that the worker reads once and closes.
the results
    one *frame* per exercise on a pipe (:func:`frame`): a magic, the exercise's index, a JSON record
    (per case either a value or a decided outcome) and the raw bytes of its arrays. The grader
    reads them with :class:`FrameReader`, which refuses anything malformed or too large at once.

A value is a JSON tree whose leaves are Python scalars and strings, with arrays stored beside it
by key (dtype, shape and place in the raw bytes). Only plain data can be encoded: ``numpy.ndarray`` (numeric dtypes), numpy
numeric scalars, ``bool``, ``int``, ``float``, ``complex``, ``str``, ``None``, ``...``, and tuples
and lists of those. Anything else raises :class:`Unsupported`, which the worker reports as "wrong
type". Arrays are rebuilt from dtype, shape and raw bytes (numeric dtypes only); nothing is ever
pickled.
"""
from __future__ import annotations

import json
import struct

import numpy as np

#: limits on what one encoded value may hold
MAX_DEPTH = 8
MAX_ITEMS = 10_000
MAX_STR = 100_000
MAX_ARRAY_BYTES = 64 * 2**20
#: the grader refuses frames larger than this
MAX_JSON_BYTES = 16 * 2**20
MAX_ARRAY_BYTES_TOTAL = 256 * 2**20
MAGIC = b"NNCR"
_HEAD = struct.Struct("<4sIIQ")  # magic, exercise index, JSON bytes, array bytes

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
    if isinstance(x, (set, frozenset)):  # a multiple-select answer such as {"A", "C"}
        items = list(set.__iter__(x) if isinstance(x, set) else frozenset.__iter__(x))
        if len(items) > MAX_ITEMS:
            raise Unsupported(f"a set of {len(items)} items (at most {MAX_ITEMS})")
        encoded = [encode(i, arrays, depth + 1) for i in items]
        return {"t": "set", "v": sorted(encoded, key=lambda e: json.dumps(e, sort_keys=True))}
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
    if t == "set" and type(v) is list and len(v) <= MAX_ITEMS:
        try:
            return frozenset(_decode(i, arrays, depth + 1) for i in v)
        except TypeError:  # an item that cannot be in a set (an array)
            raise ValueError("malformed value: a set of unhashable items") from None
    if t in ("tuple", "list") and type(v) is list and len(v) <= MAX_ITEMS:
        items = [_decode(i, arrays, depth + 1) for i in v]
        return tuple(items) if t == "tuple" else items
    raise ValueError(f"malformed value of kind {t!r}")


def pack_arrays(arrays: dict) -> tuple[dict, bytes]:
    """``arrays`` (key -> ndarray) as ``(meta, blob)``: ``meta[key] = [dtype, shape, offset, nbytes]``
    into the raw bytes ``blob`` (no pickling, no compression)."""
    meta, parts, offset = {}, [], 0
    for key, arr in arrays.items():
        arr = np.asarray(arr)
        meta[key] = [arr.dtype.str, list(arr.shape), offset, arr.nbytes]
        parts.append(arr.tobytes(order="C"))
        offset += arr.nbytes
    return meta, b"".join(parts)


def unpack_arrays(meta, blob, limit: int = MAX_ARRAY_BYTES_TOTAL) -> dict:
    """The arrays that :func:`pack_arrays` packed; ValueError for anything but plain numeric arrays
    lying inside ``blob`` (object dtypes, shapes that do not fit, more than ``limit`` bytes)."""
    if not isinstance(meta, dict) or len(blob) > limit:
        raise ValueError("malformed arrays")
    out = {}
    for key, spec in meta.items():
        try:
            dtype_text, shape, offset, nbytes = spec
            dtype = np.dtype(str(dtype_text))
            count = 1
            for n in shape:
                if type(n) is not int or n < 0:
                    raise ValueError
                count *= n
            ok = (dtype.kind in _NUMERIC and dtype.fields is None and not dtype.hasobject and type(offset) is int
                  and type(nbytes) is int and 0 <= offset and offset + nbytes <= len(blob)
                  and nbytes == count * dtype.itemsize and len(shape) <= 32)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError("malformed arrays")
        out[key] = np.frombuffer(blob, dtype, count, offset).reshape(shape).copy()
    return out


def pack_job(job: dict, arrays: dict | tuple) -> bytes:
    """The job as bytes: 8 bytes of JSON length, the JSON (``job`` plus the arrays' meta), the arrays.

    ``arrays``: a dict of arrays, or ``(meta, blob)`` from :func:`pack_arrays` (packed once for
    every submission of a run).
    """
    meta, blob = pack_arrays(arrays) if isinstance(arrays, dict) else arrays
    text = json.dumps({"job": job, "arrays": meta}).encode("utf-8")
    return struct.pack("<Q", len(text)) + text + blob


def unpack_job(data: bytes) -> tuple[dict, dict]:
    (n,) = struct.unpack_from("<Q", data)
    head = json.loads(data[8:8 + n].decode("utf-8"))
    return head["job"], unpack_arrays(head["arrays"], data[8 + n:], len(data))


def frame(index: int, record: dict, arrays: dict) -> bytes:
    """The bytes of one exercise's results (see :class:`FrameReader`)."""
    meta, blob = pack_arrays(arrays)
    text = json.dumps({"record": record, "arrays": meta}).encode("utf-8", "backslashreplace")
    return _HEAD.pack(MAGIC, index, len(text), len(blob)) + text + blob


class FrameReader:
    """Collects frames from the bytes of a results pipe, strictly in order.

    :meth:`feed` returns the complete frames ``(record, arrays)`` so far; a frame out of order, with
    a wrong magic or beyond the size limits raises ValueError as soon as its header is read, so a
    forged stream costs no more than its first 24 bytes.
    """

    def __init__(self):
        self.buffer = bytearray()
        self.count = 0

    def feed(self, data: bytes) -> list:
        self.buffer += data
        out = []
        while len(self.buffer) >= _HEAD.size:
            magic, index, n_json, n_blob = _HEAD.unpack_from(self.buffer)
            if magic != MAGIC or index != self.count:
                raise ValueError("malformed results")
            if n_json > MAX_JSON_BYTES or n_blob > MAX_ARRAY_BYTES_TOTAL:
                raise ValueError(f"results of {n_json + n_blob} bytes (at most {MAX_JSON_BYTES + MAX_ARRAY_BYTES_TOTAL})")
            end = _HEAD.size + n_json + n_blob
            if len(self.buffer) < end:
                break
            body = bytes(self.buffer[_HEAD.size:end])
            del self.buffer[:end]
            head = json.loads(body[:n_json].decode("utf-8"))
            if not isinstance(head, dict) or not isinstance(head.get("record"), dict):
                raise ValueError("malformed results")
            out.append((head["record"], unpack_arrays(head.get("arrays"), body[n_json:])))
            self.count += 1
        return out
