#!/usr/bin/env python3
"""Wall time of the default run against the time to import g4f: the speed target (at most 2.0x).

    python tests/bench.py [-n RUNS] [-- RUNNER OPTIONS]

Interleaves ``python -c "import g4f, g4f.client"`` and ``python run_tests.py -q`` RUNS times each
(default 9) and prints the medians and their ratio. A measurement, not a test: exit 0 unless a run fails.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(args):
    started = time.perf_counter()
    proc = subprocess.run(
        args,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        stdin=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (proc.returncode, " ".join(args), proc.stdout[-2000:]))
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=9)
    parser.add_argument("runner_args", nargs="*")
    args = parser.parse_args()
    baseline_cmd = [sys.executable, "-c", "import g4f, g4f.client"]
    suite_cmd = [sys.executable, os.path.join(ROOT, "run_tests.py"), "-q"] + args.runner_args
    timed(baseline_cmd), timed(suite_cmd)  # warm the file cache and the bytecode
    baseline, suite = [], []
    for _ in range(args.runs):
        baseline.append(timed(baseline_cmd))
        suite.append(timed(suite_cmd))
    b, s = statistics.median(baseline), statistics.median(suite)
    print("import g4f, g4f.client: median %.3f s over %d runs" % (b, args.runs))
    print("run_tests.py -q %s: median %.3f s" % (" ".join(args.runner_args), s))
    print("ratio: %.2fx (target: at most 2.0x)" % (s / b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
