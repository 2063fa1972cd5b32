"""The harness's own safety nets, made to fire: a check whose child crashes, hangs, raises or finds the wrong regime
fails (never skips, never passes); a missing API skips only on a release that predates it; and every known
defect's range holds at its first and last release and not one release outside either end."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import unittest
from unittest import mock

from helpers import FAILED, ROOT, run, suite_results, unittest_results
from warm import Warm

from g4f_tests import known_defects, support
from g4f_tests.verdicts import Defect

# A throwaway check module: each body misbehaves the way a broken harness or g4f could make it.
MODULE = textwrap.dedent("""
    import os, signal, time

    from g4f_tests.checks import CheckTestCase, in_child
    from g4f_tests import support
    from g4f_tests.verdicts import Defect, Returns, known

    support.TIMEOUT = 1.0  # a hang fails within a second (the children are forked from here, after this)
    RETURNS_NONE = Defect("self-test-returns-none", "returns None", "0.0.1", Returns(None))


    def crash():
        os.kill(os.getpid(), signal.SIGSEGV)


    def exits():
        os._exit(3)


    def hangs():
        time.sleep(60)


    def raises():
        raise KeyError("the body raised")


    def predates():
        support.require_api("to_thread")
        return "ok"


    class TestMisbehaving(CheckTestCase):
        @in_child(crash)
        def test_a_crash(self, found):
            self.assertReturned(found, "ok")

        @in_child(exits)
        def test_b_exit(self, found):
            self.assertReturned(found, "ok")

        @in_child(hangs)
        def test_c_hang(self, found):
            self.assertReturned(found, "ok")

        @in_child(raises)
        def test_d_raise(self, found):
            self.assertReturned(found, "ok")

        @in_child(crash)
        def test_e_crash_where_none_is_right(self, found):
            self.assertReturned(found, None)

        @known(RETURNS_NONE)
        @in_child(crash)
        def test_f_crash_under_a_known_defect(self, found):
            self.assertReturned(found, "ok")

        @in_child(predates)
        def test_g_api(self, found):
            self.assertReturned(found, "ok")

        @in_child(crash)
        def test_h_crash_read_as_a_value(self, found):
            self.assertIsNone(self.returned(found, "a value"))  # a dead child returned nothing: no value to read
    """)
# Checks no child can run: one whose regime no process is in, one whose zygote cannot prepare its interpreter.
UNRUNNABLE = textwrap.dedent("""
    from g4f_tests import children, regimes
    from g4f_tests.checks import CheckTestCase, in_child


    class Elsewhere(regimes.Regime):
        def problem(self):
            return "this process is never in this regime"


    ELSEWHERE = regimes.REGIMES["self-test-elsewhere"] = Elsewhere(
        "self-test-elsewhere", regimes.NEST_IMPORTABLE, "a regime no process is in"
    )


    def unpreparable(state):
        raise RuntimeError("the self-test's zygote cannot prepare")


    children.register("self-test-unpreparable", unpreparable, lambda here: True)
    UNPREPARABLE = regimes.REGIMES["self-test-unpreparable"] = regimes.Regime(
        "self-test-unpreparable", "self-test-unpreparable", "a zygote that cannot prepare"
    )


    def returns():
        return "ok"


    class TestElsewhere(CheckTestCase):
        regime = ELSEWHERE

        @in_child(returns)
        def test_outside_its_regime(self, found):
            self.assertReturned(found, "ok")


    class TestUnpreparable(CheckTestCase):
        regime = UNPREPARABLE

        @in_child(returns)
        def test_zygote_cannot_prepare(self, found):
            self.assertReturned(found, "ok")
    """)
# A module whose first check leaves asyncio patched: the second must run again alone, in a fresh child.
SEQUENCE = textwrap.dedent("""
    import asyncio

    from g4f_tests.checks import CheckTestCase, in_child


    def patches():
        asyncio._nest_patched = True  # as if something applied nest_asyncio before the next check
        return "ok"


    def returns():
        return "ok"


    class TestSequence(CheckTestCase):
        @in_child(patches)
        def test_a_patches_asyncio(self, found):
            self.assertReturned(found, "ok")

        @in_child(returns)
        def test_b_after_a_patch(self, found):
            self.assertReturned(found, "ok")
    """)


class HarnessFaultTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="g4f-tests-self-")
        for name, text in (
            ("misbehaving_checks", MODULE),
            ("sequence_checks", SEQUENCE),
            ("unrunnable_checks", UNRUNNABLE),
        ):
            with open(os.path.join(cls.work, name + ".py"), "w", encoding="utf-8") as f:
                f.write(text)
        # The bodies pickle by reference: the children import these modules too (from the same path).
        cls.results = unittest_results(
            "misbehaving_checks", "sequence_checks", "unrunnable_checks", pythonpath=cls.work
        )

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def outcome(self, name, test_class="misbehaving_checks.TestMisbehaving"):
        return self.results.outcomes.get(test_class + "." + name)

    def test_a_crash_or_an_exit_fails_the_check(self):
        for name, exit_status in (("test_a_crash", "-11"), ("test_b_exit", "3")):
            with self.subTest(name):
                self.assertIn(self.outcome(name), FAILED, self.results.output())
                message = self.results.message("misbehaving_checks.TestMisbehaving." + name)
                self.assertIn("the check's process died (exit status %s)" % exit_status, message)

    def test_a_crash_fails_even_a_check_that_expects_none_or_carries_a_defect(self):
        self.assertIn(self.outcome("test_e_crash_where_none_is_right"), FAILED, self.results.output())
        message = self.results.message("misbehaving_checks.TestMisbehaving.test_e_crash_where_none_is_right")
        self.assertIn("the check's process died (exit status -11)", message)
        self.assertIn(self.outcome("test_f_crash_under_a_known_defect"), FAILED)
        message = self.results.message("misbehaving_checks.TestMisbehaving.test_f_crash_under_a_known_defect")
        self.assertIn("not the known defect", message)
        self.assertIn(self.outcome("test_h_crash_read_as_a_value"), FAILED)
        message = self.results.message("misbehaving_checks.TestMisbehaving.test_h_crash_read_as_a_value")
        self.assertIn("the check's process died (exit status -11)", message)

    def test_a_check_no_child_can_run_fails_saying_why(self):
        for test, says in (
            ("TestElsewhere.test_outside_its_regime", "could not run in its regime (a regime no process is in)"),
            ("TestUnpreparable.test_zygote_cannot_prepare", "could not prepare its interpreter"),
        ):
            with self.subTest(test):
                self.assertIn(self.results.outcomes.get("unrunnable_checks." + test), FAILED, self.results.output())
                self.assertIn(says, self.results.message("unrunnable_checks." + test))
        message = self.results.message("unrunnable_checks.TestUnpreparable.test_zygote_cannot_prepare")
        self.assertIn("RuntimeError: the self-test's zygote cannot prepare", message)

    def test_a_hang_fails_the_check_naming_where(self):
        self.assertIn(self.outcome("test_c_hang"), FAILED, self.results.output())
        message = self.results.message("misbehaving_checks.TestMisbehaving.test_c_hang")
        self.assertIn("the check hung", message)
        self.assertIn("in hangs", message)

    def test_an_exception_fails_the_check_naming_it(self):
        self.assertIn(self.outcome("test_d_raise"), FAILED)
        self.assertIn("KeyError", self.results.message("misbehaving_checks.TestMisbehaving.test_d_raise"))

    def test_a_check_after_one_that_broke_the_regime_runs_alone(self):
        """the patching check passes (it only returned); the next one found asyncio patched, ran again in a
        fresh child, and passed there"""
        self.assertEqual(self.outcome("test_a_patches_asyncio", "sequence_checks.TestSequence"), "passed")
        self.assertEqual(self.outcome("test_b_after_a_patch", "sequence_checks.TestSequence"), "passed")

    def test_an_api_skips_only_on_a_release_that_predates_it(self):
        expected = "passed" if support.has_api("to_thread") else "skipped"
        self.assertEqual(self.outcome("test_g_api"), expected)


class ForcedStartMethodTest(unittest.TestCase):
    def test_a_forced_fork_that_loses_the_regime_fails_the_check_saying_why(self):
        """G4F_TESTS_START_METHOD=fork, the nest-hidden zygote asked for once this process has imported g4f and nest
        (plain unittest, the documented module loaded first): the suite loads and runs, and that check fails on
        its regime naming the variable, never a verdict from the wrong state"""
        test = "g4f_tests.nesting.TestWithoutNestAsyncio.test_get_running_loop_check_nested"
        results = unittest_results("g4f_tests.asyncio", test, env={"G4F_TESTS_START_METHOD": "fork"})
        documented = {t: o for t, o in results.outcomes.items() if t.startswith("g4f_tests.asyncio.")}
        self.assertGreaterEqual(len(documented), 8, results.output())
        self.assertNotIn("failed", documented.values(), results.output())
        self.assertEqual(results.outcomes.get(test), "failed", results.output())
        message = results.message(test)
        self.assertIn("could not run in its regime", message)
        self.assertIn(
            "G4F_TESTS_START_METHOD=fork made the zygote a fork of a process no longer in that state", message
        )


class ProjectFaultListTest(unittest.TestCase):
    def test_every_project_fault_applies_once(self):
        """tests/project_faults.py's faults edit this tree: each one's text is there exactly once (a refactor that
        moves it would silently drop the fault from the measurement)"""
        import project_fault_list

        for fault in project_fault_list.FAULTS:
            with self.subTest(fault=fault.name):
                with open(os.path.join(ROOT, fault.path), encoding="utf-8") as f:
                    self.assertEqual(f.read().count(fault.old), 1, fault.old)


def registry():
    return [value for value in vars(known_defects).values() if isinstance(value, Defect)]


def neighbours(release):
    """(one just before, one just after) ``release``, by its last number."""
    parts = support.parse_version(release)
    before = parts[:-1] + (parts[-1] - 1,) if parts[-1] else parts[:-2] + (parts[-2] - 1, 99)
    return before, parts[:-1] + (parts[-1] + 1,)


class RangeTest(unittest.TestCase):
    def test_every_defect_holds_at_its_ends_and_not_beyond(self):
        for defect in registry():
            with self.subTest(defect=defect.name):
                self.assertTrue(defect.in_range(defect.first))
                self.assertFalse(defect.in_range(neighbours(defect.first)[0]))
                if defect.last is None:
                    self.assertTrue(defect.in_range(support.NEWEST))
                else:
                    self.assertTrue(defect.in_range(defect.last))
                    self.assertFalse(defect.in_range(neighbours(defect.last)[1]))

    def test_a_source_install_counts_as_the_newest_release(self):
        self.assertEqual(support.parse_version("0.0.0"), (0, 0, 0))
        for defect in registry():
            with self.subTest(defect=defect.name):
                self.assertEqual(defect.in_range(support.NEWEST), defect.last is None)


if __name__ == "__main__":
    unittest.main()


# What a process sees of how it was started: the warm run must match the cold one in each.
SELF_REPORT = textwrap.dedent("""
    import json, os, sys
    print(json.dumps({
        "argv": sys.argv, "path": sys.path, "cwd": os.getcwd(), "env": dict(os.environ),
        "dont_write_bytecode": sys.dont_write_bytecode, "stdin": sys.stdin.read(),
        "imported": sorted(n for n in sys.modules if n.partition(".")[0] in ("g4f", "g4f_tests", "nest_asyncio")),
    }))
    sys.stderr.write("to stderr\\n")
    raise SystemExit(int(sys.argv[1]))
