"""Known-defect matching, in this process: every range of the registry (each entry's and each of its ByRelease shapes')
at its first and last affected release and one release outside each end; the ranges against what the compatibility
matrix measured (COMPATIBILITY.md); every condition; the shapes; and the verdict a test carrying a defect gets."""

import asyncio
import inspect
import io
import os
import re
import sys
import types
import unittest
import warnings
from unittest import mock

import samples
from helpers import ROOT
from test_harness import neighbours, registry

from g4f_tests import conditions, regimes, support, verdicts
from g4f_tests.report import Result
from g4f_tests.support import Observation
from g4f_tests.verdicts import ByRelease, ContractViolation, Defect, ForCalls, Leaves, OneOf, Raises, Returns


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


# The ends of a range no cell can show, each with why (every other end must be seen by a cell of the matrix).
_NODRIVER = (
    "0.5.2.6, the first release with the clients' response objects, cannot be imported from its wheel's "
    "requirements (it imports nodriver): 0.5.2.7 is the first cell, and sees it"
)
UNSEEABLE_ENDS = {
    ("clients-drop-response-format", "0.2.2.0"): "up to 0.2.2.3 client-proxy-twice fails every Client call before "
    "the provider is asked: 0.2.2.4 is the first release where a cell can see it, and does",
    ("client-reasoning-as-text", "0.5.2.6"): _NODRIVER,
    ("client-stream-drops-conversation", "0.5.2.6"): _NODRIVER,
    ("client-tool-calls-stop", "0.5.2.6"): _NODRIVER,
    ("clients-conversation-object", "0.5.2.6"): _NODRIVER,
    ("async-client-keeps-think", "0.5.2.6"): _NODRIVER,
    ("to-async-iterator-awaits", "0.4.3.6"): "0.4.3.6 reaches huggingface.co when it runs (the run fails on the "
    "network guard): bisected by hand, it raises the defect and 0.4.4.1 does not; 0.4.3.5 is the last cell, and sees it",
}


class MeasuredTest(unittest.TestCase):
    def test_ranges_hold_what_the_matrix_measured(self):
        """every release COMPATIBILITY.md saw a defect on is in its range, and each end of a range was seen by a
        cell, but the ends UNSEEABLE_ENDS names with why"""
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
                for end in (defect.first, defect.last):
                    if end is not None and (defect.name, end) not in UNSEEABLE_ENDS:
                        self.assertIn(end, seen[defect.name], "no cell saw this end of the range")
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


class ObservationTest(unittest.TestCase):
    """How an observation reads in a failure message: a hang, a dead child, an error, a value, what it left."""

    maxDiff = None

    def test_a_hang_and_a_dead_child_show_their_output(self):
        hung = Observation(crash={"exitcode": None, "stderr": "Timeout (0:00:10)!\n  File x \n"})
        self.assertTrue(hung.hung())
        self.assertEqual(
            str(hung), "the check hung (no answer within %s s); where:\nTimeout (0:00:10)!\n  File x" % support.TIMEOUT
        )
        for stderr in ("", None):
            dead = Observation(crash={"exitcode": -9, "stderr": stderr})
            self.assertFalse(dead.hung())
            self.assertEqual(str(dead), "the check's process died (exit status -9); its output:\n(nothing)")
        long = Observation(crash={"exitcode": 1, "stderr": "a" * 5000 + "END"})
        self.assertEqual(str(long).split("\n", 1)[1], ("a" * 5000 + "END")[-4000:])

    def test_an_error_a_value_and_what_was_left_behind(self):
        error = {"type": "builtins.ValueError", "message": "x" * 300, "nest_error": False, "traceback": ""}
        self.assertEqual(str(Observation(error=error)), "raised builtins.ValueError(%s)" % support.short("x" * 300))
        self.assertLess(len(support.short("x" * 300)), 200)
        self.assertEqual(support.short("abc"), "'abc'")
        self.assertEqual(str(Observation(value={"a": 1})), "returned {'a': 1}")
        left = Observation(
            value=1,
            warnings=["RuntimeWarning: coroutine 'f' was never awaited", "UserWarning: something else"],
            log=["Task was destroyed but it is pending!"],
            leftover="open",
        )
        self.assertEqual(
            str(left),
            "returned 1; and left behind: RuntimeWarning: coroutine 'f' was never awaited; Task was destroyed but it "
            "is pending!; unclosed event loop left installed as the thread's loop",
        )
        self.assertFalse(support.is_stray("UserWarning: something else"))


