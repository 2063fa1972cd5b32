"""The runner's report, checked in this process against independent sources: a small suite with every outcome runs
through the runner's own result classes (plain and JUnit), and the closing line, --json, the summary and the exit
status are compared with unittest's own result and with what each test was written to do; the header is compared
with importlib.metadata."""

import argparse
import io
import itertools
import json
import os
import platform
import re
import sys
import tempfile
import time
import types
import unittest
import xml.etree.ElementTree as ET
from importlib.metadata import version
from unittest import mock

import samples
from helpers import ROOT, junit_outcomes, plain

from g4f_tests import ends, report, runner, support, verdicts
from g4f_tests.verdicts import Returns

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


class StrictSummaryTest(unittest.TestCase):
    def test_strict_names_the_known_defects_it_reports_as_failures(self):
        """under --strict the known defect a failing test carries is named, with whom it affects and what to do"""
        with mock.patch.object(verdicts, "strict", True):
            found = run(sample_tests())
        self.assertNotIn("known g4f defects seen", found.text)
        section = found.text.split("known g4f defects, failures here because of --strict", 1)[1]
        self.assertIn("  self-test-defect, g4f 0.0.1 and later: the self-test's defect\n", section)
        self.assertIn("    checks: %s\n" % samples.Sample("test_k_known_defect").id(), section)


STRICT_ONE = verdicts.Defect("strict-one", "the first", "0.0.1", Returns("x"))
STRICT_TWO = verdicts.Defect("strict-two", "the second", "0.0.1", Returns("x"))


class StrictCarriers(unittest.TestCase):
    @verdicts.known(STRICT_ONE)
    def test_fails(self):
        pass

    @verdicts.known(STRICT_TWO)
    def test_fails_too(self):
        pass

    @verdicts.known(STRICT_ONE)
    def test_passes(self):
        pass


class StrictSectionTest(unittest.TestCase):
    """report.summarize under --strict, from outcomes made here: exactly the defects the failing tests carry, each
    under its own name, after the section's exact header."""

    Carriers = StrictCarriers

    def summary(self, outcomes):
        tests = [self.Carriers(name) for name in ("test_fails", "test_fails_too", "test_passes")]
        stream = io.StringIO()
        with mock.patch.object(verdicts, "strict", True), mock.patch.object(support, "g4f_release", return_value=(8,)):
            entries = {t.id(): {"outcome": outcomes[t._testMethodName], "subtests": []} for t in tests}
            report.summarize(entries, tests, stream)
        return stream.getvalue()

    def test_each_failing_carrier_under_its_defect_and_no_passing_one(self):
        text = self.summary({"test_fails": "failed", "test_fails_too": "failed", "test_passes": "passed"})
        self.assertTrue(
            text.startswith(
                "\nknown g4f defects, failures here because of --strict (without it, expected failures when their "
                "exact shape shows):\n"
            ),
            text,
        )
        checks = re.findall(r"^  (strict-\w+), .*\n(?:    .*\n)*?    checks: (.*)$", text, re.M)
        self.assertEqual(
            checks,
            [("strict-one", self.Carriers("test_fails").id()), ("strict-two", self.Carriers("test_fails_too").id())],
        )


