"""A test whose calls are subtests keeps its verdict when one call skips (an API the installed g4f predates):
unittest marks a test unsuccessful once a subtest skips and then reports neither its success nor its expected
failure, which lost the known defect of another call on old releases (the matrix's cells up to 0.4.0.4 failed:
--strict failed tests the default run had passed)."""

import unittest

from g4f_tests import support
from g4f_tests.checks import CheckTestCase
from g4f_tests.verdicts import Defect, Raises, known

SHOWN = Defect("made-up-defect", "a made-up defect for this test", "0.0.1", Raises("builtins.KeyError", "'shown'"))


def calls_case():
    """The test case, made here so that no loader collects it (one of its tests fails on purpose)."""

    class Calls(CheckTestCase):
        def skipped_then(self, error):
            with self.subTest(call="an API this g4f predates"):
                self.skipTest("g4f predates it")
            with self.subTest(call="the other call"):
                if error is not None:
                    raise error
            self.raise_defect_seen()  # as in_child's tests do once their calls ran

        @known(SHOWN)
        def test_defect_after_a_skipped_call(self):
            self.skipped_then(KeyError("shown"))

        @known(SHOWN)
        def test_defect_whose_calls_skip(self):
            """the defect applies to this release, but the calls it shows in skip here: no verdict on it"""
            with self.subTest(call="the call that would show it"):
                self.skipTest("g4f predates it")
            self.skipped_then(None)

        def test_pass_after_a_skipped_call(self):
            self.skipped_then(None)

        def test_failure_after_a_skipped_call(self):
            self.skipped_then(ValueError("a real failure"))

    return Calls


class SkippedCallsTest(unittest.TestCase):
    def outcome(self, name):
        result = unittest.TestResult()
        calls_case()(name).run(result)
        for label, found in (
            ("expected failure", result.expectedFailures),
            ("failed", result.failures + result.errors),
            ("unexpected success", result.unexpectedSuccesses),
        ):
            if found:
                return label, len(result.skipped)
        return ("passed" if result.wasSuccessful() and result.testsRun else "no outcome"), len(result.skipped)

    def test_a_known_defect_after_a_skipped_call_is_the_expected_failure(self):
        self.assertTrue(SHOWN.in_range(support.g4f_release()))
        self.assertEqual(self.outcome("test_defect_after_a_skipped_call"), ("expected failure", 1))

    def test_a_failure_after_a_skipped_call_fails(self):
        self.assertEqual(self.outcome("test_failure_after_a_skipped_call"), ("failed", 1))

    def test_a_defect_whose_calls_all_skip_is_no_unexpected_success(self):
        self.assertEqual(self.outcome("test_defect_whose_calls_skip"), ("passed", 2))

    def test_a_pass_after_a_skipped_call_passes(self):
        result = unittest.TestResult()
        calls_case()("test_pass_after_a_skipped_call").run(result)
        self.assertEqual((result.testsRun, len(result.skipped), result.failures, result.errors), (1, 1, [], []))


if __name__ == "__main__":
    unittest.main()
