"""``nncourse info``: where the package, its data and the course notebooks are."""
from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="show the version, the data files and the versions of the libraries in use")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import matplotlib
    import numpy as np

    import nncourse

    here = Path(nncourse.__file__).parent
    print(f"nncourse {nncourse.__version__} at {here}")
    print(f"numpy {np.__version__}, matplotlib {matplotlib.__version__}")
    for f in sorted((here / "data").glob("*.npz")):
        print(f"data: {f.name} ({f.stat().st_size} bytes)")
    return 0