class EntryTest(unittest.TestCase):
    """Each test's entry as --json writes it, the summary's exact text, and what unittest's own result still gets."""

    maxDiff = None

    def test_each_entry_has_its_outcome_message_and_time(self):
        ticks = itertools.count(1000.0, 0.0123456)
        with mock.patch("time.perf_counter", side_effect=lambda: next(ticks)):
            found = run(sample_tests())
        entries = {t.split(".test_", 1)[1]: v for t, v in found.data["tests"].items()}
        for name, entry in entries.items():
            with self.subTest(name=name):
                self.assertEqual(sorted(entry), ["message", "outcome", "seconds", "subtests"])
                self.assertGreater(entry["seconds"], 0)
                self.assertLess(entry["seconds"], 1)
                self.assertEqual(entry["seconds"], round(entry["seconds"], 3))
        self.assertEqual(entries["a_passes"]["message"], "")
        self.assertTrue(entries["c_errors"]["message"].startswith("Traceback (most recent call last):\n"))
        self.assertTrue(entries["c_errors"]["message"].endswith("ValueError: c errored\n"))
        self.assertEqual(
            entries["f_unexpected_success"]["message"],
            "a known g4f defect did not show: update g4f_tests/known_defects.py",
        )
        (errored,) = entries["j_one_subtest_errors"]["subtests"]
        self.assertEqual((errored["params"], errored["outcome"]), ("i=0", "error"))
        self.assertTrue(errored["message"].endswith("KeyError: 'j'\n"), errored["message"])
        self.assertEqual(
            entries["i_one_subtest_of_two_skips"]["subtests"][1], {"params": "i=1", "outcome": "passed", "message": ""}
        )
        self.assertIs(report.Outcomes.latest, found.result)
        self.assertIn(("samples.Sample.test_d_skips", "d skipped"), [(t.id(), why) for t, why in found.result.skipped])

    def test_the_last_of_equal_failures_is_the_message(self):
        class TwoFailures(unittest.TestCase):
            def test_two(self):
                for i in range(2):
                    with self.subTest(i=i, j=i + 1):
                        self.fail("failure %d" % i)

        result = runner.make_runner(args(), io.StringIO()).run(unittest.TestSuite([TwoFailures("test_two")]))
        (entry,) = result.outcomes.values()
        self.assertEqual([s["params"] for s in entry["subtests"]], ["i=0, j=1", "i=1, j=2"])
        self.assertEqual(entry["outcome"], "failed")
        self.assertTrue(entry["message"].endswith("AssertionError: failure 1\n"), entry["message"])

    def test_verbose_lines_name_each_test(self):
        stream = io.StringIO()
        verbose = runner.build_parser("x").parse_args(["-v"])
        runner.make_runner(verbose, stream).run(unittest.TestSuite(sample_tests("a_passes", "d_skips")))
        self.assertIn("test_a_passes (samples.Sample", stream.getvalue())
        self.assertIn(") ... ok\n", stream.getvalue())
        self.assertIn("skipped 'd skipped'", stream.getvalue())

    def test_the_summary_reads_exactly(self):
        class Again(samples.Sample):
            pass

        def entry(outcome, *subtests):
            return {"outcome": outcome, "message": "", "seconds": 0.0, "subtests": [dict(s) for s in subtests]}

        known, again, carrier = (
            samples.Sample("test_k_known_defect"),
            Again("test_k_known_defect"),
            samples.Carrier("test_it"),
        )
        unexpected, unexpected_too = samples.Sample("test_f_unexpected_success"), Again("test_f_unexpected_success")
        partial, whole = samples.Sample("test_i_one_subtest_of_two_skips"), samples.Sample("test_g_one_subtest_fails")
        skip = {"params": "i=0", "outcome": "skipped", "message": "i0 skipped"}
        outcomes = {
            known.id(): entry("expected failure"),
            again.id(): entry("expected failure"),
            carrier.id(): entry("expected failure"),
            unexpected.id(): entry("unexpected success"),
            unexpected_too.id(): entry("unexpected success"),
            partial.id(): entry("passed", skip, dict(skip, message="i2 skipped"), {"outcome": "passed"}),
            whole.id(): entry("passed", {"outcome": "passed"}, {"outcome": "passed"}),
        }
        stream = io.StringIO()
        tests = [known, again, carrier, unexpected, unexpected_too, partial, whole, Again("test_a_passes")]  # never ran
        with mock.patch.object(support, "g4f_release", return_value=(8, 8, 6)):
            report.summarize(outcomes, tests, stream)
        self.assertEqual(
            stream.getvalue(),
            "\nknown g4f defects seen (expected failures; --strict reports them as failures):\n"
            "  self-test-defect, g4f 0.0.1 and later: the self-test's defect\n    \n    what to do: \n"
            "    checks: %s, %s\n"
            "  self-test, g4f 0.0.1 and later: the reason (g4f issues #7)\n    \n    what to do: \n    checks: %s\n"
            "\nknown g4f defects that did not show (g4f may have fixed them; update g4f_tests/known_defects.py):\n"
            "  %s\n  %s\n"
            "%s: 1 of 3 calls ran, 2 skipped: i0 skipped; i2 skipped\n"
            % (known.id(), again.id(), carrier.id(), unexpected.id(), unexpected_too.id(), partial.id()),
        )


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
        self.assertIn("Ran 12 tests in ", junit_run.text, "the JUnit runner writes to the run's stream")

    def test_an_expected_failure_says_why_in_the_xml(self):
        with tempfile.TemporaryDirectory(prefix="g4f-tests-self-") as work:
            path = os.path.join(work, "report.xml")
            with open(path, "wb") as junit_file:
                tests = unittest.TestSuite(sample_tests("e_expected_failure", "k_known_defect"))
                runner.make_runner(args(), io.StringIO(), junit_file).run(tests)
            found = {
                case.get("name"): [(child.get("type"), child.get("message")) for child in case]
                for case in ET.parse(path).getroot().iter("testcase")
            }
        self.assertEqual(
            found,
            {
                "test_e_expected_failure": [("XFAIL", "expected failure: e as expected")],
                "test_k_known_defect": [
                    (
                        "XFAIL",
                        "expected failure: known g4f defect self-test-defect: the self-test's defect; observed: "
                        "raised builtins.KeyError(\"'known'\")",
                    )
                ],
            },
        )


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

    def test_the_python_line_and_a_package_without_a_version(self):
        self.assertEqual(
            report.environment_lines()[0],
            "Python %s (%s) on %s" % (platform.python_version(), sys.executable, platform.platform()),
        )
        with mock.patch.object(support, "is_importable", lambda name: True), mock.patch.object(
            support, "dist_version", lambda name: None
        ):  # importable but not installed as a distribution (a checkout on sys.path)
            self.assertTrue(report.environment_lines()[1].endswith("; uvloop present"))
            with mock.patch.object(support, "g4f_nest", lambda: types.ModuleType("nest_asyncio2")):
                self.assertEqual(report.describe_nest(), "g4f nests with nest_asyncio2 ")

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
        with self.assertRaises(runner.UsageError) as caught:
            runner._shuffle_seed("abc")
        self.assertEqual(str(caught.exception), "--shuffle takes an integer seed, not 'abc'")
        seeds = [runner._shuffle_seed("random") for _ in range(50)]
        self.assertTrue(all(0 <= seed < 10**6 for seed in seeds), "at most six digits: %s" % max(seeds))
        self.assertGreater(max(seeds), 1000)

    def test_parser_defaults(self):
        parsed = runner.build_parser("x").parse_args([])
        self.assertEqual(
            (parsed.verbosity, parsed.strict, parsed.shuffle, parsed.timeout), (1, False, None, support.TIMEOUT)
        )
        self.assertEqual(runner.build_parser("x").parse_args(["--shuffle"]).shuffle, "random")
        self.assertIsInstance(args(), argparse.Namespace)