""")


class WarmRunTest(unittest.TestCase):
    """tests/warm.py's runs fork from a process that imported g4f's dependencies: each must be the cold run it
    stands for (what test_faults and test_order read from them)."""

    @classmethod
    def setUpClass(cls):
        with mock.patch.dict(os.environ, {"G4F_TESTS_WARM_PROCESS_ONLY": "1"}):  # a run must not inherit it
            cls.warm = Warm(1)
        cls.addClassCleanup(cls.warm.close)

    def test_a_warm_run_starts_and_ends_as_a_cold_one(self):
        """same argv, sys.path, working directory, environment, stdin (empty), bytecode flag, nothing of g4f or
        this suite imported; same stdout, stderr and exit status"""
        with tempfile.TemporaryDirectory(prefix="g4f-tests-self-") as work:
            script = os.path.join(work, "report.py")
            with open(script, "w", encoding="utf-8") as f:
                f.write(SELF_REPORT)
            for status in (0, 3):
                how = dict(env={"G4F_TESTS_X": "é"}, pythonpath=work, cwd=work)
                cold, warm = run([script, str(status), "a b"], **how), run(
                    [script, str(status), "a b"], warm=self.warm, **how
                )
                with self.subTest(status=status):
                    self.assertEqual((warm.returncode, warm.stderr), (status, "to stderr\n"))
                    self.assertEqual((warm.returncode, warm.stderr), (cold.returncode, cold.stderr))
                    self.assertEqual(json.loads(warm.stdout), json.loads(cold.stdout))

    def test_a_warm_runs_verdicts_are_the_cold_ones(self):
        """a test id under python -m unittest and under the runner: the same outcomes and exit status"""
        test_id = "g4f_tests.errors.TestErrors.test_sync_apis_raise_the_provider_error"
        for how, cold, warm in (
            ("unittest", unittest_results(test_id), unittest_results(test_id, warm=self.warm)),
            ("runner", suite_results(test_id), suite_results(test_id, warm=self.warm)),
        ):
            with self.subTest(how=how):
                self.assertTrue(cold.outcomes, cold.output())
                self.assertEqual(warm.outcomes, cold.outcomes)
                self.assertEqual(warm.proc.returncode, cold.proc.returncode, warm.output())

    def test_a_process_left_holding_the_output_is_waited_for_as_a_cold_run_does(self):
        """a run that leaves a process holding its stdout: TimeoutExpired within the run's timeout, as
        subprocess.run (which reads the pipe to its end); interpreter start-up variables are refused"""
        with tempfile.TemporaryDirectory(prefix="g4f-tests-self-") as work:
            script = os.path.join(work, "leaves.py")
            with open(script, "w", encoding="utf-8") as f:
                f.write("import os, time\nif os.fork() == 0:\n    time.sleep(1)\n    os._exit(0)\n")
            for warm in (None, self.warm):
                with self.subTest(warm=bool(warm)), self.assertRaises(subprocess.TimeoutExpired):
                    run([script], timeout=0.3, warm=warm)
        with self.assertRaises(ValueError):
            run([script], env={"PYTHONDEVMODE": "1"}, warm=self.warm)

    def test_a_hung_warm_run_times_out_and_the_process_serves_the_next(self):
        """a run past its timeout: TimeoutExpired, as subprocess.run; then a missing script, answered as cold"""
        with tempfile.TemporaryDirectory(prefix="g4f-tests-self-") as work:
            script = os.path.join(work, "hang.py")
            with open(script, "w", encoding="utf-8") as f:
                f.write("import time\ntime.sleep(60)\n")
            with self.assertRaises(subprocess.TimeoutExpired):
                run([script], timeout=0.3, warm=self.warm)
            missing = [os.path.join(work, "none.py")]
            cold, warm = run(missing), run(missing, warm=self.warm)
            self.assertEqual((warm.returncode, warm.stderr), (cold.returncode, cold.stderr))
            self.assertEqual(warm.returncode, 2)


class ModulesTest(unittest.TestCase):
    def test_every_check_module_is_loaded_by_unittest_and_collected_by_pytest(self):
        """the package's MODULES are its check modules on disk, and setup.cfg's python_files lists exactly them"""
        import configparser

        import g4f_tests

        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        config = configparser.ConfigParser()
        config.read(os.path.join(root, "setup.cfg"))
        listed = config["tool:pytest"]["python_files"].split()
        self.assertEqual(sorted(listed), sorted(name + ".py" for name in g4f_tests.MODULES))
        package = os.path.dirname(g4f_tests.__file__)
        with_tests = sorted(
            name[: -len(".py")]
            for name in os.listdir(package)
            if name.endswith(".py")
            and re.search(r"^class Test\w*\(", open(os.path.join(package, name), encoding="utf-8").read(), re.M)
        )
        self.assertEqual(with_tests, sorted(g4f_tests.MODULES))
