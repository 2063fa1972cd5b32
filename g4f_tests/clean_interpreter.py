"""Checks that need a pristine interpreter, run in child processes (cf. CPython's script_helper).

``nest_asyncio.apply()`` patches asyncio for the whole process and cannot be undone, and g4f decides
when it is imported whether nest_asyncio is there. So a verdict about "nest_asyncio missing" or
"nothing applied yet" is only true in a fresh interpreter. Each scenario below is one child process
that runs its checks in a fixed order (the order matters: the first call that makes g4f patch a loop
patches asyncio for the rest of that child) and prints one JSON line per check. The test modules
(``nesting.py``, ``loops.py``) assert on those results; this module only gathers facts.

The children are started together, as early as possible (the runner starts them before it imports
g4f itself), so they overlap with the rest of the run.
"""
import asyncio
import atexit
import faulthandler
import gc
import importlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import unittest
import warnings

from . import support

MESSAGES = [{"role": "user", "content": "Hello"}]
RESULT_PREFIX = "G4F-TESTS-RESULT "
CHECK_PREFIX = "G4F-TESTS-CHECK "

# --------------------------------------------------------------------------------------------------
# Child side: the checks. Each returns a JSON-able value or raises; g4f is imported inside them.


def _create(provider_name, stream=False):
    import g4f

    from . import mocks

    result = g4f.ChatCompletion.create(g4f.models.default, MESSAGES, getattr(mocks, provider_name), stream=stream)
    return list(result) if stream else result


def _in_running_loop(function, *args, loop_factory=None):
    """Call a sync function from inside a running loop: asyncio.run, or a loop from ``loop_factory``.

    Once nest_asyncio is applied in this child, asyncio.run is nest_asyncio's, which leaves its loop
    open and installed; from then on the child runs (and closes) a loop of its own instead, so what is
    left behind is g4f's doing, not the harness's.
    """

    async def main():
        return function(*args)

    if loop_factory is None and not getattr(asyncio, "_nest_patched", False):
        return asyncio.run(main())
    loop = (loop_factory or asyncio.new_event_loop)()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()


def _installed_loop():
    """The event loop left installed for this thread: None, "open" or "closed"."""
    loop = support.thread_loop()
    if loop is None:
        return None
    return "closed" if loop.is_closed() else "open"


def _bridge(name, api=None):
    """A helper of g4f.providers.asyncio, or a skip naming the missing API."""
    if api is not None:
        support.require_g4f_api(api)
    try:
        import g4f.providers.asyncio as bridge
    except ImportError:
        raise Skip("g4f.providers.asyncio does not exist in this g4f")
    if not hasattr(bridge, name):
        raise Skip("g4f.providers.asyncio.%s does not exist in this g4f" % name)
    return getattr(bridge, name)


async def _mock_coroutine():
    return "Mock"


def _uvloop_factory():
    try:
        import uvloop
    except ImportError:
        raise Skip("uvloop is not installed")
    return uvloop.new_event_loop


class Skip(Exception):
    """Raised by a check whose API or package is missing; the test skips with this reason."""


def _outside(function, *args):
    value = function(*args)
    return {"value": value, "loop": _installed_loop()}


CHECKS = {
    # Sync create inside a running loop.
    "in_loop_async_provider": lambda: _in_running_loop(_create, "AsyncProviderMock"),
    "in_loop_generator_provider": lambda: _in_running_loop(_create, "AsyncGeneratorProviderMock"),
    "in_loop_stream": lambda: _in_running_loop(_create, "AsyncChunksProviderMock", True),
    "uvloop_async_provider": lambda: _in_running_loop(_create, "AsyncProviderMock", loop_factory=_uvloop_factory()),
    "uvloop_generator_provider": lambda: _in_running_loop(
        _create, "AsyncGeneratorProviderMock", loop_factory=_uvloop_factory()),
    # g4f's own helpers inside a running loop.
    "bridge_check_nested": lambda: _in_running_loop(lambda: repr(_bridge("get_running_loop")(check_nested=True))),
    "bridge_coroutine_in_loop": lambda: _in_running_loop(
        lambda: list(_bridge("to_sync_generator", "to_sync_generator_coroutine")(_mock_coroutine()))),
    # Sync calls outside any loop: the result and what is left installed afterwards.
    "outside_async_provider": lambda: _outside(_create, "AsyncProviderMock"),
    "outside_generator_provider": lambda: _outside(_create, "AsyncGeneratorProviderMock"),
    "outside_stream": lambda: _outside(_create, "AsyncChunksProviderMock", True),
    "outside_no_stream_generator": lambda: _outside(_create, "NoStreamAsyncChunksProviderMock"),
    "outside_bridge_coroutine": lambda: _outside(
        lambda: list(_bridge("to_sync_generator", "to_sync_generator_coroutine")(_mock_coroutine()))),
    # The documented nested scenarios, for real: apply nest_asyncio, then sync create in a running loop.
    "nested_async_provider": lambda: _nested("AsyncProviderMock"),
    "nested_generator_provider": lambda: _nested("AsyncGeneratorProviderMock"),
}