class FinishTest(unittest.TestCase):
    """How a run that did not end by itself is reported: a test that hangs, a stop (Ctrl-C, SIGTERM) during a test,
    a stop before anything ran; the --json file and the closing line say which, and the exit status follows."""

    maxDiff = None

    def finish(self, ran, started=(), **how):
        stream = io.StringIO()
        result = None
        if ran is not None:
            result = runner.make_runner(args(), stream).run(unittest.TestSuite(sample_tests(*ran)))
            for test in sample_tests(*started) if started else ():
                result.startTest(test)  # started, never stopped: the run ends during it
        with tempfile.TemporaryDirectory(prefix="g4f-tests-self-") as work:
            state = report.Run(stream, time.perf_counter() - 5)
            state.tests, state.header, state.seed = sample_tests(*ran) if ran else [], ["header"], 42
            state.json_file = open(os.path.join(work, "report.json"), "w", encoding="utf-8")
            status = report.finish(state, result, **how)
            with open(os.path.join(work, "report.json"), encoding="utf-8") as f:
                text = f.read()
        self.assertTrue(state.reported)
        self.assertTrue(text.startswith('{\n "environment": ['), "indented by one: %r" % text[:30])
        data = json.loads(text)
        self.assertEqual((data["environment"], data["seed"]), (["header"], 42))
        self.assertEqual(data["order"], [t.id() for t in state.tests])
        self.assertEqual(data["blocked"], support.blocked_attempts)
        self.assertGreaterEqual(data["seconds"], 5)
        self.assertLess(data["seconds"], 60)
        self.assertEqual(data["seconds"], round(data["seconds"], 3))
        self.assertIsInstance(data["seconds"], float)
        self.assertEqual(data["exit"], status)
        return status, data, stream.getvalue().rstrip().splitlines()[-1]

    def test_a_hung_test_is_an_error_that_ended_the_run(self):
        (hung,) = sample_tests("b_fails")
        status, data, closing = self.finish(["a_passes"], hung=hung)
        self.assertEqual(status, report.EXIT_FAILED)
        self.assertEqual(
            data["tests"][hung.id()],
            {
                "subtests": [],
                "seconds": None,
                "outcome": "error",
                "message": "did not finish within %s s" % support.TIMEOUT,
            },
        )
        self.assertEqual(data["counts"], {"passed": 1, "failed": 1, "skipped": 0, "expected failures": 0})
        self.assertNotIn("stopped", data)
        self.assertRegex(
            closing,
            r"^1 passed, 1 failed, 0 skipped, 0 expected failures in [\d.]+ s \(stopped: %s hangs\)$"
            % re.escape(hung.id()),
        )

    def test_a_stop_names_the_tests_it_interrupted(self):
        during, also = sample_tests("b_fails", "c_errors")
        status, data, closing = self.finish(["a_passes"], started=["b_fails", "c_errors"], stopped=ends.Terminated())
        self.assertEqual((status, data["stopped"]), (143, "terminated"))
        self.assertEqual(
            (data["tests"][during.id()]["outcome"], data["tests"][during.id()]["message"]),
            ("terminated", "the run was terminated during this test"),
        )
        self.assertEqual(data["tests"][sample_tests("a_passes")[0].id()]["outcome"], "passed")
        self.assertRegex(closing, r" s \(terminated during %s, %s\)$" % (re.escape(during.id()), re.escape(also.id())))

    def test_a_run_without_reports_reports_on_the_stream_alone(self):
        stream = io.StringIO()
        state = report.Run(stream, time.perf_counter())
        self.assertIs(state.reported, False)
        self.assertEqual(report.finish(state, None), report.EXIT_OK)
        self.assertIs(state.reported, True)
        self.assertRegex(stream.getvalue(), r"^\n0 passed, 0 failed, 0 skipped, 0 expected failures in [\d.]+ s\n$")

    def test_a_stop_between_tests_or_before_any(self):
        status, data, closing = self.finish(["a_passes"], stopped=ends.Stop())
        self.assertEqual((status, data["stopped"], data["counts"]["passed"]), (130, "interrupted", 1))
        self.assertRegex(closing, r"^1 passed, 0 failed, 0 skipped, 0 expected failures in [\d.]+ s \(interrupted\)$")
        status, data, closing = self.finish(None, stopped=ends.Stop())
        self.assertEqual((status, data["tests"], data["stopped"]), (130, {}, "interrupted"))
        self.assertRegex(closing, r"^0 passed, 0 failed, 0 skipped, 0 expected failures in [\d.]+ s \(interrupted\)$")

    def test_a_run_that_ended_by_itself_says_nothing_more(self):
        status, data, closing = self.finish(["a_passes", "d_skips"])
        self.assertEqual((status, "stopped" in data), (report.EXIT_OK, False))
        self.assertRegex(closing, r"^1 passed, 0 failed, 1 skipped, 0 expected failures in [\d.]+ s$")


