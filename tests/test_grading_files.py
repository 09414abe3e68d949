"""The small pieces the grader stands on: the atomic write that follows no link, the notebook reader's
limits, the result records and the escaping of what a submission controls."""
from __future__ import annotations

import json
import os

import pytest

from nncourse._files import NotebookError, check_json_shape, load_notebook, write_atomic
from nncourse.grading.discover import display_name, find_submissions
from nncourse.grading.judge import clean
from nncourse.grading.report import safe_cell
from nncourse.grading.rows import BadRecord, ResultRow, SubmissionResult


def test_write_atomic_replaces_links_instead_of_following_them(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    os.symlink(elsewhere, out / "feedback")
    os.symlink(elsewhere / "victim.txt", out / "results.csv")
    write_atomic(out / "feedback" / "a.md", "x", root=out)
    write_atomic(out / "results.csv", "y", root=out)
    assert list(elsewhere.iterdir()) == []
    assert (out / "feedback").is_dir() and not (out / "feedback").is_symlink()
    assert (out / "results.csv").read_text() == "y" and not (out / "results.csv").is_symlink()
    with pytest.raises(ValueError, match="inside"):
        write_atomic(tmp_path / "other.txt", "z", root=out)
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_json_shape_is_checked_before_parsing():
    check_json_shape(b'{"a": [1, 2, {"b": "[[[[[["}]}', max_depth=3)  # brackets in strings do not count
    with pytest.raises(NotebookError, match="nested more than 3"):
        check_json_shape(b"[[[[1]]]]", max_depth=3)
    with pytest.raises(NotebookError, match="more than 5"):
        check_json_shape(b"[1,2,3,4,5,6]", max_items=5)
    big = b"[" * (2**20) + b"]" * (2**20)
    with pytest.raises(NotebookError, match="nested"):
        load_notebook(big)
    with pytest.raises(NotebookError, match="not UTF-8"):
        load_notebook(b'{"cells": "\xff"}')


def test_records_check_every_field():
    row = ResultRow("a.b", 1.0, 2.0, "partial", "m")
    part = SubmissionResult("s.ipynb", "a", [row], ["note"], "out", "k")
    assert SubmissionResult.from_dict(json.loads(json.dumps(part.to_dict()))) == part
    with pytest.raises(ValueError, match="status"):
        ResultRow("a.b", 0.0, 1.0, "great")
    for broken in ({"rows": [{"status": "passed"}]}, {**part.to_dict(), "rows": "x"},
                   {**part.to_dict(), "submission": 3}):
        with pytest.raises(BadRecord):
            SubmissionResult.from_dict(broken)


def test_what_a_submission_controls_is_escaped(tmp_path):
    assert clean("bad \udcff\ud800 \x1b[2J at 0x7f00ff") == "bad \\udcff\\ud800 \\x1b[2J"
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("@x") == "'@x" and safe_cell("ok\x07") == "ok\\x07"
    name = os.fsdecode(b"bad-\xff.ipynb")
    (tmp_path / name).write_text("{}")
    _, subs = find_submissions([tmp_path])
    assert [s.name for s in subs] == ["bad-\\xff.ipynb"] == [display_name(name)]
