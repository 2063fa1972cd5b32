"""Known-defect matching, in this process: every range of the registry (each entry's and each of its ByRelease shapes')
at its first and last affected release and one release outside each end; the ranges against what the compatibility
matrix measured (COMPATIBILITY.md); every condition; the shapes; and the verdict a test carrying a defect gets."""

import io
import os
import re
import types
import unittest
from unittest import mock

import samples
from helpers import ROOT
from test_harness import neighbours, registry

from g4f_tests import conditions, regimes, support, verdicts
from g4f_tests.report import Result
from g4f_tests.support import Observation
from g4f_tests.verdicts import ByRelease, ContractViolation, Defect, Leaves, OneOf, Raises, Returns


def text(release):
    return ".".join(str(n) for n in release)


def ranges():
    """(defect, first, last, shape) of every ByRelease range in the registry."""
    return [(d, f, last, s) for d in registry() if isinstance(d.shape, ByRelease) for f, last, s in d.shape.ranges]


class ByReleaseTest(unittest.TestCase):
    def test_each_shape_holds_at_its_ends_and_not_beyond(self):
        found = ranges()
        self.assertGreaterEqual(len(found), 9, "the registry's ByRelease ranges are gone")
        for defect, first, last, shape in found:
            with self.subTest(defect=defect.name, first=first, last=last):
                self.assertIs(defect.shape.shape(first), shape)
                self.assertIsNot(defect.shape.shape(text(neighbours(first)[0])), shape)
                end = last or text(support.NEWEST)
                self.assertIs(defect.shape.shape(end), shape)
                if last is not None:
                    self.assertIsNot(defect.shape.shape(text(neighbours(last)[1])), shape)

    def test_the_shapes_cover_exactly_the_defects_range_in_order(self):
        for defect in registry():
            if not isinstance(defect.shape, ByRelease):
                continue
            with self.subTest(defect=defect.name):
                spans = defect.shape.ranges
                self.assertEqual((spans[0][0], spans[-1][1]), (defect.first, defect.last))
                for (_, last, _), (first, _, _) in zip(spans, spans[1:]):
                    self.assertLess(support.parse_version(last), support.parse_version(first))
                self.assertIsNone(defect.shape.shape(text(neighbours(defect.first)[0])))

    def test_the_installed_release_picks_its_shape(self):
        shape = ByRelease(("1.0", "1.9", Returns("one")), ("2.0", None, Returns("two")))
        for release, expected in (
            ((0, 9), None),
            ((1, 0), "one"),
            ((1, 9), "one"),
            ((2, 0), "two"),
            (support.NEWEST, "two"),
        ):
            with self.subTest(release=release), mock.patch.object(support, "g4f_release", return_value=release):
                self.assertEqual(getattr(shape.shape(), "value", None), expected)
                self.assertEqual(shape.matches(Observation(value="two")), expected == "two")


class MeasuredTest(unittest.TestCase):
    def test_ranges_hold_what_the_matrix_measured(self):
        """every release COMPATIBILITY.md saw a defect on is in its range, and each end of a range was seen"""
        with open(os.path.join(ROOT, "COMPATIBILITY.md"), encoding="utf-8") as f:
            # its cells: the last column
            rows = re.findall(r"^\| `([\w-]+)` \|(?: [^|]+ \|)+ ([^|]+) \|$", f.read(), re.M)
        seen = {name: re.findall(r"\b\d+(?:\.\d+)+\b", cells.split(" (")[0]) for name, cells in rows}
        checked = 0
        for defect in registry():
            if defect.name not in seen:
                continue
            checked += 1
            with self.subTest(defect=defect.name):
                self.assertEqual([r for r in seen[defect.name] if not defect.in_range(r)], [])
                self.assertIn(defect.first, seen[defect.name])
                if defect.last is not None:
                    self.assertIn(defect.last, seen[defect.name])
        self.assertGreaterEqual(checked, 10, "COMPATIBILITY.md's measured defects were not found")