def _nested(provider_name):
    from . import asyncio as documented

    if not documented.has_nest_asyncio:
        raise Skip("nest_asyncio is not installed")

    def body():
        # As the documented setUp does for the test's loop: apply() patches the running loop (called
        # outside one, it would make and install a loop of its own).
        documented.nest_asyncio.apply()
        return _create(provider_name)

    return _in_running_loop(body)


# One child per scenario. Order within a scenario is part of the design: see the module docstring.
SCENARIOS = {
    # nest_asyncio and nest_asyncio2 unimportable (as in an install without them).
    "no-nest": {
        "block_nest": True,
        "checks": ["in_loop_async_provider", "in_loop_generator_provider", "bridge_check_nested",
                   "bridge_coroutine_in_loop", "uvloop_async_provider", "uvloop_generator_provider"],
    },
    # nest_asyncio importable, nothing applied: hygiene outside a loop first, then g4f's auto-patch
    # (the AsyncProvider one before anything that makes g4f patch), then the documented nesting.
    "nest": {
        "block_nest": False,
        "checks": ["outside_async_provider", "outside_generator_provider", "outside_stream",
                   "outside_no_stream_generator", "outside_bridge_coroutine",
                   "in_loop_async_provider", "in_loop_generator_provider", "in_loop_stream",
                   "nested_async_provider", "nested_generator_provider"],
    },
}


