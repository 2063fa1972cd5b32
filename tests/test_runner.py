"""Whole runs of the suite, checked against independent sources: the closing line against the outcomes, the header
against importlib.metadata and g4f's own requirements, --strict against the known-defect registry, a --junit-xml
run against the plain run. (The command line: test_cli.py; the report, with every outcome: test_report.py.)"""

import concurrent.futures
import importlib
import os
import platform
import re
import tempfile
import unittest
import xml.etree.ElementTree as ET
from importlib.metadata import requires, version

import readme_tables
from helpers import FAILED, junit_outcomes, plain, reference_run, run_suite, suite_results

from g4f_tests import MODULES, verdicts
from g4f_tests.support import is_importable

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


def junit_run():
    """The whole suite with --junit-xml (and --json): (Results, {test id: outcome} from the XML, the XML's testcases)."""
    if not is_importable("xmlrunner"):
        return None
    with tempfile.TemporaryDirectory(prefix="g4f-tests-self-") as work:
        path = os.path.join(work, "report.xml")
        results = suite_results("-q", "--junit-xml", path)
        if not os.path.exists(path):
            return results, {}, []
        return results, junit_outcomes(path), list(ET.parse(path).getroot().iter("testcase"))


def closing(results):
    """The counts of a run's closing line (its last line of output)."""
    last = results.proc.stdout.rstrip().splitlines()[-1]
    found = CLOSING.match(last)
    if found is None:
        raise AssertionError("the last line is not the closing line: %r" % last)
    return tuple(int(n) for n in found.groups())


class DefaultRunTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            runs = [
                pool.submit(reference_run),
                pool.submit(suite_results, "--strict"),
                pool.submit(lambda: run_suite("--list").stdout.split()),
                pool.submit(junit_run),
            ]
            cls.default, cls.strict, cls.listed, cls.junit = [run.result() for run in runs]

    def test_defects_that_name_their_calls_are_carried_by_checks_that_label_their_calls(self):
        """a known defect with calls= matches a subtest by its call= label (verdicts.Defect.concerns): every check
        carrying one labels each of its subtests call=... (a test without subtests is about its own API)"""
        carriers, loader = {}, unittest.TestLoader()
        for name in MODULES:  # their classes, not the package's load_tests (which starts the children)
            module = importlib.import_module("g4f_tests." + name)
            for cls in vars(module).values():
                if isinstance(cls, type) and issubclass(cls, unittest.TestCase) and cls.__module__ == module.__name__:
                    for method_name in loader.getTestCaseNames(cls):
                        method = getattr(cls, method_name)
                        named = [d.name for d in getattr(method, "known_defects", ()) if d.calls is not None]
                        if named:
                            carriers["%s.%s.%s" % (module.__name__, cls.__name__, method_name)] = named
        self.assertGreaterEqual(len(carriers), 10, "the registry's defects that name their calls are gone")
        for test_id, named in sorted(carriers.items()):
            with self.subTest(test=test_id, defects=named):
                entry = self.default.data["tests"][test_id]
                unlabelled = [s["params"] for s in entry["subtests"] if not s["params"].startswith("call=")]
                self.assertEqual(unlabelled, [])

    def test_exit_zero_and_every_listed_test_has_an_outcome(self):
        self.assertEqual(self.default.proc.returncode, 0, self.default.output())
        self.assertEqual(sorted(self.default.outcomes), sorted(self.listed))

    def test_closing_line_counts_the_outcomes(self):
        outcomes = list(self.default.outcomes.values())
        truth = (
            outcomes.count("passed"),
            sum(outcomes.count(o) for o in FAILED),
            outcomes.count("skipped"),
            outcomes.count("expected failure"),
        )
        self.assertEqual(closing(self.default), truth)
        self.assertEqual(sum(truth), len(self.listed))
        self.assertEqual(
            self.default.data["counts"], dict(zip(("passed", "failed", "skipped", "expected failures"), truth))
        )

    def test_header_names_what_is_installed(self):
        head = self.default.proc.stdout.splitlines()[:3]
        self.assertTrue(head[0].startswith("Python %s (" % platform.python_version()), head[0])
        self.assertTrue(head[1].startswith("g4f %s" % installed("g4f")), head[1])
        for name in ("nest_asyncio2", "nest_asyncio", "uvloop"):
            expected = "%s %s" % (name, installed(name)) if installed(name) else "%s absent" % name
            self.assertIn(expected, head[1].split("; "))
        # g4f nests with the nest package it requires (nest-asyncio2 from 7.0), at its installed version
        needs = [r.split(";")[0].strip().lower().replace("-", "_") for r in requires("g4f") or []]
        nest = next((name for name in ("nest_asyncio2", "nest_asyncio") if name in needs), "nest_asyncio")
        if installed(nest):
            self.assertEqual(head[2], "g4f nests with %s %s" % (nest, installed(nest)))
        else:
            self.assertEqual(head[2], "g4f cannot nest (the nest package it imports is not installed)")
        self.assertEqual(self.default.data["environment"][:3], head)

    def test_strict_fails_exactly_the_registrys_defects_that_apply(self):
        """the tests that carry a defect of known_defects.py applying here (read in this process): expected failures
        by default, failures with --strict; every other test the same in both runs"""
        applying = sorted(t.id() for t in readme_tables.loaded_tests() if verdicts.applicable(t))
        self.assertTrue(applying, "no known defect in this environment: the comparison would prove nothing")
        self.assertEqual(sorted(t for t, o in self.default.outcomes.items() if o == "expected failure"), applying)
        self.assertEqual(sorted(t for t, o in self.strict.outcomes.items() if o in FAILED), applying)
        others = {t: o for t, o in self.default.outcomes.items() if t not in applying}
        self.assertEqual({t: o for t, o in self.strict.outcomes.items() if t not in applying}, others)
        self.assertEqual(self.strict.proc.returncode, 1)
        passed, failed, skipped, expected = closing(self.default)
        self.assertEqual(closing(self.strict), (passed, failed + expected, skipped, 0))

    def test_junit_run_has_the_plain_runs_verdicts_and_closing_line(self):
        if self.junit is None:
            self.skipTest("unittest-xml-reporting is not installed (pip install unittest-xml-reporting)")
        results, reported, cases = self.junit
        self.assertEqual(results.proc.returncode, 0, results.output())
        self.assertEqual(results.outcomes, self.default.outcomes)
        self.assertEqual(closing(results), closing(self.default))
        self.assertIn("JUnit XML report: ", results.proc.stdout)
        self.assertEqual(reported, plain(self.default.outcomes))
        expected = [t for t, o in self.default.outcomes.items() if o == "expected failure"]
        for case in cases:
            test_id = "%s.%s" % (case.get("classname"), case.get("name"))
            if test_id in expected:
                with self.subTest(test=test_id):
                    (skipped,) = [child for child in case if child.tag == "skipped"]
                    message = skipped.get("message") or ""
                    self.assertIn("known g4f defect", message)
                    self.assertNotIn("traceback object at", message)
                    self.assertRegex(message, r"(g4f issues #\d+|observed:)")

    def test_list_has_the_documented_tests_and_no_private_ones(self):
        for test_id in DOCUMENTED:
            self.assertIn(test_id, self.listed)
        self.assertFalse([t for t in self.listed if "._test_" in t])
        self.assertEqual(len(self.listed), len(set(self.listed)))

    def test_no_traceback_on_success(self):
        self.assertNotIn("Traceback", self.default.proc.stdout + self.default.proc.stderr)


if __name__ == "__main__":
    unittest.main()