class VersionTest(unittest.TestCase):
    def test_parse_version(self):
        for given, expected in (
            ("8.8.6", (8, 8, 6)),
            ("0.3.4.6", (0, 3, 4, 6)),
            ("0.3.4.10", (0, 3, 4, 10)),
            ("1.0rc1", (1, 0)),
            ("7.5.0.post2", (7, 5, 0)),
            ("", (0,)),
            (None, (0,)),
        ):
            with self.subTest(given=given):
                self.assertEqual(support.parse_version(given), expected)
        self.assertLess(support.parse_version("0.3.4.9"), support.parse_version("0.3.4.10"))

    def test_release_of_a_source_install_and_of_a_release(self):
        for reported, expected in (("0.0.0", support.NEWEST), ("0", support.NEWEST), ("0.3.4.6", (0, 3, 4, 6))):
            with self.subTest(reported=reported), mock.patch.object(support, "g4f_version", return_value=reported):
                self.assertEqual(support.g4f_release(), expected)


def case(regime=None):
    return types.SimpleNamespace(regime=regime)


class ConditionTest(unittest.TestCase):
    def test_regime_conditions(self):
        for regime, applied, unpatchable in ((regimes.PLAIN, False, False), (regimes.UVLOOP, False, True)):
            with self.subTest(regime=regime.name), mock.patch.object(
                support, "g4f_nest", lambda: types.ModuleType("n")
            ):
                self.assertEqual(conditions.nest_applied(case(regime)), applied)
                self.assertEqual(conditions.nest_not_applied(case(regime)), not applied)
                self.assertEqual(conditions.loop_unpatchable(case(regime)), unpatchable)
        self.assertTrue(conditions.nest_applied(case(regimes.NEST_APPLIED)))
        self.assertFalse(conditions.nest_not_applied(case(regimes.NEST_APPLIED)))
        for bare in (case(), types.SimpleNamespace()):  # the documented module's tests have no regime
            with self.subTest(case=bare), mock.patch.object(support, "g4f_nest", lambda: types.ModuleType("n")):
                self.assertFalse(conditions.nest_applied(bare))
                self.assertTrue(conditions.nest_not_applied(bare))
                self.assertFalse(conditions.loop_unpatchable(bare))
        with mock.patch.object(support, "g4f_nest", lambda: None):
            self.assertTrue(conditions.loop_unpatchable(case(regimes.PLAIN)))
            self.assertTrue(conditions.g4f_cannot_nest(case()))
        with mock.patch.object(support, "g4f_nest", lambda: types.ModuleType("n")):
            self.assertFalse(conditions.g4f_cannot_nest(case()))

    def test_python_conditions(self):
        for version, before_3_9, before_3_11 in (
            ((3, 8, 18), True, True),
            ((3, 9, 0), False, True),
            ((3, 11, 0), False, False),
        ):
            with self.subTest(version=version), mock.patch.object(
                conditions, "sys", types.SimpleNamespace(version_info=version)
            ):
                self.assertEqual(conditions.python_before_3_9(case()), before_3_9)
                self.assertEqual(conditions.python_before_3_11(case()), before_3_11)

    def test_a_defect_applies_in_range_where_its_condition_holds_and_never_under_strict(self):
        defect = Defect("d", "r", "1.0", Returns(1), last="1.9", when=conditions.nest_applied)
        for release, regime, expected in (
            ((1, 0), regimes.NEST_APPLIED, True),
            ((1, 9), regimes.NEST_APPLIED, True),
            ((1, 9), regimes.PLAIN, False),
            ((0, 9), regimes.NEST_APPLIED, False),
            ((2, 0), regimes.NEST_APPLIED, False),
        ):
            with self.subTest(release=release, regime=regime.name):
                with mock.patch.object(support, "g4f_release", return_value=release):
                    self.assertEqual(defect.applies(case(regime)), expected)
                    with mock.patch.object(verdicts, "strict", True):
                        self.assertFalse(defect.applies(case(regime)))


