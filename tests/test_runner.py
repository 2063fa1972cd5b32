"""The runner's contract, checked against independent sources: the closing line against the outcomes, the header
against importlib.metadata, --strict against the default run's known defects; selection, bad input, exit codes."""

import os
import platform
import re
import sys
import unittest
from importlib.metadata import version

from helpers import FAILED, ROOT, G4fCopy, run, run_suite, suite_results

DOCUMENTED = [
    "g4f_tests.asyncio.TestChatCompletion.test_await_callback",
    "g4f_tests.asyncio.TestChatCompletion.test_create",
    "g4f_tests.asyncio.TestChatCompletion.test_create_generator",
    "g4f_tests.asyncio.TestChatCompletion.test_exception",
    "g4f_tests.asyncio.TestChatCompletionAsync.test_async",
    "g4f_tests.asyncio.TestChatCompletionAsync.test_base",
    "g4f_tests.asyncio.TestChatCompletionAsync.test_create_generator",
    "g4f_tests.asyncio.TestChatCompletionNestAsync.test_create",
]
CLOSING = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped, (\d+) expected failures in [\d.]+ s$")


def installed(name):
    try:
        return version(name)
    except Exception:
        return None


class DefaultRunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.default = suite_results()
        cls.strict = suite_results("--strict")
        cls.listed = run_suite("--list").stdout.split()

    def test_exit_zero_and_every_listed_test_has_an_outcome(self):
        self.assertEqual(self.default.proc.returncode, 0, self.default.output())
        self.assertEqual(sorted(self.default.outcomes), sorted(self.listed))

    def test_closing_line_counts_the_outcomes(self):
        last = self.default.proc.stdout.rstrip().splitlines()[-1]
        found = CLOSING.match(last)
        self.assertIsNotNone(found, last)
        outcomes = list(self.default.outcomes.values())
        truth = (
            outcomes.count("passed"),
            sum(outcomes.count(o) for o in FAILED),
            outcomes.count("skipped"),
            outcomes.count("expected failure"),
        )
        self.assertEqual(tuple(int(n) for n in found.groups()), truth)
        self.assertEqual(sum(truth), len(self.listed))

    def test_header_names_what_is_installed(self):
        head = self.default.proc.stdout.splitlines()[:3]
        self.assertTrue(head[0].startswith("Python %s (" % platform.python_version()), head[0])
        self.assertTrue(head[1].startswith("g4f %s" % installed("g4f")), head[1])
        for name in ("nest_asyncio2", "nest_asyncio", "uvloop"):
            expected = "%s %s" % (name, installed(name)) if installed(name) else "%s absent" % name
            self.assertIn(expected, head[1].split("; "))
        self.assertRegex(head[2], r"^g4f (nests with nest_asyncio2? [\d.]+|cannot nest)")
        self.assertEqual(self.default.data["environment"][:3], head)

    def test_strict_fails_exactly_the_known_defects(self):
        expected = sorted(t for t, o in self.default.outcomes.items() if o == "expected failure")
        self.assertTrue(expected, "no known defect in this environment: the comparison would prove nothing")
        self.assertEqual(sorted(t for t, o in self.strict.outcomes.items() if o in FAILED), expected)
        self.assertEqual(self.strict.proc.returncode, 1)

    def test_list_has_the_documented_tests_and_no_private_ones(self):
        for test_id in DOCUMENTED:
            self.assertIn(test_id, self.listed)
        self.assertFalse([t for t in self.listed if "._test_" in t])
        self.assertEqual(len(self.listed), len(set(self.listed)))

    def test_no_traceback_on_success(self):
        self.assertNotIn("Traceback", self.default.proc.stdout + self.default.proc.stderr)


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