class OfExceptionTest(unittest.TestCase):
    def test_an_exception_raised_here_and_what_its_frames_kept_alive(self):
        async def never():
            pass

        def fails():
            pending = never()  # noqa: F841 (kept alive by the traceback's frame until the observation clears it)
            raise ValueError("first line\nsecond line")

        class NestAsyncioError(RuntimeError):
            pass

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warnings.warn("earlier\nmore", UserWarning, stacklevel=1)
        try:
            fails()
        except ValueError as error:
            found = Observation.of_exception(error, caught)
        self.assertEqual(
            (found.error["type"], found.error["message"], found.error["nest_error"]),
            ("builtins.ValueError", "first line\nsecond line", False),
        )
        self.assertEqual(sorted(found.error), ["message", "nest_error", "traceback", "type"])
        self.assertTrue(found.error["traceback"].startswith("Traceback (most recent call last):\n  File "))
        self.assertTrue(found.error["traceback"].endswith("ValueError: first line\nsecond line\n"))
        self.assertEqual(found.warnings[0], "UserWarning: earlier")
        self.assertEqual(len(found.warnings), 2, found.warnings)
        self.assertRegex(found.warnings[1], r"^RuntimeWarning: coroutine '.*never' was never awaited$")
        nest = Observation.of_exception(NestAsyncioError("nested"))
        self.assertTrue(nest.error["nest_error"])
        self.assertTrue(nest.error["type"].endswith(".NestAsyncioError"), nest.error["type"])
        self.assertEqual(nest.error["type"].split(".", 1)[0], __name__)


