"""The runner's report, checked in this process against independent sources: a small suite with every outcome runs
through the runner's own result classes (plain and JUnit), and the closing line, --json, the summary and the exit
status are compared with unittest's own result and with what each test was written to do; the header is compared
with importlib.metadata."""

import argparse
import io
import json
import os
import re
import tempfile
import types
import unittest
from importlib.metadata import version
from unittest import mock

import samples
from helpers import junit_outcomes, plain

from g4f_tests import report, runner, support

CLOSING = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped, (\d+) expected failures in [\d.]+ s(.*)$")


TRUTH = {
    "a_passes": "passed",
    "b_fails": "failed",
    "c_errors": "error",
    "d_skips": "skipped",
    "e_expected_failure": "expected failure",
    "f_unexpected_success": "unexpected success",
    "g_one_subtest_fails": "failed",
    "h_every_subtest_skips": "skipped",
    "i_one_subtest_of_two_skips": "passed",
    "j_one_subtest_errors": "error",
    "k_known_defect": "expected failure",
    "l_skipped_by_decorator": "skipped",
}


def sample_tests(*names):
    names = names or sorted(TRUTH)
    return [samples.Sample("test_" + name) for name in names]


def args(*argv):
    return runner.build_parser("run_tests.py").parse_args(["-q"] + list(argv))


def run(selected, junit=False):
    """Run ``selected`` as the runner does; (result, closing line, whole output, --json data, JUnit outcomes)."""
    stream = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="g4f-tests-self-") as work:
        state = report.Run(stream, 0.0)
        state.tests, state.header = selected, ["header"]
        state.json_file = open(os.path.join(work, "report.json"), "w", encoding="utf-8")
        xml = os.path.join(work, "report.xml")
        with open(xml, "wb") as junit_file:
            result = runner.make_runner(args(), stream, junit_file if junit else None).run(unittest.TestSuite(selected))
        status = report.finish(state, result)
        with open(os.path.join(work, "report.json"), encoding="utf-8") as f:
            data = json.load(f)
        reported = junit_outcomes(xml) if junit else None
    lines = stream.getvalue().rstrip().splitlines()
    return types.SimpleNamespace(
        result=result, closing=lines[-1], text=stream.getvalue(), data=data, status=status, junit=reported
    )


def closing_counts(line):
    found = CLOSING.match(line)
    if found is None:
        raise AssertionError("not the closing line: %r" % line)
    return tuple(int(n) for n in found.groups()[:4])


class ClosingLineTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        # Each test runs the samples itself (a tenth of a second): mutmut runs, for a mutant, only the tests it saw
        # calling the mutated function, and a setUpClass's calls count for the class's first test alone.
        self.found = run(sample_tests())

    def test_every_outcome_is_what_the_test_was_written_to_give(self):
        outcomes = {t.split(".test_", 1)[1]: v["outcome"] for t, v in self.found.data["tests"].items()}
        self.assertEqual(outcomes, TRUTH)

    def test_closing_line_counts_the_truth(self):
        truth = list(TRUTH.values())
        expected = (
            truth.count("passed"),
            sum(truth.count(o) for o in report.FAILED),
            truth.count("skipped"),
            truth.count("expected failure"),
        )
        self.assertEqual(closing_counts(self.found.closing), expected)
        self.assertEqual(
            self.found.data["counts"], dict(zip(("passed", "failed", "skipped", "expected failures"), expected))
        )

    def test_closing_line_agrees_with_unittests_own_result(self):
        result = self.found.result
        passed, failed, skipped, expected = closing_counts(self.found.closing)
        self.assertEqual(passed + failed + skipped + expected, result.testsRun)
        bad = {getattr(t, "test_case", t).id() for t, _ in result.failures + result.errors}
        bad |= {t.id() for t in result.unexpectedSuccesses}
        self.assertEqual(failed, len(bad))
        self.assertEqual(expected, len(result.expectedFailures))
        whole_skips = {t.id() for t, _ in result.skipped if t is getattr(t, "test_case", t)}
        self.assertGreaterEqual(skipped, len(whole_skips))
        self.assertFalse(result.wasSuccessful())

    def test_a_failing_run_exits_one_and_says_so_in_json(self):
        self.assertEqual((self.found.status, self.found.data["exit"]), (report.EXIT_FAILED, 1))
        self.assertEqual(self.found.data["order"], [t.id() for t in sample_tests()])
        self.assertEqual(
            list(self.found.data["tests"]), [t.id() for t in sample_tests()], "outcomes not in the order run"
        )

    def test_subtests_are_reported_inside_their_test(self):
        entry = self.found.data["tests"][samples.Sample("test_g_one_subtest_fails").id()]
        self.assertEqual([s["outcome"] for s in entry["subtests"]], ["passed", "failed", "passed"])
        self.assertEqual(entry["subtests"][1]["params"], "i=1")
        skipped = self.found.data["tests"][samples.Sample("test_h_every_subtest_skips").id()]
        self.assertEqual(skipped["message"], "h0 skipped; h1 skipped")

    def test_summary_names_partial_runs_unexpected_successes_and_defects(self):
        text = self.found.text
        partial = (
            "%s: 1 of 2 calls ran, 1 skipped: i0 skipped\n" % samples.Sample("test_i_one_subtest_of_two_skips").id()
        )
        self.assertIn(partial, text)
        unexpected = text.split("known g4f defects that did not show", 1)[1].split("\n\n")[0].splitlines()[1:]
        unexpected = [line for line in unexpected if line.startswith("  ")]
        self.assertEqual(unexpected, ["  %s" % samples.Sample("test_f_unexpected_success").id()])
        section = text.split("known g4f defects seen", 1)[1]
        self.assertIn("  self-test-defect, g4f 0.0.1 and later: the self-test's defect\n", section)
        self.assertIn("    checks: %s\n" % samples.Sample("test_k_known_defect").id(), section)


