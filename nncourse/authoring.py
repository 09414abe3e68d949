"""One source, two notebooks: generate the student notebooks in ``course/`` from ``solutions/``.

``nncourse student [--check] [--solutions DIR] [--course DIR]`` rewrites every ``course/<name>.ipynb``
from ``solutions/<name>.ipynb``:

- every region between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (marker lines included)
  becomes a stub at the indentation of the BEGIN line: ``raise NotImplementedError(...)`` in a
  function exercise (so ``check`` says "not attempted"), ``<answer variable> = None  # your answer
  here`` in a quiz cell, and a placeholder sentence in a Markdown cell;
- cells whose metadata has ``{"nncourse": {"solution_only": true}}`` or ``{"nncourse": {"claim": true}}``
  (claims that only hold once the student's code is right) are dropped, and so are speaker notes
  (cells whose ``slideshow.slide_type`` is ``"notes"``: they stay in ``solutions/`` and the slides);
- every ``assert`` of a code cell (outside function and class bodies) becomes
  ``nncourse.claim(<condition>, <message>, expected=...)``: in the student's notebook a claim that a
  changed setting breaks is a note, not a traceback (``NNCOURSE_STRICT_CLAIMS=1`` makes it strict again,
  as ``make test`` does);
- outputs and execution counts are cleared; everything else is kept as it is, metadata included.

The result is written with nbformat's own writer plus a trailing newline, so generating twice gives
identical bytes and ``--check`` can compare files exactly. Generated notebooks are never edited by
hand: change the solution notebook and run the command again.
"""
from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path

from nncourse._files import nncourse_meta, write_atomic

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
FUNCTION_STUB = 'raise NotImplementedError("write your code here (and delete this line)")'
QUIZ_STUB = "{target} = None  # your answer here"
MARKDOWN_STUB = "*Write your answer here.*"


class AuthoringError(ValueError):
    """A solution notebook cannot be turned into a student notebook; the message names the cell."""


_meta = nncourse_meta


def strip_regions(source: str, stub: str, where: str) -> str:
    """Replace every BEGIN/END SOLUTION region of ``source`` by ``stub`` at the BEGIN line's indentation.

    ``where`` names the notebook and cell in error messages (an unbalanced or nested marker).
    """
    out, start = [], None
    lines = source.split("\n")
    for number, line in enumerate(lines, start=1):
        marker = line.strip()
        if marker.startswith(BEGIN):
            if start is not None:
                raise AuthoringError(f"{where}: '{BEGIN}' on line {number} comes before the '{END}' "
                                     f"of the region opened on line {start}")
            start = number
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + stub)
        elif marker.startswith(END):
            if start is None:
                raise AuthoringError(f"{where}: '{END}' on line {number} has no '{BEGIN}' before it")
            start = None
        elif start is None:
            out.append(line)
    if start is not None:
        raise AuthoringError(f"{where}: '{BEGIN}' on line {start} has no matching '{END}'")
    return "\n".join(out)


class _Asserts(ast.NodeVisitor):
    """Collects the ``assert`` statements of a cell that do not sit inside a function or class body."""

    def __init__(self):
        self.found: list[ast.Assert] = []

    def visit_Assert(self, node: ast.Assert) -> None:
        self.found.append(node)

    def _skip(self, node) -> None:  # asserts inside a def or class stay as they are
        return None

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _skip


def _offsets(source: str) -> list[int]:
    starts, total = [], 0
    for line in source.splitlines(keepends=True):
        starts.append(total)
        total += len(line)
    return starts + [total]


def claim_sentence(source: str) -> str:
    """The claim a cell states in its ``# Claim: ...`` comment (continued on the following ``#`` lines), or ""."""
    lines, found = [], False
    for line in source.split("\n"):
        text = line.strip()
        if not found:
            if text.lower().startswith("# claim:"):
                found = True
                lines.append(text[len("# claim:"):].strip())
            continue
        if not text.startswith("#") or text.lower().startswith("# claim:"):
            break
        lines.append(text.lstrip("#").strip())
    return " ".join(" ".join(lines).split())