class SupportTest(unittest.TestCase):
    """support's answers about the installed g4f, with the installed g4f replaced by stand-ins."""

    def release(self, version):
        with mock.patch.object(support, "g4f_version", return_value=version):
            return support.g4f_release()

    def test_a_source_install_counts_as_the_newest_release(self):
        for version in ("0", "0.0", "0.0.0", None, "dev"):
            with self.subTest(version=version):
                self.assertEqual(self.release(version), support.NEWEST)
        self.assertEqual((self.release("0.1"), self.release("1.0"), self.release("8.8.6")), ((0, 1), (1, 0), (8, 8, 6)))
        with mock.patch.object(support, "g4f_version", return_value=None):
            self.assertEqual(support.describe_g4f(), "g4f absent")

    def test_an_api_is_there_from_its_first_release_on(self):
        first = support.G4F_APIS["bridge"][0]
        with mock.patch.object(support, "g4f_release", return_value=support.parse_version(first)):
            self.assertTrue(support.has_api("bridge"))
        with mock.patch.object(support, "g4f_release", return_value=(0, 3, 5, 7)):
            self.assertFalse(support.has_api("bridge"))

    def test_an_api_this_release_predates_skips_and_one_it_lost_fails(self):
        first, what = support.G4F_APIS["bridge"]
        with mock.patch.object(support, "g4f_release", return_value=(0, 3, 5, 7)), mock.patch.object(
            support, "g4f_version", return_value="0.3.5.7"
        ):
            with self.assertRaises(unittest.SkipTest) as caught:
                support.require_api("bridge", lambda: 1 / 0)
        self.assertEqual(str(caught.exception), "g4f 0.3.5.7 predates %s (first in g4f %s)" % (what, first))

        def gone():
            raise AttributeError("no bridge")

        with mock.patch.object(support, "g4f_version", return_value="8.8.6"):
            self.assertIsNone(support.require_api("bridge"))
            self.assertEqual(support.require_api("bridge", lambda: "found"), "found")
            with self.assertRaises(AssertionError) as caught:
                support.require_api("bridge", gone)
            self.assertEqual(
                str(caught.exception),
                "%s is missing from g4f 8.8.6 although g4f has had it since %s: no bridge" % (what, first),
            )
            self.assertIsInstance(caught.exception.__cause__, AttributeError)
        with mock.patch.object(support, "g4f_version", return_value="0.0.0"):
            with self.assertRaises(AssertionError) as caught:
                support.require_api("bridge", gone)
            self.assertEqual(
                str(caught.exception),
                "%s is missing from this source install of g4f (0.0.0); releases have had it since %s, so this "
                "checkout predates or dropped it" % (what, first),
            )
        with mock.patch.object(support, "g4f_version", return_value="8.8.6"), self.assertRaises(ZeroDivisionError):
            support.require_api("bridge", lambda: 1 / 0)  # another error is the lookup's own

    def test_the_threads_installed_loop_without_making_one(self):
        before = support.thread_loop()  # whatever this process left: put back at the end
        self.addCleanup(asyncio.set_event_loop, before)
        asyncio.set_event_loop(None)
        self.assertIsNone(support.thread_loop())
        loop = asyncio.new_event_loop()
        self.addCleanup(loop.close)
        asyncio.set_event_loop(loop)
        self.assertIs(support.thread_loop(), loop)
        for policy in (object(), types.SimpleNamespace(_local=object())):  # a policy of another kind: no slot
            with self.subTest(policy=policy), mock.patch("asyncio.get_event_loop_policy", return_value=policy):
                self.assertIsNone(support.thread_loop())

    def test_importable(self):
        self.assertTrue(support.is_importable("json"))
        self.assertFalse(support.is_importable("g4f_tests_no_such_package"))
        self.assertFalse(support.is_importable("g4f_tests_no_such_package.module"))  # its parent cannot be imported

    def nest(self, modules, release=(8, 8, 6)):
        stand_ins = {"g4f.providers.asyncio": None, "g4f.providers.base_provider": None}
        stand_ins.update(modules)
        with mock.patch.dict(sys.modules, stand_ins), mock.patch.object(support, "g4f_release", return_value=release):
            return support.g4f_nest()

    def test_the_nest_package_g4f_imported(self):
        nest = types.ModuleType("nest_asyncio2")
        bridge = types.ModuleType("g4f.providers.asyncio")
        bridge.has_nest_asyncio, bridge.nest_asyncio = True, nest
        self.assertIs(self.nest({"g4f.providers.asyncio": bridge}), nest)
        bridge.has_nest_asyncio = False
        self.assertIsNone(self.nest({"g4f.providers.asyncio": bridge}))
        bridge.has_nest_asyncio = True
        del bridge.nest_asyncio  # a release that flags it but keeps no reference
        self.assertIsNone(self.nest({"g4f.providers.asyncio": bridge}))
        base = types.ModuleType("g4f.providers.base_provider")  # 0.3.4.x: the flag lives there
        base.has_nest_asyncio, base.nest_asyncio = True, nest
        self.assertIs(
            self.nest(
                {
                    "g4f.providers.asyncio": types.ModuleType("g4f.providers.asyncio"),
                    "g4f.providers.base_provider": base,
                }
            ),
            nest,
        )
        self.assertIs(self.nest({"g4f.providers.base_provider": base}), nest)
        old = types.ModuleType("nest_asyncio")  # 0.2.8.1 to 0.3.3: whether g4f's import of nest_asyncio works
        with mock.patch.dict(sys.modules, {"nest_asyncio": old}):
            self.assertIs(self.nest({}, release=(0, 2, 8, 1)), old)
            self.assertIsNone(self.nest({}, release=(0, 2, 8, 0)))  # before 0.2.8.1 g4f never nests
        with mock.patch.dict(sys.modules, {"nest_asyncio": None}):
            self.assertIsNone(self.nest({}, release=(0, 3, 0, 0)))


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


_HOLDS = Defect("holds", "r", "0.0.1", Returns("x"), when=lambda case: case is not None)
_NEVER = Defect("never", "r", "0.0.1", Returns("x"), when=lambda case: False)
_LATER = Defect("later", "r", "9.0", Returns("x"))
_ALWAYS = Defect("always", "r", "0.0.1", Returns("x"))


class CarryingCase(unittest.TestCase):
    @verdicts.known(_HOLDS, _NEVER, _LATER, _ALWAYS)
    def test_it(self):
        pass


class CarriedTest(unittest.TestCase):
    """verdicts.carried, what --strict reports: the defects in range whose condition holds, --strict or not."""

    Case = CarryingCase

    def test_in_range_where_the_condition_holds(self):
        for strict in (False, True):
            with self.subTest(strict=strict), mock.patch.object(verdicts, "strict", strict):
                with mock.patch.object(support, "g4f_release", return_value=(8, 8, 6)):
                    self.assertEqual([d.name for d in verdicts.carried(self.Case("test_it"))], ["holds", "always"])

    def test_a_case_without_its_method_carries_nothing(self):
        case = self.Case("test_it")
        case._testMethodName = "test_gone"
        self.assertEqual(verdicts.carried(case), [])


