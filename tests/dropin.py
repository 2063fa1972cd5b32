#!/usr/bin/env python3
"""Check the drop-in: g4f's etc/unittest with our asyncio.py and mocks.py loses and breaks no test.

    python tests/dropin.py PATH/TO/gpt4free [--python PYTHON] [--patch OUT]

Runs g4f's suite (``python -m etc.unittest``) twice, in temporary trees linked to the checkout (never written
to) with etc/unittest copied: as it is, then with g4f_tests/asyncio.py and mocks.py in place of g4f's. Each
run is a child (tests/dropin_child.py) that records every test's outcome with a unittest result class and writes
JSON, non-loopback sockets blocked. Compared: test ids, outcomes, counts (tests run against outcomes collected in
each run, before against after).

Exit 0 when nothing was lost or broken: every test of the first run ran in the second, none that did not fail
fails (FAIL, ERROR, unexpected success), none that passed is skipped or an expected failure, no new error
outside the tests, the counts agree. 1 otherwise (also when the second run gave no outcomes); 2 for a bad
checkout or when the first run gave no outcomes.

``--patch OUT`` also writes the change for ``git am OUT`` in gpt4free: mail headers, a message with the reason
of each difference (its "g4f-tests:" comment) and what this comparison found, the diff. With git installed,
the second run's tree is made by ``git apply`` of that very diff.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import dropin_patch
from dropin_child import FAILING, summary

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CHILD = os.path.join(HERE, "dropin_child.py")
FILES = ("asyncio.py", "mocks.py")
NOT_CHECKING = ("skipped", "expected failure")
RUN_TIMEOUT = 900


class RunFailed(Exception):
    """A run of the suite gave no outcomes; the message says why and ends with the tail of its output."""


class PatchFailed(Exception):
    """git apply of the diff failed, or did not give our files."""


def make_tree(checkout, dest):
    """``dest``: a link to each entry of ``checkout`` (but .git), except etc/unittest, which is copied."""
    os.makedirs(os.path.join(dest, "etc"))
    for name in os.listdir(checkout):
        if name not in ("etc", ".git"):
            os.symlink(os.path.join(checkout, name), os.path.join(dest, name))
    etc = os.path.join(checkout, "etc")
    for name in os.listdir(etc):
        if name != "unittest":
            os.symlink(os.path.join(etc, name), os.path.join(dest, "etc", name))
    shutil.copytree(
        os.path.join(etc, "unittest"),
        os.path.join(dest, "etc", "unittest"),
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return dest


def run(tree, python, timeout=RUN_TIMEOUT):
    """Run the suite in ``tree``; its JSON outcomes (see dropin_child.py) plus "seconds"."""
    result, log = tree + ".json", tree + ".log"
    started = time.perf_counter()
    with open(log, "w") as out:
        try:
            proc = subprocess.run(
                [python, CHILD, result],
                cwd=tree,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
            )
            problem = None if proc.returncode == 0 else "the child exited with status %d" % proc.returncode
        except subprocess.TimeoutExpired:
            problem = "the run did not end within %d s" % timeout
    data = {}
    if os.path.exists(result):
        with open(result, encoding="utf-8") as f:
            data = json.load(f)
    problem = data.get("error") or problem or ("" if data else "the child wrote no outcomes")
    if problem:
        with open(log, encoding="utf-8", errors="replace") as f:
            tail = f.read().rstrip().splitlines()[-15:]
        raise RunFailed("%s; the last lines of its output:\n    %s" % (problem, "\n    ".join(tail)))
    data["seconds"] = time.perf_counter() - started
    return data


def counts_problems(label, data):
    """The run's own counts: every test run once, with one outcome."""
    problems = []
    if data["tests_run"] != len(data["tests"]):
        problems.append(
            "count mismatch in the %s run: %d tests run, %d outcomes collected"
            % (label, data["tests_run"], len(data["tests"]))
        )
    for test_id, times in sorted(data["runs"].items()):
        problems.append("ran %d times in the %s run (one outcome for %d runs): %s" % (times, label, times, test_id))
    for test_id in data["no_outcome"]:
        problems.append("ran without an outcome in the %s run: %s" % (label, test_id))
    return problems


