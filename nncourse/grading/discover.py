"""Finding submissions, reading them, and what of the course notebooks runs before a student's cell.

A submission is any ``.ipynb`` file (any case: ``x.IPYNB`` too) under the paths given; folders are
searched recursively, hidden folders such as ``.ipynb_checkpoints`` are skipped, and a folder whose
name ends in ``.ipynb`` is a folder. Its name is its path relative to the deepest folder that
contains every path given; a file name that is not valid UTF-8 is shown with ``\\xNN`` escapes.

Links: a link to a file inside the submissions folder is graded under its own name (so two paths
to one file both keep their rows); a link that leaves the submissions folder is not graded, and its
row says so (status ``not graded``).

A submission is matched to its course notebook by the notebook metadata
``{"nncourse": {"notebook": "<notebook>"}}`` or, failing that, by the ids of its exercise cells
(``{"nncourse": {"exercise": "<notebook>.<name>"}}``). When a notebook has several cells for the
same exercise, the LAST one is graded (as when the notebook is run top to bottom), once, and the
feedback says so.
"""
from __future__ import annotations

import ast
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from nncourse._files import (MAX_NOTEBOOK_BYTES, NotebookError, cell_source, code_cells, load_notebook,
                             nncourse_meta, read_notebook)

#: top-level modules whose imports in a course notebook's import cells also run before a student's
#: cell in the sandbox (``nncourse`` itself never does; the sandbox has only numpy and the stdlib)
SANDBOX_IMPORTS = frozenset({"numpy", "math", "cmath", "itertools", "functools", "collections", "random",
                             "statistics", "typing", "dataclasses", "copy", "tempfile", "pathlib"})
InvalidNotebook = NotebookError


class UsageError(ValueError):
    """A path given on the command line cannot be graded (the message names it)."""


@dataclass(frozen=True)
class Submission:
    """One submitted file: ``path`` on disk, ``name`` relative to the common root (with ``/``).

    ``outside``: a link that leaves the submissions folder (not graded).
    """

    path: Path
    name: str
    outside: bool = False


@dataclass
class ParsedNotebook:
    """What the grader uses of a submission: its notebook id and the sources of its exercise cells."""

    notebook: str
    cells: dict[str, list[str]] = field(default_factory=dict)   # exercise id -> sources, in order
    notes: list[str] = field(default_factory=list)              # remarks for the feedback file


def display_name(name: str) -> str:
    """``name`` as text that can be written anywhere: undecodable bytes as ``\\xNN``."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


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
    real_root = os.path.realpath(root)
    found: dict[str, Submission] = {}
    for p in given:
        for f in ([p] if p.is_file() else _walk(p)):
            name = display_name(f.relative_to(root).as_posix())
            real = os.path.realpath(f)
            outside = os.path.commonpath([real, real_root]) != real_root
            found.setdefault(name, Submission(f, name, outside))
    if not found:
        raise UsageError(f"no notebooks (.ipynb) found under {', '.join(os.fspath(p) for p in paths)}")
    return root, sorted(found.values(), key=lambda s: s.name)


def _walk(folder: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for f in sorted(filenames):
            full = os.path.join(dirpath, f)
            if f.lower().endswith(".ipynb") and (os.path.islink(full) or os.path.isfile(full)):
                out.append(Path(full))
    return out


def read_bytes(path: Path) -> bytes:
    """The file's content (InvalidNotebook when it cannot be read or is too large)."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError as exc:
        raise InvalidNotebook(f"the file cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise InvalidNotebook(f"the file has more than {MAX_NOTEBOOK_BYTES} bytes; a notebook of the course "
                              "is far smaller")
    return data


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_submission(data: bytes) -> ParsedNotebook:
    """The notebook id and exercise cells of a submission (InvalidNotebook when it has neither)."""
    nb = load_notebook(data)
    notebook = nncourse_meta(nb).get("notebook")
    cells: dict[str, list[str]] = {}
    for cell in code_cells(nb):
        ex_id = nncourse_meta(cell).get("exercise")
        if isinstance(ex_id, str) and ex_id:
            cells.setdefault(ex_id, []).append(cell_source(cell))
    notes = []
    if not (isinstance(notebook, str) and notebook):
        prefixes = sorted({i.split(".")[0] for i in cells})
        if not prefixes:
            raise InvalidNotebook("this is not a notebook of the course: it has neither the notebook "
                                  "metadata nncourse.notebook nor any exercise cell")
        if len(prefixes) > 1:
            raise InvalidNotebook("the notebook has no nncourse.notebook metadata and its exercise cells "
                                  "belong to several notebooks")
        notebook = prefixes[0]
        notes.append(f"the notebook metadata was missing; recognised as '{notebook}' by its exercise cells")
    others = sorted(i for i in cells if i.split(".")[0] != notebook)
    if others:
        notes.append(f"cells of exercises from other notebooks were ignored: {', '.join(others)}")
    for i in others:
        del cells[i]
    return ParsedNotebook(notebook, cells, notes)


def course_notebooks(course_dir: Path) -> dict[str, Path]:
    """``{notebook id: path}`` of the course notebooks in ``course_dir`` (numbered file names or not)."""
    found = {}
    for path in sorted(Path(course_dir).glob("*.ipynb")):
        try:
            notebook = nncourse_meta(read_notebook(path)).get("notebook")
        except NotebookError:
            continue
        if isinstance(notebook, str) and notebook:
            found.setdefault(notebook, path)
    return found


def sandbox_preamble(course_path: Path) -> str:
    """The import lines of the course notebook's import cells (metadata ``nncourse.imports``) that
    run before a student's cell: only imports of :data:`SANDBOX_IMPORTS` modules, never the package.

    Raises InvalidNotebook when the course notebook cannot be read.
    """
    nb = read_notebook(course_path)
    lines = []
    for cell in code_cells(nb):
        if nncourse_meta(cell).get("imports") is not True:
            continue
        try:
            tree = ast.parse(cell_source(cell))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                kept = [a for a in node.names if a.name.split(".")[0] in SANDBOX_IMPORTS]
                if kept:
                    lines.append(ast.unparse(ast.Import(names=kept)))
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                    and node.module.split(".")[0] in SANDBOX_IMPORTS:
                lines.append(ast.unparse(node))
    return "\n".join(dict.fromkeys(lines)) + "\n" if lines else "import numpy as np\n"
