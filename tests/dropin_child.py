"""The child of tests/dropin.py: runs ``python -m etc.unittest`` in the current folder and writes its outcomes.

    python tests/dropin_child.py RESULT.json     (cwd: a gpt4free tree)

g4f's ``etc/unittest/__main__.py`` imports its test modules and calls ``unittest.main()``. Here that call gets a
runner whose result class records one outcome per test id as the tests run (no verbose text is parsed), and
``exit=False``; the outcomes are then written as JSON:

    {"tests_run": N, "loaded": N, "tests": {id: outcome}, "runs": {id: times run, when more than once},
     "no_outcome": [ids run without an outcome], "fixtures": {"setUpClass (mod.Class)": outcome},
     "details": {id: first line of its exception},
     "not_run": {class id: [test ids]: test classes of etc/unittest's modules whose tests did not run},
     "not_imported": [modules of etc/unittest that the run never imported],
     "shadowed": {the same keys as above, for the not_run classes, run after the suite}}

An outcome is one of unittest's words: ok, FAIL, ERROR, skipped, expected failure, unexpected success. A failing
subtest makes its test FAIL (or ERROR); a test whose only report is a skipped subtest is skipped. Errors outside
any test (setUpClass, setUpModule...) are "fixtures", not tests. Every socket that would reach a non-loopback
address raises OSError first: an audit hook installed before anything of the suite is imported.
"""

import ipaddress
import json
import os
import runpy
import sys
import traceback

# A test's outcome is the most severe of what was reported for it and for its subtests.
SEVERITY = ("skipped", "ok", "expected failure", "unexpected success", "FAIL", "ERROR")
FAILING = ("FAIL", "ERROR", "unexpected success")
BLOCKED = "network blocked by tests/dropin.py"


def summary(data):
    """ "162 ok, 1 ERROR, 28 skipped": how many tests of a run had each outcome."""
    tally = [outcome for outcome in data["tests"].values()]
    order = ("ok", "FAIL", "ERROR", "skipped", "expected failure", "unexpected success")
    return ", ".join("%d %s" % (tally.count(o), o) for o in order if o in tally)


def _host(event, args):
    if event in ("socket.connect", "socket.sendto") and isinstance(args[1], tuple):
        return args[1][0]
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"):
        return args[0]
    return None


def network_guard(event, args):
    if not event.startswith("socket."):
        return
    host = _host(event, args)
    if host is None:
        return
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).split("%", 1)[0]
    if host in ("", "localhost") or host.endswith(".localhost"):
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise OSError("%s: %r" % (BLOCKED, host))


def _collecting_runner(unittest):
    class CollectingResult(unittest.TextTestResult):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.tests, self.runs, self.no_outcome, self.fixtures, self.details = {}, {}, [], {}, {}
            self._events = None

        def startTest(self, test):
            super().startTest(test)
            self._events = []

        def stopTest(self, test):
            super().stopTest(test)
            test_id, events, self._events = test.id(), self._events or [], None
            self.runs[test_id] = self.runs.get(test_id, 0) + 1
            if not events:
                self.no_outcome.append(test_id)
                return
            outcome = max(events, key=SEVERITY.index)
            earlier = self.tests.get(test_id)
            self.tests[test_id] = outcome if earlier is None else max(earlier, outcome, key=SEVERITY.index)

        def _record(self, test, outcome, err=None):
            if not isinstance(test, unittest.TestCase):  # an error in setUpClass, setUpModule...
                self.fixtures[test.id()] = outcome
                key = test.id()
            else:
                key = getattr(test, "test_case", test).id()  # a subtest counts for its test
                if self._events is None:  # reported outside startTest/stopTest: counted by no test
                    self.fixtures[test.id()] = outcome
                else:
                    self._events.append(outcome)
            if err is not None:  # the exception's first line: "AssertionError: 'Hello' != 'HELLO'"
                lines = "".join(traceback.format_exception_only(err[0], err[1])).strip().splitlines()
                self.details.setdefault(key, lines[0][:300] if lines else err[0].__name__)

        def addSuccess(self, test):
            super().addSuccess(test)
            self._record(test, "ok")

        def addFailure(self, test, err):
            super().addFailure(test, err)
            self._record(test, "FAIL", err)

        def addError(self, test, err):
            super().addError(test, err)
            self._record(test, "ERROR", err)

        def addSkip(self, test, reason):
            super().addSkip(test, reason)
            self._record(test, "skipped")

        def addExpectedFailure(self, test, err):
            super().addExpectedFailure(test, err)
            self._record(test, "expected failure")

        def addUnexpectedSuccess(self, test):
            super().addUnexpectedSuccess(test)
            self._record(test, "unexpected success")

        def addSubTest(self, test, subtest, err):
            super().addSubTest(test, subtest, err)
            if err is not None:
                self._record(subtest, "FAIL" if issubclass(err[0], test.failureException) else "ERROR", err)

    class CollectingRunner(unittest.TextTestRunner):
        resultclass = CollectingResult

    return CollectingRunner


