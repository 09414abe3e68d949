"""The files a run writes: ``results.csv``, ``grades.csv`` and one Markdown feedback file per submission.

Every file is written atomically (a temporary file in the same folder, then ``os.replace``), and
its content depends only on the results (rows sorted by submission, then in the course's exercise
order; no times, paths of temporary folders or memory addresses), so grading the same files with
the same seed gives the same bytes.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

RESULTS_HEADER = ("submission", "notebook", "exercise", "points", "max_points", "status", "message")
GRADES_HEADER = ("submission", "notebook", "total", "max_points")
#: statuses that mean something stopped the grading of an exercise (counted as "with errors")
PROBLEM_STATUSES = ("error", "timeout", "memory limit", "missing cell", "invalid notebook")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def fmt_points(x: float) -> str:
    """``3``, ``1.5``, ``0.67``: at most two decimals, no trailing zeros."""
    text = f"{float(x):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _safe_cell(text: str) -> str:
    """Text that a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(header, rows) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def results_csv(parts: list[dict]) -> str:
    rows = []
    for part in parts:
        for r in part["rows"]:
            rows.append((_safe_cell(part["submission"]), part["notebook"], r["exercise"], fmt_points(r["points"]),
                         fmt_points(r["max_points"]), r["status"], _safe_cell(r["message"])))
    return _csv(RESULTS_HEADER, rows)


def totals(part: dict) -> tuple[float, float]:
    return (round(sum(r["points"] for r in part["rows"]), 2), round(sum(r["max_points"] for r in part["rows"]), 2))


def grades_csv(parts: list[dict]) -> str:
    rows = []
    for part in parts:
        total, max_points = totals(part)
        rows.append((_safe_cell(part["submission"]), part["notebook"], fmt_points(total), fmt_points(max_points)))
    return _csv(GRADES_HEADER, rows)


def feedback_path(out: Path, submission: str) -> Path:
    """``out/feedback/<submission without .ipynb>.md`` (sub-folders kept)."""
    name = submission[: -len(".ipynb")] if submission.lower().endswith(".ipynb") else submission
    return Path(out, "feedback", *name.split("/")).with_name(name.split("/")[-1] + ".md")


def _fence(text: str) -> str:
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "~" else 0
        longest = max(longest, run)
    return "~" * max(3, longest + 1)


def feedback_markdown(part: dict) -> str:
    """The feedback file of one submission: totals, then each exercise with its cases and hint."""
    total, max_points = totals(part)
    lines = [f"# Feedback on {part['submission']}", ""]
    if part["notebook"]:
        lines.append(f"Notebook **{part['notebook']}**: **{fmt_points(total)} / {fmt_points(max_points)} points**")
    else:
        lines.append(f"**{fmt_points(total)} points**")
    lines.append("")
    exercise_rows = [r for r in part["rows"] if r["exercise"]]
    if exercise_rows:
        lines += ["| Exercise | Points | Status |", "| --- | --- | --- |"]
        lines += [f"| {r['exercise']} | {fmt_points(r['points'])} / {fmt_points(r['max_points'])} | {r['status']} |"
                  for r in exercise_rows]
        lines.append("")
    for r in part["rows"]:
        title = r["exercise"] or "The notebook"
        lines += [f"## {title}: {r['status']} ({fmt_points(r['points'])} / {fmt_points(r['max_points'])})", ""]
        if r.get("title"):
            lines += [f"*{r['title']}*", ""]
        if r["message"] and not r["cases"]:
            lines += [r["message"], ""]
        cases = r["cases"]
        outcomes = {(c["status"], c["message"]) for c in cases}
        if len(cases) > 1 and len(outcomes) == 1 and not any(c.get("warnings") for c in cases):
            status, message = outcomes.pop()  # e.g. an untouched stub: one line says it all
            cases = [{"name": f"all {len(cases)} cases", "status": status, "message": message}]
        for c in cases:
            text = c["status"] if c["status"] == "passed" or not c["message"] else c["message"]
            lines.append(f"- {c['name']}: {text}")
            lines += [f"  - warning: {w}" for w in c.get("warnings", ())]
        if cases:
            lines.append("")
        if r.get("hint"):
            lines += [f"Hint: {r['hint']}", ""]
    if part.get("notes"):
        lines += ["## Notes", ""] + [f"- {n}" for n in part["notes"]] + [""]
    output = part.get("output", "").strip("\n")
    if output:
        fence = _fence(output)
        lines += ["## What your code printed", "", f"{fence}text", output, fence, ""]
    return "\n".join(lines)
