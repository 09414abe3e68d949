"""The files a run writes: ``results.csv``, ``grades.csv`` and one Markdown feedback file per submission.

Every file is written atomically inside ``--out`` without following links
(:func:`nncourse._files.write_atomic`), and its content depends only on the results (rows sorted by
submission, then in the course's exercise order; no times, paths of temporary folders or memory
addresses), so grading the same files with the same seed gives the same bytes.

Everything a submission controls is escaped: every CSV cell that a spreadsheet would run as a
formula gets a leading ``'``, control characters become ``\\xNN``, and the feedback files escape
HTML (``<``, ``>``, ``&``) and Markdown's table separator. Feedback file names are flat
(``feedback/alice--lab1.md`` for ``alice/lab1.ipynb``), made of safe characters, and unique even on
a file system that ignores case (a short hash of the submission's name tells clashing names apart).
"""
from __future__ import annotations

import csv
import hashlib
import io
import re

from nncourse.grading.rows import SubmissionResult

RESULTS_HEADER = ("submission", "notebook", "exercise", "points", "max_points", "status", "message")
GRADES_HEADER = ("submission", "notebook", "total", "max_points")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_UNSAFE_NAME = re.compile(r"[^\w.-]", re.ASCII)


def fmt_points(x: float) -> str:
    """``3``, ``1.5``, ``0.67``: at most two decimals, no trailing zeros."""
    text = f"{float(x):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _controls(text: str) -> str:
    text = str(text).encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def safe_cell(text) -> str:
    """Text that a spreadsheet will not run as a formula, without control characters."""
    text = _controls(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "|", "%", "\t", "\r") else text


def _csv(header, rows) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(tuple(safe_cell(v) for v in r) for r in rows)
    return buf.getvalue()


def results_csv(parts: list[SubmissionResult]) -> str:
    return _csv(RESULTS_HEADER, [(p.submission, p.notebook, r.exercise, fmt_points(r.points), fmt_points(r.max_points),
                                  r.status, r.message) for p in parts for r in p.rows])


def grades_csv(parts: list[SubmissionResult]) -> str:
    return _csv(GRADES_HEADER, [(p.submission, p.notebook, fmt_points(p.total), fmt_points(p.max_points))
                                for p in parts])


def feedback_names(submissions) -> dict[str, str]:
    """``{submission name: feedback file name}``: flat, safe and unique ignoring case."""
    def base(name: str) -> str:
        stem = name[: -len(".ipynb")] if name.lower().endswith(".ipynb") else name
        flat = _UNSAFE_NAME.sub("_", stem.replace("/", "--"))[:120].lstrip(".") or "_"
        return flat

    bases = {name: base(name) for name in submissions}
    counts: dict[str, int] = {}
    for b in bases.values():
        counts[b.casefold()] = counts.get(b.casefold(), 0) + 1
    out = {}
    for name, b in bases.items():
        if counts[b.casefold()] > 1:
            b += "-" + hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        out[name] = b + ".md"
    return out


def _md(text) -> str:
    """Student-controlled text for Markdown: control characters, HTML and table pipes escaped."""
    text = _controls(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|")


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"~+", text)), default=0)
    return "~" * max(3, longest + 1)


def feedback_markdown(part: SubmissionResult) -> str:
    """The feedback file of one submission: totals, then each exercise with its cases and hint."""
    total, max_points = fmt_points(part.total), fmt_points(part.max_points)
    lines = [f"# Feedback on {_md(part.submission)}", ""]
    lines += [f"Notebook **{_md(part.notebook)}**: **{total} / {max_points} points**" if part.notebook
              else f"**{total} points**", ""]
    exercise_rows = [r for r in part.rows if r.exercise]
    if exercise_rows:
        lines += ["| Exercise | Points | Status |", "| --- | --- | --- |"]
        lines += [f"| {_md(r.exercise)} | {fmt_points(r.points)} / {fmt_points(r.max_points)} | {r.status} |"
                  for r in exercise_rows]
        lines.append("")
    for r in part.rows:
        title = _md(r.exercise) or "The notebook"
        lines += [f"## {title}: {r.status} ({fmt_points(r.points)} / {fmt_points(r.max_points)})", ""]
        if r.title:
            lines += [f"*{_md(r.title)}*", ""]
        if r.message and not r.cases:
            lines += [_md(r.message), ""]
        cases = [(c.name, c.status, c.message, c.warnings) for c in r.cases]
        outcomes = {(c[1], c[2]) for c in cases}
        if len(cases) > 1 and len(outcomes) == 1 and not any(c[3] for c in cases):
            status, message = outcomes.pop()  # e.g. an untouched stub: one line says it all
            cases = [(f"all {len(cases)} cases", status, message, ())]
        for name, status, message, warnings in cases:
            text = status if status == "passed" or not message else message
            lines.append(f"- {_md(name)}: {_md(text)}")
            lines += [f"  - warning: {_md(w)}" for w in warnings]
        if cases:
            lines.append("")
        if r.hint:
            lines += [f"Hint: {_md(r.hint)}", ""]
    if part.notes:
        lines += ["## Notes", ""] + [f"- {_md(n)}" for n in part.notes] + [""]
    output = part.output.strip("\n")
    if output:
        text = _controls(output.replace("\r\n", "\n"))
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        fence = _fence(text)
        lines += ["## What your code printed", "", f"{fence}text", text, fence, ""]
    return "\n".join(lines)