def not_run(unittest, ran):
    """{class id: (class, its test ids)} for the test classes of etc/unittest's modules whose tests did not run:
    those __main__.py does not import, or whose name a class of a later module took in its namespace."""
    found = {}
    for name, module in sorted(sys.modules.items()):
        if not name.startswith("etc.unittest.") or module is None:
            continue
        for cls in list(vars(module).values()):
            if isinstance(cls, type) and issubclass(cls, unittest.TestCase) and cls.__module__ == name:
                class_id = "%s.%s" % (name, cls.__qualname__)
                missing = [class_id + "." + m for m in unittest.TestLoader().getTestCaseNames(cls)]
                missing = [test_id for test_id in missing if test_id not in ran]
                if missing:
                    found[class_id] = (cls, missing)
    return found


def outcomes(result, suite):
    return {
        "tests_run": result.testsRun,
        "loaded": suite.countTestCases(),
        "tests": result.tests,
        "runs": {test_id: n for test_id, n in result.runs.items() if n > 1},
        "no_outcome": result.no_outcome,
        "fixtures": result.fixtures,
        "details": result.details,
    }


def main(result_path):
    # sys.path[0] is this script's folder; `python -m etc.unittest` would have the current folder there.
    sys.path[0] = os.getcwd()
    sys.addaudithook(network_guard)
    import unittest

    programs = []
    runner = _collecting_runner(unittest)

    class Program(unittest.TestProgram):
        def __init__(self, *args, **kwargs):
            kwargs.update(testRunner=runner, exit=False)
            programs.append(self)
            super().__init__(*args, **kwargs)

    unittest.main = Program
    sys.argv = ["etc.unittest", "-v"]
    error = None
    try:
        runpy.run_module("etc.unittest", run_name="__main__", alter_sys=True)
    except SystemExit as exit:
        error = "the suite exited with %r before its tests ran" % (exit.code,)
    if len(programs) != 1 or getattr(programs[0], "result", None) is None:
        error = error or "etc/unittest/__main__.py called unittest.main() %d times, not once" % len(programs)
        data = {"error": error}
    else:
        result = programs[0].result
        data = outcomes(result, programs[0].test)
        unrun = not_run(unittest, set(result.runs))
        data["not_run"] = {class_id: ids for class_id, (_, ids) in unrun.items()}
        data["not_imported"] = sorted(
            name[:-3]
            for name in os.listdir(os.path.join("etc", "unittest"))
            if name.endswith(".py") and "etc.unittest." + name[:-3] not in sys.modules and name != "__main__.py"
        )
        # The classes a same-named class shadowed in __main__ (imported, so they are g4f's tests too): run
        # them after the suite, in the same process, so that they are compared as well.
        shadowed = unittest.TestSuite(unittest.TestLoader().loadTestsFromTestCase(cls) for cls, _ in unrun.values())
        data["shadowed"] = outcomes(runner(verbosity=2).run(shadowed), shadowed)
    with open(result_path + ".part", "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(result_path + ".part", result_path)


if __name__ == "__main__":
    main(sys.argv[1])
