#!/usr/bin/env python3
"""How much of g4f's bridge (g4f/providers/asyncio.py) the default run executes, children included.

    python tests/coverage_report.py [--fail-under PERCENT] [-- RUNNER OPTIONS]

Needs coverage.py (pip install -e .[dev]). Branch coverage; prints the percentage and every line
that stays unexecuted, with the reason where it is known. Exit 1 below --fail-under (default 95).
"""

import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = "providers/asyncio.py"

# Why a line stays unexecuted, by a piece of its text: paths no check can reach on this machine.
REASONS = {
    "except ImportError": "an import fallback, taken only where the package is missing (the nest-hidden child hides "
    "nest_asyncio2 and uvloop, so both run there)",
    "has_uvloop = False": "taken only without uvloop (the nest-hidden child hides it)",
    "has_uvloop = True": "taken only with uvloop installed (the [uvloop] extra)",
    "return loop": "the uvloop early return: taken only with uvloop installed (the [uvloop] extra)",
    "has_nest_asyncio = False": "taken only without nest_asyncio2 (measured in the no-nest child)",
    "except Exception": "only if closing a refused coroutine itself fails",
    "pass": "only if closing a refused coroutine itself fails",
    "loop = asyncio.get_running_loop()": "to_thread's fallback for Python < 3.9 (no asyncio.to_thread)",
    "run_in_executor": "to_thread's fallback for Python < 3.9 (no asyncio.to_thread)",
    "isinstance(loop, uvloop.Loop)": "taken only with uvloop installed (the [uvloop] extra)",
    "if asyncio.iscoroutine(generator):": "the refused coroutine's check inside the except: always a coroutine there "
    "(it was checked before), so its false branch cannot be taken",
    'if hasattr(loop, "shutdown_default_executor"):': "false only on Python 3.8 (shutdown_default_executor is 3.9+)",
    "if has_uvloop:": "false only without uvloop (the nest-hidden child hides it)",
    'if hasattr(asyncio, "to_thread"):': "false only on Python 3.8 (asyncio.to_thread is 3.9+)",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fail-under", type=float, default=95.0)
    parser.add_argument("runner_args", nargs="*")
    args = parser.parse_args()
    try:
        import coverage  # noqa: F401
    except ImportError:
        parser.exit(2, "coverage.py is missing: pip install -e .[dev]\n")
    import g4f

    target = os.path.join(os.path.dirname(g4f.__file__), TARGET)
    work = tempfile.mkdtemp(prefix="g4f-tests-coverage-")
    rc = os.path.join(work, "coveragerc")
    with open(rc, "w") as f:
        # concurrency = multiprocessing: coverage follows the check children (zygotes and their forks).
        f.write(
            "[run]\nbranch = True\nparallel = True\nconcurrency = thread,multiprocessing\ndata_file = %s\n"
            "include = %s\n" % (os.path.join(work, ".coverage"), target)
        )
    env = dict(os.environ)
    run = subprocess.run(
        [sys.executable, "-m", "coverage", "run", "--rcfile", rc, os.path.join(ROOT, "run_tests.py"), "-q"]
        + args.runner_args,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
    )
    print(run.stdout.rstrip().splitlines()[-1] if run.stdout.strip() else "(no output)")
    subprocess.run([sys.executable, "-m", "coverage", "combine", "-q", "--rcfile", rc], cwd=work, check=True)
    import coverage as cov

    data = cov.Coverage(config_file=rc, data_file=os.path.join(work, ".coverage"))
    data.load()
    percent = data.report(show_missing=True, file=sys.stdout)
    _, statements, excluded, missing, _ = data.analysis2(target)
    with open(target, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if missing:
        print("\nunexecuted lines of g4f/%s:" % TARGET)
    for number in missing:
        text = lines[number - 1].strip()
        reason = next((why for key, why in REASONS.items() if key in text), "no check reaches it")
        print("  %4d  %-60s %s" % (number, text[:60], reason))
    try:  # coverage.py has no public API for the branches not taken
        branches = data._analyze(target).missing_branch_arcs()
    except Exception:
        branches = {}
    partial = {line: ends for line, ends in branches.items() if line not in missing}
    if partial:
        print("\nbranches of g4f/%s never taken (line -> where it would go):" % TARGET)
    for number, ends in sorted(partial.items()):
        text = lines[number - 1].strip()
        reason = next((why for key, why in REASONS.items() if key in text), "no check reaches it")
        where = ", ".join(str(end) if end > 0 else "exit" for end in ends)
        print("  %4d  %-60s %s" % (number, ("%s -> %s" % (text, where))[:60], reason))
    print("\ng4f/%s: %.1f%% (branch coverage, clean-interpreter children included)" % (TARGET, percent))
    return 0 if percent >= args.fail_under else 1


if __name__ == "__main__":
    sys.exit(main())
