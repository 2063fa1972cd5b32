"""Proof by fault injection: each fault of faults.py, applied to a copy of g4f, makes exactly its checks fail the
way it names, read from the runner's --json (a watchdog fault: the run ends within the limit, naming the test).
The runs fork from warm processes (tests/warm.py): a hundred runs, each otherwise importing g4f's dependencies."""

import concurrent.futures
import re
import time
import unittest

from faults import FAULTS
from helpers import FAILED, G4fCopy, suite_results
from warm import Warm

from g4f_tests.support import is_importable

PACKAGE = "g4f_tests."
# Generous: the in-process hang relies on the suite's own per-test limit (--timeout 5) to end the run.
HANG_RUN_LIMIT = 30
WORKERS = 2


def arguments(fault):
    """The runner's arguments for ``fault``: its own, else the checks it names (each runs in its batch, all its
    module's checks of its regime, as in a full run: test_order shows the verdicts are the same)."""
    if fault is None or fault.args:
        return fault.args if fault else ()
    return [PACKAGE + test for test in fault.caught_by]


def run_with(warm, fault):
    with G4fCopy() as g4f:
        if fault is not None:
            g4f.edit(fault.path, fault.old, fault.new)
            if fault.appendix:
                g4f.append(fault.path, fault.appendix)
            if fault.hide_nest:
                g4f.hide_nest()
        started = time.perf_counter()
        results = suite_results(*arguments(fault), pythonpath=g4f.dir, warm=warm)
        return results, time.perf_counter() - started


class FaultInjectionTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        runnable = [f for f in FAULTS if f.needs is None or is_importable(f.needs)]
        cls.skipped = [f for f in FAULTS if f not in runnable]
        with Warm(WORKERS) as warm, concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            cls.runs = dict(zip([f.name for f in runnable], pool.map(lambda f: run_with(warm, f), runnable)))
            cls.control = run_with(warm, None)[0]

    def test_unfaulted_copy_passes(self):
        """control: the suite passes against an unedited copy, so a failure below comes from the fault"""
        self.assertEqual(self.control.proc.returncode, 0, self.control.output())
        self.assertFalse([t for t, o in self.control.outcomes.items() if o in FAILED], self.control.output())

    def test_every_fault_is_caught_exactly(self):
        """each fault fails its checks the way it names (outcome and message), and the run exits 1"""
        for fault in FAULTS:
            with self.subTest(fault=fault.name):
                if fault in self.skipped:
                    self.skipTest("%s is not installed" % fault.needs)
                results, elapsed = self.runs[fault.name]
                self.assertEqual(results.proc.returncode, 1, results.output())
                if fault.kind == "watchdog":
                    self.assertLess(elapsed, HANG_RUN_LIMIT)
                    self.assertRegex(results.proc.stderr, fault.pattern)
                    self.assertIn(fault.caught_by[0].rsplit(".", 1)[-1], results.proc.stderr)
                    continue
                for test in fault.caught_by:
                    outcome = results.outcomes.get(PACKAGE + test)
                    expected = ("unexpected success",) if fault.kind == "unexpected success" else ("failed", "error")
                    self.assertIn(outcome, expected, "%s: %s\n%s" % (test, outcome, results.output()))
                    self.assertRegex(results.message(PACKAGE + test), re.compile(fault.pattern, re.S))

    def test_faults_name_real_checks(self):
        """every check a fault names exists in the control run"""
        for fault in FAULTS:
            for test in fault.caught_by:
                self.assertIn(PACKAGE + test, self.control.outcomes, fault.name)


if __name__ == "__main__":
    unittest.main()
