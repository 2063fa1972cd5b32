"""Every supported way of starting the suite runs the same tests with the same verdicts; the unsupported ones stop
with one line; under -X dev nothing stray is printed."""

import os
import unittest

from helpers import ROOT, run, suite_results, unittest_results

from g4f_tests.support import STRAY


class InvocationTest(unittest.TestCase):
    maxDiff = None

    def test_all_entry_points_run_the_same_tests(self):
        reference = suite_results()
        self.assertEqual(reference.proc.returncode, 0, reference.output())
        ways = {
            "python -m unittest": unittest_results(),
            "python -m unittest discover": unittest_results("discover"),
            "python -m unittest g4f_tests": unittest_results("g4f_tests"),
        }
        for how, found in ways.items():
            with self.subTest(how=how):
                self.assertEqual(found.proc.returncode, 0, found.output())
                self.assertEqual(found.outcomes, reference.outcomes)
        proc = run(["-m", "g4f_tests", "--list"])
        self.assertEqual(proc.stdout.split(), list(reference.data["order"]))


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


class DevModeTest(unittest.TestCase):
    def test_dev_mode_run_prints_no_stray_warning(self):
        """python -X dev: no ResourceWarning, never-awaited, destroyed-task, unclosed or deprecation line"""
        patterns = STRAY + ("ResourceWarning", "DeprecationWarning", "Traceback")
        for args in (["run_tests.py", "-q"], ["run_tests.py", "-q", "--shuffle", "3"], ["-m", "unittest"]):
            with self.subTest(argv=" ".join(args)):
                proc = run(["-X", "dev"] + args)
                self.assertEqual(proc.returncode, 0, proc.stdout[-3000:] + proc.stderr[-3000:])
                output = proc.stdout + proc.stderr
                self.assertEqual([p for p in patterns if p in output], [], output[-3000:])


if __name__ == "__main__":
    unittest.main()