def empty_run():
    return {"tests_run": 0, "loaded": 0, "tests": {}, "runs": {}, "no_outcome": [], "fixtures": {}, "details": {}}


def compare(before, after):
    """{"problems": [lines], "notes": [lines]}: what makes the drop-in fail, and changes that do not; the classes
    shadowed in __main__.py (run after the suite) are compared the same way."""
    found = _compare(before, after)
    if before.get("shadowed") or after.get("shadowed"):
        extra = _compare(before.get("shadowed") or empty_run(), after.get("shadowed") or empty_run())
        for key in found:
            found[key] += ["shadowed in __main__.py, " + line for line in extra[key]]
    return found


def _compare(before, after):
    b, a = before["tests"], after["tests"]
    problems = counts_problems("first", before) + counts_problems("second", after)
    for what in ("tests_run", "loaded"):
        if before[what] != after[what]:
            word = "tests run" if what == "tests_run" else "tests loaded"
            problems.append("count mismatch: %d %s before, %d after" % (before[what], word, after[what]))
    notes = []
    for test_id in sorted(set(b) | set(a)):
        old, new = b.get(test_id), a.get(test_id)
        detail = after["details"].get(test_id)
        change = "%s (%s -> %s)%s" % (test_id, old, new, ": " + detail if detail and new in FAILING else "")
        if new is None:
            problems.append("lost: %s (was %s)" % (test_id, old))
        elif old is None:
            problems.append("added: %s (%s)" % (test_id, new))
        elif old == new:
            continue
        elif new in FAILING and old not in FAILING:
            problems.append("newly failing: " + change)
        elif old == "ok" and new in NOT_CHECKING:
            problems.append("no longer checked: " + change)
        else:
            notes.append("outcome changed: " + change)
    for fixture, outcome in sorted(after["fixtures"].items()):
        if before["fixtures"].get(fixture) != outcome:
            detail = after["details"].get(fixture)
            problems.append("new outside any test: %s %s%s" % (fixture, outcome, ": " + detail if detail else ""))
    for fixture in sorted(set(before["fixtures"]) - set(after["fixtures"])):
        notes.append("gone outside any test: %s %s" % (fixture, before["fixtures"][fixture]))
    unrun_before, unrun_after = before.get("not_run", {}), after.get("not_run", {})
    for class_id in sorted(set(unrun_before) ^ set(unrun_after)):
        notes.append(
            "not run by __main__.py %s only: %s" % ("before" if class_id in unrun_before else "after", class_id)
        )
    return {"problems": problems, "notes": notes}


def _counts(data):
    return "%d tests run, %d loaded, %d outcomes collected (%s)" % (
        data["tests_run"],
        data["loaded"],
        len(data["tests"]),
        summary(data),
    )


