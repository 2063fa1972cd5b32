"""pytest runs the same suite with the same outcomes; --junit-xml writes a report that parses back."""

import os
import subprocess
import sys
import tempfile
import unittest

from helpers import ROOT, RUN_TIMEOUT, child_env, junit_outcomes, outcomes, run_suite


def have(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


@unittest.skipUnless(have("xmlrunner"), "unittest-xml-reporting is not installed (pip install g4f-tests[junit])")
class JunitTest(unittest.TestCase):
    maxDiff = None

    def test_report_parses_back_and_matches_the_run(self):
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "report.xml")
            proc = run_suite("-q", "--junit-xml", path)
            self.assertEqual(proc.returncode, 0, proc.stdout[-3000:])
            self.assertIn("JUnit XML report: " + path, proc.stdout)
            reported = junit_outcomes(path)
        plain = run_suite("-v")
        self.assertEqual(reported, outcomes(plain.stdout + plain.stderr))


@unittest.skipUnless(have("pytest"), "pytest is not installed (pip install g4f-tests[dev])")
class PytestTest(unittest.TestCase):
    maxDiff = None

    def test_pytest_and_unittest_agree(self):
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "pytest.xml")
            proc = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "--junitxml", path],
                cwd=ROOT,
                env=child_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                universal_newlines=True,
                timeout=RUN_TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
            self.assertEqual(proc.returncode, 0, proc.stdout[-3000:])
            by_pytest = junit_outcomes(path)
        unittest_run = run_suite("-v")
        self.assertEqual(by_pytest, outcomes(unittest_run.stdout + unittest_run.stderr))


if __name__ == "__main__":
    unittest.main()
