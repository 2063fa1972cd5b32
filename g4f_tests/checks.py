"""The base of every check: its body runs in a fresh child of the regime its class names; the test asserts on
what the child observed.

A check reads top to bottom in its own module::

    def create_in_running_loop(provider):          # the body: runs in the child
        async def main():
            return g4f.ChatCompletion.create(g4f.models.default, MESSAGES, provider)
        return asyncio.run(main())

    class TestWithoutNestAsyncio(CheckTestCase):
        regime = regimes.NO_NEST

        @known(NO_NEST_ASYNC_PROVIDER)            # optional: the g4f defect this contract is known for
        @in_child(create_in_running_loop, AsyncProviderMock)
        def test_async_provider_in_running_loop(self, found):
            '''without nest_asyncio, sync create ... raises NestAsyncioError'''
            self.assertRaisedNestAsyncioError(found)

Every test of the suite (these and the documented module's, see ``adopt``) arms the per-test time limit and
reads its known defect when it starts, however it was loaded: one id, a module, the whole suite, pytest.
"""

import contextlib
import functools
import importlib
import unittest

from . import children, ends, observe, regimes, support, verdicts
from .verdicts import ContractViolation

# Whether a test has called g4f in this process yet: until then, a zygote may be a fork of it (children.start).
_untouched = [True]


def _limited(run):
    @functools.wraps(run)
    def limited(self, result=None):
        if getattr(getattr(self, self._testMethodName, None), "child_calls", None) is not None:
            return run(self, result)  # its body runs in a child, with the child's limit; we wait with a timeout
        _untouched[0] = False
        with ends.test_limit(self):
            return run(self, result)

    return limited


def in_child(body, *args):
    """Decorator: run ``body(*args)`` in a child of the class's regime; the test gets the observation.

    As CPython's regrtest runs each test module in a worker process, the bodies of a module's tests in one
    regime run in one fresh child, one after another (in the order of the class and test names), each from the
    regime's state; whichever of them is selected, all run, so each sees the same history."""
    return _decorate([(None, body, args)], separate=False)


def in_children(body, cases):
    """Decorator: run ``body(*args)`` for each ``label: args`` of ``cases``, each in a fresh child of its own
    (for a contract about the first call a process makes); the test gets ``{label: observation}``."""
    return _decorate([(label, body, args) for label, args in cases.items()], separate=True)


def _decorate(calls, separate):
    def decorate(test):
        @functools.wraps(test)
        def wrapper(self):
            found = {label: self.observe(body, *args) for label, body, args in calls}
            test(self, found[None] if None in found else found)
            self.raise_defect_seen()

        wrapper.child_calls, wrapper.separate = calls, separate
        return wrapper

    return decorate


def _request(regime, body, args):
    key = "%s %s.%s%r" % (regime.name, body.__module__, body.__qualname__, args)
    return key, observe.execute, (regime.name, body, args)


# Modules whose checks share one child per regime, in order: a child each would cost more than their cheap calls.
_SHARED = (
    "fidelity incremental errors provider_lists responses response_objects shorthands parameters images third_party"
)
SHARED_BATCHES = (tuple(_SHARED.split()),)  # timeouts.py, which mostly waits, keeps its own child


def batch_modules(module_name):
    """The modules whose checks run in the same child as ``module_name``'s (itself alone, or its group)."""
    package, _, short = module_name.rpartition(".")
    group = next((group for group in SHARED_BATCHES if short in group), (short,))
    return [importlib.import_module("%s.%s" % (package, name) if package else name) for name in group]


def module_batch(module_name, regime):
    """The requests of every in_child test of the module's classes in ``regime`` (and of the other modules of
    its SHARED_BATCHES group), in the order of the modules, class and test names: one batch (classes skipped in
    this environment left out). Built once per module and regime (every test of the batch asks for it)."""
    key = (module_name, regime.name)
    if key not in _batches:
        _batches[key] = _module_batch(module_name, regime)
    return _batches[key]


_batches = {}


def _module_batch(module_name, regime):
    requests, seen = [], set()
    classes = [(module, cls) for module in batch_modules(module_name) for _, cls in sorted(vars(module).items())]
    for module, cls in classes:
        if not (
            isinstance(cls, type)
            and issubclass(cls, CheckTestCase)
            and cls.regime is regime
            and cls.__module__ == module.__name__
            and not getattr(cls, "__unittest_skip__", False)
        ):
            continue
        for name in sorted(n for n in dir(cls) if n.startswith(unittest.TestLoader.testMethodPrefix)):
            method = getattr(cls, name)
            if not getattr(method, "separate", True):
                for _, body, args in method.child_calls:
                    request = _request(regime, body, args)
                    if request[0] not in seen:
                        seen.add(request[0])
                        requests.append(request)
    return requests


def batches(test):
    """The batches ``test``'s child calls belong to."""
    method = getattr(test, test._testMethodName, None)
    if getattr(method, "child_calls", None) is None:
        return []
    if method.separate:
        return [[_request(test.regime, body, args)] for _, body, args in method.child_calls]
    return [module_batch(type(test).__module__, test.regime)]


