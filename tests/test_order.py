"""The same verdict however a test is loaded: the runner (in order, shuffled), plain ``python -m unittest`` (the
whole suite, discover, each module, ids alone, every id in reverse order) and pytest. Outcomes are read from
structured results (the runner's --json, tests/unittest_json.py, pytest's JUnit XML). Under python -X dev, the
runner and plain unittest print nothing stray."""

import collections
import concurrent.futures
import importlib
import os
import re
import tempfile
import unittest

from helpers import (
    ROOT,
    RUN_TIMEOUT,
    classes_together,
    junit_outcomes,
    plain,
    reference_run,
    run,
    shuffled_order,
    suite_results,
    unittest_results,
    verdict_differences,
)
from warm import Warm

from g4f_tests.checks import CheckTestCase
from g4f_tests.support import STRAY

SEEDS = (1, 3)
WORKERS = 2
# python -X dev runs two of the loading ways (the runner, shuffled with DEV_MODE_SEED, and plain unittest): they
# must print none of these.
DEV_MODE = ("-X", "dev")
DEV_MODE_SEED = 3
DEV_MODE_STRAY = STRAY + ("ResourceWarning", "DeprecationWarning", "Traceback")


def in_test_process(class_id):
    """Does the class work in the test process: not a check of the children (the documented tests), or one that
    starts something there for its tests (a kernel, a server: prestart)?"""
    module, _, name = class_id.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    return not issubclass(cls, CheckTestCase) or hasattr(cls, "prestart")


def loading_unit(test_id):
    """What one id run alone stands for: its class if the class works in the test process, else its module and
    regime (checks.module_batch runs them together, whichever of their ids are loaded)."""
    class_id = test_id.rsplit(".", 1)[0]
    if in_test_process(class_id):
        return class_id
    module, _, name = class_id.rpartition(".")
    return module, getattr(importlib.import_module(module), name).regime.name


def reentering(order):
    """``order`` with the first test of each class of two tests or more moved to the end (in the same order)."""
    sizes = collections.Counter(t.rsplit(".", 1)[0] for t in order)
    firsts = {}
    for test_id in order:
        if sizes[test_id.rsplit(".", 1)[0]] > 1:
            firsts.setdefault(test_id.rsplit(".", 1)[0], test_id)
    moved = set(firsts.values())
    return [t for t in order if t not in moved] + list(firsts.values())


def pool_map(function, items):
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(function, items))


class LoadingWaysTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        # The many short runs (each module, ids alone) fork from warm processes (tests/warm.py): the same
        # ``python -m unittest ARGS``, without importing g4f's dependencies again in each.
        cls.warm = Warm(WORKERS)
        cls.addClassCleanup(cls.warm.close)
        cls.reference = reference_run()
        cls.ids = list(cls.reference.data.get("order", []))
        cls.expected = cls.reference.outcomes

    def warm_for(self, name):
        """Where ``python -m unittest NAME`` runs: forked from a warm process, unless NAME (a module, a test id)
        has a class that works in the test process (the documented tests, kernels, servers), where the process's
        own state matters: those run in a cold interpreter."""
        module = name if name.count(".") == 1 else name.rsplit(".", 2)[0]
        classes = {t.rsplit(".", 1)[0] for t in self.ids if t.startswith(name + ".") or t == name}
        classes = classes or {t.rsplit(".", 1)[0] for t in self.ids if t.startswith(module + ".")}
        return None if any(in_test_process(cls) for cls in classes) else self.warm

    def how(self, name):
        return "python -m unittest %s%s" % (name, " (forked from a warm process)" if self.warm_for(name) else "")

    def assertSameVerdicts(self, found, how, ids=None):
        """``found``: a run's Results, or its outcomes; the same verdict as the reference for each of ``ids``."""
        results = found if hasattr(found, "outcomes") else None
        found = results.outcomes if results is not None else found
        expected = {t: self.expected[t] for t in (ids or self.ids)}
        if found != expected:
            self.fail("verdicts differ when loaded by %s:\n%s" % (how, verdict_differences(found, expected, results)))

    def test_reference_run_is_green_and_complete(self):
        self.assertEqual(self.reference.proc.returncode, 0, self.reference.output())
        listed = run([os.path.join(ROOT, "run_tests.py"), "--list"]).stdout.split()
        self.assertEqual(sorted(self.ids), sorted(listed))
        self.assertEqual(len(self.expected), len(listed))

    def assertNothingStray(self, proc, how):
        """python -X dev: exit 0, and no ResourceWarning, never-awaited, destroyed-task, unclosed or deprecation line"""
        output = proc.stdout + proc.stderr
        self.assertEqual(proc.returncode, 0, "%s exited %s:\n%s" % (how, proc.returncode, output[-3000:]))
        self.assertEqual([p for p in DEV_MODE_STRAY if p in output], [], "%s printed:\n%s" % (how, output[-3000:]))

    def test_plain_unittest_whole_and_discover(self):
        """python -m unittest (which is discover: unittest runs the same discovery for both; under python -X dev,
        nothing stray printed), and the package by name"""
        for args, flags in (([], DEV_MODE), (["g4f_tests"], ())):
            how = " ".join(["python"] + list(flags) + ["-m", "unittest"] + args)
            with self.subTest(argv=how):
                found = unittest_results(*args, python_flags=flags)
                self.assertSameVerdicts(found, how)
                if flags:
                    self.assertNothingStray(found.proc, how)

    def test_each_module_alone(self):
        """every module by itself (a class's own loading path is its first test's, run alone below)"""
        modules = sorted({t.rsplit(".", 2)[0] for t in self.ids})
        warm = {name: self.warm_for(name) for name in modules}  # here: it imports the modules, not thread-safe
        found = dict(zip(modules, pool_map(lambda name: unittest_results(name, warm=warm[name]), modules)))
        for name in modules:
            with self.subTest(name=name):
                ids = [t for t in self.ids if t.startswith(name + ".")]
                self.assertSameVerdicts(found[name], self.how(name), ids)

    def test_ids_alone(self):
        """alone: for each module and regime, the first id whose verdict is not a plain pass (a known defect, a
        skip: what loading could change); the first id of every class that works in the test process (the
        documented tests, a Jupyter kernel, a server started for the class: what one class loaded alone changes
        there); and the first id of every module with none of those. A check's observation comes from its module's
        batch of its regime in a child (checks.module_batch: the whole batch, however few of its ids are loaded) or
        from a child of its own, and its verdict from that and the parent's registry, none of which loading
        changes: one id stands for its module and regime. Each module alone above runs every id"""
        chosen = []
        for test_id in self.ids:
            if self.expected[test_id] != "passed" and not any(loading_unit(t) == loading_unit(test_id) for t in chosen):
                chosen.append(test_id)
        for test_id in self.ids:
            cls = test_id.rsplit(".", 1)[0]
            module = cls.rsplit(".", 1)[0]
            if not any(t.startswith(module + ".") for t in chosen) or (
                in_test_process(cls) and not any(t.startswith(cls + ".") for t in chosen)
            ):
                chosen.append(test_id)
        warm = {test_id: self.warm_for(test_id) for test_id in chosen}
        found = dict(zip(chosen, pool_map(lambda test_id: unittest_results(test_id, warm=warm[test_id]), chosen)))
        for test_id in chosen:
            with self.subTest(test=test_id):
                self.assertSameVerdicts(found[test_id], self.how(test_id), [test_id])

    def test_every_id_in_reverse_order_each_class_entered_twice(self):
        """every id in reverse order, the first of each class (of two tests or more) moved to the end: classes run
        interleaved, each set up and torn down twice (its kernels started again), as no shuffle does"""
        order = reentering(list(reversed(self.ids)))
        self.assertFalse(classes_together(order))
        found = unittest_results(*order)
        self.assertSameVerdicts(found, "python -m unittest with every id reversed, each class entered twice")
        self.assertEqual(list(found.data["tests"]), order, "they did not run in the order given")

    def test_shuffled_runs(self):
        """two seeds (one under python -X dev: nothing stray printed): the same verdicts; the order that ran is the one
        the printed seed gives; seeds differ"""
        flags = {seed: DEV_MODE if seed == DEV_MODE_SEED else () for seed in SEEDS}
        runs = dict(
            zip(SEEDS, pool_map(lambda seed: suite_results("--shuffle", str(seed), python_flags=flags[seed]), SEEDS))
        )
        for seed, results in runs.items():
            how = " ".join(["python"] + list(flags[seed]) + ["run_tests.py", "--shuffle", str(seed)])
            with self.subTest(argv=how):
                self.assertSameVerdicts(results, how)
                self.assertEqual(results.data["seed"], seed)
                self.assertIn("shuffled with seed %d" % seed, results.proc.stdout)
                order = shuffled_order(self.ids, seed)
                self.assertEqual(results.data["order"], order, "--shuffle %d did not run the order it names" % seed)
                self.assertEqual(list(results.data["tests"]), order)
                if flags[seed]:
                    self.assertNothingStray(results.proc, how)
        self.assertEqual(len({tuple(r.data["order"]) for r in runs.values()}), len(SEEDS))

    def test_pytest(self):
        try:
            import pytest  # noqa: F401
        except ImportError:
            self.skipTest("pytest is not installed (pip install pytest)")
        with tempfile.TemporaryDirectory(prefix="g4f-tests-self-") as work:
            path = os.path.join(work, "pytest.xml")
            proc = run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml", path], timeout=RUN_TIMEOUT)
            self.assertEqual(proc.returncode, 0, proc.stdout[-3000:])
            found = junit_outcomes(path)
        self.assertEqual(found, plain(self.expected), "verdicts differ under pytest")
        # README (Ways to run it): pytest's closing line counts the same tests, and "N subtests passed" beside
        # them is the calls a test makes (its subTest blocks, as --json lists them), not extra tests; it includes
        # the calls that passed inside a test that is an expected failure.
        closing = proc.stdout.strip().splitlines()[-1]
        counted = {what: int(n) for n, what in re.findall(r"(\d+) ([a-z ]+?)(?=,| in )", closing)}
        outcomes = list(self.expected.values())
        calls = [s for test in self.reference.data["tests"].values() for s in test["subtests"]]
        expected = {
            "passed": outcomes.count("passed"),
            "skipped": outcomes.count("skipped"),
            "xfailed": outcomes.count("expected failure"),
            "subtests passed": sum(1 for s in calls if s["outcome"] == "passed"),
        }
        self.assertEqual(counted, {k: v for k, v in expected.items() if v}, closing)


if __name__ == "__main__":
    unittest.main()
