#!/usr/bin/env python3
"""The project's own tests: ``python tests`` (from the project root) runs every tests/test_*.py module in its own
process, as many at once as there are cores (the longest first), and shows each test with its outcome and time
as it finishes (and each class's set-up that took half a second or more), then the totals. Exit 0 when every test passed or skipped.

    python tests [MODULE ...]        e.g. python tests test_runner test_faults
    python tests --fast              every module but the slow ones (helpers.SLOW: fault injection into g4f, the
                                     ways of loading the suite, the ways a run ends): what to run on every change

``python -m unittest discover -s tests`` runs the same tests one module after another, without the times.
"""

import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from helpers import SHARED, SLOW

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# The slowest first, so the two cores stay busy to the end (measured: test_order and test_faults are the long ones).
FIRST = (
    "test_order",
    "test_faults",
    "test_ends",
    "test_runner",
    "test_envs",
    "test_cli",
    "test_network",
    "test_invocations",
)
LABELS = {
    "passed": "ok",
    "failed": "FAIL",
    "error": "ERROR",
    "skipped": "skipped",
    "expected failure": "expected failure",
    "unexpected success": "unexpected success",
    "set up": "class set up",  # setUpClass: the runs its tests read (tests/unittest_json.py)
}
_print = threading.Lock()


def modules(names):
    found = sorted(name[:-3] for name in os.listdir(HERE) if name.startswith("test_") and name.endswith(".py"))
    if names == ["--fast"]:
        names = [name for name in found if name not in SLOW]
    chosen = [name[:-3] if name.endswith(".py") else name for name in names] or found
    unknown = [name for name in chosen if name not in found]
    if unknown:
        sys.exit("no such test module in tests/: %s" % ", ".join(unknown))
    return sorted(chosen, key=lambda name: (FIRST.index(name) if name in FIRST else len(FIRST), name))


def run_module(name, work):
    out = os.path.join(work, name + ".json")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p))
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "unittest_json.py"), out, "--progress", name],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        universal_newlines=True,
    )
    stderr = []
    reader = threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True)
    reader.start()
    for line in proc.stdout:
        if line.startswith("PROGRESS "):
            test = json.loads(line[len("PROGRESS ") :])
            with _print:
                print(
                    "%-100s %s (%.1f s)"
                    % (test["id"], LABELS.get(test["outcome"], test["outcome"]), test["seconds"] or 0)
                )
                sys.stdout.flush()
    proc.wait()
    reader.join()
    outcomes = {}
    if os.path.exists(out):
        with open(out, encoding="utf-8") as f:
            outcomes = json.load(f)["tests"]
    return name, proc.returncode, outcomes, "".join(stderr), time.perf_counter() - started


def main():
    if any(arg in ("-h", "--help") for arg in sys.argv[1:]):
        print(__doc__.strip())
        return 0
    started = time.perf_counter()
    chosen = modules(sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="g4f-tests-self-") as work:
        os.environ[SHARED] = work  # the run the modules share (helpers.reference_run)
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
            runs = list(pool.map(lambda name: run_module(name, work), chosen))
    failed, counts = [], {}
    for name, returncode, outcomes, stderr, seconds in runs:
        print("%s: %d tests in %.0f s" % (name, len(outcomes), seconds))
        for test_id, entry in outcomes.items():
            counts[entry["outcome"]] = counts.get(entry["outcome"], 0) + 1
            if entry["outcome"] in ("failed", "error", "unexpected success"):
                failed.append((test_id, entry["message"]))
        if returncode != 0 and not any(t.startswith(name + ".") for t, _ in failed):
            failed.append((name, "exited %s without a failing test; its stderr:\n%s" % (returncode, stderr[-3000:])))
    for test_id, message in failed:
        print("\n%s\n%s\n%s" % ("=" * 70, test_id, message.rstrip()))
    sys.stdout.flush()
    print(
        "\n%d passed, %d failed, %d skipped in %.0f s (%d module%s, %d at a time)"
        % (
            counts.get("passed", 0) + counts.get("expected failure", 0),
            len(failed),
            counts.get("skipped", 0),
            time.perf_counter() - started,
            len(chosen),
            "" if len(chosen) == 1 else "s",
            os.cpu_count() or 2,
        )
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