def check(checkout, pair=None, python=None, patch=None, author=None, timeout=RUN_TIMEOUT, out=print):
    """Compare the two runs and print the report through ``out``; returns the exit status (see the docstring)."""
    checkout, pair = os.path.abspath(checkout), os.path.abspath(pair or os.path.join(ROOT, "g4f_tests"))
    python = python or sys.executable
    unittest_dir = os.path.join(checkout, "etc", "unittest")
    if not all(os.path.isfile(os.path.join(unittest_dir, f)) for f in FILES + ("__main__.py",)):
        out("%s has no etc/unittest/__main__.py, asyncio.py and mocks.py" % checkout)
        return 2
    diff = dropin_patch.diff_files(unittest_dir, pair, FILES)
    work = tempfile.mkdtemp(prefix="g4f-dropin-")
    try:
        before_tree = make_tree(checkout, os.path.join(work, "before"))
        after_tree = make_tree(checkout, os.path.join(work, "after"))
        try:
            applied = _apply(diff, after_tree, pair, work) if patch and diff else _copy(after_tree, pair)
        except PatchFailed as e:
            out(str(e))
            return 1
        try:
            before = run(before_tree, python, timeout)
        except RunFailed as e:
            out("the first run (g4f's files) gave no outcomes: %s" % e)
            return 2
        try:
            after = run(after_tree, python, timeout)
        except RunFailed as e:
            out("the second run (our files) gave no outcomes: %s" % e)
            after = dict(empty_run(), not_run={}, not_imported=[], seconds=0.0)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    found = compare(before, after)
    for label, data in (("before", before), ("after", after)):
        out("%-7s %s in %.1f s" % (label + ":", _counts(data), data["seconds"]))
    if before.get("not_run"):
        out(
            "classes shadowed in etc/unittest/__main__.py, run after the suite: " + ", ".join(sorted(before["not_run"]))
        )
        for label, data in (("before", before), ("after", after)):
            out("  %-7s %s" % (label + ":", _counts(data.get("shadowed") or empty_run())))
    if before.get("not_imported"):
        out("not imported by etc/unittest/__main__.py, so in neither run: " + ", ".join(before["not_imported"]))
    hunks = dropin_patch.hunks(diff)
    unexplained = [h for h in hunks if not h[5]]
    out(
        "differences from g4f's files: %d hunk%s, %d without a g4f-tests comment"
        % (len(hunks), "" if len(hunks) == 1 else "s", len(unexplained))
    )
    for path, first, last, *_ in unexplained:
        out("  unexplained: %s line%s" % (path, " %d" % first if first == last else "s %d-%d" % (first, last)))
    for line in found["notes"] + found["problems"]:
        out(line)
    ok = not found["problems"]
    verdict = "drop-in OK" if ok else "drop-in BROKE TESTS"
    shadowed = len((before.get("shadowed") or empty_run())["tests"])
    out(
        "%s: %d tests compared%s, %d problems"
        % (
            verdict,
            len(before["tests"]),
            " (+%d in shadowed classes)" % shadowed if shadowed else "",
            len(found["problems"]),
        )
    )
    if patch and not diff:
        out("no patch written: the checkout's asyncio.py and mocks.py are ours already")
    elif patch:
        ask = [python, "-c", "import platform; print(platform.python_version())"]
        version = subprocess.run(ask, stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()
        checked = dropin_patch.checked_paragraph(version, before, after, found["problems"], applied)
        with open(patch, "w", encoding="utf-8") as f:
            f.write(dropin_patch.format_patch(diff, dropin_patch.source(FILES), checked, author=author))
        out("patch written to %s%s" % (patch, "" if ok else " (the drop-in broke tests: see its message)"))
    return 0 if ok else 1


def _copy(tree, pair):
    for name in FILES:
        shutil.copyfile(os.path.join(pair, name), os.path.join(tree, "etc", "unittest", name))
    return False


def _apply(diff, tree, pair, work):
    """Make the second tree with ``git apply`` of the diff (a copy when git is missing); True if applied."""
    if shutil.which("git") is None:
        return _copy(tree, pair)
    path = os.path.join(work, "change.diff")
    with open(path, "w", encoding="utf-8") as f:
        f.write(diff)
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=work)  # never a repository above the temporary tree
    git = ["git", "apply", path]
    proc = subprocess.run(
        git, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True
    )
    if proc.returncode != 0:
        raise PatchFailed("git apply of the patch failed:\n" + proc.stdout)
    for name in FILES:
        with open(os.path.join(tree, "etc", "unittest", name), "rb") as got, open(
            os.path.join(pair, name), "rb"
        ) as want:
            if got.read() != want.read():
                raise PatchFailed("git apply of the patch did not give our %s" % name)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", help="a gpt4free checkout (it is not written to)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter to run g4f's suite with")
    parser.add_argument("--patch", metavar="OUT", help="also write the change as a patch for git am")
    parser.add_argument("--author", help='the patch\'s "Name <email>" (default: git config in this checkout)')
    parser.add_argument("--pair", help="the folder with the asyncio.py and mocks.py to drop in (default: g4f_tests)")
    parser.add_argument("--timeout", type=float, default=RUN_TIMEOUT, help="seconds for each run (default %(default)s)")
    args = parser.parse_args(argv)
    return check(args.checkout, args.pair, args.python, args.patch, args.author, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
