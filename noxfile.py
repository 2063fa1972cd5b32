"""The compatibility matrix: Python x g4f release x nest variant x extras, and COMPATIBILITY.md.

    nox                     every cell, then the table (COMPATIBILITY.md), bisecting where a contract broke
    nox -t ci               the slice CI runs: six Pythons on the newest g4f, nest2 / none / nest1, the oldest g4f
    nox -s "cell(3.11, g4f=7.0.0, nest=both, extras=all)"              one cell (nox -l lists them)
    nox -s table            the table again from the cells' saved results (no new runs but the bisection)
    nox -l --json           every cell as JSON: .ci/matrix.py turns it into the GitHub Actions job matrix
    nox -s mutation         mutmut over the runner, report, verdicts, support and sandbox (not run by nox or
                            nox -t ci): tests/mutation.md

A cell runs on the Python it names (nox's python parametrization: the session's interpreter is the cell's,
found by nox among pyenv's; nox and uv never download one, and a missing interpreter fails the cell). The
3.14 cells are the exception: optional, they skip with a message where no Python 3.14 is installed (OPTIONAL). It
installs one g4f release, the nest variant and the extras into a fresh virtualenv (uv), runs the suite from
this checkout twice (default and --strict, each writing the runner's --json report), checks the two reports
(tests/compatibility.py: cell_problems) and saves the outcomes under .nox/results/ (those of a cell whose
checks failed too: the table lists its problems), the two reports themselves under .nox/results/reports/.
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
REPORTS = os.path.join(RESULTS, "reports")  # each cell's two --json reports and JUnit XML, as the runner wrote them
PYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
# Pythons whose cells are optional: g4f's own CI tests 3.14, which not every machine has (this one has not). Where
# no such interpreter is found when the noxfile loads, its cells are still listed, under the same names, but run
# no interpreter (python=False) and skip naming what is missing: so `nox` passes without it, and a runner that has
# it (GitHub's, after actions/setup-python) runs them as any cell. A missing 3.8 to 3.13 still fails its cell.
OPTIONAL = ["3.14"]
NEWEST = "8.8.6"
OLDEST = "0.2.2.0"
# The g4f line, on Python 3.11 with both nest packages, uvloop and Jupyter: one release per line of g4f's
# history, and both ends of every known defect's range (and of each change of its shape) with the release on the
# other side, so that every range in g4f_tests/known_defects.py is measured by cells, in its exact shape, on every
# run. The reasons are in known_defects.py; the bisections that found the ends in COMPATIBILITY.md.
LINE = [
    OLDEST,
    "0.2.2.3",  # client-proxy-twice: the last
    "0.2.2.4",  # client-proxy-twice-with-g4f-proxy: the first
    "0.2.8.0",  # the last release that cannot nest (uvloop: NestAsyncioError); client-proxy-twice-with-g4f-proxy: the last
    "0.2.8.1",  # the first that nests: uvloop-*, nest-run-leaves-loops, async-client-async-provider
    "0.2.9.8",  # async-client-drops-kwargs: the last
    "0.2.9.9",
    "0.2.9.11",  # the newest of the 0.2 line
    "0.3.0.0",
    "0.3.1.5",  # the last without IterListProvider (its cancellation check skips)
    "0.3.1.6",  # the first with IterListProvider
    "0.3.1.8",  # uvloop-*: the last ValueError from nest_asyncio
    "0.3.1.9",  # uvloop-*: the first bare RuntimeError
    "0.3.2.0",  # the last with AsyncClient before async-client-missing (0.3.2.1 to 0.3.2.9 cannot be imported)
    "0.3.3.0",  # async-client-missing: the first
    "0.3.3.2",  # async-client-missing: the last
    "0.3.3.3",  # async-client-is-sync; the last NestAsyncioError without a nest package
    "0.3.4.6",  # no-nest-*, async-client-sync-bridge: the first (0.3.3.4 to 0.3.4.5 cannot be imported)
    "0.3.5.7",  # early-close-leaves-provider-open: the last
    "0.3.5.8",
    "0.3.7.1",  # async-client-sync-bridge: the last
    "0.3.7.2",
    "0.3.7.5",  # clients-take-none-chunks-for-text: the last (bisected)
    "0.3.7.6",  # create-async-error-chunk-type-error: the last
    "0.3.8.0",  # client-variation-early: the last (bisected); async-client-retry-answers-nothing: the only one
    "0.3.8.1",  # (0.3.8.2 cannot be imported offline: it reaches a host)
    "0.3.8.3",  # sync-images-in-running-loop: the first
    "0.3.8.4",  # images-list-stops-at-a-failed-provider: the last
    "0.3.9.0",  # images-list-stops-at-a-failed-provider: fixed (bisected)
    "0.3.9.2",  # legacy-joins-none-chunks: the last (bisected)
    "0.3.9.3",
    "0.3.9.5",  # client-empty-chunk-delta, create-async-ignores-g4f-proxy: the last
    "0.3.9.6",
    "0.3.9.7",  # the newest of the 0.3 line
    "0.4.0.0",  # images-answer-the-preview: the first
    "0.4.0.2",
    "0.4.0.3",  # json-object-unlabeled-fence: the first (bisected)
    "0.4.0.4",  # async-client-async-provider: the last
    "0.4.0.5",  # the 0.4.0.5 to 7.4.7 defects, auto-patch-generator-provider, the asyncio.run generator shape
    "0.4.0.9",  # to-async-iterator-awaits: the first (bisected)
    "0.4.3.4",  # clients-take-error-chunks-for-text: the last (bisected)
    "0.4.3.5",
    # 0.4.3.6, to-async-iterator-awaits' last (bisected), reaches huggingface.co when it runs: no cell (so the one
    # release of iter-list-provider-info-type-error, 0.4.3.5, has a cell only before and on it)
    "0.4.7.3",
    "0.4.7.4",  # auto-patch-generator-provider: the last; clients-take-none-chunks-for-text-again: the first (bisected)
    "0.4.7.5",
    "0.4.8.2",  # the last whose clients pass a str prompt through as it is (their edge check skips)
    "0.4.8.3",  # the first whose clients take a str prompt as the user's message (bisected)
    "0.4.9.0",  # the first with media (image, images and media reach the provider as media)
    "0.4.9.6",  # images-drop-proxy: the last (bisected)
    "0.4.9.7",
    "0.4.9.8",
    "0.4.9.9",  # client-empty-chunk-delta-again: the first; images-answer-the-preview: the preview alone, the last
    "0.5.0.1",  # images-answer-the-preview: the preview first, the first
    "0.5.1.5",  # clients-refuse-images: the release before
    "0.5.1.6",  # clients-refuse-images: the only one
    "0.5.2.0",  # clients-refuse-images: the release after
    "0.5.2.3",  # list-drops-the-api-key: the release before (bisected)
    "0.5.2.4",  # the first with the clients' usage: clients-usage-total-zero, async-client-drops-usage-of-sync-provider;
    # list-drops-the-api-key: the only one; list-wraps-the-one-error: the last
    "0.5.2.5",  # async-list-drops-the-api-key: the first (bisected); retry-provider-wraps-the-one-error: fixed
    "0.5.2.7",  # client-empty-chunk-delta-again: the last; async-client-keeps-think: the first seen (0.5.2.6 not importable)
    "0.5.2.8",
    "0.5.3.1",  # clients-usage-total-zero: the last (bisected)
    "0.5.3.2",
    "0.5.4.0",  # async-list-drops-the-api-key: the last (bisected)
    "0.5.4.1",  # retry-provider-ignores-single-provider-retry: the first (bisected: 0.5.4.0 retries)
    "0.5.4.3",
    "0.5.4.4",  # timeout-without-message: the first (on 3.11)
    "0.5.6.3",  # client-variation-arguments: the last (bisected)
    "0.5.6.4",  # async-client-variation-positional: the only one; images-answer-the-preview: the last
    "0.5.6.5",
    "0.5.7.1",  # the asyncio.run generator shape: the last
    "0.5.7.2",
    "0.5.7.3",  # async-list-drops-the-api-key-again: the release before (bisected)
    "0.5.7.4",  # async-list-drops-the-api-key-again: the first
    "0.5.8.1",  # the last without RotatedProvider (its provider lists' calls skip)
    "0.5.8.2",  # the first with RotatedProvider: chat-completion-refuses-rotated-provider, rotated-provider-joins-a-failed-answer
    "0.5.9.0",  # the newest of the 0.5 line
    "0.6.0.0",
    "0.6.0.3",  # client-reasoning-as-text: the last
    "0.6.1.1",
    "0.6.3.1",
    "0.6.3.2",  # clients-raw-early: the first
    "0.6.3.3",  # clients-raw-early: the last
    "0.6.3.4",  # async-client-raw-text, clients-raw-not-streamed: the first
    "0.6.3.5",  # Client's token estimate counts bytes: the first (async-client-estimates-apart's second shape)
    "0.6.4.3",  # the newest of the 0.6 line
    "6.0.5",
    "6.6.7",  # clients-raw-not-streamed: the last
    "6.7.0",
    "6.8.0",  # async-client-joins-json-objects: the last (bisected)
    "6.8.1",
    "6.8.4",  # async-client-drops-usage-of-sync-provider: the last of its first shape (bisected)
    "6.8.5",  # async-client-drops-usage-of-sync-provider: the first of its second shape
    "6.9.7",
    "6.9.8",  # client-response-without-model: the first
    "6.9.10",  # the newest of the 6 line
    "7.0.0",
    "7.1.2",  # async-list-drops-the-api-key-again: the last (bisected)
    "7.1.3",
    "7.1.6",  # timeout-without-message: the last
    "7.1.7",  # provider-timeout-renamed, limit-type-error: the first
    "7.1.8",  # stream-limit-renames-provider-timeout: the first; limit-type-error: the last
    "7.1.9",
    "7.2.2",  # the last whose clients read G4F_PROXY (7.2.3 and 7.2.4 cannot be imported)
    "7.2.5",  # clients-ignore-g4f-proxy: the first (bisected)
    "7.4.7",  # the 0.4.0.5 to 7.4.7 defects: the last
    "7.5.0",  # auto-patch-async-provider, jupyter-fresh-kernel, the AsyncClient stream limit's defects: the first
    "7.9.6",  # the newest of the 7 line
    "8.0.5",
    "8.2.6",  # stream-limit-renames-provider-timeout: the last (bisected)
    "8.2.7",
    "8.3.7",  # json-object-unlabeled-fence: the last (8.4.0 honours it)
    "8.4.0",  # client-images-name-error: the first
    "8.4.5",  # client-images-name-error: the last
    "8.4.6",
    "8.4.7",  # wait-for-leaves-provider-suspended: the last
    "8.4.8",
    "8.4.9",  # rotated-provider-joins-a-failed-answer: the release after its last (bisected)
    "8.5.5",  # client-stream-drops-conversation: the last
    "8.5.6",
    NEWEST,
]

# The covering set: (python, g4f, nest, extras, in the CI slice). Every Python on the newest g4f without
# extras; the g4f line; every nest variant on a few cells; uvloop on the newest Python; Python 3.8 where
# timeout-is-asyncio-error begins (and 7.4.7 / 7.5.0 there, where client-timeout-is-asyncio-error does); the
# optional Pythons as the newest one before them.
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
        ("3.8", "0.5.4.3", "both", "none", False),  # its check skips: the timeout is not there yet
        ("3.8", "0.5.4.4", "both", "none", False),  # timeout-is-asyncio-error: the first release with the timeout
        ("3.8", "0.6.2.0", "both", "none", False),  # its check skips: only stream_timeout there
        ("3.8", "0.6.2.1", "both", "none", False),  # authed-timeout-is-asyncio-error: the first (the limits' first)
        ("3.8", "0.3.5.7", "both", "none", False),
        ("3.8", "0.3.5.8", "both", "none", False),  # executor-not-waited-before-3-9: the first (the bridge's first)
        ("3.8", "8.3.7", "both", "none", False),
        ("3.8", "8.4.0", "both", "none", False),  # to-thread-drops-context: the first (to_thread's first)
        ("3.8", "7.4.7", "both", "none", False),
        ("3.8", "7.5.0", "both", "none", False),  # client-timeout-is-asyncio-error: the first (before 3.11 only)
    ]
    # The environments (uvicorn, a threaded WSGI server, gevent, a bot's loop) run on the whole g4f line (its
    # extras are all of setup.cfg's); here where g4f cannot nest, on both sides of the no-nest gevent shapes' ends.
    + [
        ("3.11", NEWEST, "none", "all", False),
        ("3.11", "0.2.9.11", "none", "all", False),  # the newest release of each line without a nest package
        ("3.11", "0.3.9.7", "none", "all", False),
        ("3.11", "0.4.9.9", "none", "all", False),
        ("3.11", "0.5.9.0", "none", "all", False),
        ("3.11", "0.6.4.3", "none", "all", False),
        ("3.11", "6.0.5", "none", "all", False),  # the gevent no-nest shapes: the first
        ("3.11", "6.5.0", "none", "all", False),
        ("3.11", "7.4.7", "none", "all", False),  # two of them: the last
        ("3.11", "7.5.0", "none", "all", False),
        ("3.8", NEWEST, "both", "all", False),
    ]
    + [(py, NEWEST, "both", "none", True) for py in OPTIONAL]
    + [(py, NEWEST, nest, extras, False) for py in OPTIONAL for nest, extras in (("nest2", "none"), ("nest1", "none"))]
    + [(py, NEWEST, "both", "uvloop", False) for py in OPTIONAL]
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


def found_python(version):
    """Does ``pythonX.Y`` run here (as nox would find it: on PATH, pyenv's shims included)?"""
    path = shutil.which("python" + version)
    if path is None:
        return False
    return subprocess.run([path, "-c", ""], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


MISSING = [py for py in OPTIONAL if not found_python(py)]  # their cells skip


def cell_name(python, g4f, nest, extras):
    return "py%s-g4f%s-%s-%s" % (python, g4f, nest, extras)


def uv(session, *args, **kwargs):
    return session.run("uv", *args, external=True, silent=True, **kwargs)


def install(session, venv, g4f, nest, extras):
    """Install g4f ``g4f``, the nest variant and the extras into the virtualenv ``venv``."""
    # unittest-xml-reporting only writes the runs' JUnit XML (the workflows' artifact): nothing of g4f's imports it.
    packages = ["g4f==%s" % g4f, *NEST[nest], *EXTRAS[extras], "unittest-xml-reporting"]
    uv(session, "pip", "install", "--python", venv, *packages)
    for name in ("nest_asyncio", "nest_asyncio2"):
        if name not in NEST[nest]:  # g4f itself (or an extra) may have brought it in: the variant says not there
            uv(session, "pip", "uninstall", "--python", venv, name, success_codes=[0, 1, 2])


def run_suite(session, venv, *args, success_codes=(0, 1), keep=None):
    """Run the suite with the Python of ``venv``; return the runner's --json report (None if it wrote none),
    copied to ``keep`` when given, with the run's JUnit XML beside it (``keep`` ending in .xml)."""
    report = os.path.join(session.create_tmp(), "report.json")
    if os.path.exists(report):
        os.unlink(report)
    session.run(
        os.path.join(venv, "bin", "python"),
        os.path.join(ROOT, "run_tests.py"),
        "-q",
        "--json",
        report,
        *(("--junit-xml", keep[: -len(".json")] + ".xml") if keep else ()),
        *args,
        external=True,
        silent=True,
        success_codes=list(success_codes),
    )
    if not os.path.exists(report) or not os.path.getsize(report):
        return None
    if keep:
        os.makedirs(os.path.dirname(keep), exist_ok=True)
        shutil.copyfile(report, keep)
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
            False if py in MISSING else py,
            g,
            n,
            e,
            id="%s, g4f=%s, nest=%s, extras=%s" % (py, g, n, e),
            tags=["matrix"] + (["ci"] if ci else []) + (["optional"] if py in OPTIONAL else []),
        )
        for py, g, n, e, ci in CELLS
    ],
)
def cell(session, g4f, nest, extras):
    """One cell of the matrix, on the Python it names."""
    python = session.python  # the cell's interpreter: nox created the virtualenv from it
    if python is False:  # an optional Python this machine lacks (OPTIONAL)
        python = re.match(r"cell\(([\d.]+),", session.name).group(1)
        session.skip("Python %s is not installed here: its cells are optional (noxfile.py, OPTIONAL)" % python)
    started = time.perf_counter()
    name = cell_name(python, g4f, nest, extras)
    position = [c[:4] for c in CELLS].index((python, g4f, nest, extras)) + 1
    session.log("cell %d of %d: %s (%.0f s since nox started)" % (position, len(CELLS), name, started - STARTED))
    venv = session.virtualenv.location
    install(session, venv, g4f, nest, extras)
    os.makedirs(REPORTS, exist_ok=True)
    for stale in glob.glob(os.path.join(REPORTS, name + ".*.json")) + glob.glob(os.path.join(REPORTS, name + ".*.xml")):
        os.unlink(stale)
    default = run_suite(session, venv, keep=os.path.join(REPORTS, name + ".default.json"))
    strict = run_suite(session, venv, "--strict", keep=os.path.join(REPORTS, name + ".strict.json"))
    spec = {"python": python, "g4f": g4f, "nest": nest, "extras": extras, "newest": NEWEST}
    problems = compatibility.cell_problems(spec, default, strict, session.virtualenv.location)
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, name + ".json")
    if os.path.exists(path):
        os.unlink(path)
    if not compatibility.environment_problems(spec, default, strict, session.virtualenv.location):
        # The outcomes are g4f's even where the registry did not explain them: the table shows them, and lists
        # this cell's problems; only a cell whose runs did not happen on its Python is left out.
        result = compatibility.cell_result(spec, default, strict, problems, round(time.perf_counter() - started, 1))
        with open(path, "w") as f:
            json.dump(result, f, indent=1, sort_keys=True)
    if problems:
        session.error("%s:\n%s" % (name, "\n".join(problems)))
    session.log("%s: %s, %s" % (name, result["environment"][0].split(" (")[0], result["counts"]))


