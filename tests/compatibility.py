"""Builds COMPATIBILITY.md from the matrix cells' results (see noxfile.py), bisecting where a contract broke;
and checks a cell's two runs (cell_problems)."""

import re
import subprocess
import sys

sys.path.insert(0, __file__.rsplit("/", 2)[0])
from g4f_tests.support import parse_version  # noqa: E402

# nest variants: both packages; g4f's own default install (only nest_asyncio2); only the old nest_asyncio
# (nest_asyncio2 uninstalled even where g4f depends on it); neither.
NEST = {"both": ["nest_asyncio", "nest_asyncio2"], "nest2": ["nest_asyncio2"], "nest1": ["nest_asyncio"], "none": []}
# What else a cell installs: nothing (those checks skip naming it), uvloop, or every extra (the g4f line).
EXTRAS = {
    "none": [],
    "uvloop": ["uvloop"],
    # every extra of setup.cfg (uvloop, jupyter, servers, gevent): the g4f line's cells
    "all": ["uvloop", "ipykernel", "jupyter_client", "uvicorn[standard]", "starlette", "gevent"],
}
LINE_EXTRAS = "all"  # the g4f line's cells install every extra
FAILING = ("failed", "error", "unexpected success")
BAD = ("failed", "error")
DOCUMENTED_EXCEPTION = "g4f_tests.asyncio.TestChatCompletion.test_exception"
# What a probe returns for a release the suite cannot run on (it failed to load: g4f tried the network at
# import and the guard stopped it, or the release is broken, as 0.4.0.1); such releases are listed in the table.
UNCHECKABLE = "uncheckable"
UNCHECKED = set()


def header_python(environment):
    """(X.Y, X.Y.Z, executable) from the runner's header, whose first line is "Python X.Y.Z (EXECUTABLE) on ..."."""
    found = re.match(r"Python ((\d+\.\d+)\.\S+) \((.*)\) on ", (environment or [""])[0])
    return (found.group(2), found.group(1), found.group(3)) if found else (None, None, None)


def cell_problems(cell, default, strict, venv):
    """What is wrong with a cell's two runs, the runner's --json reports ``default`` and ``strict`` (None when a
    run wrote none); [] when nothing is. ``cell``: python, g4f, nest, extras, newest (the newest g4f release);
    ``venv``: the cell's virtualenv, where the suite must have run."""
    problems = environment_problems(cell, default, strict, venv)
    if problems:
        return problems
    return problems + outcome_problems(cell, default, strict)


def environment_problems(cell, default, strict, venv):
    """Whether the two runs happened, in the cell's virtualenv, on the cell's Python: without that, the reports
    say nothing about the cell (the table leaves such a cell out)."""
    problems = []
    for name, report in (("default", default), ("--strict", strict)):
        if report is None:
            problems.append("the %s run wrote no --json report" % name)
            continue
        python, full, executable = header_python(report.get("environment"))
        if python != cell["python"]:
            problems.append(
                "the %s run's header names Python %s, not %s: %r"
                % (name, full, cell["python"], (report.get("environment") or ["(no header)"])[0])
            )
        elif not (executable or "").startswith(venv.rstrip("/") + "/"):
            problems.append("the %s run's Python %s is not the cell's virtualenv's (%s)" % (name, executable, venv))
    return problems