# What `run_tests.py --help` says of each option (argparse lays it out differently from one Python to the next: the
# options themselves are compared). A change here is a change of the command line: the README's options table too.
HELP = {
    "-v": "one line per test",
    "-q": "no line per test: the header, failures, known defects and summary",
    "NAME": "only these tests, modules or classes (g4f_tests.nesting, g4f_tests.asyncio.TestChatCompletion.test_create,"
    " ...), run in the order given",
    "-f": "stop at the first failure",
    "-k PATTERN": "only tests whose id matches PATTERN (as unittest's -k; repeatable)",
    "--list": "print the selected test ids, one a line, and exit",
    "--strict": "report known g4f defects as failures instead of expected failures",
    "--shuffle SEED": "run the tests in a random order (the classes, then each class's tests); the seed (an integer) is"
    " printed, the same seed gives the same order",
    "--junit-xml PATH": "also write a JUnit XML report to PATH (needs unittest-xml-reporting)",
    "--json PATH": "also write every test's outcome as JSON to PATH",
    "--timeout SECONDS": "end the run, naming the test, when a test that calls g4f in this process takes longer"
    " (default %s)" % support.TIMEOUT,
}


class ParserTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.parser = runner.build_parser("run_tests.py")

    def test_the_options_are_the_readmes(self):
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            table = f.read().split("| option | meaning |", 1)[1].split("\n\n", 1)[0]
        documented = set(re.findall(r"`(-[-\w]+)", table))
        options = {a.option_strings[0] for a in self.parser._actions if a.option_strings and a.dest != "help"}
        self.assertEqual(options, documented)

    def test_help_says_what_each_option_does(self):
        self.assertEqual(self.parser.prog, "run_tests.py")
        self.assertEqual(self.parser.description, "Run the g4f-tests conformance suite against the installed g4f.")
        found = {}
        for action in self.parser._actions:
            if action.dest == "help":
                continue
            name = " ".join(filter(None, [(action.option_strings or [None])[0], action.metavar]))
            found[name] = action.help % {"default": action.default}
        self.assertEqual(found, HELP)

    def test_each_option_sets_what_the_runner_reads(self):
        parse = self.parser.parse_args
        default = parse([])
        self.assertEqual(
            (default.verbosity, default.failfast, default.patterns, default.list, default.strict, default.shuffle),
            (1, False, None, False, False, None),
        )
        self.assertEqual((default.junit_xml, default.json, default.timeout, default.names), (None, None, 10.0, []))
        self.assertEqual((parse(["-v"]).verbosity, parse(["--verbose"]).verbosity), (2, 2))
        self.assertEqual((parse(["-q"]).verbosity, parse(["--quiet"]).verbosity), (0, 0))
        self.assertTrue(parse(["-f"]).failfast and parse(["--failfast"]).failfast)
        self.assertEqual(parse(["-k", "a", "-k", "b*"]).patterns, ["a", "b*"])
        self.assertTrue(parse(["--list"]).list and parse(["--strict"]).strict)
        self.assertEqual((parse(["--shuffle"]).shuffle, parse(["--shuffle", "7"]).shuffle), ("random", "7"))
        found = parse(["--junit-xml", "j.xml", "--json", "r.json", "--timeout", "2.5", "g4f_tests.loops", "x"])
        self.assertEqual((found.junit_xml, found.json, found.names), ("j.xml", "r.json", ["g4f_tests.loops", "x"]))
        self.assertIsInstance(found.timeout, float)
        self.assertEqual(found.timeout, 2.5)
        with mock.patch("sys.stderr", io.StringIO()) as stderr, self.assertRaises(runner.UsageError) as caught:
            parse(["-v", "-q"])  # one verbosity or the other
        self.assertEqual(str(caught.exception), "argument -q/--quiet: not allowed with argument -v/--verbose")
        self.assertTrue(stderr.getvalue().startswith("usage: run_tests.py "), stderr.getvalue())

    def test_the_runner_gets_the_stream_verbosity_and_failfast(self):
        stream = io.StringIO()
        failfast = runner.build_parser("x").parse_args(["-q", "-f"])
        result = runner.make_runner(failfast, stream).run(unittest.TestSuite(sample_tests("b_fails", "a_passes")))
        self.assertEqual(result.testsRun, 1, "-f stops at the first failure")
        self.assertIn("Ran 1 test in ", stream.getvalue())


if __name__ == "__main__":
    unittest.main()
