"""The command line shared by ``run_tests.py`` and ``python -m g4f_tests``.

Exit status: 0 when every check passed (known g4f defects may be expected failures), 1 when a check failed or
errored, a known defect unexpectedly passed, something tried the network or a test hung, 2 for usage errors, a
missing g4f and output that cannot be written, 130 after Ctrl-C and 143 after SIGTERM (what ran so far is
reported); a closed pipe (``| head``) ends the run quietly, by SIGPIPE. See ends.py.
"""

import argparse
import contextlib
import importlib
import importlib.util
import os
import random
import sys
import time
import traceback
import unittest

from . import children, ends, iter_tests, package_suite, support, verdicts
from .checks import prefetch
from .report import EXIT_OK, Outcomes, Result, Run, counts, environment_lines, finish

PACKAGE = __name__.rsplit(".", 1)[0]
EXIT_USAGE = 2


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
    verbosity.add_argument(
        "-v", "--verbose", action="store_const", const=2, dest="verbosity", default=1, help="one line per test"
    )
    verbosity.add_argument(
        "-q",
        "--quiet",
        action="store_const",
        const=0,
        dest="verbosity",
        help="no line per test: the header, failures, known defects and summary",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="only these tests, modules or classes (g4f_tests.nesting, "
        "g4f_tests.asyncio.TestChatCompletion.test_create, ...), run in the order given",
    )
    parser.add_argument("-f", "--failfast", action="store_true", help="stop at the first failure")
    parser.add_argument(
        "-k",
        dest="patterns",
        action="append",
        metavar="PATTERN",
        help="only tests whose id matches PATTERN (as unittest's -k; repeatable)",
    )
    parser.add_argument("--list", action="store_true", help="print the selected test ids, one a line, and exit")
    parser.add_argument(
        "--strict", action="store_true", help="report known g4f defects as failures instead of expected failures"
    )
    parser.add_argument(
        "--shuffle",
        nargs="?",
        const="random",
        default=None,
        metavar="SEED",
        help="run the tests in a random order (the classes, then each class's tests); the seed (an integer) is printed, "
        "the same seed gives the same order",
    )
    parser.add_argument(
        "--junit-xml", metavar="PATH", help="also write a JUnit XML report to PATH " "(needs unittest-xml-reporting)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write every test's outcome as JSON to PATH")
    parser.add_argument(
        "--timeout",
        type=float,
        default=support.TIMEOUT,
        metavar="SECONDS",
        help="end the run, naming the test, when a test that calls g4f in this process takes "
        "longer (default %(default)s)",
    )
    return parser


def _shuffle_seed(value):
    if value is None:
        return None
    if value == "random":
        return random.SystemRandom().randrange(10**6)
    try:
        return int(value)
    except ValueError:
        raise UsageError("--shuffle takes an integer seed, not %r" % value) from None


def load_tests(args):
    """The selected tests, in run order (names in the order given; the package's order otherwise)."""
    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = ["*%s*" % p if "*" not in p else p for p in args.patterns]
    tests = []
    for name in args.names or [PACKAGE]:
        if not _names_something(name):
            raise UsageError("no test is named %s (see --list)" % name)
        if name == PACKAGE:
            try:
                found = package_suite(loader)
            except Exception:
                raise LoadError(traceback.format_exc().rstrip()) from None
        else:
            found = loader.loadTestsFromName(name)
        tests.extend(t for t in _flatten(found) if t not in tests)
    errors = [t for t in tests if type(t).__name__ in ("_FailedTest", "ModuleImportFailure")] or loader.errors
    if errors:  # a check module (or g4f under it) failed to import: show why, do not report "no tests"
        raise LoadError("".join(loader.errors) or "\n".join(str(getattr(t, "_exception", t)) for t in errors))
    return tests


def _may_need_nest_hidden(names):
    """Can the tests ``names`` select (all when none) include checks of the nest-hidden zygote?"""
    from .regimes import NEST_HIDDEN_MODULES

    modules = ["%s.%s" % (PACKAGE, name) for name in NEST_HIDDEN_MODULES]
    return not names or any(n == PACKAGE or any(n == m or n.startswith(m + ".") for m in modules) for n in names)


def shuffled(tests, seed):
    """``tests`` in the order ``--shuffle seed`` gives: random.Random(seed) shuffles the classes (in the order they
    first appear), then the tests of each class, one class after another. A class's tests stay together, as
    pytest-randomly keeps them, so its fixtures (the Jupyter kernels) start once, not at every switch."""
    rng = random.Random(seed)
    classes = {}
    for test in tests:
        classes.setdefault(test.id().rsplit(".", 1)[0], []).append(test)
    groups = list(classes.values())
    rng.shuffle(groups)
    for group in groups:
        rng.shuffle(group)
    return [test for group in groups for test in group]


