"""Attack notebooks against ``nncourse grade``: one or more per kind of attack a class may try.

Each attack replaces exercise cells of the solution notebook of ``backprop`` (the exercises
``linear_backward`` and ``relu_backward`` and the quiz ``quiz_cache``) with hostile code. Sources
may name ``{SUBS}`` (the submissions folder), ``{OUT}`` (the results folder), ``{REPO}`` (the
repository) and ``{CANARY}`` (a folder outside both): the attacker is assumed to know the layout.
:data:`ATTACKS` maps a name to ``(kind, {exercise id: source})``; :data:`KINDS` names the kinds
(the bullets of the issue's list of what broke). Files that are attacks by their name or shape
(links, odd file names, huge JSON) are made by :func:`write_special`.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

LIN, RELU, QUIZ = "backprop.linear_backward", "backprop.relu_backward", "backprop.quiz_cache"
ZEROS = ("    x, W, b = cache\n"
         "    return np.zeros_like(x), np.zeros_like(W), np.zeros_like(b)\n")

KINDS = {
    "reference": "full marks without implementing anything (the reference, the registry, quiz keys)",
    "crash": "one file stops or crashes the whole run",
    "classmates": "other students' grades change",
    "leak": "leaks of classmates' code, answers or the grader's secrets",
    "host": "the host and the output files",
    "rerun": "reruns differ",
}

ATTACKS = {
    # -- full marks without implementing anything -------------------------------------------------
    "ref_import_cell": ("reference", {LIN: "def linear_backward(dout, cache):\n"
                                           "    return reference_linear_backward(dout, cache)\n"}),
    "ref_from_functional": ("reference", {LIN: "from nncourse.functional import linear_backward\n"}),
    "ref_importlib": ("reference", {LIN: "import importlib\n"
                                         "linear_backward = importlib.import_module('nncourse.functional').linear_backward\n"}),
    "ref_dunder_import": ("reference", {LIN: "linear_backward = __import__('nncourse.functional', "
                                             "fromlist=['x']).linear_backward\n"}),
    "ref_sys_path": ("reference", {LIN: (
        "import sys, numpy\n"
        "sys.path[:0] = ['{REPO}', numpy.__file__.rsplit('/', 2)[0]]\n"
        "for name in list(sys.modules):\n"
        "    if name.startswith('nncourse'):\n"
        "        del sys.modules[name]\n"
        "import nncourse.exercises\n"
        "ex = nncourse.exercises.get('backprop.linear_backward')\n"
        "def linear_backward(dout, cache):\n"
        "    return ex.expected(type('C', (), {'args': (dout, cache), 'kwargs': {}})())\n")}),
    "ref_sys_modules": ("reference", {LIN: (
        "import sys\nimport numpy as np\n"
        "found = [m for n, m in list(sys.modules.items()) if n != '__main__' and hasattr(m, 'linear_backward')]\n"
        "print('modules with linear_backward:', [getattr(m, '__name__', '?') for m in found])\n"
        "def linear_backward(dout, cache):\n"
        "    if found:\n        return found[0].linear_backward(dout, cache)\n" + ZEROS)}),
    "ref_subclasses": ("reference", {LIN: (
        "import numpy as np\n"
        "hits = []\n"
        "def walk(cls, seen):\n"
        "    try:\n        subs = type.__subclasses__(cls)\n    except TypeError:\n        return\n"
        "    for sub in subs:\n"
        "        if sub in seen:\n            continue\n"
        "        seen.add(sub)\n"
        "        for v in list(vars(sub).values()):\n"
        "            g = getattr(v, '__globals__', None)\n"
        "            if g and ('linear_backward' in g or 'answer_hash' in g or 'expected' in g):\n"
        "                hits.append(g.get('__name__'))\n"
        "        walk(sub, seen)\n"
        "walk(object, set())\n"
        "print('reference globals found:', sorted(set(map(str, hits))))\n"
        "def linear_backward(dout, cache):\n" + ZEROS)}),
    "ref_gc_and_quiz_keys": ("reference", {QUIZ: (
        "import gc, hashlib, re\n"
        "keys = {o for o in gc.get_objects() if isinstance(o, str) and re.fullmatch('[0-9a-f]{64}', o)}\n"
        "for holder in gc.get_objects():\n"
        "    if isinstance(holder, (list, tuple, dict, set)):\n"
        "        items = holder.values() if isinstance(holder, dict) else holder\n"
        "        keys |= {o for o in items if isinstance(o, str) and re.fullmatch('[0-9a-f]{64}', o)}\n"
        "answer_cache = 'A'\n"
        "for option in 'ABCD':\n"
        "    if hashlib.sha256(f'nncourse-quiz:backprop.quiz_cache:{option}'.encode()).hexdigest() in keys:\n"
        "        answer_cache = option\n"
        "print('quiz keys found:', len(keys))\n")}),
    # -- stop or crash the run ----------------------------------------------------------------------
    "signals_everyone": ("crash", {LIN: (
        "import os, signal\nimport numpy as np\n"
        "def linear_backward(dout, cache):\n"
        "    for sig in (signal.SIGSTOP, signal.SIGTERM, signal.SIGKILL):\n"
        "        for pid in (os.getppid(), 0, -1, 1, *range(2, 400)):\n"
        "            try:\n                os.kill(pid, sig)\n            except OSError:\n                pass\n"
        + ZEROS)}),
    "surrogates": ("crash", {LIN: "def linear_backward(dout, cache):\n"
                                  "    raise ValueError('bad \\udcff\\ud800 text')\n",
                             RELU: "def relu_backward(dout, cache):\n    print('\\udcff')\n    return dout\n"}),
    # -- other students' grades ---------------------------------------------------------------------
    "proc_memory": ("classmates", {LIN: (
        "import os\nimport numpy as np\n"
        "seen = []\n"
        "for pid in range(1, 200):\n"
        "    try:\n"
        "        with open(f'/proc/{pid}/mem', 'r+b') as f:\n            seen.append(pid)\n"
        "    except OSError:\n        pass\n"
        "import ctypes\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "traced = [pid for pid in range(1, 200) if libc.ptrace(16, pid, None, None) == 0]\n"
        "print('process memories opened:', seen, 'processes traced:', traced)\n"
        "def linear_backward(dout, cache):\n" + ZEROS)}),
    "daemon_pipes": ("classmates", {RELU: (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(3)\n"
        "        for fd in range(0, 64):\n"
        "            try:\n                os.write(fd, b'NNCR' + bytes(20))\n            except OSError:\n                pass\n"
        "        time.sleep(60)\n"
        "        open('{CANARY}/daemon-was-here', 'w').write('x')\n"
        "    os._exit(0)\n"
        "def relu_backward(dout, cache):\n    return dout * 0.0\n")}),
    "backdoor_environment": ("classmates", {LIN: (
        "import os, sys, numpy\nimport numpy as np\n"
        "written = []\n"
        "site = os.path.dirname(os.path.dirname(numpy.__file__))\n"
        "targets = [numpy.__file__, os.path.join(site, 'zz-backdoor.pth'),\n"
        "           os.path.join(os.path.dirname(numpy.__file__), '__pycache__', 'evil.pyc'),\n"
        "           '{REPO}/nncourse/functional.py', '{REPO}/nncourse/zz_backdoor.py', os.__file__]\n"
        "for target in targets:\n"
        "    try:\n"
        "        with open(target, 'a') as f:\n            f.write('\\nimport os  # backdoor\\n')\n"
        "        written.append(target)\n"
        "    except OSError:\n        pass\n"
        "print('backdoors written:', len(written))\n"
        "def linear_backward(dout, cache):\n" + ZEROS)}),
    "rewrite_results_and_classmates": ("classmates", {LIN: (
        "import os, glob, shutil\nimport numpy as np\n"
        "done = []\n"
        "for path in glob.glob('{OUT}/.parts/*') + glob.glob('{OUT}/*.csv') + glob.glob('{SUBS}/**', recursive=True):\n"
        "    try:\n"
        "        if os.path.isfile(path):\n            open(path, 'w').write('{}')\n            done.append(path)\n"
        "    except OSError:\n        pass\n"
        "shutil.rmtree('{SUBS}/alice', ignore_errors=True)\n"
        "print('files rewritten:', len(done))\n"
        "def linear_backward(dout, cache):\n" + ZEROS)}),
    "forged_messages": ("classmates", {LIN: (
        "import os, sys, json\n"
        "def linear_backward(dout, cache):\n"
        "    for fd in (1, 2):\n"
        "        os.write(fd, (json.dumps({'pid': 1}) + '\\n' + json.dumps({'exited': 1}) + '\\n').encode())\n"
        "    os.write(3, b'NNCR' + bytes(4) + (10).to_bytes(4, 'little') + bytes(8) + b'{\"cell\": 1}')\n"
        "    x, W, b = cache\n    return x * 0, W * 0, b * 0\n")}),
    # -- leaks ----------------------------------------------------------------------------------------
    "read_classmates": ("leak", {LIN: (
        "import os, gc\nimport numpy as np\n"
        "listing = []\n"
        "for folder in ('{SUBS}', '{SUBS}/alice', '{OUT}', '/proc', '/home'):\n"
        "    try:\n        listing += os.listdir(folder)\n    except OSError:\n        pass\n"
        "sources = [o for o in gc.get_objects() if isinstance(o, str) and 'BEGIN SOLUTION' in o]\n"
        "print('classmates seen:', sorted(listing), 'solutions in memory:', len(sources))\n"
        "def linear_backward(dout, cache):\n" + ZEROS)}),
    "tmp_share_1_write": ("leak", {LIN: (
        "import numpy as np\n"
        "for folder in ('/tmp', '/dev/shm', '/var/tmp', '.'):\n"
        "    try:\n        open(folder + '/shared-answer.txt', 'w').write('dx = dout @ W.T')\n    except OSError:\n        pass\n"
        "def linear_backward(dout, cache):\n" + ZEROS)}),
    "tmp_share_2_read": ("leak", {LIN: (
        "import numpy as np\n"
        "got = []\n"
        "for folder in ('/tmp', '/dev/shm', '/var/tmp', '.'):\n"
        "    try:\n        got.append(open(folder + '/shared-answer.txt').read())\n    except OSError:\n        pass\n"
        "print('answers from a classmate:', got)\n"
        "def linear_backward(dout, cache):\n" + ZEROS)}),
    "secrets": ("leak", {LIN: (
        "import os, sys\nimport numpy as np\n"
        "print('uid', os.getuid(), 'gid', os.getgid(), 'pid', os.getpid(), 'ppid', os.getppid())\n"
        "print('environment', sorted(os.environ.items()))\n"
        "print('argv', sys.argv, sys.orig_argv if hasattr(sys, 'orig_argv') else '')\n"
        "for path in ('/proc/self/cmdline', '/proc/1/environ', '{OUT}/.grader-seed'):\n"
        "    try:\n        print(path, open(path).read())\n    except OSError as e:\n        print(path, 'unreadable')\n"
        "import socket\n"
        "try:\n    socket.create_connection(('1.1.1.1', 80), timeout=2)\n    print('network: yes')\n"
        "except OSError:\n    print('network: no')\n"
        "def linear_backward(dout, cache):\n" + ZEROS)}),
    # -- the host and the output --------------------------------------------------------------------
    "daemons_and_files": ("host", {RELU: (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n    time.sleep(60)\n    open('{CANARY}/late-file', 'w').write('x')\n    os._exit(0)\n"
        "written = 0\n"
        "try:\n"
        "    with open('/tmp/big', 'wb') as f:\n"
        "        for _ in range(200):\n            f.write(bytes(2**20))\n            written += 1\n"
        "except OSError:\n    pass\n"
        "for target in ('{CANARY}/dropped', '/var/tmp/dropped', '/dropped'):\n"
        "    try:\n        open(target, 'w').write('x')\n    except OSError:\n        pass\n"
        "print('MiB written to /tmp:', written)\n"
        "def relu_backward(dout, cache):\n    return dout * 0.0\n")}),
    "html_and_controls": ("host", {LIN: (
        "print('<script>alert(1)</script> \\x1b[31mred\\x07 <img src=x onerror=alert(2)>')\n"
        "def linear_backward(dout, cache):\n"
        "    raise ValueError('<img src=x onerror=alert(3)>\\x1b[2J')\n")}),
    "forged_frame": ("host", {LIN: (
        "import os, time\n"
        "def linear_backward(dout, cache):\n"
        "    os.write(3, b'NNCR' + bytes(4) + (2**31).to_bytes(4, 'little') + bytes(8))\n"
        "    time.sleep(100)\n")}),
    # -- reruns -------------------------------------------------------------------------------------
    "signals_self": ("rerun", {LIN: (
        "import os, signal\nimport numpy as np\n"
        "def linear_backward(dout, cache):\n"
        "    for sig in (signal.SIGSTOP, signal.SIGKILL):\n"
        "        os.kill(os.getpid(), sig)\n"
        "        os.kill(os.getppid(), sig)\n"
        + ZEROS)}),
}

#: the exercises each attack attacks (it must not earn a point for them)
ATTACKED = {name: set(cells) for name, (_, cells) in ATTACKS.items()}


def variant(solution: dict, changes: dict, notebook: str = "backprop") -> dict:
    """The solution notebook with some exercise cells replaced."""
    nb = json.loads(json.dumps(solution))
    nb["metadata"]["nncourse"]["notebook"] = notebook
    for cell in nb["cells"]:
        ex_id = cell.get("metadata", {}).get("nncourse", {}).get("exercise")
        if ex_id in changes:
            cell["source"] = changes[ex_id]
    return nb


def write_attacks(folder: Path, solution: dict, places: dict) -> None:
    """Every notebook of :data:`ATTACKS` into ``folder`` (``places`` fills ``{SUBS}`` and the like)."""
    for name, (_, cells) in ATTACKS.items():
        filled = {}
        for ex, src in cells.items():
            for key, value in places.items():
                src = src.replace("{" + key + "}", str(value))
            filled[ex] = src
        (folder / f"{name}.ipynb").write_text(json.dumps(variant(solution, filled)))


def write_special(folder: Path, solution: dict, outside_notebook: Path) -> dict:
    """Attacks by name or shape; returns ``{kind: [submission names]}`` of what was made."""
    text = json.dumps(solution)
    names = {}
    # a link to the instructor's solution notebook, outside the submissions folder
    os.symlink(outside_notebook, folder / "link_to_solution.ipynb")
    names["reference"] = ["link_to_solution.ipynb"]
    # a file name that is not UTF-8; a folder x.md beside x.ipynb
    (folder / os.fsdecode(b"bad-\xff\xfe-name.ipynb")).write_text(text)
    (folder / "x.ipynb").write_text(text)
    (folder / "x.md").mkdir()
    (folder / "x.md" / "inner.ipynb").write_text(text)
    names["crash"] = ["bad-\\xff\\xfe-name.ipynb", "x.ipynb", "x.md/inner.ipynb"]
    # two names that differ in case; a link sorted before the classmate it points to
    (folder / "twin.ipynb").write_text(text)
    (folder / "twin.IPYNB").write_text(json.dumps(variant(solution, {RELU: "def relu_backward(d, c):\n    return d\n"})))
    os.symlink("zed.ipynb", folder / "aaa_link.ipynb")
    # a notebook id that is a spreadsheet formula; 20 MiB of nested brackets
    formula = variant(solution, {}, notebook='=HYPERLINK("http://evil.example","click")')
    (folder / "formula.ipynb").write_text(json.dumps(formula))
    (folder / "nested.ipynb").write_bytes(b"[" * (10 * 2**20) + b"]" * (10 * 2**20))
    names["host"] = ["twin.ipynb", "twin.IPYNB", "aaa_link.ipynb", "formula.ipynb", "nested.ipynb"]
    return names
