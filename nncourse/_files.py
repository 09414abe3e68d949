"""Two small file helpers shared by the package: one atomic write, and reading course notebooks.

:func:`write_atomic` writes through a temporary file and ``os.replace``; given ``root``, it also
refuses to follow a link anywhere below ``root`` (a link in the way is replaced by a real folder or
file), so nothing is ever written outside ``root``.

The notebook helpers read the parts of a notebook the package uses: a cell's source, the
``nncourse`` metadata of a notebook or cell, the code cells, and the notebook itself from bytes,
with limits on its size, nesting and number of items checked *before* the JSON is parsed.
"""
from __future__ import annotations

import errno
import json
import os
import re
import tempfile
from pathlib import Path

#: limits on a notebook's JSON, checked before parsing (a course notebook is far below them)
MAX_NOTEBOOK_BYTES = 50 * 2**20
MAX_JSON_DEPTH = 64
MAX_JSON_ITEMS = 1_000_000
SMALL_JSON_BYTES = 2**20
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)


class NotebookError(ValueError):
    """Bytes that are not a readable notebook (the message says why, for the notebook's author)."""


# -- writing ---------------------------------------------------------------------------------------
def _open_dir(parent_fd: int, name: str) -> int:
    """The folder ``name`` in ``parent_fd``, made when missing; a link or file in its place is removed."""
    flags = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(3):
        try:
            return os.open(name, flags, dir_fd=parent_fd)
        except FileNotFoundError:
            try:
                os.mkdir(name, 0o755, dir_fd=parent_fd)
            except FileExistsError:
                pass
        except OSError as exc:
            if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                raise
            os.unlink(name, dir_fd=parent_fd)  # a link or a file where a folder belongs
    raise OSError(errno.EAGAIN, f"cannot make the folder {name}")


def write_atomic(path, data, *, root=None) -> None:
    """Write ``data`` (str as UTF-8, or bytes) to ``path`` atomically.

    With ``root``, ``path`` must lie inside it, and no link below ``root`` is followed: a link in
    place of a folder or of the file itself is replaced. ValueError if ``path`` is outside ``root``.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    path = Path(os.path.abspath(os.fspath(path)))
    if root is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        parts, base = [path.name], str(path.parent)
    else:
        base = os.path.abspath(os.fspath(root))
        rel = os.path.relpath(path, base)
        if rel.startswith("..") or os.path.isabs(rel) or rel == ".":
            raise ValueError(f"expected path to be inside {base}, got {path}")
        os.makedirs(base, exist_ok=True)
        parts = rel.split(os.sep)
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in parts[:-1]:
            inner = _open_dir(fd, name)
            os.close(fd)
            fd = inner
        tmp = f".{parts[-1]}.{os.getpid()}.{next(tempfile._get_candidate_names())}.tmp"
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644, dir_fd=fd)
        try:
            with os.fdopen(out, "wb") as f:
                f.write(payload)
            os.replace(tmp, parts[-1], src_dir_fd=fd, dst_dir_fd=fd)  # replaces a link, never follows it
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=fd)
            except OSError:
                pass
            raise
    finally:
        os.close(fd)


# -- reading notebooks -----------------------------------------------------------------------------
def check_json_shape(data: bytes, max_depth: int = MAX_JSON_DEPTH, max_items: int = MAX_JSON_ITEMS) -> None:
    """NotebookError when the JSON in ``data`` nests deeper than ``max_depth`` or holds more than
    ``max_items`` values, found without parsing it (strings are skipped, in chunks of 4 MiB)."""
    import numpy as np

    skeleton = _STRING.sub(b'""', data)
    depth, items, step = 0, 0, 4 * 2**20
    for start in range(0, len(skeleton), step):
        chunk = np.frombuffer(skeleton, np.uint8, count=min(step, len(skeleton) - start), offset=start)
        opens = (chunk == ord("[")) | (chunk == ord("{"))
        closes = (chunk == ord("]")) | (chunk == ord("}"))
        levels = depth + np.cumsum(opens.astype(np.int32) - closes.astype(np.int32))
        if len(levels) and int(levels.max()) > max_depth:
            raise NotebookError(f"the file's JSON is nested more than {max_depth} levels deep; a notebook "
                                "is not")
        items += int(opens.sum()) + int((chunk == ord(",")).sum())
        if items > max_items:
            raise NotebookError(f"the file holds more than {max_items} JSON values; a notebook of the course "
                                "holds far fewer")
        depth = int(levels[-1]) if len(levels) else depth


def load_notebook(data: bytes) -> dict:
    """The notebook in ``data`` as an nbformat-4 dict; NotebookError with the reason otherwise.

    Notebooks of nbformat 1 to 3 are converted with ``nbformat``.
    """
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"the file has {len(data)} bytes; a notebook of the course is far smaller "
                            f"(at most {MAX_NOTEBOOK_BYTES} bytes are read)")
    if not data.strip():
        raise NotebookError("the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"the file is not UTF-8 text (byte {exc.start}); is it really a notebook?") from None
    if len(data) > SMALL_JSON_BYTES:  # smaller JSON cannot take much memory, however it is shaped
        check_json_shape(data)
    try:
        nb = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise NotebookError(f"the file is not JSON ({exc}); a notebook is a JSON file, "
                            "save it again from Jupyter") from None
    if not isinstance(nb, dict):
        raise NotebookError(f"the file is JSON but not a notebook (a {type(nb).__name__} at the top level)")
    version = nb.get("nbformat")
    if version == 4:
        return nb
    if version in (1, 2, 3):
        return _convert(text, version)
    raise NotebookError(f"the file is JSON but not a notebook this package can read "
                        f"(nbformat {version!r}; expected 4, or 1 to 3 to be converted)")


def _convert(text: str, version) -> dict:
    import warnings

    try:
        import nbformat

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return json.loads(json.dumps(nbformat.reads(text, as_version=4)))
    except Exception as exc:  # nbformat raises many kinds on malformed input
        raise NotebookError(f"the notebook has nbformat {version} and could not be converted "
                            f"to nbformat 4 ({type(exc).__name__}: {exc})") from None


def read_notebook(path, limit: int = MAX_NOTEBOOK_BYTES) -> dict:
    """The notebook at ``path`` (NotebookError when it cannot be read or is not a notebook)."""
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise NotebookError(f"the file cannot be read ({exc.strerror or exc})") from None
    return load_notebook(data)


def nncourse_meta(obj) -> dict:
    """The ``metadata.nncourse`` dict of a notebook or cell (empty when missing or malformed)."""
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    inner = meta.get("nncourse") if isinstance(meta, dict) else None
    return inner if isinstance(inner, dict) else {}


def cell_source(cell: dict) -> str:
    """A cell's source as one string (nbformat allows a string or a list of lines)."""
    src = cell.get("source", "")
    if isinstance(src, list) and all(isinstance(s, str) for s in src):
        return "".join(src)
    if isinstance(src, str):
        return src
    raise NotebookError(f"a cell's source is a {type(src).__name__}, expected text")


def code_cells(nb: dict) -> list[dict]:
    """The code cells of a notebook dict, in order (NotebookError when it has no list of cells)."""
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("the notebook has no list of cells")
    return [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
