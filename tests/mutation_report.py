#!/usr/bin/env python3
"""tests/mutation.md from mutmut's results: per mutated module its mutants killed, timed out, survived and run by no
selected test, the score, and every survivor with the reason it is equivalent (EQUIVALENT) or as not yet killed.

    nox -s mutation                                     runs mutmut, then this (in the session's virtualenv)
    python tests/mutation_report.py [--seconds N]       this again from mutants/ (mutmut's results of the last run)

It reads mutmut's own records: mutants/PATH.meta (JSON: each mutant's exit code), read with mutmut's mapping of
exit codes to outcomes, and each survivor's diff from mutmut's API; never mutmut's printed text. Needs mutmut
(the session installs it) and the project root as the working directory.
"""

import datetime
import json
import os
import sys
from importlib.metadata import version

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "mutation.md")

# Survivors that no test can kill: the mutant behaves as the original in every run of the suite. Keyed by mutmut's
# mutant name (its number within the function), so a changed function shows its reasons as stale below.
VERSION_INFO = "sys.version_info has five fields, so it never equals a pair: <= and < agree on every interpreter"
FIRST_PIECE = "the piece before the first '%' is the same whatever the number of splits"
SUBTEST_ID = "a subtest's id is never among the unfinished tests (only whole tests are added), so discarding it too "
"changes nothing"
STARTED = "unittest calls startTest before stopTest, so the start time is always there and the default never used"
ETYPE = "traceback.format_exception ignores its first argument since Python 3.5 (the type is the value's)"
EQUIVALENT = {
    "g4f_tests.conditions.x_python_before_3_9__mutmut_1": VERSION_INFO,
    "g4f_tests.conditions.x_python_before_3_11__mutmut_1": VERSION_INFO,
    "g4f_tests.sandbox.x_is_loopback__mutmut_4": "'localhost' left out of the first test reaches the last one, "
    "which answers the same (not an address, == 'localhost')",
    "g4f_tests.sandbox.x_is_loopback__mutmut_5": "as mutmut_4: 'LOCALHOST' never matches, 'localhost' is then "
    "answered by the last test the same",
    "g4f_tests.sandbox.x_is_loopback__mutmut_14": "codec names are case-insensitive: 'ASCII' is 'ascii'",
    "g4f_tests.sandbox.x_is_loopback__mutmut_21": FIRST_PIECE,
    "g4f_tests.sandbox.x_is_loopback__mutmut_25": FIRST_PIECE,
    "g4f_tests.support.x_g4f_version__mutmut_3": "importlib.metadata matches distribution names case-insensitively "
    "(3.8 to 3.13): 'G4F' finds g4f",
    "g4f_tests.runner.x_build_parser__mutmut_146": "argparse's default for an option is None already",
    "g4f_tests.verdicts.xǁDefectǁconcerns__mutmut_13": "every unittest.TestCase has _subtest (None outside a subtest), so "
    "getattr without a default never raises for the cases verdicts gets",
    "g4f_tests.report.xǁOutcomesǁ_set__mutmut_5": SUBTEST_ID,
    "g4f_tests.report.xǁOutcomesǁ_set__mutmut_11": SUBTEST_ID,
    "g4f_tests.report.xǁOutcomesǁ_set__mutmut_12": SUBTEST_ID,
    "g4f_tests.report.xǁOutcomesǁstopTest__mutmut_12": STARTED,
    "g4f_tests.report.xǁOutcomesǁstopTest__mutmut_14": STARTED,
    "g4f_tests.report.xǁOutcomesǁstopTest__mutmut_44": "unittest's TestResult.stopTest (and xmlrunner's) does not "
    "read its test",
    "g4f_tests.support.xǁObservationǁhung__mutmut_11": "the fallback for a child without stderr only has to lack "
    "'Timeout (': '' and 'XXXX' both do",
    "g4f_tests.support.xǁObservationǁof_exception__mutmut_23": ETYPE,
    "g4f_tests.support.xǁObservationǁof_exception__mutmut_29": ETYPE,
    "g4f_tests.report.xǁOutcomesǁ__init____mutmut_2": "unittest passes the result's arguments by position; the only "
    "keyword (durations, 3.12 on) defaults to None, and the runner never asks for durations",
}


def only_mutate():
    import tomllib  # the session's Python is 3.11

    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["tool"]["mutmut"]["only_mutate"]


def outcomes(path):
    """{mutant name: outcome} of one mutated file, as mutmut's meta file records it."""
    from mutmut.stats import status_by_exit_code

    with open(os.path.join(ROOT, "mutants", path + ".meta"), encoding="utf-8") as f:
        codes = json.load(f)["exit_code_by_key"]
    return {name: status_by_exit_code[code] for name, code in codes.items()}


def change(name, path):
    """The lines mutant ``name`` changes: its diff against the original function, without the context."""
    from mutmut.__main__ import get_diff_for_mutant

    diff = get_diff_for_mutant(name, path=path).splitlines()[2:]  # past the ---/+++ header
    return [line for line in diff if line[:1] in "-+" and line[1:].strip()]


