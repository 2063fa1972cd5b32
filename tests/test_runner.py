"""The runner's contract: header, closing line, exit codes, --list, -k, bad input, g4f missing."""

import os
import unittest

from helpers import ROOT, G4fCopy, counts, run_suite

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


class DefaultRunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc = run_suite()
        cls.listed = run_suite("--list").stdout.split()

    def test_exit_zero_and_counts_add_up(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stdout + self.proc.stderr)
        self.assertEqual(sum(counts(self.proc.stdout)), len(self.listed))

    def test_header_names_python_g4f_and_nest(self):
        import platform
        from importlib.metadata import version

        head = self.proc.stdout.splitlines()[:2]
        self.assertIn("Python %s" % platform.python_version(), head[0])
        self.assertIn("g4f %s;" % version("g4f"), head[1])
        for name in ("nest_asyncio ", "nest_asyncio2 ", "uvloop "):
            self.assertIn(name, head[1])

    def test_closing_line_is_last(self):
        last = self.proc.stdout.rstrip().splitlines()[-1]
        self.assertRegex(last, r"^\d+ passed, \d+ failed, \d+ skipped, \d+ expected failures$")

    def test_list_has_the_documented_tests_and_no_private_ones(self):
        for test_id in DOCUMENTED:
            self.assertIn(test_id, self.listed)
        self.assertFalse([t for t in self.listed if "._test_" in t])
        self.assertEqual(len(self.listed), len(set(self.listed)))

    def test_no_traceback_on_success(self):
        self.assertNotIn("Traceback", self.proc.stdout + self.proc.stderr)


class SelectionTest(unittest.TestCase):
    def test_k_selects_by_substring(self):
        proc = run_suite("--list", "-k", "TestChatCompletionAsync")
        self.assertEqual(proc.stdout.split(), [t for t in DOCUMENTED if "TestChatCompletionAsync" in t])

    def test_k_run_counts_only_selected(self):
        proc = run_suite("-q", "-k", "test_create_generator")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(counts(proc.stdout)[:3], (2, 0, 0))


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

    def test_bad_shuffle_seed(self):
        self.assertUsageError(run_suite("--shuffle", "abc"), "--shuffle")

    def test_junit_xml_to_an_unwritable_path(self):
        proc = run_suite("--junit-xml", os.path.join(ROOT, "no-such-dir", "report.xml"))
        # Without the [junit] extra the line says what to install; with it, why the path fails.
        self.assertUsageError(proc, "JUnit XML report" if "cannot write" in proc.stderr else "unittest-xml-reporting")
        self.assertFalse(os.path.exists(os.path.join(ROOT, "no-such-dir")))

    def test_g4f_missing(self):
        # -S: no site-packages, so g4f is not importable; the suite itself comes from the checkout.
        proc = run_suite(python_flags=["-S"])
        self.assertUsageError(proc, "pip install g4f")
        self.assertEqual(proc.stdout, "")


class FailureExitTest(unittest.TestCase):
    def test_a_failing_check_exits_one(self):
        with G4fCopy() as g4f:
            # The sync path of an AsyncProvider returns a wrong result.
            g4f.edit(
                "providers/base_provider.py",
                "yield asyncio.run(provider.create_async(*args, **kwargs))",
                "yield 'not ' + asyncio.run(provider.create_async(*args, **kwargs))",
            )
            proc = run_suite("-k", "TestChatCompletion.test_create", pythonpath=g4f.dir)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("'not Mock'", proc.stdout + proc.stderr)
        passed, failed = counts(proc.stdout)[:2]
        self.assertGreaterEqual(failed, 1)


if __name__ == "__main__":
    unittest.main()
