"""The ``nncourse`` command line: ``nncourse --help`` lists the subcommands.

Each subcommand lives in its own module and exposes ``add_parser(subparsers)``, which registers
its arguments and sets ``func`` to a callable taking the parsed namespace and returning an exit
code. Subcommands are imported lazily so that ``nncourse --help`` stays fast.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# subcommand name -> module that defines ``add_parser``
SUBCOMMANDS = {
    "student": "nncourse.authoring",
    "grade": "nncourse.grading.cli",
    "slides": "nncourse.slides",
    "info": "nncourse.cli_info",
}


def build_parser() -> argparse.ArgumentParser:
    from nncourse import __version__

    parser = argparse.ArgumentParser(
        prog="nncourse",
        description="nncourse: an interactive course on training neural networks.",
    )
    parser.add_argument("--version", action="version", version=f"nncourse {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in SUBCOMMANDS.items():
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:  # a subcommand whose module is not there yet
            if exc.name != module:
                raise
            continue
        mod.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
