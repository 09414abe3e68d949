"""Finding submissions, reading them, and finding the trusted import cells of the course notebooks.

A submission is any ``.ipynb`` file under the paths given (directories are searched recursively;
hidden directories such as ``.ipynb_checkpoints`` are skipped). Its name is its path relative to
the deepest folder that contains every path given.

A submission is matched to its course notebook by the notebook metadata
``{"nncourse": {"notebook": "<slug>"}}`` or, failing that, by the ids of its exercise cells
(``{"nncourse": {"exercise": "<slug>.<name>"}}``). Notebooks of nbformat 1 to 3 are converted to
nbformat 4 with ``nbformat``; anything else that is not an nbformat-4 notebook is an invalid notebook.

Duplicated exercise cells: when a notebook has several cells for the same exercise, the LAST one
is graded (as when the notebook is run top to bottom, the last definition wins), once, and the
feedback says so.
"""
from __future__ import annotations

import hashlib
import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

#: submissions larger than this are not read
MAX_NOTEBOOK_BYTES = 50 * 2**20


class UsageError(ValueError):
    """A path given on the command line cannot be graded (the message names it)."""


class InvalidNotebook(ValueError):
    """A submission that cannot be read as a course notebook (the message says why)."""


@dataclass(frozen=True)
class Submission:
    """One submitted file: ``path`` on disk, ``name`` relative to the common root (with ``/``)."""

    path: Path
    name: str


@dataclass
class ParsedNotebook:
    """What the grader uses of a submission: its slug and the sources of its exercise cells."""

    slug: str
    cells: dict[str, list[str]] = field(default_factory=dict)   # exercise id -> sources, in order
    notes: list[str] = field(default_factory=list)              # remarks for the feedback file


def find_submissions(paths) -> tuple[Path, list[Submission]]:
    """The common root of ``paths`` and every submission under them, sorted by name.

    Raises
    ------
    UsageError
        A path does not exist, a file given is not an ``.ipynb`` file, or no notebook was found.
    """
    if not paths:
        raise UsageError("expected at least one PATH (a notebook or a folder of notebooks)")
    given = [Path(os.path.abspath(os.fspath(p))) for p in paths]
    for original, p in zip(paths, given):
        if not p.exists():
            raise UsageError(f"no such file or directory: {os.fspath(original)}")
        if p.is_file() and p.suffix.lower() != ".ipynb":
            raise UsageError(f"expected a notebook (.ipynb) or a folder, got the file {os.fspath(original)}")
    root = Path(os.path.commonpath([str(p if p.is_dir() else p.parent) for p in given]))
    found: dict[str, Path] = {}
    for p in given:
        files = [p] if p.is_file() else _walk(p)
        for f in files:
            found.setdefault(os.path.realpath(f), f)
    if not found:
        raise UsageError(f"no notebooks (.ipynb) found under {', '.join(os.fspath(p) for p in paths)}")
    subs = [Submission(f, f.relative_to(root).as_posix()) for f in found.values()]
    return root, sorted(subs, key=lambda s: s.name)


def _walk(folder: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out += [Path(dirpath, f) for f in sorted(filenames)
                if f.lower().endswith(".ipynb") and os.path.isfile(os.path.join(dirpath, f))]
    return out


def read_bytes(path: Path) -> bytes:
    """The file's content (InvalidNotebook when it cannot be read or is too large)."""
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise InvalidNotebook(f"the file has {size} bytes; a notebook of the course is far smaller "
                                  f"(at most {MAX_NOTEBOOK_BYTES} bytes are read)")
        return path.read_bytes()
    except OSError as exc:
        raise InvalidNotebook(f"the file cannot be read ({exc.strerror or exc})") from None


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_notebook(data: bytes) -> dict:
    """The notebook as an nbformat-4 dict; InvalidNotebook with the reason otherwise."""
    if not data.strip():
        raise InvalidNotebook("the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidNotebook(f"the file is not UTF-8 text (byte {exc.start}); is it really a notebook?") from None
    try:
        nb = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidNotebook(f"the file is not JSON ({exc}); a notebook is a JSON file, "
                              "save it again from Jupyter") from None
    if not isinstance(nb, dict):
        raise InvalidNotebook(f"the file is JSON but not a notebook (a {type(nb).__name__} at the top level)")
    version = nb.get("nbformat")
    if version == 4:
        return nb
    if version in (1, 2, 3):
        try:
            import nbformat

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return _plain(nbformat.reads(text, as_version=4))
        except Exception as exc:  # nbformat raises many kinds on malformed input
            raise InvalidNotebook(f"the notebook has nbformat {version} and could not be converted "
                                  f"to nbformat 4 ({type(exc).__name__}: {exc})") from None
    raise InvalidNotebook(f"the file is JSON but not a notebook this grader can read "
                          f"(nbformat {version!r}; expected 4, or 1 to 3 to be converted)")


def _plain(node):
    """nbformat's NotebookNode tree as plain dicts and lists."""
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _nncourse_meta(obj) -> dict:
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
    raise InvalidNotebook(f"a cell's source is a {type(src).__name__}, expected text")


def code_cells(nb: dict) -> list[dict]:
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise InvalidNotebook("the notebook has no list of cells")
    return [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]


def parse_submission(nb: dict) -> ParsedNotebook:
    """The slug and exercise cells of a submission (InvalidNotebook when it has neither)."""
    slug = _nncourse_meta(nb).get("notebook")
    cells: dict[str, list[str]] = {}
    for cell in code_cells(nb):
        ex_id = _nncourse_meta(cell).get("exercise")
        if isinstance(ex_id, str) and ex_id:
            cells.setdefault(ex_id, []).append(cell_source(cell))
    notes = []
    if not (isinstance(slug, str) and slug):
        prefixes = sorted({i.split(".")[0] for i in cells})
        if not prefixes:
            raise InvalidNotebook("this is not a notebook of the course: it has neither the notebook "
                                  "metadata nncourse.notebook nor any exercise cell")
        if len(prefixes) > 1:
            raise InvalidNotebook(f"the notebook has no nncourse.notebook metadata and its exercise cells "
                                  f"belong to several notebooks ({', '.join(prefixes)})")
        slug = prefixes[0]
        notes.append(f"the notebook metadata was missing; recognised as '{slug}' by its exercise cells")
    others = sorted(i for i in cells if i.split(".")[0] != slug)
    if others:
        notes.append(f"cells of exercises from other notebooks were ignored: {', '.join(others)}")
    for i in others:
        del cells[i]
    return ParsedNotebook(slug, cells, notes)


def course_imports(course_dir: Path, slug: str) -> list[str]:
    """The sources of the import cells (metadata ``nncourse.imports``) of ``course_dir/<slug>.ipynb``.

    Raises
    ------
    FileNotFoundError
        The course notebook is not there.
    InvalidNotebook
        It cannot be read.
    """
    path = Path(course_dir) / f"{slug}.ipynb"
    if not path.is_file():
        raise FileNotFoundError(f"the course notebook {path} was not found; point --course at the "
                                "folder of the course notebooks")
    nb = load_notebook(read_bytes(path))
    return [cell_source(c) for c in code_cells(nb) if _nncourse_meta(c).get("imports") is True]