class CheckTestCase(unittest.TestCase):
    regime = regimes.PLAIN
    maxDiff = None
    run = _limited(unittest.TestCase.run)
    __unittest_expecting_failure__ = property(verdicts.expecting)

    def setUp(self):
        reason = self.regime.skip_reason()
        if reason:
            self.skipTest(reason)

    @contextlib.contextmanager
    def subTest(self, *args, **params):
        """A subtest whose failure is the known defect's exact shape is noted, not raised: the test's other
        subtests still run (unittest would stop at the first expected failure, leaving them unchecked), and the
        test fails as expected once they all ran (raise_defect_seen).

        unittest marks the whole test unsuccessful once a subtest skips (a call this g4f predates), and then
        reports neither its success nor its expected failure: a known defect seen in another call was lost
        (and --strict failed a test the default run had passed). A skip that did so is noted, and
        raise_defect_seen gives the test back its outcome when it raises the defect seen; a test that saw
        none keeps unittest's handling (no unexpected success where the defect's calls all skipped)."""
        outcome = getattr(self, "_outcome", None)
        succeeding, skipped = getattr(outcome, "success", False), []
        with super().subTest(*args, **params):
            try:
                yield
            except unittest.SkipTest:
                skipped.append(True)
                raise
            except BaseException as error:
                found = verdicts.verdict(self, error)
                if not isinstance(found, verdicts.KnownDefectSeen):
                    raise found  # noqa: B904 (the error itself, or its verdict)
                self.__dict__.setdefault("defects_seen", []).append(found)
        if skipped and succeeding and not outcome.success:
            self.__dict__["lost_to_a_skip"] = True

    def raise_defect_seen(self):
        """Once every subtest ran: raise the first known defect they saw (the test's expected failure), naming on
        lines of their own the other defects other calls showed, with the outcome a skipped subtest took from the
        test given back (see subTest)."""
        seen = self.__dict__.get("defects_seen")
        if seen:
            if self.__dict__.get("lost_to_a_skip"):
                self._outcome.success = True
            first, others = str(seen[0]), dict.fromkeys(str(found).split(":", 1)[0] for found in seen[1:])
            others.pop(first.split(":", 1)[0], None)
            if not others:
                raise seen[0]
            raise verdicts.KnownDefectSeen("\n".join([first] + ["%s (another call)" % name for name in others]))

    def observe(self, body, *args):
        """What ``body(*args)`` did in a child of this class's regime (support.Observation)."""
        key = _request(self.regime, body, args)[0]
        batch = next(batch for batch in batches(self) if any(request[0] == key for request in batch))
        try:
            value = children.answer(self.regime.state, key, batch, here=_untouched[0])
        except children.ChildFailure as failure:
            self.fail(str(failure))
        return support.Observation(**value)

    # Assertions on an observation. Each failure carries the observation, so a known defect can match it.

    def calls(self, found):
        """(label, observation) of each call a body observed (observe.each): skips or fails the whole test
        first if the body itself did not run, crashed or hung."""
        self.returned(found, "the observation of each call")
        calls = found.calls()
        if calls and all(call.skip for _, call in calls):  # no call ran: the test did not either
            self.skipTest("; ".join(sorted({call.skip for _, call in calls})))
        return calls

    def facts(self, found, expected):
        """(label, observation, want) for each call a body observed (``found``: one observation of several calls,
        or ``{label: observation}``), its value cut down to the keys of ``want = expected(label)``, the facts the
        contract is about (kept whole when it lacks one; a call with no facts wanted is left out)."""
        for label, call in found.items() if isinstance(found, dict) else self.calls(found):
            want = expected(label)
            if not want:
                continue
            if isinstance(call.value, dict) and all(key in call.value for key in want):
                call.value = {key: call.value[key] for key in want}  # else whole, to show what happened instead
            yield label, call, want

    def violation(self, message, found, aspect="result"):
        return ContractViolation("%s\nobserved: %s" % (message, found), found, aspect)

    def ran(self, found):
        """Skip or fail unless the body ran in its regime (see returned)."""
        if found.skip:
            self.skipTest(found.skip)
        if found.regime:
            why = children.unfit.get(self.regime.state)
            self.fail(
                "the check could not run in its regime (%s): %s%s"
                % (self.regime.description, found.regime, " (%s)" % why if why else "")
            )

    def returned(self, found, what="a result"):
        """The value the body returned; a failure naming what happened instead (an error, a crash, a hang).
        Skips (the whole test, or inside a subTest that call) when the body found an API this g4f predates."""
        self.ran(found)
        if found.crash is not None or found.error is not None:
            raise self.violation("expected %s" % what, found)
        return found.value

    def assertReturned(self, found, expected):
        self.ran(found)
        if found.crash is not None or found.error is not None or found.value != expected:
            raise self.violation("expected %s" % support.short(expected), found)  # the message only if it fails
        self.assertNothingStray(found)

    def assertRaisedNestAsyncioError(self, found):
        self.ran(found)
        if found.error is None or not found.error["nest_error"]:
            raise self.violation("expected g4f.errors.NestAsyncioError", found)
        self.assertNothingStray(found)

    def assertRaisedType(self, found, *types):
        """The body raised one of ``types`` (module.QualName strings, e.g. "builtins.TimeoutError")."""
        self.ran(found)
        if found.error is None or found.error["type"] not in types:
            raise self.violation("expected %s" % " or ".join(types), found)

    def assertNothingStray(self, found):
        if found.stray():
            raise self.violation("the call left coroutines, tasks or loops behind", found, "stray")


def prefetch(tests):
    """Send every check of ``tests`` to its zygote now, so the children run while the parent does other work
    (called when the suite is loaded); then start what a class's tests use from this process (``prestart``)."""
    by_state = {}
    for test in sorted(tests, key=lambda test: not getattr(test, "slow", False)):  # the longest children first
        if not isinstance(test, CheckTestCase) or getattr(type(test), "__unittest_skip__", False):
            continue
        if not test.regime.skip_reason():
            by_state.setdefault(test.regime.state, []).extend(batches(test))
    for state, found in by_state.items():
        children.submit(state, found, here=_untouched[0])
    for cls in dict.fromkeys(type(test) for test in tests if hasattr(test, "prestart")):  # after the zygotes fork
        cls.prestart()
