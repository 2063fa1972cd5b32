"""The command line shared by ``run_tests.py`` and ``python -m g4f_tests``.

Exit status: 0 when every check passed (known g4f defects may be expected failures), 1 when a check
failed or errored or a known defect unexpectedly passed, 2 for usage errors and a missing g4f.
"""
import argparse
import faulthandler
import os
import random
import sys
import unittest

from . import known_defects, support

PACKAGE = __name__.rsplit(".", 1)[0]
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A one-line error about how the runner was called; exit 2, no traceback."""


class LoadError(Exception):
    """The suite could not be imported; the traceback is the message, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        raise UsageError(message)


def build_parser(prog):
    parser = _Parser(
        prog=prog,
        description="Run the g4f-tests conformance suite against the installed g4f.",
    )
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-v", "--verbose", action="store_const", const=2, dest="verbosity",
                           default=1, help="one line per test")
    verbosity.add_argument("-q", "--quiet", action="store_const", const=0, dest="verbosity",
                           help="only the summary")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="only these tests, modules or classes (g4f_tests.nesting, "
                             "g4f_tests.asyncio.TestChatCompletion.test_create, ...), run in the order given")
    parser.add_argument("-f", "--failfast", action="store_true", help="stop at the first failure")
    parser.add_argument("-k", dest="patterns", action="append", metavar="PATTERN",
                        help="only tests whose id matches PATTERN (as unittest's -k; repeatable)")
    parser.add_argument("--list", action="store_true", help="print the selected test ids, one a line, and exit")
    parser.add_argument("--strict", action="store_true",
                        help="report known g4f defects as failures instead of expected failures")
    parser.add_argument("--junit-xml", metavar="PATH",
                        help="also write a JUnit XML report to PATH (needs the [junit] extra)")
    parser.add_argument("--shuffle", nargs="?", const="random", default=None, metavar="SEED",
                        help="run the tests in a random order; the seed (an integer) is printed, "
                             "the same seed gives the same order")
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


def load_suite(patterns=None):
    loader = unittest.TestLoader()
    if patterns:
        loader.testNamePatterns = ["*%s*" % p if "*" not in p else p for p in patterns]
    suite = loader.loadTestsFromName(PACKAGE)
    if loader.errors:
        # A check module (or g4f under it) failed to import: show why, do not report "no tests".
        raise LoadError("".join(loader.errors))
    return suite


def flatten(suite):
    return list(known_defects.iter_tests(suite))


def select(tests, names):
    """The tests named (a test id, or a module or class prefix of ids), in the order of ``names``."""
    chosen = []
    for name in names:
        matching = [t for t in tests if t.id() == name or t.id().startswith(name + ".")]
        if not matching:
            raise UsageError("no test is named %s (see --list)" % name)
        chosen.extend(t for t in matching if t not in chosen)
    return chosen


class Watchdog:
    """Arms a per-test watchdog, so a hung g4f call ends the run with every thread's stack; counts
    the tests that passed (testsRun minus the rest would be wrong when a class fixture fails or skips)."""

    passed = 0

    def addSuccess(self, test):
        self.passed += 1
        super().addSuccess(test)

    def startTest(self, test):
        faulthandler.dump_traceback_later(support.TEST_TIMEOUT, exit=True)
        super().startTest(test)

    def stopTest(self, test):
        faulthandler.cancel_dump_traceback_later()
        super().stopTest(test)


class Result(Watchdog, unittest.TextTestResult):
    pass


def make_runner(args, stream, junit_file=None):
    options = dict(stream=stream, verbosity=args.verbosity, failfast=args.failfast)
    if junit_file is None:
        return unittest.TextTestRunner(resultclass=Result, **options)
    import xmlrunner
    from xmlrunner.result import _XMLTestResult

    class XmlResult(Watchdog, _XMLTestResult):
        pass

    return xmlrunner.XMLTestRunner(output=junit_file, resultclass=XmlResult, **options)


def open_junit_xml(path):
    """The report file, opened before the run so that a bad path is a usage error, not a lost run."""
    if not support.is_importable("xmlrunner"):
        raise UsageError("--junit-xml needs unittest-xml-reporting: pip install g4f-tests[junit]")
    try:
        return open(path, "wb")
    except OSError as error:
        raise UsageError("cannot write the JUnit XML report %s: %s" % (path, error.strerror or error))


def summarize(result, stream):
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    expected = len(result.expectedFailures)
    passed = result.passed
    if result.expectedFailures:
        stream.write("\nknown g4f defects (expected failures; --strict reports them as failures):\n")
        for test, _ in result.expectedFailures:
            reason = known_defects.matching(test.id()) or "expected failure"
            stream.write("  %s: %s\n" % (test.id(), reason))
    if result.unexpectedSuccesses:
        stream.write("\nknown g4f defects that did not fail (g4f may have fixed them; "
                     "update g4f_tests/known_defects.py):\n")
        for test in result.unexpectedSuccesses:
            stream.write("  %s\n" % test.id())
    if support.blocked_attempts:
        stream.write("\nnetwork access blocked during the run:\n")
        for where, thread in support.blocked_attempts:
            stream.write("  %s (thread %s)\n" % (where, thread))
    stream.write("\n%d passed, %d failed, %d skipped, %d expected failures\n" % (passed, failed, skipped, expected))
    ok = result.wasSuccessful() and not result.unexpectedSuccesses and not support.blocked_attempts
    return EXIT_OK if ok else EXIT_FAILED


def run(args, stream):
    seed = _shuffle_seed(args.shuffle)
    if not support.is_importable("g4f"):
        raise UsageError("g4f is not installed in this Python (%s): pip install g4f" % sys.executable)
    junit_file = open_junit_xml(args.junit_xml) if args.junit_xml and not args.list else None
    if args.strict:
        os.environ[support.STRICT_ENV] = "1"
    support.enable_network_guard()
    if not args.list and not args.patterns and not args.names:
        # Start the clean-interpreter children now, so they import g4f while this process does.
        from . import clean_interpreter

        clean_interpreter.start(preload=True)
    tests = flatten(load_suite(args.patterns))
    if args.names:
        tests = select(tests, args.names)
    if not tests:
        raise UsageError("no test matches -k %s" % " -k ".join(args.patterns or []))
    if seed is not None:
        random.Random(seed).shuffle(tests)
    if args.list:
        for test in tests:
            stream.write(test.id() + "\n")
        return EXIT_OK

    for line in support.environment_lines():
        stream.write(line + "\n")
    if seed is not None:
        stream.write("shuffled with seed %d (--shuffle %d repeats this order)\n" % (seed, seed))
    stream.write("\n")
    stream.flush()
    try:
        result = make_runner(args, stream, junit_file).run(unittest.TestSuite(tests))
    finally:
        if junit_file is not None:
            junit_file.close()
    if junit_file is not None:
        stream.write("JUnit XML report: %s\n" % args.junit_xml)
    return summarize(result, stream)


def main(argv=None, prog=None):
    if prog is None:
        prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "run_tests.py"
        if prog == "__main__.py":
            prog = "python -m %s" % PACKAGE
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
        return run(args, sys.stdout)
    except UsageError as error:
        sys.stderr.write("%s: error: %s\n" % (prog, error))
        return EXIT_USAGE
    except LoadError as error:
        sys.stderr.write("%s\n%s: error: the suite could not be loaded (traceback above)\n" % (error, prog))
        return EXIT_USAGE
