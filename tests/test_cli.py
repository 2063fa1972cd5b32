"""The runner's command line: --shuffle's printed seed against the order that ran, selection by -k and by name (in
the order given), every usage error in one line with exit 2 (g4f missing too, also under plain unittest), and a
failing check's exit 1. (Whole runs against independent sources: test_runner.py; the report: test_report.py.)"""

import os
import re
import sys
import tempfile
import unittest

from helpers import ROOT, G4fCopy, classes_together, run, run_suite, shuffled_order, suite_results
from test_runner import DOCUMENTED


class ShuffleTest(unittest.TestCase):
    def test_the_printed_seed_reproduces_the_order_that_ran(self):
        names = ["g4f_tests.asyncio", "g4f_tests.loops"]
        ran = suite_results(*names, "--shuffle")  # a seed of its own choosing (after the names: it takes one)
        self.assertEqual(ran.proc.returncode, 0, ran.output())
        printed = re.findall(
            r"^shuffled with seed (\d+) \(--shuffle (\d+) repeats this order\)$", ran.proc.stdout, re.M
        )
        self.assertEqual(len(printed), 1, ran.proc.stdout[:2000])
        seed = int(printed[0][0])
        self.assertEqual((int(printed[0][1]), ran.data["seed"]), (seed, seed))
        self.assertEqual(list(ran.data["tests"]), ran.data["order"], "the tests did not run in the order reported")
        self.assertEqual(run_suite("--list", "--shuffle", str(seed), *names).stdout.split(), ran.data["order"])
        order = run_suite("--list", *names).stdout.split()
        self.assertNotEqual(order, ran.data["order"])
        self.assertTrue(classes_together(ran.data["order"]), ran.data["order"])
        self.assertEqual(ran.data["order"], shuffled_order(order, seed))  # as documented (README: --shuffle)


class SelectionTest(unittest.TestCase):
    def test_k_selects_by_substring(self):
        proc = run_suite("--list", "-k", "TestChatCompletionAsync")
        self.assertEqual(proc.stdout.split(), [t for t in DOCUMENTED if "TestChatCompletionAsync" in t])

    def test_names_run_in_the_order_given(self):
        names = [DOCUMENTED[4], "g4f_tests.loops", DOCUMENTED[1]]
        results = suite_results(*names)
        self.assertEqual(results.proc.returncode, 0, results.output())
        order = results.data["order"]
        self.assertEqual(order[0], DOCUMENTED[4])
        self.assertEqual(order[-1], DOCUMENTED[1])
        self.assertTrue(all(t.startswith("g4f_tests.loops.") for t in order[1:-1]) and len(order) > 2, order)


class BadInputTest(unittest.TestCase):
    def assertUsageError(self, proc, needle):
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        self.assertNotIn("Traceback", proc.stderr)
        errors = [line for line in proc.stderr.splitlines() if "error:" in line]
        self.assertEqual(len(errors), 1, proc.stderr)
        self.assertIn(needle, errors[0])

    def test_unknown_option(self):
        proc = run_suite("--bogus")
        self.assertUsageError(proc, "--bogus")
        self.assertIn("usage:", proc.stderr)

    def test_k_matching_nothing(self):
        self.assertUsageError(run_suite("-k", "no_such_test_anywhere"), "no test matches")

    def test_name_matching_nothing(self):
        self.assertUsageError(run_suite("g4f_tests.no_such_module"), "no test is named g4f_tests.no_such_module")

    def test_bad_shuffle_seed_and_timeout(self):
        self.assertUsageError(run_suite("--shuffle", "abc"), "--shuffle")
        self.assertUsageError(run_suite("--timeout", "0"), "--timeout")

    def test_reports_to_an_unwritable_path(self):
        missing = os.path.join(ROOT, "no-such-dir", "report")
        self.assertUsageError(run_suite("--json", missing + ".json"), "cannot write the JSON report")
        proc = run_suite("--junit-xml", missing + ".xml")
        # Without unittest-xml-reporting the line says what to install; with it, why the path fails.
        self.assertUsageError(proc, "JUnit XML report" if "cannot write" in proc.stderr else "unittest-xml-reporting")
        self.assertFalse(os.path.exists(os.path.join(ROOT, "no-such-dir")))

    def test_g4f_missing(self):
        # -S: no site-packages, so g4f is not importable; the suite itself comes from the checkout.
        proc = run_suite(python_flags=["-S"])
        self.assertUsageError(proc, "pip install g4f")
        self.assertEqual(proc.stdout, "")

    def test_g4f_missing_under_plain_unittest(self):
        proc = run(["-S", "-m", "unittest", "g4f_tests"])
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        self.assertEqual(
            (proc.stdout + proc.stderr).strip().splitlines(),
            ["g4f-tests: g4f is not installed in this Python (%s): pip install g4f" % sys.executable],
        )

    def test_a_g4f_that_fails_to_import(self):
        """the suite cannot be loaded: g4f's traceback once, then one error line, exit 2 (no child's traceback)"""
        with tempfile.TemporaryDirectory(prefix="g4f-tests-self-") as work:
            os.mkdir(os.path.join(work, "g4f"))
            with open(os.path.join(work, "g4f", "__init__.py"), "w", encoding="utf-8") as f:
                f.write("raise RuntimeError('a g4f that cannot be imported (a g4f-tests self-test)')\n")
            proc = run_suite("-q", pythonpath=work)
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout, "")
        lines = proc.stderr.rstrip().splitlines()
        self.assertEqual(lines[-1], "run_tests.py: error: the suite could not be loaded (traceback above)", proc.stderr)
        self.assertEqual(lines[-2], "RuntimeError: a g4f that cannot be imported (a g4f-tests self-test)", proc.stderr)
        self.assertEqual(proc.stderr.count("Traceback"), 1, proc.stderr)


class FailureExitTest(unittest.TestCase):
    def test_a_failing_check_exits_one_and_names_it(self):
        with G4fCopy() as g4f:
            g4f.edit(
                "providers/base_provider.py",
                "yield asyncio.run(provider.create_async(*args, **kwargs))",
                "yield 'not ' + asyncio.run(provider.create_async(*args, **kwargs))",
            )
            results = suite_results("-k", "TestChatCompletion.test_create", pythonpath=g4f.dir)
        self.assertEqual(results.proc.returncode, 1, results.output())
        self.assertEqual(results.outcomes["g4f_tests.asyncio.TestChatCompletion.test_create"], "failed")
        self.assertIn("'not Mock'", results.message("g4f_tests.asyncio.TestChatCompletion.test_create"))
        self.assertEqual(results.data["exit"], 1)


if __name__ == "__main__":
    unittest.main()