def _names_something(name):
    """Is ``name`` a module, or an attribute path in one? (A module that exists but fails to import does: that
    is a load error, shown with its traceback.)"""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        try:
            if importlib.util.find_spec(".".join(parts[:end])) is None:
                continue
        except (ImportError, ValueError):  # a parent of it is not a package
            continue
        try:
            found = importlib.import_module(".".join(parts[:end]))
        except Exception:
            return True
        for attribute in parts[end:]:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


def _flatten(suite):
    return list(iter_tests(suite))


def make_runner(args, stream, junit_file=None):
    options = dict(stream=stream, verbosity=args.verbosity, failfast=args.failfast)
    if junit_file is None:
        return unittest.TextTestRunner(resultclass=Result, **options)
    import xmlrunner
    from xmlrunner.result import _XMLTestResult

    class XmlResult(Outcomes, _XMLTestResult):
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
        raise UsageError("cannot write the %s report %s: %s" % (what, path, error.strerror or error)) from None


def run(args, state):
    stream = state.stream
    state.seed = seed = _shuffle_seed(args.shuffle)
    if not support.is_importable("g4f"):
        raise UsageError("g4f is not installed in this Python (%s): pip install g4f" % sys.executable)
    if args.junit_xml and not args.list:
        state.junit_file = open_report(args.junit_xml, "JUnit XML", ("xmlrunner", "unittest-xml-reporting"))
    state.json_file = open_report(args.json, "JSON") if args.json and not args.list else None
    verdicts.strict = args.strict
    if args.timeout <= 0:
        raise UsageError("--timeout takes a number of seconds above 0, not %s" % args.timeout)
    support.TIMEOUT = args.timeout
    if not args.list and _may_need_nest_hidden(args.names):
        # Before this process imports g4f, the nest-hidden zygote can be a fork of it; the other one is forked
        # once the suite is loaded (prefetch), when this process is in the state that zygote needs.
        from .regimes import NEST_HIDDEN

        children.start([NEST_HIDDEN])
    tests = load_tests(args)
    if not tests:
        raise UsageError("no test matches -k %s" % " -k ".join(args.patterns or []))
    if seed is not None:
        tests = shuffled(tests, seed)
    if args.list:
        for test in tests:
            stream.write(test.id() + "\n")
        stream.flush()
        return EXIT_OK
    state.tests = tests
    prefetch(tests)
    state.header = environment_lines() + (
        ["shuffled with seed %d (--shuffle %d repeats this order)" % (seed, seed)] if seed is not None else []
    )
    stream.write("\n".join(state.header) + "\n\n")
    stream.flush()
    runner = make_runner(args, stream, state.junit_file)
    Outcomes.latest = None
    ends.on_hang = lambda test: finish(state, Outcomes.latest, hung=test)  # what ran so far, if a test hangs here
    try:
        runner.run(unittest.TestSuite(tests))
    finally:
        ends.on_hang = None
        if state.junit_file is not None:
            state.junit_file.close()
        children.stop()
    if state.junit_file is not None:
        stream.write("JUnit XML report: %s\n" % args.junit_xml)
    return finish(state, Outcomes.latest)


def stop_run(stop, state, prog):
    """Ctrl-C, SIGTERM or lost output ended the run: one line (for a signal: and what ran so far), then clean
    up; the exit status."""
    ends.ignore_signals()
    result = Outcomes.latest if state.tests else None
    if isinstance(stop, ends.OutputLost):
        ends.clean_up()
        failed = result is not None and (counts(result.outcomes)["failed"] > 0 or not result.wasSuccessful())
        return ends.end_for_lost_output(stop.error, prog, failed)
    if not isinstance(stop, ends.Stop):  # SIGINT before the runner handled it
        stop = ends.Stop()
    ends.say("%s: %s" % (prog, stop.what))
    try:
        if not state.reported:
            finish(state, result, stopped=stop)
    except ends.OutputLost:
        pass
    finally:
        ends.clean_up()
    return stop.status


def main(argv=None, prog=None):
    started = time.perf_counter()
    if prog is None:
        prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "run_tests.py"
        if prog == "__main__.py":
            prog = "python -m %s" % PACKAGE
    problem = ends.stdout_problem()
    if problem:
        ends.say("%s: error: cannot write the output: %s" % (prog, problem))
        return EXIT_USAGE
    state = Run(ends.Output(sys.stdout), started)
    with ends.handling_signals():
        try:
            with contextlib.redirect_stdout(state.stream):  # --help: written as the rest, a closed pipe ends it
                args = build_parser(prog).parse_args(argv)
            return run(args, state)
        except UsageError as error:
            ends.say("%s: error: %s" % (prog, error))
            return EXIT_USAGE
        except LoadError as error:
            ends.say("%s\n%s: error: the suite could not be loaded (traceback above)" % (error, prog))
            return EXIT_USAGE
        except KeyboardInterrupt as stop:
            return stop_run(stop, state, prog)
        finally:
            ends.ignore_signals()  # the run is over: a Ctrl-C now would only interrupt the clean-up
            ends.clean_up()