class CallsTest(unittest.TestCase):
    """A defect that names the APIs it is in (calls=) is the expected failure on their calls alone."""

    def outcome(self, found):
        test = samples.CallsCarrier("test_it")
        test.found = found
        result = Result(io.StringIO(), False, 0)
        with mock.patch.object(support, "g4f_release", return_value=(8, 8, 6)):
            test.run(result)
        entry = result.outcomes[test.id()]
        return entry["outcome"], entry["message"] + "".join(s["message"] for s in entry.get("subtests", []))

    def test_the_shape_on_a_named_api_is_the_expected_failure(self):
        found = {
            "Client, stream": Observation(value="wrong"),
            "ChatCompletion.create, stream": Observation(value="right"),
        }
        self.assertEqual(self.outcome(found)[0], "expected failure")

    def test_the_same_shape_on_another_api_is_not_the_known_defect(self):
        """and the message says the test's defect does not concern that call, rather than expecting its shape"""
        name = samples.ON_THE_CLIENT.name
        for other in ("ChatCompletion.create, stream", "AsyncClient, stream", "AsyncClient raw", "Client().images"):
            with self.subTest(other=other):
                found = {"Client, stream": Observation(value="wrong"), other: Observation(value="wrong")}
                outcome, message = self.outcome(found)
                self.assertEqual(outcome, "failed")
                self.assertIn("not the known defect (none of this test's, %s, concerns this call)" % name, message)

    def test_the_api_is_the_first_word_of_the_label(self):
        for label in ("Client", "Client raw", "Client create(stream=True), async generator"):
            with self.subTest(label=label):
                self.assertEqual(self.outcome({label: Observation(value="wrong")})[0], "expected failure")

    def test_more_of_a_label_names_those_calls_alone(self):
        defect = Defect("self-test-case", "reason", "0.0.1", Returns("wrong"), calls=("Client, G4F_PROXY set, none",))
        for label, concerned in (
            ("Client, G4F_PROXY set, none", True),
            ("Client, G4F_PROXY set, none, stream", True),
            ("Client, G4F_PROXY set, named, stream", False),
            ("Client, G4F_PROXY set, nonesuch", False),
            ("Client", False),
        ):
            with self.subTest(label=label):
                case = types.SimpleNamespace(_subtest=types.SimpleNamespace(params={"call": label}))
                self.assertIs(defect.concerns(case), concerned)

    def test_a_shape_for_some_calls_excuses_its_value_on_those_calls_alone(self):
        """ForCalls: the defect's shape on the Client's streams is not its shape on the Client's other calls"""
        for label, outcome in (
            ("Client, stream", "expected failure"),
            ("Client, stream, sync provider", "expected failure"),
            ("Client, not streamed", "failed"),
            ("Client", "failed"),
            ("Client, streamed", "failed"),
        ):
            with self.subTest(label=label):
                test = samples.ByCallCarrier("test_it")
                test.found = {label: Observation(value="wrong when streamed")}
                result = Result(io.StringIO(), False, 0)
                with mock.patch.object(support, "g4f_release", return_value=(8, 8, 6)):
                    test.run(result)
                self.assertEqual(result.outcomes[test.id()]["outcome"], outcome)
        shape = ForCalls(("Client, stream",), Returns("x"))
        self.assertFalse(shape.matches(Observation(value="x")))  # a call without a label is none of the named ones
        self.assertTrue(shape.matches(Observation(value="x"), None, "Client, stream"))
        self.assertFalse(shape.matches(Observation(value="y"), None, "Client, stream"))
        self.assertEqual(str(shape), "returns 'x' (Client, stream)")
        self.assertEqual(str(ForCalls(("Client", "AsyncClient"), Returns(1))), "returns 1 (Client, AsyncClient)")

    def test_the_call_label_reaches_every_shape_within(self):
        """ByRelease, OneOf and ForCalls hand the call's label and the violation on to the shapes they hold"""
        inner = ForCalls(("Client",), Returns("x"))
        found = Observation(value="x")
        for shape in (ByRelease(("0.0.1", None, inner)), OneOf(inner), ForCalls(("Client",), inner)):
            with self.subTest(shape=type(shape).__name__), mock.patch.object(
                support, "g4f_release", return_value=(8, 8, 6)
            ):
                self.assertTrue(shape.matches(found, None, "Client, stream"))
                self.assertFalse(shape.matches(found, None, "AsyncClient, stream"))
        stray = Observation(value=1, warnings=["ResourceWarning: unclosed event loop"])
        leaves = ForCalls(("Client",), Leaves(["unclosed event loop"]))
        self.assertTrue(leaves.matches(stray, ContractViolation("m", stray, "stray"), "Client"))
        self.assertFalse(leaves.matches(stray, ContractViolation("m", stray, "result"), "Client"))
        self.assertIsNone(verdicts.call_label(types.SimpleNamespace()))  # a case that never entered a subtest

    def test_a_test_without_a_call_label_is_about_its_own_api(self):
        test = samples.CallsCarrier("test_it")
        self.assertTrue(samples.ON_THE_CLIENT.concerns(test))
        self.assertTrue(samples.RETURNS_WRONG.concerns(test))