class _LogRecorder(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = []

    def emit(self, record):
        self.lines.append("%s: %s" % (record.levelname, record.getMessage().splitlines()[0]))


def _reset_thread_loop():
    """Uninstall what the check left as the thread's loop; a warning line if it was still open."""
    loop = support.thread_loop()
    if loop is None or loop.is_running():
        return None
    leftover = None
    if not loop.is_closed():
        leftover = "ResourceWarning: unclosed event loop left installed as the thread's loop"
        loop.close()
    asyncio.set_event_loop(None)
    return leftover


def _run_check(name):
    outcome = {"check": name, "value": None, "error": None, "skip": None, "warnings": [], "log": []}
    recorder = _LogRecorder()
    logging.getLogger("asyncio").addHandler(recorder)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                outcome["value"] = CHECKS[name]()
            except (Skip, unittest.SkipTest) as skip:
                outcome["skip"] = str(skip)
            except BaseException as error:  # the check reports what g4f raised, whatever it is
                outcome["error"] = _describe_error(error)
            # A loop the check left installed would be collected during a later check and blamed on it:
            # report it here, then put the thread back as it was.
            leftover = _reset_thread_loop()
            # Never-awaited coroutines, unclosed loops and destroyed tasks show at collection.
            gc.collect()
        outcome["warnings"] = ["%s: %s" % (w.category.__name__, str(w.message).splitlines()[0]) for w in caught]
        if leftover:
            outcome["warnings"].append(leftover)
    finally:
        logging.getLogger("asyncio").removeHandler(recorder)
    outcome["log"] = recorder.lines
    return outcome


def _describe_error(error):
    try:
        from g4f.errors import NestAsyncioError

        nest_error = isinstance(error, NestAsyncioError)
    except ImportError:
        nest_error = False
    kind = type(error)
    return {"type": "%s.%s" % (kind.__module__, kind.__qualname__), "message": str(error),
            "nest_asyncio_error": nest_error}


def child_main(scenario):
    """Entry point of a child: run the scenario's checks in order, one JSON line each."""
    support.disable_g4f_version_check()
    support.enable_network_guard()
    from . import mocks  # noqa: F401  (imports g4f)

    # What g4f's import left is not the checks' garbage: keep it out of every collection below.
    gc.collect()
    gc.freeze()
    out = sys.stdout
    for name in SCENARIOS[scenario]["checks"]:
        out.write(CHECK_PREFIX + name + "\n")
        out.flush()
        faulthandler.dump_traceback_later(support.CALL_TIMEOUT, exit=True)
        outcome = _run_check(name)
        faulthandler.cancel_dump_traceback_later()
        out.write(RESULT_PREFIX + json.dumps(outcome, default=repr) + "\n")
        out.flush()


# --------------------------------------------------------------------------------------------------
# Parent side: start the children, collect and cache what they report.

class _NoNest:
    """A meta path finder that makes nest_asyncio and nest_asyncio2 unimportable, as if not installed."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in support.NEST_MODULES:
            raise ModuleNotFoundError("No module named %r (hidden by g4f-tests)" % name, name=name)
        return None


def boot(scenario):
    """Everything a child does: hide nest_asyncio if the scenario says so, then run its checks."""
    if SCENARIOS[scenario]["block_nest"]:
        sys.meta_path.insert(0, _NoNest())
    child_main(scenario)


# A spawned child: a fresh interpreter. The package does not import g4f, so importing this module
# before hiding nest_asyncio is safe.
_SPAWN = """\
import os, sys
if os.environ.get("COVERAGE_PROCESS_START"):  # coverage of the children, for tests/coverage_report.py
    import coverage
    coverage.process_startup()
sys.path.append(%(package_parent)r)
from %(package)s.clean_interpreter import boot
boot(%(scenario)r)
"""

# Imported before forking, so the forked children share them instead of importing them twice.
# None of them is g4f or nest_asyncio, and importing them patches nothing.
PRELOAD = ("asyncio", "concurrent.futures", "json", "ssl", "http.client", "email.message", "uuid",
           "aiohttp", "requests", "uvloop")


class _Spawned:
    def __init__(self, scenario):
        code = _SPAWN % {"package_parent": os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "package": __name__.rpartition(".")[0], "scenario": scenario}
        args = [sys.executable] + subprocess._args_from_interpreter_flags() + ["-c", code]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, universal_newlines=True)

    def communicate(self, timeout):
        try:
            output, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            output, _ = self.proc.communicate()
            output += "\n(killed after %s s)" % timeout
        return output, self.proc.returncode

    def kill(self):
        self.proc.kill()
        self.proc.communicate()


class _Forked:
    """A child forked from a parent that has imported neither g4f nor nest_asyncio and runs no thread."""

    def __init__(self, scenario):
        sys.stdout.flush()
        sys.stderr.flush()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: output to the pipe, never return into the parent's code
            code = 1
            try:
                os.close(read)
                os.dup2(write, 1)
                os.dup2(write, 2)
                os.close(write)
                boot(scenario)
                code = 0
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        os.close(write)
        self.pid = pid
        self.chunks = []
        # Started by start() once every child is forked: a fork must not happen beside a thread.
        self.reader = threading.Thread(target=self._read, args=(read,), name="g4f-tests-child-reader", daemon=True)
        self.returncode = None

    def _read(self, fd):
        with os.fdopen(fd, "rb") as pipe:
            for chunk in iter(lambda: pipe.read(65536), b""):
                self.chunks.append(chunk)

    def communicate(self, timeout):
        self.reader.join(timeout)
        note = ""
        if self.reader.is_alive():
            os.kill(self.pid, signal.SIGKILL)
            self.reader.join()
            note = "\n(killed after %s s)" % timeout
        _, status = os.waitpid(self.pid, 0)
        self.returncode = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
        return b"".join(self.chunks).decode("utf-8", "replace") + note, self.returncode

    def kill(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.communicate(0)


def _forkable():
    """Fork only where that is as good as a fresh interpreter: nothing of g4f or nest_asyncio loaded."""
    loaded = [m for m in ("g4f",) + support.NEST_MODULES if m in sys.modules]
    return (sys.platform.startswith("linux") and hasattr(os, "fork") and not loaded
            and threading.active_count() == 1 and not os.environ.get("COVERAGE_PROCESS_START"))


_children = {}
_results = {}


class ChildFailure(Exception):
    """The child did not report a check: it crashed or hung. The message says where."""


def start(scenarios=None, preload=False):
    """Start the children for ``scenarios`` (all by default) unless they are running already.

    With ``preload`` (the runner, before it imports g4f) the children are forked after importing
    PRELOAD, so they share that work; otherwise, or where forking would not give a clean
    interpreter, each is a freshly spawned Python.
    """
    pending = [s for s in (scenarios or SCENARIOS) if s not in _children and s not in _results]
    if not pending:
        return
    fork = preload and _forkable()
    if fork:
        for name in PRELOAD:
            if support.is_importable(name):
                importlib.import_module(name)
        fork = _forkable()  # a preloaded module could have started a thread
    for scenario in pending:
        _children[scenario] = _Forked(scenario) if fork else _Spawned(scenario)
    for scenario in pending:
        if fork:
            _children[scenario].reader.start()


@atexit.register
def stop():
    """Kill children nobody collected (a run stopped early by -f or Ctrl-C)."""
    while _children:
        _, child = _children.popitem()
        child.kill()


def _collect(scenario):
    start()
    child = _children.pop(scenario)
    output, returncode = child.communicate(support.CHILD_TIMEOUT)
    outcomes, last_started, other = {}, None, []
    for line in output.splitlines():
        if line.startswith(CHECK_PREFIX):
            last_started = line[len(CHECK_PREFIX):]
        elif line.startswith(RESULT_PREFIX):
            found = json.loads(line[len(RESULT_PREFIX):])
            outcomes[found["check"]] = found
        else:
            other.append(line)
    _results[scenario] = {"outcomes": outcomes, "returncode": returncode, "stderr": "\n".join(other),
                          "last_started": last_started}


def outcome(scenario, check):
    """What ``check`` reported in the ``scenario`` child; ChildFailure if it never did."""
    if scenario not in _results:
        _collect(scenario)
    report = _results[scenario]
    if check in report["outcomes"]:
        return report["outcomes"][check]
    if report["last_started"] == check:
        what = "hung or crashed during this check (no answer within %s s)" % support.CALL_TIMEOUT
    elif report["last_started"] is None:
        what = "stopped before its first check"
    else:
        what = "stopped in an earlier check, %s" % report["last_started"]
    raise ChildFailure("the %r clean-interpreter child %s; exit status %s; its stderr:\n%s"
                       % (scenario, what, report["returncode"], report["stderr"].strip()[-3000:]))


# --------------------------------------------------------------------------------------------------
# The base of the tests that assert on these results.

# Warnings and asyncio log lines that mean the bridge left something behind.
STRAY = ("was never awaited", "unclosed event loop", "Task was destroyed", "Event loop is closed",
         "never retrieved")


class CleanInterpreterTestCase(unittest.TestCase):
    scenario = None  # a key of SCENARIOS

    def outcome(self, check):
        try:
            found = outcome(self.scenario, check)
        except ChildFailure as failure:
            self.fail(str(failure))
        if found["skip"]:
            self.skipTest(found["skip"])
        return found

    def describe(self, found):
        error = found["error"]
        said = "raised %s(%r)" % (error["type"], error["message"]) if error else "returned %r" % (found["value"],)
        return "g4f %s; warnings: %s; asyncio log: %s" % (said, found["warnings"] or "none", found["log"] or "none")

    def assertNothingStray(self, found):
        stray = [line for line in found["warnings"] + found["log"] if any(s in line for s in STRAY)]
        self.assertEqual(stray, [], "the call left coroutines, tasks or loops behind: " + self.describe(found))

    def assertReturned(self, check, expected):
        found = self.outcome(check)
        if found["error"]:
            self.fail("expected %r; %s" % (expected, self.describe(found)))
        self.assertEqual(found["value"], expected, self.describe(found))
        self.assertNothingStray(found)
        return found

    def assertNestAsyncioError(self, check):
        found = self.outcome(check)
        error = found["error"]
        if not (error and error["nest_asyncio_error"]):
            self.fail("expected g4f.errors.NestAsyncioError; " + self.describe(found))
        self.assertNothingStray(found)
        return found
