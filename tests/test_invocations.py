"""Every supported way of starting the suite names the same tests (plain ``python -m unittest`` loading gives the same
verdicts: test_order.py); the unsupported ones stop with one line (python -X dev prints nothing stray: test_order.py).
"""

import os
import unittest

from helpers import ROOT, run


class InvocationTest(unittest.TestCase):
    maxDiff = None

    def test_both_runner_entry_points_list_the_same_tests(self):
        listed = run([os.path.join(ROOT, "run_tests.py"), "--list"])
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertGreater(len(listed.stdout.split()), 50)
        self.assertEqual(run(["-m", "g4f_tests", "--list"]).stdout.split(), listed.stdout.split())


class UnsupportedInvocationTest(unittest.TestCase):
    """Invocations that cannot work stop at once with one line naming a supported command."""

    def check_stops(self, proc):
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        self.assertNotIn("Traceback", proc.stdout + proc.stderr)
        lines = (proc.stdout + proc.stderr).strip().splitlines()
        self.assertEqual(len(lines), 1, proc.stdout + proc.stderr)
        self.assertIn("python -m g4f_tests", lines[0])

    def test_discovery_started_inside_the_package(self):
        self.check_stops(run(["-m", "unittest", "discover", "-s", "g4f_tests"]))

    def test_documented_module_run_as_a_script(self):
        self.check_stops(run([os.path.join("g4f_tests", "asyncio.py")]))

    def test_started_from_inside_the_package_folder(self):
        self.check_stops(run(["-m", "g4f_tests", "-q"], cwd=os.path.join(ROOT, "g4f_tests")))


if __name__ == "__main__":
    unittest.main()