def soften_asserts(source: str, module: str = "nncourse") -> str:
    """Rewrite each top-level ``assert cond, msg`` of a code cell as ``<module>.claim(cond, msg, expected=...)``.

    ``expected`` is the cell's ``# Claim:`` sentence (see :func:`claim_sentence`) with the condition, or
    the condition alone when the cell states no claim in words.

    Cells that are not plain Python (IPython magics, say) are returned unchanged.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    visitor = _Asserts()
    visitor.visit(tree)
    if not visitor.found:
        return source
    starts = _offsets(source)
    sentence = claim_sentence(source)

    def at(line: int, col: int) -> int:  # ast columns count UTF-8 bytes
        text = source[starts[line - 1]:starts[line]]
        return starts[line - 1] + len(text.encode("utf-8")[:col].decode("utf-8"))

    out, last = [], 0
    for node in sorted(visitor.found, key=lambda n: (n.lineno, n.col_offset)):
        begin, end = at(node.lineno, node.col_offset), at(node.end_lineno, node.end_col_offset)
        test = ast.get_source_segment(source, node.test)
        msg = ast.get_source_segment(source, node.msg) if node.msg is not None else "None"
        expected = " ".join(test.split())
        if sentence:
            expected = f"{sentence} (checked as: {expected})"
        out.append(source[last:begin])
        out.append(f"{module}.claim({test}, {msg}, expected={expected!r})")
        last = end
    out.append(source[last:])
    return "".join(out)


def _imports_nncourse(cells) -> bool:
    return any(cell.cell_type == "code" and re.search(r"^\s*import nncourse\s*$", cell.source, re.M)
               for cell in cells)


def _has_region(source: str) -> bool:
    return any(line.strip().startswith(BEGIN) for line in source.split("\n"))


def _stub_for(cell, slug: str, where: str) -> str:
    if cell.get("cell_type") == "markdown":
        return MARKDOWN_STUB
    exercise_id = _meta(cell).get("exercise")
    if not exercise_id:
        return FUNCTION_STUB
    from nncourse import exercises

    if not isinstance(exercise_id, str) or exercise_id.split(".")[0] != slug:
        raise AuthoringError(f"{where}: exercise id {exercise_id!r} does not belong to notebook {slug!r} "
                             f"(expected '{slug}.<name>')")
    try:
        exercise = exercises.get(exercise_id)
    except ValueError as exc:
        raise AuthoringError(f"{where}: {exc}") from None
    return QUIZ_STUB.format(target=exercise.target) if exercise.kind == "quiz" else FUNCTION_STUB


def left_out(cell) -> bool:
    """True for a cell the student notebook leaves out: solution-only cells, claims that only hold
    for the solutions, and speaker notes."""
    meta = _meta(cell)
    return bool(meta.get("solution_only") or meta.get("claim")
                or cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes")


def student_text(path: str | Path) -> str:
    """The student version of the solution notebook at ``path``, as the exact text to write."""
    import nbformat

    path = Path(path)
    raw = json.loads(path.read_text(encoding="utf-8"))
    if raw.get("nbformat") != 4 or raw.get("nbformat_minor", 0) < 5:
        raise AuthoringError(f"{path}: expected nbformat 4.5 or later (cells with ids), got "
                             f"{raw.get('nbformat')}.{raw.get('nbformat_minor')}")
    for index, cell in enumerate(raw.get("cells", [])):
        if "id" not in cell:
            raise AuthoringError(f"{path}, cell index {index}: the cell has no id; save the notebook as nbformat 4.5")
    slug = raw.get("metadata", {}).get("nncourse", {}).get("notebook")
    if not slug:
        raise AuthoringError(f'{path}: the notebook metadata has no {{"nncourse": {{"notebook": "<slug>"}}}}')
    nb = nbformat.reads(json.dumps(raw), as_version=nbformat.NO_CONVERT)
    module = "nncourse" if _imports_nncourse(nb.cells) else '__import__("nncourse")'
    cells = []
    for index, cell in enumerate(nb.cells):
        meta = _meta(cell)
        where = f"{path}, cell index {index} (id {cell.id})"
        if left_out(cell):
            continue
        if meta.get("exercise") and not _has_region(cell.source):
            raise AuthoringError(f"{where}: exercise cell {meta['exercise']!r} has no '{BEGIN}' region, "
                                 "so the student version would contain the solution")
        if _has_region(cell.source) or END in cell.source:
            cell.source = strip_regions(cell.source, _stub_for(cell, slug, where), where)
        if cell.cell_type == "code":
            if not meta.get("exercise"):
                cell.source = soften_asserts(cell.source, module)
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    nb.cells = cells
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def sync(solutions: str | Path, course: str | Path, *, check: bool = False,
         only: list[str] | None = None) -> tuple[list[str], list[str]]:
    """Generate (or with ``check=True`` only compare) every student notebook.

    Returns ``(changes, errors)``: one line per notebook that was missing, different or extra (written
    or, with ``check``, left alone), and one line per solution notebook that could not be converted.
    Extra notebooks in ``course/`` (no source in ``solutions/``) are reported, never deleted.
    ``only`` limits the work to the named notebooks (file names or stems, ``01_backprop``).
    """
    solutions, course = Path(solutions), Path(course)
    if not solutions.is_dir():
        raise FileNotFoundError(f"no solutions directory at {solutions}; run from the repository root "
                                "or pass --solutions DIR")
    sources = sorted(solutions.glob("*.ipynb"))
    if only:
        wanted = {Path(name).stem for name in only}
        unknown = sorted(wanted - {s.stem for s in sources})
        if unknown:
            raise FileNotFoundError(f"no solution notebook named {', '.join(unknown)} in {solutions}; "
                                    f"choose from {', '.join(s.stem for s in sources)}")
        sources = [s for s in sources if s.stem in wanted]
    changes, errors = [], []
    for src in sources:
        dst = course / src.name
        try:
            text = student_text(src)
        except AuthoringError as exc:
            errors.append(str(exc))
            continue
        if dst.exists() and dst.read_bytes() == text.encode("utf-8"):
            continue
        state = "differs from" if dst.exists() else "is missing; generate it from"
        if check:
            changes.append(f"{dst} {state} {src}")
        else:
            write_atomic(dst, text)
            changes.append(f"wrote {dst} from {src}")
    names = {s.name for s in solutions.glob("*.ipynb")}
    for extra in sorted(course.glob("*.ipynb")) if course.is_dir() and not only else []:
        if extra.name not in names:
            changes.append(f"{extra} is extra: no {solutions / extra.name} generates it")
    return changes, errors


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("student", help="generate the student notebooks in course/ from solutions/",
                       description="Generate every course/*.ipynb from solutions/*.ipynb: solution regions "
                                   "become stubs, solution-only and claim cells are dropped, outputs cleared.")
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                   help="only these notebooks (for example 01_backprop); by default every one")
    p.add_argument("--check", action="store_true",
                   help="change nothing; exit 1 naming every notebook that is missing, different or extra")
    p.add_argument("--solutions", default="solutions", metavar="DIR", help="source notebooks (default: solutions)")
    p.add_argument("--course", default="course", metavar="DIR", help="student notebooks (default: course)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        changes, errors = sync(args.solutions, args.course, check=args.check, only=args.notebooks)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in changes:
        print(line)
    for line in errors:
        print(f"error: {line}", file=sys.stderr)
    if errors:
        return 2
    if args.check:
        if changes:
            print(f"{len(changes)} notebook(s) out of sync; run `python -m nncourse student`")
            return 1
        print(f"course/ is in sync with {args.solutions}/")
        return 0
    if not any(c.startswith("wrote") for c in changes):
        print(f"every student notebook in {args.course}/ is up to date")
    return 0
