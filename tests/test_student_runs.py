"""A student who writes every exercise right gets the solution notebook's results.

A student notebook with the solution's exercise cells pasted in runs exactly like the solution
notebook, which ``make test`` runs under nbval with strict claims. There, ``nncourse.use`` refuses a
written function that fails its check, and each notebook's last claim asserts that every point is
earned. The two runs can only differ in ways that are checked here for every notebook:

- a cell the student notebook leaves out (speaker notes, claims that only hold for the solutions,
  solution-only cells) must bind no name that a later cell reads, so leaving it out cannot change
  what a later cell computes;
- every code cell with a solution region must be an exercise cell, so pasting the exercise cells
  puts every line of the solutions back;
- every other code cell must be the solution's own code, with each top-level ``assert`` turned into
  ``nncourse.claim`` with the same condition and message. Under ``NNCOURSE_STRICT_CLAIMS=1``, that
  claim raises exactly when the assert would (tests/test_course.py).

These are properties of the files, so checking them needs no third run of every notebook.
"""
import ast
from pathlib import Path

import nbformat
import pytest

from nncourse._files import nncourse_meta
from nncourse.authoring import BEGIN, left_out

ROOT = Path(__file__).resolve().parents[1]
PAIRS = [(ROOT / "solutions" / p.name, p) for p in sorted((ROOT / "course").glob("*.ipynb"))]


def _tree(source: str) -> ast.Module:
    from IPython.core.inputtransformer2 import TransformerManager

    return ast.parse(TransformerManager().transform_cell(source))


def _bound(tree: ast.Module) -> set[str]:
    """Names a cell binds at the notebook's top level (not inside its functions or classes)."""
    names = set()

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def _read(tree: ast.Module) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _as_asserts(tree: ast.Module) -> ast.Module:
    """The tree with each top-level ``nncourse.claim(cond, msg, expected=...)`` turned back into an assert."""

    class Back(ast.NodeTransformer):
        def visit_FunctionDef(self, node):  # claims are only written at the top level
            return node

        visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

        def visit_Expr(self, node):
            call = node.value
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "claim" and 1 <= len(call.args) <= 2):
                msg = call.args[1] if len(call.args) == 2 else None
                if isinstance(msg, ast.Constant) and msg.value is None:
                    msg = None
                return ast.Assert(test=call.args[0], msg=msg)
            return node

    return Back().visit(tree)


@pytest.mark.parametrize("solution, student", PAIRS, ids=lambda p: p.name)
def test_student_notebook_with_the_solutions_pasted_in_runs_like_the_solution(solution, student):
    sol = nbformat.read(solution, as_version=4)
    stu = nbformat.read(student, as_version=4)
    by_id = {c.id: c for c in stu.cells}
    kept = [c for c in sol.cells if not left_out(c)]
    assert [c.id for c in kept] == [c.id for c in stu.cells], \
        f"{student.name}: the student notebook's cells are not the solution's, in order, minus those left out"

    left_out_names: dict[str, str] = {}  # name -> id of the left-out cell that binds it
    for cell in sol.cells:
        if cell.cell_type != "code":
            continue
        tree = _tree(cell.source)
        if left_out(cell):
            for name in _bound(tree):
                left_out_names[name] = cell.id
            continue
        read = _read(tree) - _bound(tree)
        stale = {n: left_out_names[n] for n in read if n in left_out_names}
        assert not stale, (f"{solution.name}, cell {cell.id} reads {sorted(stale)}, bound only by a cell the "
                           f"student notebook leaves out ({sorted(set(stale.values()))})")
        for name in _bound(tree):
            left_out_names.pop(name, None)

        ours = by_id[cell.id]
        if nncourse_meta(cell).get("exercise"):
            continue  # pasted in: the solution's own source
        assert BEGIN not in cell.source, \
            f"{solution.name}, cell {cell.id}: a solution region outside an exercise cell would not be pasted back"
        assert ast.dump(_as_asserts(_tree(ours.source))) == ast.dump(_tree(cell.source)), \
            f"{student.name}, cell {cell.id}: differs from the solution by more than its asserts becoming claims"


def test_the_check_fails_for_a_student_notebook_that_drifted(tmp_path):
    """The comparison above can fail: a changed line, a claim with another condition, a left-out cell
    whose variable a later cell reads."""
    sol = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import nncourse\nx = 2"),
        nbformat.v4.new_code_cell("assert x > 1, x"),
    ])
    good = _as_asserts(_tree("nncourse.claim(x > 1, x, expected='x > 1')"))
    assert ast.dump(good) == ast.dump(_tree(sol.cells[1].source))
    other = _as_asserts(_tree("nncourse.claim(x > 0, x, expected='x > 1')"))
    assert ast.dump(other) != ast.dump(_tree(sol.cells[1].source))
    left_out = nbformat.v4.new_code_cell("total = 3")
    assert "total" in _bound(_tree(left_out.source)) and "total" in _read(_tree("print(total)"))
    assert _bound(_tree("def f():\n    y = 1\nfor i in range(2):\n    pass\nimport numpy as np")) == {"f", "i", "np"}