class MessageTest(unittest.TestCase):
    """What a verdict says: the defect and what was observed, or what was expected instead; the shapes' words."""

    maxDiff = None
    outcome = VerdictTest.outcome

    def test_the_verdicts_name_the_defect_and_what_was_observed(self):
        outcome, message = self.outcome(Observation(value="wrong"))
        self.assertIn("known g4f defect self-test: the reason (g4f issues #7); observed: returned 'wrong'", message)
        outcome, message = self.outcome(Observation(value="other"))
        self.assertIn(
            "not the known defect (expected self-test: it returns 'wrong'): expected 'right'\nobserved: returned 'other'",
            message,
        )
        outcome, message = self.outcome(KeyError("x"))
        self.assertIn(
            "not the known defect (expected self-test: it returns 'wrong'): 'x'\nobserved: raised builtins.KeyError(\"'x'\")",
            message,
        )
        with self.assertRaises(verdicts.NotTheKnownDefect) as caught:
            verdicts._not_the_defect([samples.RETURNS_WRONG], Observation(value=1), "it failed; observed: 1")
        self.assertEqual(
            str(caught.exception),
            "not the known defect (expected self-test: it returns 'wrong'): it failed; observed: 1",
        )
        other = Defect("other", "r", "0.0.1", Returns(2))
        with self.assertRaises(verdicts.NotTheKnownDefect) as caught:
            verdicts._not_the_defect([samples.RETURNS_WRONG, other], Observation(value=1), "it failed")
        self.assertTrue(
            str(caught.exception).startswith(
                "not the known defect (expected self-test: it returns 'wrong'; other: it returns 2): it failed"
            )
        )
        with self.assertRaises(verdicts.NotTheKnownDefect) as caught:
            verdicts._not_the_defect([samples.RETURNS_WRONG, other], Observation(value=1), "it failed", concerned=False)
        self.assertEqual(
            str(caught.exception),
            "not the known defect (none of this test's, self-test, other, concerns this call): it failed\nobserved: %s"
            % Observation(value=1),
        )

    def carrying(self, defect):
        case = samples.Carrier("test_it")
        patch = mock.patch.object(case.test_it.__func__, "known_defects", (defect,), create=True)
        patch.start()
        self.addCleanup(patch.stop)
        return case

    def test_every_shape_in_words(self):
        raises = Raises("builtins.RuntimeError", "this event loop is already running\\.", stray=("was never awaited",))
        self.assertEqual(
            str(raises),
            "raises builtins.RuntimeError matching 'this event loop is already running\\\\.' and leaves "
            "'was never awaited'",
        )
        self.assertEqual(
            str(Leaves(["unclosed event loop"])), "returns the right result and leaves 'unclosed event loop'"
        )
        self.assertEqual(
            str(Leaves(["unclosed event loop"], also=["unclosed <socket", "unclosed transport"])),
            "returns the right result and leaves 'unclosed event loop' (perhaps also 'unclosed <socket', "
            "'unclosed transport')",
        )
        self.assertEqual(str(OneOf(Returns(1), Returns(2))), "returns 1 or returns 2")
        by_release = ByRelease(("0.1", "0.2", Returns(1)), ("0.3", None, Returns(2)))
        with mock.patch.object(support, "g4f_release", return_value=(0, 2)):
            self.assertEqual(str(by_release), "returns 1")
        with mock.patch.object(support, "g4f_release", return_value=(0, 0, 9)):  # outside every range: all of them
            self.assertEqual(str(by_release), "returns 1 (g4f 0.1 to 0.2); returns 2 (g4f 0.3 and later)")

    def test_a_leak_is_the_known_defect_only_when_the_check_complained_of_it(self):
        leak = Defect("leak", "it leaks", "0.0.1", Leaves(["was never awaited"]))
        case = self.carrying(leak)
        found = Observation(value=1, warnings=["RuntimeWarning: coroutine 'f' was never awaited"])
        seen = verdicts.verdict(case, ContractViolation("left", found, aspect="stray"))
        self.assertIsInstance(seen, verdicts.KnownDefectSeen)
        self.assertEqual(
            str(seen),
            "known g4f defect leak: it leaks; observed: returned 1; and left behind: RuntimeWarning: coroutine 'f' "
            "was never awaited",
        )

    def test_an_exception_raised_here_is_observed_with_the_warnings_of_the_test(self):
        case = self.carrying(samples.RETURNS_WRONG)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warnings.warn("coroutine 'f' was never awaited", RuntimeWarning, stacklevel=1)
        error = KeyError("x")
        self.assertIs(verdicts.verdict(case, error, caught), error)
        function, arguments, _ = case._cleanups[-1]
        self.assertIs(function, verdicts._not_the_defect)
        self.assertEqual(arguments[1].warnings, ["RuntimeWarning: coroutine 'f' was never awaited"])
        self.assertEqual(arguments[2], "'x'")
        case._cleanups.clear()

    def test_a_case_without_its_method_carries_no_defect(self):
        self.assertEqual(verdicts.applicable(unittest.TestCase()), [])

    def test_the_shapes_and_defects_in_words(self):
        self.assertEqual(str(Returns(1)), "returns 1")
        self.assertEqual(str(Returns("x", stray=("a", "b"))), "returns 'x' and leaves 'a', 'b'")
        defect = Defect("d", "the reason", "1.0", Returns(1))
        self.assertEqual(
            (defect.releases(), defect.where, defect.workaround, str(defect)), ("1.0 and later", "", "", "the reason")
        )
        defect = Defect("d", "the reason", "1.0", Returns(1), last="2.0", issues=(1, 2))
        self.assertEqual((defect.releases(), str(defect)), ("1.0 to 2.0", "the reason (g4f issues #1, #2)"))
        violation = ContractViolation("expected 1", Observation(value=2))
        self.assertEqual((str(violation), violation.aspect), ("expected 1", "result"))

    def test_a_leak_matches_only_as_the_complaint_about_what_was_left(self):
        found = Observation(value=1, warnings=["RuntimeWarning: coroutine 'f' was never awaited"])
        stray = ContractViolation("left", found, aspect="stray")
        shape = Leaves(["was never awaited"])
        self.assertTrue(shape.matches(found, stray))
        self.assertTrue(OneOf(Returns(5), shape).matches(found, stray))
        self.assertTrue(ByRelease(("0.0.1", None, shape)).matches(found, stray))
        self.assertFalse(shape.matches(found, ContractViolation("wrong", found)))
        self.assertFalse(shape.matches(found))
        self.assertFalse(Leaves(["unclosed event loop"]).matches(found, stray))

    def test_known_marks_sync_and_async_tests_alike(self):
        def sync(case):
            pass

        async def coroutine(case):
            pass

        for test in (sync, coroutine):
            marked = verdicts.known(samples.RETURNS_WRONG)(test)
            self.assertEqual(marked.known_defects, (samples.RETURNS_WRONG,))
            self.assertEqual(inspect.iscoroutinefunction(marked), test is coroutine)

    def test_a_condition_sees_the_test_it_applies_to(self):
        seen = []
        defect = Defect("d", "r", "0.0.1", Returns(1), when=lambda case: seen.append(case) or True)
        case = samples.Carrier("test_it")
        with mock.patch.object(case.test_it.__func__, "known_defects", (defect,), create=True):
            self.assertEqual(verdicts.applicable(case), [defect])
        self.assertEqual(seen, [case])


if __name__ == "__main__":
    unittest.main()
