#!/usr/bin/env python3
"""Run the suite N times back to back and count the runs whose outcomes differ from the first.

    python tests/repeat.py [-n N] [-- RUNNER OPTIONS]

N defaults to 50. Reads each run's --json; prints each differing test and the count; exit 1 if any run differed.
"""

import argparse
import sys

from helpers import suite_results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("runner_args", nargs="*")
    args = parser.parse_args()
    first, differing = None, 0
    for number in range(1, args.n + 1):
        results = suite_results(*args.runner_args)
        found = results.outcomes
        if not found:
            sys.exit("run %d wrote no outcomes:\n%s" % (number, results.output()))
        if first is None:
            first = found
            print("run 1: %d tests, exit %d" % (len(found), results.proc.returncode))
            continue
        if found != first:
            differing += 1
            changed = sorted(t for t in set(first) | set(found) if first.get(t) != found.get(t))
            print(
                "run %d differs: %s"
                % (number, ", ".join("%s %s->%s" % (t, first.get(t), found.get(t)) for t in changed))
            )
        sys.stdout.flush()
    print("%d of %d runs differed from the first" % (differing, max(args.n - 1, 0)))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