def outcome_problems(cell, default, strict):
    """Whether the outcomes keep the matrix's rules: the default run passes, --strict fails exactly its expected
    failures, and the nest variant is what the header says (a broken rule: the registry or the suite is wrong
    there; the outcomes themselves are still g4f's)."""
    problems = []
    ran, ran_strict = default["tests"], strict["tests"]
    failing = sorted(t for t, v in ran.items() if v["outcome"] in FAILING)
    if failing or default["exit"] != 0:
        problems.append(
            "the default run failed (exit %s): %s"
            % (default["exit"], "; ".join("%s: %s" % (t, ran[t]["message"].strip()[-2000:]) for t in failing))
        )
    if sorted(ran) != sorted(ran_strict):
        problems.append("the two runs ran different tests: %s" % sorted(set(ran) ^ set(ran_strict)))
    expected = {t for t, v in ran.items() if v["outcome"] == "expected failure"}
    strict_failed = {t for t, v in ran_strict.items() if v["outcome"] in FAILING}
    if strict_failed != expected:
        problems.append(
            "--strict fails %s but the default run's expected failures are %s (only in --strict: %s; only "
            "expected: %s)"
            % (len(strict_failed), len(expected), sorted(strict_failed - expected), sorted(expected - strict_failed))
        )
    if strict["counts"]["failed"] != default["counts"]["expected failures"]:
        problems.append(
            "--strict counts %d failed, the default run %d expected failures"
            % (strict["counts"]["failed"], default["counts"]["expected failures"])
        )
    if strict["exit"] != (1 if expected else 0):
        problems.append("--strict exited %s with %d known defects" % (strict["exit"], len(expected)))
    changed = sorted(t for t in set(ran) & set(ran_strict) - expected if ran[t]["outcome"] != ran_strict[t]["outcome"])
    if changed:
        problems.append("outcomes that --strict changed although no known defect applies: %s" % changed)
    problems += _nest_problems(cell, default) + _extras_problems(cell, default)
    return problems


def _extras_problems(cell, default):
    """A cell runs what it names: no check skips for want of a package the cell's extras installed."""
    installed = {re.split(r"[\[<>=]", name)[0].replace("-", "_").lower() for name in EXTRAS[cell["extras"]]}
    problems = []
    for test, result in sorted(default["tests"].items()):
        if result["outcome"] != "skipped":
            continue
        wanted = {
            name.replace("-", "_").lower()
            for hint in re.findall(r"pip\s+install\s+([^)\n]*)", result["message"] or "")
            for name in re.split(r"[\s,]+", re.sub(r"\[[^\]]*\]", "", hint))
            if name
        }
        if wanted & installed:
            problems.append(
                "%s skipped although the cell installs %s: %s"
                % (test, ", ".join(sorted(wanted & installed)), result["message"])
            )
    return problems


def _nest_problems(cell, default):
    """The header says how g4f nests; it must name a package the variant installed, and where g4f cannot nest
    in a nest1 or none cell the documented test_exception must have run (on the newest g4f: as the known defect)."""
    problems = []
    nests = default["environment"][2] if len(default["environment"]) > 2 else ""
    used = re.match(r"g4f nests with (\S+)", nests)
    if used and used.group(1) not in NEST[cell["nest"]]:
        problems.append("g4f nests with %s, which the %s variant does not install" % (used.group(1), cell["nest"]))
    if cell["nest"] not in ("none", "nest1"):
        return problems
    outcome = default["tests"].get(DOCUMENTED_EXCEPTION, {}).get("outcome")
    if cell["g4f"] == cell["newest"]:
        if not nests.startswith("g4f cannot nest"):
            problems.append("g4f %s nests in the %s variant: %r" % (cell["g4f"], cell["nest"], nests))
        if outcome != "expected failure":
            problems.append(
                "%s was %s, not the expected failure it is where g4f cannot nest" % (DOCUMENTED_EXCEPTION, outcome)
            )
    elif nests.startswith("g4f cannot nest") and outcome in (None, "skipped"):
        problems.append("%s did not run (%s) although g4f cannot nest here" % (DOCUMENTED_EXCEPTION, outcome))
    return problems


def cell_result(cell, default, strict, problems, seconds):
    """What a cell saves for the table (.nox/results/CELL.json): the outcomes of both runs, the messages of the
    expected failures, of the skips and of the failures, and the problems cell_problems found."""
    result = dict(cell, seconds=seconds, problems=problems)
    tests = default["tests"]
    result.update(
        environment=default["environment"],
        counts=default["counts"],
        outcomes={t: v["outcome"] for t, v in tests.items()},
        expected={t: v["message"] for t, v in tests.items() if v["outcome"] == "expected failure"},
        skipped={t: v["message"] for t, v in tests.items() if v["outcome"] == "skipped"},
        failures={t: failure_summary(v["message"]) for t, v in tests.items() if v["outcome"] in FAILING},
        strict={t: v["outcome"] for t, v in strict["tests"].items()},
    )
    return result


