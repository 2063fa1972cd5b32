"""Sample tests for the self-tests to run in this process (in a module of their own, so that no loader collects them
as self-tests): one of each outcome the runner reports (test_report.py), one carrying a known defect (test_verdicts.py).
"""

import unittest

from g4f_tests import verdicts
from g4f_tests.checks import CheckTestCase
from g4f_tests.verdicts import ContractViolation, Defect, ForCalls, OneOf, Raises, Returns, known

DEFECT = Defect("self-test-defect", "the self-test's defect", "0.0.1", Raises("builtins.KeyError", "'known'"))


class Sample(unittest.TestCase):
    """One test of each outcome the runner reports (the letters keep unittest's order)."""

    __unittest_expecting_failure__ = property(verdicts.expecting)  # as the suite's checks: a defect that applies

    def test_a_passes(self):
        pass

    def test_b_fails(self):
        self.fail("b failed")

    def test_c_errors(self):
        raise ValueError("c errored")

    def test_d_skips(self):
        self.skipTest("d skipped")

    @unittest.expectedFailure
    def test_e_expected_failure(self):
        self.fail("e as expected")

    @unittest.expectedFailure
    def test_f_unexpected_success(self):
        pass

    def test_g_one_subtest_fails(self):
        for i in range(3):
            with self.subTest(i=i):
                self.assertNotEqual(i, 1)

    def test_h_every_subtest_skips(self):
        for i in range(2):
            with self.subTest(i=i):
                self.skipTest("h%d skipped" % i)

    def test_i_one_subtest_of_two_skips(self):
        with self.subTest(i=0):
            self.skipTest("i0 skipped")
        with self.subTest(i=1):
            pass

    def test_j_one_subtest_errors(self):
        with self.subTest(i=0):
            raise KeyError("j")

    @known(DEFECT)
    def test_k_known_defect(self):
        raise KeyError("known")

    @unittest.skip("l skipped")
    def test_l_skipped_by_decorator(self):
        pass


RETURNS_WRONG = Defect("self-test", "the reason", "0.0.1", Returns("wrong"), issues=(7,))


ON_THE_CLIENT = Defect("self-test-client", "the client's reason", "0.0.1", Returns("wrong"), calls=("Client",))


class CallsCarrier(CheckTestCase):
    """A check carrying a defect of the Client's calls alone; ``found`` maps each call's label to what it observed."""

    found = {}

    @known(ON_THE_CLIENT)
    def test_it(self):
        for label, observed in self.found.items():
            with self.subTest(call=label):
                if observed.value != "right":
                    raise ContractViolation("expected 'right'", observed)
        self.raise_defect_seen()


# A defect of all the Client's calls whose second shape is its streams' alone (ForCalls).
ON_THE_CLIENT_BY_CALL = Defect(
    "self-test-client-by-call",
    "the client's reasons",
    "0.0.1",
    OneOf(Returns("wrong"), ForCalls(("Client, stream",), Returns("wrong when streamed"))),
    calls=("Client",),
)


class ByCallCarrier(CallsCarrier):
    """CallsCarrier carrying ON_THE_CLIENT_BY_CALL."""

    @known(ON_THE_CLIENT_BY_CALL)
    def test_it(self):
        CallsCarrier.test_it(self)


class Carrier(unittest.TestCase):
    """A test carrying a known defect; ``found`` is what the check observed (or an exception it raises)."""

    __unittest_expecting_failure__ = property(verdicts.expecting)
    found = None

    @known(RETURNS_WRONG)
    def test_it(self):
        if isinstance(self.found, BaseException):
            raise self.found
        if self.found is not None and self.found.value != "right":
            raise ContractViolation("expected 'right'", self.found)
