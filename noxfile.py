"""The compatibility matrix: Python x g4f release x nest variant x extras, and COMPATIBILITY.md.

    nox                     every cell, then the table (COMPATIBILITY.md), bisecting where a contract broke
    nox -t ci               the slice CI runs: six Pythons on the newest g4f, nest2 / none / nest1, the oldest g4f
    nox -s "cell(3.11, g4f=7.0.0, nest=both, extras=uvloop+jupyter)"   one cell (nox -l lists them)
    nox -s table            the table again from the cells' saved results (no new runs but the bisection)

A cell runs on the Python it names (nox's python parametrization: the session's interpreter is the cell's,
found by nox among pyenv's; nox and uv never download one, and a missing interpreter fails the cell). It
installs one g4f release, the nest variant and the extras into a fresh virtualenv (uv), runs the suite from
this checkout twice (default and --strict, each writing the runner's --json report), checks the two reports
(tests/compatibility.py: cell_problems) and saves the outcomes under .nox/results/.
"""

import datetime
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

import nox

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import compatibility  # noqa: E402
from compatibility import EXTRAS, LINE_EXTRAS, NEST  # noqa: E402

RESULTS = os.path.join(ROOT, ".nox", "results")
PYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
NEWEST = "8.8.6"
OLDEST = "0.2.2.0"
# The g4f line, on Python 3.11 with both nest packages, uvloop and Jupyter: one release per line of g4f's
# history, and both ends of every known defect's range (and of each change of its shape) with the release on the
# other side, so that every range in g4f_tests/known_defects.py is measured by cells, in its exact shape, on every
# run. The reasons are in known_defects.py; the bisections that found the ends in COMPATIBILITY.md.
LINE = [
    OLDEST,
    "0.2.8.0",  # the last release that cannot nest (uvloop: NestAsyncioError)
    "0.2.8.1",  # the first that nests: uvloop-*, nest-run-leaves-loops
    "0.3.0.0",
    "0.3.1.8",  # uvloop-*: the last ValueError from nest_asyncio
    "0.3.1.9",  # uvloop-*: the first bare RuntimeError
    "0.3.2.0",  # the last with AsyncClient before async-client-missing (0.3.2.1 to 0.3.2.9 cannot be imported)
    "0.3.3.0",  # async-client-missing: the first
    "0.3.3.2",  # async-client-missing: the last
    "0.3.3.3",  # async-client-is-sync; the last NestAsyncioError without a nest package
    "0.3.4.6",  # no-nest-*, async-client-sync-bridge: the first (0.3.3.4 to 0.3.4.5 cannot be imported)
    "0.3.7.1",  # async-client-sync-bridge: the last
    "0.3.7.2",
    "0.4.0.0",
    "0.4.0.4",
    "0.4.0.5",  # the 0.4.0.5 to 7.4.7 defects, auto-patch-generator-provider, the asyncio.run generator shape
    "0.4.7.4",  # auto-patch-generator-provider: the last
    "0.4.7.5",
    "0.5.0.1",
    "0.5.7.1",  # the asyncio.run generator shape: the last
    "0.5.7.2",
    "0.6.0.0",
    "6.0.5",
    "7.0.0",
    "7.4.7",  # the 0.4.0.5 to 7.4.7 defects: the last
    "7.5.0",  # auto-patch-async-provider, jupyter-fresh-kernel: the first
    "8.0.5",
    NEWEST,
]

