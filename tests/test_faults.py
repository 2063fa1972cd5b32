"""Proof by fault injection: each fault in faults.py, applied to a copy of g4f, fails the check tied to it."""

import re
import time
import unittest

from faults import APPENDIX, FAULTS
from helpers import G4fCopy, run_suite

from g4f_tests.support import is_importable

PACKAGE = "g4f_tests."
# "FAIL: test_x (g4f_tests.m.C.test_x)" on 3.11+, "FAIL: test_x (g4f_tests.m.C)" before; a subtest adds "(k=v)".
FAILED = re.compile(r"^(?:FAIL|ERROR): (\w+) \(([\w.]+)\)", re.M)
# Generous: the hang faults rely on the suite's own limits (10 s a call, 25 s a test) to end the run.
HANG_RUN_LIMIT = 60


def failed_ids(output):
    ids = set()
    for name, where in FAILED.findall(output):
        ids.add(where if where.endswith("." + name) else where + "." + name)
    return ids


class FaultInjectionTest(unittest.TestCase):
    maxDiff = None

    def run_with(self, fault=None):
        with G4fCopy() as g4f:
            if fault is not None:
                g4f.edit(fault.path, fault.old, fault.new)
                if fault.name in APPENDIX:
                    g4f.append(fault.path, APPENDIX[fault.name])
            started = time.perf_counter()
            proc = run_suite("-v", *(fault.runner_args if fault else []), pythonpath=g4f.dir)
            return proc, time.perf_counter() - started

    def test_unfaulted_copy_passes(self):
        """control: the suite passes against an unedited copy, so a failure below comes from the fault"""
        proc, _ = self.run_with(None)
        self.assertEqual(proc.returncode, 0, proc.stdout[-3000:] + proc.stderr[-3000:])

    def test_every_fault_is_caught_by_its_check(self):
        """each injected fault makes the run fail, on the check it is tied to"""
        for fault in FAULTS:
            with self.subTest(fault=fault.name):
                if fault.family == "uvloop" and not is_importable("uvloop"):
                    self.skipTest("uvloop is not installed")
                proc, elapsed = self.run_with(fault)
                output = proc.stdout + proc.stderr
                self.assertNotEqual(proc.returncode, 0, "the fault went unnoticed:\n" + output[-3000:])
                self.assertLess(elapsed, HANG_RUN_LIMIT)
                caught_by = PACKAGE + fault.caught_by
                if fault.family == "known defects":
                    section = output.split("known g4f defects that did not fail", 1)[-1]
                    self.assertIn(caught_by, section, output[-3000:])
                elif "(default run)" in fault.name:
                    # The documented test has no limit of its own: the runner's watchdog ends the run.
                    self.assertIn("Timeout", proc.stderr, output[-3000:])
                    self.assertIn(fault.caught_by.rsplit(".", 1)[-1], output)
                else:
                    self.assertIn(caught_by, failed_ids(output), output[-4000:])
                if fault.family == "hangs" and "(default run)" not in fault.name:
                    self.assertIn("hung at", output)


if __name__ == "__main__":
    unittest.main()