def failure_summary(message):
    """A failure of the default run in one line: a known defect that did not show, a defect seen in another
    shape than registered (which), or the failure's last line."""
    message = message or ""
    if "a known g4f defect did not show" in message:
        return "a known defect did not show"
    shapes = re.findall(r"(?:\(expected |; )([a-z0-9-]+): it ", message) if "not the known defect" in message else []
    if shapes:
        return "not the shape registered for %s" % ", ".join("`%s`" % name for name in dict.fromkeys(shapes))
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def all_releases():
    """Every g4f release the package index lists, oldest first."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "g4f"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
    )
    found = re.search(r"Available versions: (.*)", proc.stdout)
    if not found:
        raise RuntimeError("pip index versions g4f said:\n" + proc.stdout)
    return sorted((v.strip() for v in found.group(1).split(",")), key=parse_version)


def verdict(cell, test_id):
    """'ok', 'broken' (fails under --strict), 'skipped' or None (not run) for one test in one cell."""
    strict = cell["strict"].get(test_id)
    if strict is None:
        return None
    if strict in BAD:
        return "broken"
    return "skipped" if strict == "skipped" else "ok"


def axis(cells):
    """The g4f-line cells: Python 3.11, both nest packages, every extra, oldest release first."""
    line = [c for c in cells if c["python"] == "3.11" and c["nest"] == "both" and c["extras"] == LINE_EXTRAS]
    return sorted(line, key=lambda c: parse_version(c["g4f"]))


def bisect(test_id, before, after, releases, probe, log, breaking):
    """The first release after ``before`` whose verdict on ``test_id`` is that of ``after``.

    ``breaking``: looking for where the contract broke (else where it was fixed). A release that skips
    the check counts as not broken.
    """
    between = [r for r in releases if parse_version(before) < parse_version(r) < parse_version(after)]
    lo, hi, steps = -1, len(between), 0  # between[lo] is on the `before` side, between[hi] on the `after` side
    while hi - lo > 1:
        mid = (lo + hi) // 2
        steps += 1
        honoured = probe(between[mid], test_id)
        log(
            "bisect %s: g4f %s %s (step %d)"
            % (
                test_id,
                between[mid],
                {True: "honours it", False: "breaks it", None: "skips it", UNCHECKABLE: "cannot be checked"}[honoured],
                steps,
            )
        )
        if honoured is UNCHECKABLE:  # as git bisect skip: leave this release out and look again
            UNCHECKED.add(between.pop(mid))
            hi -= 1
            continue
        broken = honoured is False
        if broken == breaking:
            hi = mid
        else:
            lo = mid
    return (between[hi] if hi < len(between) else after), steps


def transitions(test_id, line, releases, probe, log, cells=()):
    """Where, along the g4f line, the contract of ``test_id`` breaks or is fixed, bisected exactly; where it does
    not change there, why it is broken elsewhere (off_line, over ``cells``: every cell)."""
    found, previous = [], None
    for cell in line:
        v = verdict(cell, test_id)
        if v is None:
            continue
        broken = v == "broken"
        if previous is not None and broken != previous[1]:
            release, steps = bisect(test_id, previous[0], cell["g4f"], releases, probe, log, breaking=broken)
            skipped = sorted(
                (r for r in UNCHECKED if parse_version(previous[0]) < parse_version(r) < parse_version(release)),
                key=parse_version,
            )
            note = "; %s could not be checked" % ", ".join(skipped) if skipped else ""
            found.append(
                "%s in **%s** (bisected between %s and %s, %d steps%s)"
                % ("breaks" if broken else "fixed", release, previous[0], cell["g4f"], steps, note)
            )
        elif previous is None and broken:
            found.append("broken in %s, the oldest release tried" % cell["g4f"])
        previous = (cell["g4f"], broken)
    if found:
        return "; ".join(found)
    return off_line(test_id, line, list(cells) or line)


CELL_AXES = (  # what tells cells apart, and how a list of its values reads
    (lambda c: c["python"], lambda vs: "on Python %s" % _or(vs)),
    (lambda c: c["nest"], lambda vs: "with nest=%s" % _or(vs)),
    (lambda c: c["extras"], lambda vs: "with extras %s" % _or(vs)),
    (
        lambda c: "cannot" if nests_text(c).startswith("g4f cannot nest") else "can",
        lambda vs: "where g4f %s nest" % _or(vs),
    ),
)


def _or(values):
    return values[0] if len(values) == 1 else "%s or %s" % (", ".join(values[:-1]), values[-1])


def nests_text(cell):
    return cell["environment"][2] if len(cell.get("environment", ())) > 2 else ""


def cell_label(cell):
    """How a cell is named in a list: its Python, nest variant and extras (the extras left out when none)."""
    extras = "" if cell["extras"] == "none" else ", " + cell["extras"]
    return "%s, nest=%s%s" % (cell["python"], cell["nest"], extras)


def skip_reasons(cells, test_id):
    """The distinct reasons the cells gave for skipping ``test_id`` (the runner's message, first line; the
    cell's own release in it written as RELEASE, so one reason given on many releases is said once)."""
    found = []
    for cell in cells:
        message = (cell.get("skipped", {}).get(test_id) or "").strip().splitlines()
        reason = message[0].replace("g4f %s " % cell["g4f"], "g4f RELEASE ") if message else None
        if reason and reason not in found:
            found.append(reason)
    return found


def off_line(test_id, line, cells):
    """Why a contract broken somewhere never changes along the g4f line: what the line did with it (honoured
    everywhere, or skipped, with the reason the check gave) and what the cells that broke it have that the
    cells that honoured it on the same releases have not (Python, nest variant, extras, whether g4f nests),
    with the known defects they reported."""
    on_line = {verdict(cell, test_id) for cell in line} - {None}
    if "broken" in on_line:  # broken all along the line (transitions said so): nothing more to explain
        return "broken on every release of the g4f line"
    if "ok" in on_line:
        said = "honoured on every release of the g4f line"
    else:
        reasons = skip_reasons(line, test_id)
        said = "skipped on every release of the g4f line%s" % (
            " (%s)" % "; ".join('"%s"' % r for r in reasons) if reasons else ""
        )
    broken = [c for c in cells if verdict(c, test_id) == "broken"]
    releases = {c["g4f"] for c in broken}
    others = [c for c in cells if c["g4f"] in releases and verdict(c, test_id) != "broken"]
    honoured = [c for c in others if verdict(c, test_id) == "ok"]
    where = []
    for value, phrase in CELL_AXES:
        mine = sorted({value(c) for c in broken}, key=_natural)
        theirs = {value(c) for c in (honoured or others)}
        if theirs and not theirs & set(mine):
            where.append(phrase(mine))
    defects = sorted({d for c in broken for d, tests in defects_seen(c).items() if test_id in tests})
    if not where:
        where = ["in %s" % "; ".join(sorted({cell_label(c) for c in broken}))]
    ran = "" if honoured else " (the only cells of those releases where it ran)"
    return "%s; broken only %s%s%s" % (
        said,
        ", ".join(where),
        ran,
        " (known defect %s)" % ", ".join("`%s`" % d for d in defects) if defects else "",
    )


def _natural(value):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", value)]


def defects_seen(cell):
    """{defect name: [test ids]} of the known defects a cell's default run reported as expected failures."""
    seen = {}
    for test_id, message in cell.get("expected", {}).items():
        # the defect the test failed on, and on lines of their own those its other calls showed (checks.py)
        for name in re.findall(r"^known g4f defect ([\w-]+)(?::| \(another call\))", message, re.M) or ["?"]:
            seen.setdefault(name, []).append(test_id)
    return seen


def render(cells, releases, probe, log, when, not_run=()):
    """COMPATIBILITY.md from the cells' saved results (``not_run``: the cells of an optional Python this machine
    lacks); ``probe`` runs a release for the bisection."""
    import compatibility_sections as sections

    from g4f_tests import known_defects
    from g4f_tests.verdicts import Defect

    cells = sorted(cells, key=lambda c: (parse_version(c["g4f"]), parse_version(c["python"]), c["nest"], c["extras"]))
    failed = [c for c in cells if c.get("problems")]
    out = [
        "# Compatibility",
        "",
        "Generated by `nox` (noxfile.py) on %s from %d cells; do not edit by hand." % (when, len(cells)),
        "A cell runs the whole suite twice, by default and with `--strict`, on the Python it names (the Python",
        "column is read from the suite's own header); *expected failures* are the known g4f defects of",
        "README.md, and `--strict` fails exactly on them in every cell (nox checks it)%s."
        % (
            "" if not failed else ", except in the %d cells listed under *Cells that failed their checks*" % len(failed)
        ),
    ]
    if not_run:
        out.append("Not run here, for want of their Python (optional cells): %s." % ", ".join(not_run))
    out += [""] + sections.advice_section(cells) + sections.legend()
    out += [
        "## Cells",
        "",
        "| Python | g4f | nest | extras | how g4f nests | passed | failed | skipped | expected failures | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in cells:
        counts = c["counts"]
        out.append(
            "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |"
            % (
                header_python(c["environment"])[1],
                c["g4f"],
                c["nest"],
                c["extras"],
                nests_text(c).split(" (")[0].replace("g4f nests with ", "with "),
                counts["passed"],
                counts["failed"],
                counts["skipped"],
                counts["expected failures"],
                c["seconds"],
            )
        )
    tests = sorted({t for c in cells for t in c["strict"]})
    line = axis(cells)
    contracts = [
        "## Contracts that some g4f release does not honour",
        "",
        "Releases per verdict over all cells (a release broken in some of its cells only names them). Where the",
        "verdict changes along the g4f line, the release where the contract broke or was fixed is found by",
        "bisecting over every release in between (`pip index versions g4f`); a release that skips the check for",
        "a missing API counts as not broken. Where it does not change there, the last column says why the",
        "contract is broken elsewhere: what the cells that broke it have that the cells that honoured it on the",
        "same releases have not.",
        "",
        "| contract (test) | honoured on g4f | broken on g4f | where it changed |",
        "|---|---|---|---|",
    ]
    always = 0
    for test_id in tests:
        verdicts, broken_in = {}, {}
        for c in cells:
            v = verdict(c, test_id)
            if v:
                verdicts.setdefault(v, set()).add(c["g4f"])
            if v == "broken":
                broken_in.setdefault(c["g4f"], set()).add(cell_label(c))
        if "broken" not in verdicts:
            always += 1
            continue
        short = test_id.split(".", 1)[1]
        both = verdicts.get("ok", set()) & verdicts["broken"]  # a release broken only in some of its cells: which
        contracts.append(
            "| `%s` | %s | %s | %s |"
            % (
                short,
                ", ".join(sorted(verdicts.get("ok", ()), key=parse_version)) or "**no release**",
                ", ".join(
                    r + (" (%s)" % "; ".join(sorted(broken_in[r])) if r in both else "")
                    for r in sorted(verdicts["broken"], key=parse_version)
                ),
                transitions(test_id, line, releases, probe, log, cells),
            )
        )
    defects = [d for d in vars(known_defects).values() if isinstance(d, Defect)]
    out += [""] + sections.ranges_section(cells, releases, defects, UNCHECKED)  # after the bisection: UNCHECKED
    out += contracts + [
        "",
        "The other %d contracts are honoured, or skipped with a reason naming an API the release lacks," % always,
        "in every cell.",
        "",
    ]
    if UNCHECKED:
        out += [
            "Releases the bisection had to leave out because the suite cannot load on them (g4f failed to",
            "import: the network guard stopped it reaching a host, or the release is broken): %s."
            % ", ".join(sorted(UNCHECKED, key=parse_version)),
            "",
        ]
    return "\n".join(out + sections.failed_cells_section(cells))