# The covering set: (python, g4f, nest, extras, in the CI slice). Every Python on the newest g4f without
# extras; the g4f line; every nest variant on a few cells; uvloop on the newest Python; Python 3.8 where
# timeout-is-asyncio-error begins.
CELLS = (
    [(py, NEWEST, "both", "none", True) for py in PYTHONS]
    + [("3.11", release, "both", LINE_EXTRAS, release == OLDEST) for release in LINE]
    + [
        ("3.11", NEWEST, "nest2", "none", True),
        ("3.11", NEWEST, "none", "none", True),
        ("3.11", NEWEST, "nest1", "none", True),
        ("3.8", NEWEST, "none", "none", False),
        ("3.13", NEWEST, "nest2", "none", False),
        ("3.13", NEWEST, "nest1", "none", False),
        ("3.11", "0.3.0.0", "none", "none", False),
        ("3.11", "0.3.3.3", "none", "none", False),  # documented-no-nest: the last release without it
        ("3.11", "0.3.4.6", "none", "none", False),  # documented-no-nest, async-client-sync-bridge: the first
        ("3.11", "0.3.7.1", "none", "none", False),  # async-client-sync-bridge: the last
        ("3.11", "0.3.7.2", "none", "none", False),
        ("3.11", "6.0.5", "nest1", "none", False),
        ("3.11", "7.0.0", "none", "none", False),
        ("3.11", "7.0.0", "nest1", "none", False),
        ("3.13", NEWEST, "both", "uvloop", False),
        ("3.8", "0.5.4.4", "both", "none", False),  # timeout-is-asyncio-error: the first release with the timeout
    ]
)

nox.options.default_venv_backend = "uv"
nox.options.error_on_missing_interpreters = True
nox.options.download_python = "never"
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
if shutil.which("pyenv") and "PYENV_VERSION" not in os.environ:
    # Make every pyenv interpreter the matrix names resolvable (python3.8 ... python3.13) for nox and uv.
    installed = subprocess.run(
        ["pyenv", "versions", "--bare"], stdout=subprocess.PIPE, universal_newlines=True
    ).stdout.split()
    chosen = [
        max(
            (v for v in installed if re.fullmatch(re.escape(py) + r"\.\d+", v)),
            key=lambda v: int(v.rsplit(".", 1)[1]),
            default=None,
        )
        for py in PYTHONS
    ]
    os.environ["PYENV_VERSION"] = ":".join(v for v in chosen if v)


def cell_name(python, g4f, nest, extras):
    return "py%s-g4f%s-%s-%s" % (python, g4f, nest, extras)


def uv(session, *args, **kwargs):
    return session.run("uv", *args, external=True, silent=True, **kwargs)


def install(session, venv, g4f, nest, extras):
    """Install g4f ``g4f``, the nest variant and the extras into the virtualenv ``venv``."""
    uv(session, "pip", "install", "--python", venv, "g4f==%s" % g4f, *NEST[nest], *EXTRAS[extras])
    for name in ("nest_asyncio", "nest_asyncio2"):
        if name not in NEST[nest]:  # g4f itself (or an extra) may have brought it in: the variant says not there
            uv(session, "pip", "uninstall", "--python", venv, name, success_codes=[0, 1, 2])


def run_suite(session, venv, *args, success_codes=(0, 1)):
    """Run the suite with the Python of ``venv``; return the runner's --json report (None if it wrote none)."""
    report = os.path.join(session.create_tmp(), "report.json")
    if os.path.exists(report):
        os.unlink(report)
    session.run(
        os.path.join(venv, "bin", "python"),
        os.path.join(ROOT, "run_tests.py"),
        "-q",
        "--json",
        report,
        *args,
        external=True,
        silent=True,
        success_codes=list(success_codes),
    )
    if not os.path.exists(report) or not os.path.getsize(report):
        return None
    with open(report, encoding="utf-8") as f:
        return json.load(f)


STARTED = time.perf_counter()
# Imports g4f as the suite does (network guard armed): some releases reach a host when imported (0.3.3.4 to
# 0.3.4.5), some lack a dependency (0.3.2.1 to 0.3.2.8 import curl_cffi, 0.4.0.1 a module it does not ship).
IMPORT_G4F = "import sys; sys.path.insert(0, %r); import g4f_tests, g4f; print('G4F-IMPORTED')" % ROOT