def score(counts, of):
    done = counts["killed"] + counts["timeout"]
    return "%.1f%%" % (100.0 * done / of) if of else "-"


def main(argv):
    seconds = argv[argv.index("--seconds") + 1] if "--seconds" in argv else None
    os.chdir(ROOT)
    rows, survivors, untested, totals = (
        [],
        [],
        [],
        dict.fromkeys(("mutants", "killed", "timeout", "survived", "no tests"), 0),
    )
    for path in only_mutate():
        found = outcomes(path)
        counts = {key: sum(1 for o in found.values() if o == key) for key in ("killed", "timeout", "survived")}
        counts["no tests"] = sum(1 for o in found.values() if o == "no tests")
        other = len(found) - sum(counts.values())
        if other:
            sys.exit(
                "%s: %d mutants neither killed, timed out, survived nor untested: rerun nox -s mutation" % (path, other)
            )
        counts["mutants"] = len(found)
        for key in totals:
            totals[key] += counts[key]
        rows.append((path, counts))
        unreached = {}
        for name, o in found.items():
            if o == "no tests":
                function = source_name(name)
                unreached[function] = unreached.get(function, 0) + 1
        if unreached:
            untested.append((path, sorted(unreached.items())))
        survivors += [
            (path, name) for name, o in sorted(found.items(), key=lambda i: mutant_order(i[0])) if o == "survived"
        ]
    stale = sorted(set(EQUIVALENT) - {name for _, name in survivors})

    lines = [
        "# Mutation testing",
        "",
        "Generated by `nox -s mutation` (tests/mutation_report.py) on %s: mutmut %s over pyproject.toml's"
        % (datetime.date.today().isoformat(), version("mutmut")),
        "`[tool.mutmut]` modules, each mutant run against the selected fast self-tests that reach its function."
        + ("\nWall time: %s s (2 cores, under `nice`)." % seconds if seconds else ""),
        "",
        "Score: mutants killed (or timed out) of all mutants, as mutmut's badge counts it. Covered: of the mutants",
        "some selected self-test runs (a function no selected test calls is left to the self-tests that run it in a",
        "child process, where mutmut cannot see them: Not reached, below).",
        "",
        "| module | mutants | killed | timeout | survived | no tests | score | covered |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for path, counts in rows + [("all", totals)]:
        lines.append(
            "| %s | %d | %d | %d | %d | %d | %s | %s |"
            % (
                "**all**" if path == "all" else "`%s`" % path,
                counts["mutants"],
                counts["killed"],
                counts["timeout"],
                counts["survived"],
                counts["no tests"],
                score(counts, counts["mutants"]),
                score(counts, counts["mutants"] - counts["no tests"]),
            )
        )
    equivalent = sum(1 for _, name in survivors if name in EQUIVALENT)
    lines += [
        "",
        "## Survivors",
        "",
        "%d survivors: %d equivalent (the reason given), %d not yet killed (no self-test tells them apart yet)."
        % (len(survivors), equivalent, len(survivors) - equivalent),
        "`nox -s mutation` runs them again; `.nox/mutation/bin/mutmut show NAME` shows one in context.",
    ]
    current = None
    for path, name in survivors:
        if path != current:
            lines += ["", "### `%s`" % path, ""]
            current = path
        why = EQUIVALENT.get(name)
        lines.append("- `%s`: %s" % (name.split(".", 2)[2], "equivalent: " + why if why else "not yet killed"))
        lines += ["  `%s`" % line.replace("`", "'") for line in change(name, path)]
    if untested:
        lines += [
            "",
            "## Not reached",
            "",
            "Functions no selected self-test calls, with their mutants (self-tests run them in child processes, where",
            "mutmut cannot see them):",
            "",
        ]
        lines += [
            "- `%s`: %s" % (path, ", ".join("`%s` %d" % item for item in functions)) for path, functions in untested
        ]
    if stale:
        lines += ["", "## Stale reasons", "", "EQUIVALENT names mutants that did not survive this run (their function"]
        lines += ["changed, or a test now kills them):", ""] + ["- `%s`" % name for name in stale]
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(
        "wrote %s: %d mutants, %d killed, %d timeout, %d survived (%d equivalent), %d no tests; score %s, covered %s"
        % (
            os.path.relpath(OUT, ROOT),
            totals["mutants"],
            totals["killed"],
            totals["timeout"],
            totals["survived"],
            equivalent,
            totals["no tests"],
            score(totals, totals["mutants"]),
            score(totals, totals["mutants"] - totals["no tests"]),
        )
    )
    return 0


def source_name(name):
    """'g4f_tests.runner.x__flatten__mutmut_3' -> '_flatten'; 'g4f_tests.report.xǁRunǁ__init____mutmut_2' ->
    'Run.__init__' (mutmut's mangling of a function's and a method's name)."""
    mangled = name.rsplit("__mutmut_", 1)[0].split(".", 2)[2]
    return mangled[2:] if mangled.startswith("x_") else ".".join(mangled.split("ǁ")[1:])


def mutant_order(name):
    function, number = name.rsplit("__mutmut_", 1)
    return function, int(number)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
