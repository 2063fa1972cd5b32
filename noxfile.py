"""The compatibility matrix: Python x g4f release x nest variant x uvloop, and COMPATIBILITY.md.

    nox                     every cell, then the table (COMPATIBILITY.md), bisecting where a contract broke
    nox -t ci               the slice CI runs: six Pythons on the newest g4f, nest2 and none, the oldest g4f
    nox -s "cell-3.11(g4f='7.0.0', nest='both', uvloop='off')"   one cell
    nox -s table            the table again from the cells' saved results (no new runs but the bisection)

A cell installs one g4f release and the nest variant into a fresh virtualenv (uv), runs the suite
from this checkout twice (default and --strict) and saves the outcomes under .nox/results/. The
interpreters come from pyenv (PYENV_VERSION is set here when pyenv is found); uv never downloads one.
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
from helpers import junit_outcomes  # noqa: E402

RESULTS = os.path.join(ROOT, ".nox", "results")
PYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
NEWEST = "8.8.6"
OLDEST = "0.2.2.0"
# One release per line of g4f's history, oldest first.
RELEASES = [OLDEST, "0.3.0.0", "0.4.0.0", "0.5.0.1", "0.6.0.0", "6.0.5", "7.0.0", "7.5.0", "8.0.5", NEWEST]
# nest variants: both packages; g4f's own default install (only nest_asyncio2); neither importable.
NEST = {"both": ["nest_asyncio", "nest_asyncio2"], "nest2": ["nest_asyncio2"], "none": []}

# The covering set: every Python on the newest g4f; every g4f line on 3.11; every nest variant on a few
# cells; uvloop on where it installs. (python, g4f, nest, uvloop, in the CI slice)
CELLS = (
    [(py, NEWEST, "both", "off", True) for py in PYTHONS]
    + [("3.11", release, "both", "off", release == OLDEST) for release in RELEASES if release != NEWEST]
    + [
        ("3.11", NEWEST, "nest2", "off", True),
        ("3.11", NEWEST, "none", "off", True),
        ("3.8", NEWEST, "none", "off", False),
        ("3.13", NEWEST, "nest2", "off", False),
        ("3.11", "0.3.0.0", "none", "off", False),
        ("3.11", "7.0.0", "none", "off", False),
        ("3.11", NEWEST, "both", "on", False),
        ("3.13", NEWEST, "both", "on", False),
        ("3.11", "7.0.0", "both", "on", False),
    ]
)

nox.options.default_venv_backend = "uv"
nox.options.error_on_missing_interpreters = True
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
if shutil.which("pyenv") and "PYENV_VERSION" not in os.environ:
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


def cell_name(python, g4f, nest, uvloop):
    return "py%s-g4f%s-%s-uvloop-%s" % (python, g4f, nest, uvloop)


def install(session, g4f, nest, uvloop):
    session.install("g4f==%s" % g4f, *NEST[nest])
    installed = set(NEST[nest])
    for name in ("nest_asyncio", "nest_asyncio2"):
        if name not in installed:  # g4f itself may have brought it in
            session.run(
                "uv",
                "pip",
                "uninstall",
                "--python",
                session.virtualenv.location,
                name,
                external=True,
                silent=True,
                success_codes=[0, 1, 2],
            )
    if uvloop == "on":
        session.install("uvloop")
    session.install("unittest-xml-reporting")  # the outcomes are read from --junit-xml


def run_suite(session, *args, success_codes=(0, 1)):
    """Run the suite; return (its output, {test id: outcome} from its JUnit XML report)."""
    report = os.path.join(session.create_tmp(), "report.xml")
    if os.path.exists(report):
        os.unlink(report)
    output = session.run(
        "python",
        os.path.join(ROOT, "run_tests.py"),
        "-q",
        "--junit-xml",
        report,
        *args,
        silent=True,
        success_codes=list(success_codes)
    )
    found = junit_outcomes(report) if os.path.exists(report) and os.path.getsize(report) else {}
    return output, found


STARTED = time.perf_counter()


def check_cell(session, python, g4f, nest, uvloop):
    started = time.perf_counter()
    position = [c[:4] for c in CELLS].index((python, g4f, nest, uvloop)) + 1
    session.log(
        "cell %d of %d: %s (%.0f s since nox started)"
        % (position, len(CELLS), cell_name(python, g4f, nest, uvloop), started - STARTED)
    )
    install(session, g4f, nest, uvloop)
    default, found = run_suite(session)
    strict, found_strict = run_suite(session, "--strict")
    closing = [line for line in default.splitlines() if re.match(r"^\d+ passed, ", line)]
    result = {
        "python": python,
        "g4f": g4f,
        "nest": nest,
        "uvloop": uvloop,
        "outcomes": found,
        "strict": found_strict,
        "closing": closing[-1] if closing else "(no closing line)",
        "header": default.splitlines()[:2],
        "seconds": round(time.perf_counter() - started, 1),
    }
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, cell_name(python, g4f, nest, uvloop) + ".json"), "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
    bad = sorted(t for t, o in found.items() if o in ("FAIL", "ERROR", "unexpected success"))
    xfail = sorted(t for t, o in found.items() if o == "expected failure")
    strict_bad = sorted(t for t, o in found_strict.items() if o in ("FAIL", "ERROR"))
    session.log("%s: %s" % (cell_name(python, g4f, nest, uvloop), result["closing"]))
    if not found:
        session.error("no test outcomes in the output:\n" + default[-3000:])
    if bad:
        session.error("failing checks: %s\n%s" % (", ".join(bad), default[-5000:]))
    if strict_bad != xfail:
        session.error("--strict fails %s but the default run lists %s as known defects" % (strict_bad, xfail))


@nox.session(name="cell")
@nox.parametrize(
    "python,g4f,nest,uvloop",
    [
        nox.param(
            py, g, n, u, id="%s, g4f=%s, nest=%s, uvloop=%s" % (py, g, n, u), tags=["matrix"] + (["ci"] if ci else [])
        )
        for py, g, n, u, ci in CELLS
    ],
)
def cell(session, python, g4f, nest, uvloop):
    """One cell of the matrix."""
    check_cell(session, python, g4f, nest, uvloop)


@nox.session(python="3.11", requires=["cell"], tags=["matrix"])
def table(session):
    """Write COMPATIBILITY.md from the saved cells, bisecting each contract that broke."""
    import compatibility

    cells = []
    for path in sorted(glob.glob(os.path.join(RESULTS, "*.json"))):
        with open(path) as f:
            cells.append(json.load(f))
    if not cells:
        session.error("no cell results under %s: run nox first" % RESULTS)

    def probe(release, test_id):
        """Does g4f ``release`` honour the contract of ``test_id``? True, False, None (skipped), or
        compatibility.UNCHECKABLE when the suite cannot even load there."""
        install(session, release, "both", "off")
        found = run_suite(session, "--strict", test_id, success_codes=(0, 1, 2))[1].get(test_id)
        if found is None:
            return compatibility.UNCHECKABLE
        return {"ok": True, "FAIL": False, "ERROR": False}.get(found)

    releases = compatibility.all_releases(session)
    markdown = compatibility.render(cells, releases, probe, session.log, when=datetime.date.today().isoformat())
    with open(os.path.join(ROOT, "COMPATIBILITY.md"), "w", encoding="utf-8") as f:
        f.write(markdown)
    session.log("wrote COMPATIBILITY.md from %d cells" % len(cells))
