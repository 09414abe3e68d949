"""The nncourse command line: help, version, info, and the subcommands it lists."""
import subprocess
import sys

import nncourse
from nncourse.cli import main


def test_help_lists_subcommands(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for name in ("student", "grade", "info"):
        assert name in out


def test_python_dash_m_and_version():
    res = subprocess.run([sys.executable, "-m", "nncourse", "--version"], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.strip() == f"nncourse {nncourse.__version__}"
    res = subprocess.run([sys.executable, "-m", "nncourse", "--help"], capture_output=True, text=True)
    assert res.returncode == 0 and "usage: nncourse" in res.stdout


def test_info_names_the_data(capsys):
    assert main(["info"]) == 0
    assert "digits.npz" in capsys.readouterr().out


def test_unknown_subcommand_is_a_usage_error(capsys):
    try:
        main(["grde"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "invalid choice: 'grde'" in capsys.readouterr().err
