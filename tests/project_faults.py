#!/usr/bin/env python3
"""Do the project's own tests catch faults in the project? Realistic one-line faults injected into g4f-tests itself
(the runner, the report and its header, the JUnit path, the known-defect ranges and verdicts, the child protocol,
the network guard, load_tests, the drop-in mocks, tests/dropin.py), each into a scratch copy of the tree; then the
fast self-test modules run there, and a fault is caught when a test fails that passes on an unfaulted copy (a test
that fails again on the unfaulted copy when rerun is a flake, ignored, and the fault runs again).

    python tests/project_faults.py [--ref REF] [--all] [--json OUT] [NAME-SUBSTRING ...]

``--ref REF``: the tree of that commit (``git archive``) instead of the working tree, e.g. the commit before new
self-tests, to measure what they add (the faults are this file's, applied to that tree). A fault stops at its
first catching module unless ``--all``. Outcomes are read from tests/unittest_json.py's JSON, never from text.
Scratch copies go to /work/selftests-scratch (G4F_TESTS_SCRATCH) and are removed.
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time

from project_fault_list import FAULTS

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCRATCH = os.environ.get("G4F_TESTS_SCRATCH", "/work/selftests-scratch")
SLOW = ("test_faults", "test_order", "test_ends")  # helpers.SLOW (not imported: --ref trees may lack it)
# The self-test that each fault's text is in the tree: an applied fault has replaced its own text, so that test
# fails for every fault and says nothing of whether the self-tests catch it.
FAULT_LIST_CHECK = "test_harness.ProjectFaultListTest.test_every_project_fault_applies_once"
MODULE_LIMIT = 600  # a module still running then counts as caught (by its hang), and is stopped
FAILED = ("failed", "error", "unexpected success")


def source_tree(ref, dest):
    """The tree to fault: the working tree (tracked and new files, as git sees them) or commit ``ref``."""
    os.makedirs(dest)
    if ref:
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, stdout=subprocess.PIPE, check=True).stdout
        with tempfile.TemporaryFile() as f:
            f.write(archive)
            f.seek(0)
            tarfile.open(fileobj=f).extractall(dest)
        return dest
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        if os.path.exists(os.path.join(ROOT, name)):
            os.makedirs(os.path.dirname(os.path.join(dest, name)), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, name), os.path.join(dest, name))
    return dest


def fast_modules(tree):
    names = sorted(
        n[:-3] for n in os.listdir(os.path.join(tree, "tests")) if n.startswith("test_") and n.endswith(".py")
    )
    # cheap ones first: a fault stops at its first catch
    heavy = ("test_runner", "test_invocations", "test_ecosystem", "test_network", "test_harness")
    return sorted(
        (n for n in names if n not in SLOW), key=lambda n: (n in heavy, heavy.index(n) if n in heavy else 0, n)
    )


def apply(fault, tree):
    path = os.path.join(tree, fault.path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text.count(fault.old) != 1:
        raise SystemExit(
            "fault %r does not apply: %r occurs %d times in %s"
            % (fault.name, fault.old, text.count(fault.old), fault.path)
        )
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(fault.old, fault.new))


def run_module(tree, name):
    """{test id: outcome} of one self-test module run in ``tree`` (tests/unittest_json.py), and a problem or None."""
    out = os.path.join(tree, name + ".selftest.json")
    env = dict(os.environ, PYTHONPATH=tree, PYTHONDONTWRITEBYTECODE="1")
    env.pop("G4F_TESTS_START_METHOD", None)
    proc = subprocess.Popen(
        [sys.executable, os.path.join(tree, "tests", "unittest_json.py"), out, name],
        cwd=os.path.join(tree, "tests"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    _running.add(proc)
    try:
        proc.wait(MODULE_LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return {}, "did not end within %d s" % MODULE_LIMIT
    finally:
        _running.discard(proc)
    if not os.path.exists(out):
        return {}, "exited %s without results" % proc.returncode
    with open(out, encoding="utf-8") as f:
        return {t: (e["outcome"], e["message"]) for t, e in json.load(f)["tests"].items()}, None


_running = set()


def run_tree(tree, modules, known_failing=frozenset(), stop_at_first=True):
    """(test ids that failed here but not in the control run, module problems)."""
    caught, problems = [], {}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        pending = [pool.submit(lambda m=m: (m, run_module(tree, m))) for m in modules]
        for future in concurrent.futures.as_completed(pending):
            if future.cancelled():
                continue
            module, (outcomes, problem) = future.result()
            caught += sorted(
                (t, message.strip().splitlines()[-1][:200] if message.strip() else "")
                for t, (o, message) in outcomes.items()
                if o in FAILED and t not in known_failing and t != FAULT_LIST_CHECK
            )
            if problem and module not in known_failing:
                problems[module] = problem
            if stop_at_first and (caught or problems):
                for other in pending:
                    other.cancel()
                for proc in list(_running):
                    os.killpg(proc.pid, signal.SIGKILL)
    return caught, problems


def confirmed_run(tree, base, modules, known_failing, stop_at_first):
    """run_tree, where a test that also fails on a fresh run of its module on the unfaulted tree (the suite's timing
    checks under a loaded machine) is a flake: ignored, and the fault's run repeated (twice at most). Returns
    (caught, problems, flaky test ids)."""
    ignored, flaky = set(known_failing), set()
    for _ in range(3):
        caught, problems = run_tree(tree, modules, frozenset(ignored), stop_at_first)
        if problems or not caught:
            return caught, problems, sorted(flaky)
        again, _ = run_tree(base, sorted({t.split(".")[0] for t, _ in caught}), frozenset(ignored), False)
        failing_anyway = {t for t, _ in again}
        kept = [c for c in caught if c[0] not in failing_anyway]
        if kept:
            return kept, problems, sorted(flaky)
        flaky |= failing_anyway
        ignored |= failing_anyway
    return [], {}, sorted(flaky)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only the faults whose name contains one of these")
    parser.add_argument("--ref", help="fault the tree of this commit instead of the working tree")
    parser.add_argument("--all", action="store_true", help="run every fast module for every fault")
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON")
    args = parser.parse_args(argv)
    faults = [f for f in FAULTS if not args.names or any(n in f.name for n in args.names)]
    os.makedirs(SCRATCH, exist_ok=True)
    work = tempfile.mkdtemp(prefix="faults-", dir=SCRATCH)
    started = time.perf_counter()
    try:
        base = source_tree(args.ref, os.path.join(work, "base"))
        modules = fast_modules(base)
        control, problems = run_tree(base, modules, stop_at_first=False)
        known_failing = frozenset(t for t, _ in control) | frozenset(problems)
        print(
            "control (%s): %d fast modules; failing without a fault, ignored: %s"
            % (args.ref or "working tree", len(modules), ", ".join(sorted(known_failing)) or "none")
        )
        results = []
        for number, fault in enumerate(faults, 1):
            tree = os.path.join(work, "fault-%02d" % number)
            shutil.copytree(base, tree, symlinks=True)
            apply(fault, tree)
            began = time.perf_counter()
            caught, problems, flaky = confirmed_run(tree, base, modules, known_failing, not args.all)
            shutil.rmtree(tree, ignore_errors=True)
            by = ["%s (%s)" % item for item in caught + sorted(problems.items())]
            seconds = round(time.perf_counter() - began, 1)
            results.append(dict(fault._asdict(), caught=bool(by), by=by, flaky=flaky, seconds=seconds))
            print(
                "%-8s %-10s %-55s %s" % ("caught" if by else "MISSED", fault.area, fault.name, (by or [""])[0]),
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    found = sum(r["caught"] for r in results)
    print(
        "\n%d of %d faults caught (%.0f%%) in %.0f s"
        % (found, len(results), 100.0 * found / max(len(results), 1), time.perf_counter() - started)
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(
                {"ref": args.ref, "modules": modules, "ignored": sorted(known_failing), "faults": results}, f, indent=1
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