def error(kind="builtins.RuntimeError", message="boom"):
    return {"type": kind, "message": message, "nest_error": False, "traceback": ""}


class ShapeTest(unittest.TestCase):
    def test_raises_matches_type_whole_message_and_exact_stray(self):
        shape = Raises("builtins.RuntimeError", r"bo+m", ["was never awaited"])
        stray = ["RuntimeWarning: coroutine 'x' was never awaited"]
        self.assertTrue(shape.matches(Observation(error=error(), warnings=stray)))
        for found in (
            Observation(error=error(), warnings=[]),
            Observation(error=error(), warnings=stray + ["ResourceWarning: unclosed event loop <x>"]),
            Observation(error=error(message="boom!"), warnings=stray),
            Observation(error=error(message="a boom"), warnings=stray),
            Observation(error=error("builtins.ValueError"), warnings=stray),
            Observation(error=error(), warnings=stray, crash={"exitcode": -11, "stderr": ""}),
            Observation(value="boom", warnings=stray),
        ):
            with self.subTest(found=str(found)):
                self.assertFalse(shape.matches(found))

    def test_returns_leaves_and_one_of(self):
        self.assertTrue(Returns([1]).matches(Observation(value=[1])))
        self.assertFalse(Returns([1]).matches(Observation(value=[1, 2])))
        self.assertFalse(Returns(None).matches(Observation(crash={"exitcode": 1, "stderr": ""})))
        leaves = Leaves(["unclosed event loop"], also=["unclosed <socket"])
        found = Observation(
            value=1, warnings=["ResourceWarning: unclosed event loop", "ResourceWarning: unclosed <socket"]
        )
        self.assertTrue(leaves.matches(found, ContractViolation("m", found, "stray")))
        self.assertFalse(leaves.matches(found, ContractViolation("m", found, "result")))
        other = Observation(value=1, warnings=["ResourceWarning: unclosed event loop", "x was never awaited"])
        self.assertFalse(leaves.matches(other, ContractViolation("m", other, "stray")))
        self.assertTrue(OneOf(Returns(1), Returns(2)).matches(Observation(value=2)))
        self.assertFalse(OneOf(Returns(1), Returns(2)).matches(Observation(value=3)))


class VerdictTest(unittest.TestCase):
    def outcome(self, found, strict=False, release=None):
        test = samples.Carrier("test_it")
        test.found = found
        result = Result(io.StringIO(), False, 0)
        with mock.patch.object(verdicts, "strict", strict):
            with mock.patch.object(support, "g4f_release", return_value=release or (8, 8, 6)):
                test.run(result)
        entry = result.outcomes[test.id()]
        return entry["outcome"], entry["message"]

    def test_the_defects_exact_shape_is_an_expected_failure(self):
        outcome, message = self.outcome(Observation(value="wrong"))
        self.assertEqual(outcome, "expected failure")
        self.assertIn("known g4f defect self-test: the reason (g4f issues #7)", message)

    def test_another_failure_is_not_the_known_defect(self):
        for found in (
            Observation(value="other"),
            Observation(crash={"exitcode": -11, "stderr": "died"}),
            KeyError("x"),
        ):
            with self.subTest(found=str(found)):
                outcome, message = self.outcome(found)
                self.assertIn(outcome, ("failed", "error"))
                self.assertIn("not the known defect", message)

    def test_no_failure_is_an_unexpected_success_and_a_skip_stays_a_skip(self):
        self.assertEqual(self.outcome(Observation(value="right"))[0], "unexpected success")
        self.assertEqual(self.outcome(unittest.SkipTest("predates"))[0], "skipped")

    def test_under_strict_or_outside_the_range_the_defect_is_a_plain_failure(self):
        self.assertEqual(self.outcome(Observation(value="wrong"), strict=True)[0], "failed")
        self.assertEqual(self.outcome(Observation(value="right"), strict=True)[0], "passed")
        self.assertEqual(self.outcome(Observation(value="wrong"), release=(0, 0, 0, 9))[0], "failed")


if __name__ == "__main__":
    unittest.main()
