"""The command line shared by ``run_tests.py`` and ``python -m g4f_tests``.

Exit status: 0 when every check passed (known g4f defects may be expected failures), 1 when a check failed or
errored, a known defect unexpectedly passed or something tried the network, 2 for usage errors and a missing g4f.
"""
import argparse
import json
import os
import random
import sys
import time
import unittest

from . import children, known_defects, support
from .checks import prefetch

PACKAGE = __name__.rsplit(".", 1)[0]
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
FAILED = ("failed", "error", "unexpected success")


class UsageError(Exception):
    """A one-line error about how the runner was called; exit 2, no traceback."""


class LoadError(Exception):
    """The suite could not be imported; the traceback is the message, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        raise UsageError(message)


def build_parser(prog):
    parser = _Parser(prog=prog, description="Run the g4f-tests conformance suite against the installed g4f.")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-v", "--verbose", action="store_const", const=2, dest="verbosity", default=1,
                           help="one line per test")
    verbosity.add_argument("-q", "--quiet", action="store_const", const=0, dest="verbosity", help="only the summary")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="only these tests, modules or classes (g4f_tests.nesting, "
                             "g4f_tests.asyncio.TestChatCompletion.test_create, ...), run in the order given")
    parser.add_argument("-f", "--failfast", action="store_true", help="stop at the first failure")
    parser.add_argument("-k", dest="patterns", action="append", metavar="PATTERN",
                        help="only tests whose id matches PATTERN (as unittest's -k; repeatable)")
    parser.add_argument("--list", action="store_true", help="print the selected test ids, one a line, and exit")
    parser.add_argument("--strict", action="store_true",
                        help="report known g4f defects as failures instead of expected failures")
    parser.add_argument("--shuffle", nargs="?", const="random", default=None, metavar="SEED",
                        help="run the tests in a random order; the seed (an integer) is printed, "
                             "the same seed gives the same order")
    parser.add_argument("--junit-xml", metavar="PATH", help="also write a JUnit XML report to PATH "
                                                            "(needs unittest-xml-reporting)")
    parser.add_argument("--json", metavar="PATH", help="also write every test's outcome as JSON to PATH")
    return parser


def _shuffle_seed(value):
    if value is None:
        return None
    if value == "random":
        return random.SystemRandom().randrange(10 ** 6)
    try:
        return int(value)
    except ValueError:
        raise UsageError("--shuffle takes an integer seed, not %r" % value)


def load_tests(args):
    """The selected tests, in run order (names in the order given; the package's order otherwise)."""
    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = ["*%s*" % p if "*" not in p else p for p in args.patterns]
    tests = []
    for name in args.names or [PACKAGE]:
        try:
            found = loader.loadTestsFromName(name)
        except (ImportError, AttributeError):
            raise UsageError("no test is named %s (see --list)" % name)
        tests.extend(t for t in _flatten(found) if t not in tests)
    errors = [t for t in tests if type(t).__name__ in ("_FailedTest", "ModuleImportFailure")] or loader.errors
    if errors:  # a check module (or g4f under it) failed to import: show why, do not report "no tests"
        raise LoadError("".join(loader.errors) or "\n".join(str(getattr(t, "_exception", t)) for t in errors))
    return tests


def _flatten(suite):
    from . import iter_tests

    return list(iter_tests(suite))


class Verdicts:
    """Result mixin: one verdict per test (its subtests reported inside it), its time, and why."""

    def startTestRun(self):
        self.verdicts, self.started = {}, {}
        super().startTestRun()

    def _entry(self, test):
        test = getattr(test, "test_case", test)  # a subtest counts for its test
        return self.verdicts.setdefault(test.id(), {"outcome": "passed", "message": "", "subtests": [],
                                                    "seconds": None})

    def _set(self, test, outcome, message=""):
        entry = self._entry(test)
        if test is not getattr(test, "test_case", test):
            params = ", ".join("%s=%s" % item for item in test.params.items())
            entry["subtests"].append({"params": params, "outcome": outcome, "message": message})
            if outcome not in FAILED:
                return
        rank = ("passed", "skipped", "expected failure") + FAILED
        if rank.index(outcome) >= rank.index(entry["outcome"]):
            entry["outcome"], entry["message"] = outcome, message or entry["message"]

    def startTest(self, test):
        self.started[test.id()] = time.perf_counter()
        self._entry(test)
        super().startTest(test)

    def stopTest(self, test):
        self._entry(test)["seconds"] = round(time.perf_counter() - self.started.pop(test.id(), time.perf_counter()), 3)
        super().stopTest(test)

    def addFailure(self, test, err):
        self._set(test, "failed", self._exc_info_to_string(err, test))
        super().addFailure(test, err)

    def addError(self, test, err):
        self._set(test, "error", self._exc_info_to_string(err, test))
        super().addError(test, err)

    def addSkip(self, test, reason):
        self._set(test, "skipped", reason)
        super().addSkip(test, reason)

    def addExpectedFailure(self, test, err):
        self._set(test, "expected failure", str(err[1]))
        super().addExpectedFailure(test, err)

    def addUnexpectedSuccess(self, test):
        self._set(test, "unexpected success", "a known g4f defect did not show: update g4f_tests/known_defects.py")
        super().addUnexpectedSuccess(test)

    def addSubTest(self, test, subtest, err):
        if err is None:
            self._set(subtest, "passed")
        else:
            self._set(subtest, "failed" if issubclass(err[0], test.failureException) else "error",
                      self._exc_info_to_string(err, test))
        super().addSubTest(test, subtest, err)


class Result(Verdicts, unittest.TextTestResult):
    pass


def make_runner(args, stream, junit_file=None):
    options = dict(stream=stream, verbosity=args.verbosity, failfast=args.failfast)
    if junit_file is None:
        return unittest.TextTestRunner(resultclass=Result, **options)
    import xmlrunner
    from xmlrunner.result import _XMLTestResult

    class XmlResult(Verdicts, _XMLTestResult):
        def addExpectedFailure(self, test, err):
            super().addExpectedFailure(test, err)
            self.expectedFailures[-1][0].test_exception_message = "expected failure: %s" % (err[1],)

    return xmlrunner.XMLTestRunner(output=junit_file, resultclass=XmlResult, **options)


def open_report(path, what, needs=None):
    """A report file, opened before the run so that a bad path is a usage error, not a lost run."""
    if needs is not None and not support.is_importable(needs[0]):
        raise UsageError("%s needs %s: pip install %s" % (what, needs[1], needs[1]))
    try:
        return open(path, "wb" if needs else "w", **({} if needs else {"encoding": "utf-8"}))
    except OSError as error:
        raise UsageError("cannot write the %s report %s: %s" % (what, path, error.strerror or error))


def counts(verdicts):
    outcomes = [v["outcome"] for v in verdicts.values()]
    return {"passed": outcomes.count("passed"), "failed": sum(outcomes.count(o) for o in FAILED),
            "skipped": outcomes.count("skipped"), "expected failures": outcomes.count("expected failure")}


def summarize(verdicts, tests, stream):
    seen = {}
    for test in tests:
        entry = verdicts.get(test.id())
        if entry and entry["outcome"] == "expected failure":
            for defect in known_defects.applicable(test):
                seen.setdefault(defect.name, (defect, []))[1].append(test.id())
    if seen:
        stream.write("\nknown g4f defects seen (expected failures; --strict reports them as failures):\n")
        for defect, ids in seen.values():
            stream.write("  %s, g4f %s: %s\n    %s\n    what to do: %s\n    checks: %s\n" % (
                defect.name, defect.releases(), defect, defect.where, defect.workaround, ", ".join(ids)))
    unexpected = [test_id for test_id, v in verdicts.items() if v["outcome"] == "unexpected success"]
    if unexpected:
        stream.write("\nknown g4f defects that did not show (g4f may have fixed them; update "
                     "g4f_tests/known_defects.py):\n%s" % "".join("  %s\n" % t for t in unexpected))
    partial = [(t, v) for t, v in verdicts.items() if v["outcome"] == "passed"
               and any(s["outcome"] == "skipped" for s in v["subtests"])]
    for test_id, verdict in partial:
        skipped = [s for s in verdict["subtests"] if s["outcome"] == "skipped"]
        stream.write("%s: %d of %d calls ran, %d skipped: %s\n" % (
            test_id, len(verdict["subtests"]) - len(skipped), len(verdict["subtests"]), len(skipped),
            "; ".join(sorted({s["message"] for s in skipped}))))
    if support.blocked_attempts:
        stream.write("\nnetwork access blocked during the run:\n")
        for where, thread in support.blocked_attempts:
            stream.write("  %s (thread %s)\n" % (where, thread))


def run(args, stream, started):
    seed = _shuffle_seed(args.shuffle)
    if not support.is_importable("g4f"):
        raise UsageError("g4f is not installed in this Python (%s): pip install g4f" % sys.executable)
    junit_file = open_report(args.junit_xml, "JUnit XML", ("xmlrunner", "unittest-xml-reporting")) \
        if args.junit_xml and not args.list else None
    json_file = open_report(args.json, "JSON") if args.json and not args.list else None
    known_defects.strict = args.strict
    if not args.list and not args.names:
        # Before this process imports g4f, the nest-hidden zygote can be a fork of it; the other one is forked
        # once the suite is loaded (prefetch), when this process is in the state that zygote needs.
        from .regimes import NEST_HIDDEN

        children.start([NEST_HIDDEN])
    tests = load_tests(args)
    if not tests:
        raise UsageError("no test matches -k %s" % " -k ".join(args.patterns or []))
    if seed is not None:
        random.Random(seed).shuffle(tests)
    if args.list:
        for test in tests:
            stream.write(test.id() + "\n")
        return EXIT_OK
    prefetch(tests)
    header = support.environment_lines() + (["shuffled with seed %d (--shuffle %d repeats this order)" % (seed, seed)]
                                            if seed is not None else [])
    stream.write("\n".join(header) + "\n\n")
    stream.flush()
    try:
        result = make_runner(args, stream, junit_file).run(unittest.TestSuite(tests))
    finally:
        if junit_file is not None:
            junit_file.close()
        children.stop()
    verdicts = result.verdicts
    summarize(verdicts, tests, stream)
    total = counts(verdicts)
    failed = total["failed"] or support.blocked_attempts or not result.wasSuccessful()
    seconds = time.perf_counter() - started
    if json_file is not None:
        with json_file:
            json.dump({"environment": header, "seed": seed, "order": [t.id() for t in tests], "tests": verdicts,
                       "counts": total, "blocked": support.blocked_attempts, "seconds": round(seconds, 3),
                       "exit": EXIT_FAILED if failed else EXIT_OK}, json_file, indent=1)
    if junit_file is not None:
        stream.write("JUnit XML report: %s\n" % args.junit_xml)
    stream.write("\n%d passed, %d failed, %d skipped, %d expected failures in %.1f s\n"
                 % (total["passed"], total["failed"], total["skipped"], total["expected failures"], seconds))
    return EXIT_FAILED if failed else EXIT_OK


def main(argv=None, prog=None):
    started = time.perf_counter()
    if prog is None:
        prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "run_tests.py"
        if prog == "__main__.py":
            prog = "python -m %s" % PACKAGE
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
        return run(args, sys.stdout, started)
    except UsageError as error:
        sys.stderr.write("%s: error: %s\n" % (prog, error))
        return EXIT_USAGE
    except LoadError as error:
        sys.stderr.write("%s\n%s: error: the suite could not be loaded (traceback above)\n" % (error, prog))
        return EXIT_USAGE