# No requires=["cell"]: `nox` runs the sessions in this order anyway (the table last), and `nox -s table` reads the
# saved cells without running them again (a cell whose runs did not happen saved nothing: the table names it).
@nox.session(python="3.11", tags=["matrix"], download_python="never")
def table(session):
    """Write COMPATIBILITY.md from the saved cells, bisecting each contract that broke."""
    cells = []
    for path in sorted(glob.glob(os.path.join(RESULTS, "*.json"))):
        with open(path) as f:
            cells.append(json.load(f))
    names = {cell_name(*c[:4]) for c in CELLS}
    stale = sorted({cell_name(c["python"], c["g4f"], c["nest"], c["extras"]) for c in cells} - names)
    missing = sorted(names - {cell_name(c["python"], c["g4f"], c["nest"], c["extras"]) for c in cells})
    optional = [name for name in missing if name.split("-g4f")[0][2:] in OPTIONAL]  # not run: no such Python
    if len(missing) > len(optional):
        session.error("no saved result for %s: run nox first" % ", ".join(sorted(set(missing) - set(optional))))
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
    markdown = compatibility.render(
        cells, releases, probe, session.log, when=datetime.date.today().isoformat(), not_run=optional
    )
    with open(os.path.join(ROOT, "COMPATIBILITY.md"), "w", encoding="utf-8") as f:
        f.write(markdown)
    session.log("wrote COMPATIBILITY.md from %d cells" % len(cells))


# default=False: neither `nox` (the matrix, then the table) nor `nox -t ci` runs it; only `nox -s mutation` does.
@nox.session(python="3.11", default=False, download_python="never")
def mutation(session):
    """Mutation testing: mutmut over pyproject.toml's [tool.mutmut] modules with the fast in-process self-tests it
    selects, then tests/mutation.md from mutmut's results (tests/mutation_report.py). Minutes, not in CI."""
    session.chdir(ROOT)
    session.install(
        "-c",
        os.path.join(ROOT, ".ci", "constraints.txt"),
        "mutmut==3.8.1",
        "pytest",
        "g4f",
        "nest_asyncio2",
        "unittest-xml-reporting",  # test_report.JunitTest: the runner's JUnit result class
    )
    # A fresh run each time: mutmut keeps the verdicts of mutants whose function did not change, and the tests may have.
    shutil.rmtree(os.path.join(ROOT, "mutants"), ignore_errors=True)
    started = time.perf_counter()
    session.run("mutmut", "run", *session.posargs)
    session.run(
        "python", os.path.join("tests", "mutation_report.py"), "--seconds", "%.0f" % (time.perf_counter() - started)
    )