class ExitStatusTest(unittest.TestCase):
    def test_passes_skips_and_expected_failures_exit_zero(self):
        found = run(
            sample_tests(
                "a_passes", "d_skips", "l_skipped_by_decorator", "e_expected_failure", "i_one_subtest_of_two_skips"
            )
        )
        self.assertEqual((found.status, found.data["exit"]), (report.EXIT_OK, 0), found.text)
        self.assertEqual(closing_counts(found.closing), (2, 0, 2, 1))

    def test_each_kind_of_failure_alone_exits_one(self):
        for name in ("b_fails", "c_errors", "f_unexpected_success", "g_one_subtest_fails", "j_one_subtest_errors"):
            with self.subTest(name):
                found = run(sample_tests("a_passes", name))
                self.assertEqual(found.status, report.EXIT_FAILED, found.text)
                self.assertEqual(closing_counts(found.closing), (1, 1, 0, 0))

    def test_a_blocked_network_attempt_fails_a_green_run(self):
        with mock.patch.object(support, "blocked_attempts", [("example.org:443", "MainThread")]):
            found = run(sample_tests("a_passes"))
        self.assertEqual(found.status, report.EXIT_FAILED)
        self.assertIn("network access blocked during the run:\n  example.org:443 (thread MainThread)\n", found.text)
        self.assertEqual(found.data["blocked"], [["example.org:443", "MainThread"]])


@unittest.skipUnless(support.is_importable("xmlrunner"), "unittest-xml-reporting is not installed")
class JunitTest(unittest.TestCase):
    maxDiff = None

    def test_junit_result_reports_what_the_plain_one_does(self):
        """the same outcomes, messages aside; the same closing line; the XML says the same"""
        plain_run, junit_run = run(sample_tests()), run(sample_tests(), junit=True)
        outcomes = {t: v["outcome"] for t, v in junit_run.data["tests"].items()}
        self.assertEqual(outcomes, {t: v["outcome"] for t, v in plain_run.data["tests"].items()})
        self.assertEqual(closing_counts(junit_run.closing), closing_counts(plain_run.closing))
        self.assertEqual(junit_run.status, plain_run.status)
        # JUnit XML has no entry for the passing part of a test some of whose subtests skipped: left out
        partial = samples.Sample("test_i_one_subtest_of_two_skips").id()
        reported = {t: o for t, o in junit_run.junit.items() if t != partial}
        self.assertEqual(reported, {t: o for t, o in plain(outcomes).items() if t != partial})
        message = junit_run.data["tests"][samples.Sample("test_k_known_defect").id()]["message"]
        self.assertIn("known g4f defect self-test-defect", message)


class HeaderTest(unittest.TestCase):
    """environment_lines against importlib.metadata, each package present or absent, each way g4f nests."""

    def setUp(self):
        support.dist_version.cache_clear()
        self.addCleanup(support.dist_version.cache_clear)

    def test_versions_are_the_installed_distributions(self):
        line = report.environment_lines()[1].split("; ")
        self.assertEqual(line[0], "g4f %s" % version("g4f"))
        for name, shown in zip(support.NEST_MODULES + ("uvloop",), line[1:]):
            with self.subTest(name):
                self.assertEqual(
                    shown, "%s %s" % (name, version(name)) if support.is_importable(name) else name + " absent"
                )
        self.assertEqual(len(line), 4)

    def test_a_missing_package_is_absent(self):
        with mock.patch.object(support, "is_importable", lambda name: name != "uvloop"):
            self.assertTrue(report.environment_lines()[1].endswith("; uvloop absent"))

    def test_how_g4f_nests_names_the_package_and_its_version(self):
        for name in support.NEST_MODULES:
            if version_or_none(name) is None:
                continue
            with self.subTest(name), mock.patch.object(support, "g4f_nest", lambda name=name: types.ModuleType(name)):
                self.assertEqual(report.environment_lines()[2], "g4f nests with %s %s" % (name, version(name)))
        with mock.patch.object(support, "g4f_nest", lambda: None):
            self.assertEqual(report.describe_nest(), "g4f cannot nest (the nest package it imports is not installed)")

    def test_a_source_install_is_named_and_counts_as_the_newest(self):
        with mock.patch.object(support, "g4f_version", lambda: "0.0.0"):
            self.assertEqual(support.g4f_release(), support.NEWEST)
            self.assertEqual(support.describe_g4f(), "g4f 0.0.0 (a source install, treated as the newest release)")
        with mock.patch.object(support, "g4f_version", lambda: "0.3.4.6"):
            self.assertEqual((support.g4f_release(), support.describe_g4f()), ((0, 3, 4, 6), "g4f 0.3.4.6"))


def version_or_none(name):
    try:
        return version(name)
    except Exception:
        return None


class ShuffleTest(unittest.TestCase):
    def test_seed_parsing(self):
        self.assertIsNone(runner._shuffle_seed(None))
        self.assertEqual(runner._shuffle_seed("17"), 17)
        self.assertIsInstance(runner._shuffle_seed("random"), int)
        with self.assertRaises(runner.UsageError):
            runner._shuffle_seed("abc")

    def test_parser_defaults(self):
        parsed = runner.build_parser("x").parse_args([])
        self.assertEqual(
            (parsed.verbosity, parsed.strict, parsed.shuffle, parsed.timeout), (1, False, None, support.TIMEOUT)
        )
        self.assertEqual(runner.build_parser("x").parse_args(["--shuffle"]).shuffle, "random")
        self.assertIsInstance(args(), argparse.Namespace)


if __name__ == "__main__":
    unittest.main()
