#!/usr/bin/env python3
"""The GitHub Actions job matrix of the compatibility matrix's cells, from `nox --list --json`, so that the
noxfile stays the single source of the cells (.github/workflows/cells.yml runs one job per cell).

    python .ci/matrix.py ci        the CI slice (nox -t ci), as one line of JSON: {"include": [...]}
    python .ci/matrix.py matrix    every cell (nox -t matrix, less the table session)

Each entry: ``session`` (the nox session to run, `nox -s SESSION`), ``python`` (the interpreter the job sets up
with actions/setup-python), ``cell`` (the name of its saved result, .nox/results/CELL.json) and ``optional``
(a Python whose cells skip where it is not installed: the job does not fail when setup-python cannot give it).
Needs nox (the dev extra); runs from any folder.
"""

import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAGS = ("ci", "matrix")
# "cell(3.8, g4f=8.8.6, nest=both, extras=none)": the noxfile's ids begin with the cell's Python, which is also
# the session's python, except for an optional Python this machine lacks (listed with python False).
SESSION = re.compile(
    r"cell\((?P<python>\d+\.\d+), g4f=(?P<g4f>[^,]+), nest=(?P<nest>[^,]+), extras=(?P<extras>[^)]+)\)$"
)


def sessions():
    """nox's own listing of every session (noxfile.py), as JSON."""
    proc = subprocess.run(
        [sys.executable, "-m", "nox", "--noxfile", os.path.join(ROOT, "noxfile.py"), "--list", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        sys.exit("nox --list --json failed (exit %d):\n%s" % (proc.returncode, proc.stderr))
    return json.loads(proc.stdout)


def matrix(tag):
    include = []
    for session in sessions():
        if tag not in session["tags"] or session["name"] != "cell":
            continue
        found = SESSION.match(session["session"])
        if found is None:
            sys.exit("a cell session the noxfile names unlike the others: %r" % session["session"])
        python = session["python"] or found.group("python")
        if python != found.group("python"):
            sys.exit("%r runs Python %s, not the one it names" % (session["session"], python))
        include.append(
            {
                "session": session["session"],
                "python": python,
                "cell": "py%s-g4f%s-%s-%s" % (python, found.group("g4f"), found.group("nest"), found.group("extras")),
                "optional": "optional" in session["tags"],
            }
        )
    if not include:
        sys.exit("no cell is tagged %s" % tag)
    return {"include": include}


def main(argv):
    if len(argv) != 1 or argv[0] not in TAGS:
        sys.stderr.write("usage: python .ci/matrix.py {%s}\n" % ",".join(TAGS))
        return 2
    print(json.dumps(matrix(argv[0]), separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