@nox.session(name="cell", download_python="never")
@nox.parametrize(
    "python,g4f,nest,extras",
    [
        nox.param(
            py,
            g,
            n,
            e,
            id="%s, g4f=%s, nest=%s, extras=%s" % (py, g, n, e),
            tags=["matrix"] + (["ci"] if ci else []),
        )
        for py, g, n, e, ci in CELLS
    ],
)
def cell(session, g4f, nest, extras):
    """One cell of the matrix, on the Python it names."""
    python = session.python  # the cell's interpreter: nox created the virtualenv from it
    started = time.perf_counter()
    name = cell_name(python, g4f, nest, extras)
    position = [c[:4] for c in CELLS].index((python, g4f, nest, extras)) + 1
    session.log("cell %d of %d: %s (%.0f s since nox started)" % (position, len(CELLS), name, started - STARTED))
    venv = session.virtualenv.location
    install(session, venv, g4f, nest, extras)
    default = run_suite(session, venv)
    strict = run_suite(session, venv, "--strict")
    spec = {"python": python, "g4f": g4f, "nest": nest, "extras": extras, "newest": NEWEST}
    problems = compatibility.cell_problems(spec, default, strict, session.virtualenv.location)
    result = dict(spec, seconds=round(time.perf_counter() - started, 1), problems=problems)
    if default is not None and strict is not None:
        result.update(
            environment=default["environment"],
            counts=default["counts"],
            outcomes={t: v["outcome"] for t, v in default["tests"].items()},
            expected={t: v["message"] for t, v in default["tests"].items() if v["outcome"] == "expected failure"},
            strict={t: v["outcome"] for t, v in strict["tests"].items()},
        )
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, name + ".json")
    if os.path.exists(path):
        os.unlink(path)
    if problems:
        session.error("%s:\n%s" % (name, "\n".join(problems)))
    with open(path, "w") as f:  # only a cell that passed its checks goes into the table
        json.dump(result, f, indent=1, sort_keys=True)
    session.log("%s: %s, %s" % (name, result["environment"][0].split(" (")[0], result["counts"]))


@nox.session(python="3.11", requires=["cell"], tags=["matrix"], download_python="never")
def table(session):
    """Write COMPATIBILITY.md from the saved cells, bisecting each contract that broke."""
    cells = []
    for path in sorted(glob.glob(os.path.join(RESULTS, "*.json"))):
        with open(path) as f:
            cells.append(json.load(f))
    names = {cell_name(*c[:4]) for c in CELLS}
    stale = sorted({cell_name(c["python"], c["g4f"], c["nest"], c["extras"]) for c in cells} - names)
    missing = sorted(names - {cell_name(c["python"], c["g4f"], c["nest"], c["extras"]) for c in cells})
    if missing:
        session.error("no saved result for %s: run nox first" % ", ".join(missing))
    cells = [c for c in cells if cell_name(c["python"], c["g4f"], c["nest"], c["extras"]) not in stale]

    reports = {}  # release: the --strict report of a whole run there, or UNCHECKABLE

    def probe(release, test_id):
        """Does g4f ``release`` honour the contract of ``test_id``? True, False, None (skipped), or
        compatibility.UNCHECKABLE when g4f cannot be imported there (offline: the suite's network guard is on).
        Each release once, in a new virtualenv, as a cell installs it: nothing another release brought in is
        left; the whole suite runs there, so the next contract bisected over the same release costs nothing."""
        if release not in reports:
            venv = os.path.join(session.create_tmp(), "probe")
            uv(session, "venv", "--clear", "--python", os.path.join(session.virtualenv.location, "bin", "python"), venv)
            install(session, venv, release, "both", LINE_EXTRAS)
            python = os.path.join(venv, "bin", "python")
            imported = session.run(python, "-c", IMPORT_G4F, external=True, silent=True, success_codes=[0, 1])
            reports[release] = (
                run_suite(session, venv, "--strict", success_codes=(0, 1, 2)) if "G4F-IMPORTED" in imported else None
            ) or compatibility.UNCHECKABLE
        if reports[release] is compatibility.UNCHECKABLE:
            return compatibility.UNCHECKABLE
        found = reports[release]["tests"].get(test_id)
        if found is None:
            return compatibility.UNCHECKABLE
        return {"passed": True, "failed": False, "error": False}.get(found["outcome"])

    releases = compatibility.all_releases()
    markdown = compatibility.render(cells, releases, probe, session.log, when=datetime.date.today().isoformat())
    with open(os.path.join(ROOT, "COMPATIBILITY.md"), "w", encoding="utf-8") as f:
        f.write(markdown)
    session.log("wrote COMPATIBILITY.md from %d cells" % len(cells))
