"""Small helpers shared by the checks and the runner: timeouts, versions, the environment, the network guard.

Nothing here imports g4f at module level, so the runner can use it to say "g4f is missing" in one line.
"""
import asyncio
import importlib.util
import ipaddress
import os
import platform
import sys
import threading
import unittest

# Named time limits, in seconds (cf. test.support.SHORT_TIMEOUT). A call into g4f that takes longer
# is reported as hung, with the place it hung at.
CALL_TIMEOUT = 10.0
# Per test, enforced by the runner with faulthandler: past it the run stops with every thread's stack.
TEST_TIMEOUT = 25.0
# A clean-interpreter child (it imports g4f, ~0.5 s) must have answered within this.
CHILD_TIMEOUT = 45.0

# Set by the runner for --strict (or by hand); read where the known-defect registry is applied.
STRICT_ENV = "G4F_TESTS_STRICT"

NEST_MODULES = ("nest_asyncio2", "nest_asyncio")


def nest_importable():
    """nest_asyncio2 or nest_asyncio can be imported (either patches the same way)."""
    return any(is_importable(name) for name in NEST_MODULES)


def thread_loop():
    """The event loop installed for this thread by set_event_loop, or None (without creating one).

    Reads the default policy's thread-local slot: asyncio.get_event_loop() would create a loop or warn.
    """
    policy = asyncio.get_event_loop_policy()
    return getattr(getattr(policy, "_local", None), "_loop", None)


def is_importable(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def dist_version(name):
    """The installed distribution's version, or None."""
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover - Python < 3.8 is not supported
        return None
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def g4f_version():
    return dist_version("g4f")


def parse_version(text):
    """'8.8.6' -> (8, 8, 6); leading numeric parts only, enough to order g4f's releases."""
    parts = []
    for piece in (text or "0").split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def environment_lines():
    """What a bug report needs: Python, platform, g4f and the nest/uvloop packages."""

    def package(import_name, dist_name):
        if not is_importable(import_name):
            return "absent"
        return dist_version(dist_name) or "present"

    return [
        "Python %s (%s) on %s" % (platform.python_version(), sys.executable, platform.platform()),
        "g4f %s; nest_asyncio %s; nest_asyncio2 %s; uvloop %s"
        % (
            g4f_version() or "absent",
            package("nest_asyncio", "nest_asyncio"),
            package("nest_asyncio2", "nest_asyncio2"),
            package("uvloop", "uvloop"),
        ),
    ]


def disable_g4f_version_check():
    """g4f's first request starts a thread that asks the package index for a newer g4f; switch it off."""
    try:
        import g4f.debug
    except ImportError:
        return
    g4f.debug.version_check = False


# The network guard: an audit hook (it cannot be removed, only switched off) that turns any attempt to
# reach a non-loopback address into an error naming the destination, and records it for the runner.


class NetworkAccessError(OSError):
    pass


_guard = {"installed": False, "enabled": False}
blocked_attempts = []


def _is_loopback(host):
    if host is None or host in ("localhost", ""):
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).split("%", 1)[0]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.endswith(".localhost")


def _audit(event, args):
    if not _guard["enabled"]:
        return
    if event == "socket.connect":
        address = args[1]
        if not isinstance(address, tuple):  # AF_UNIX path
            return
        host, port = address[0], address[1]
    elif event == "socket.getaddrinfo":
        host, port = args[0], args[1]
    else:
        return
    if _is_loopback(host):
        return
    where = "%s:%s" % (host, port)
    blocked_attempts.append((where, threading.current_thread().name))
    raise NetworkAccessError("g4f-tests blocks network access: something tried to reach %s" % where)


def enable_network_guard(enabled=True):
    if not _guard["installed"]:
        sys.addaudithook(_audit)
        _guard["installed"] = True
    _guard["enabled"] = enabled


def network_guard_enabled():
    return _guard["enabled"]


# Time limits for calls into g4f inside a test: a hang fails that test with the place it hung at.


class HangError(AssertionError):
    pass


def close_nest_leftover_loop():
    """Close the loop nest_asyncio's asyncio.run leaves installed in this (worker) thread.

    Once nest_asyncio is applied in this process (the documented TestChatCompletionNestAsync does
    it), ``asyncio.run`` reuses or creates the thread's loop and never closes it: a thread that
    calls g4f's sync API then ends with an unclosed loop. That comes from the suite's own process-wide
    patch, not from g4f, so the suite cleans it up; whether g4f itself leaves loops behind is checked
    in a clean interpreter (loops.py). Does nothing while nest_asyncio is not applied.
    """
    if not getattr(asyncio, "_nest_patched", False):
        return
    loop = thread_loop()
    if loop is not None and not loop.is_running() and not loop.is_closed():
        loop.close()
        asyncio.set_event_loop(None)


def run_in_thread(function, *args, timeout=CALL_TIMEOUT, **kwargs):
    """``function(*args, **kwargs)`` in a worker thread (no running loop there, as in plain sync code).

    Returns its result or raises its exception; raises HangError with the thread's stack if it takes
    longer than ``timeout`` (the thread is a daemon and is left behind).
    """
    import traceback

    box = {}

    def target():
        try:
            box["value"] = function(*args, **kwargs)
        except BaseException as error:
            box["error"] = error
        finally:
            close_nest_leftover_loop()

    thread = threading.Thread(target=target, name="g4f-tests-call", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        frame = sys._current_frames().get(thread.ident)
        stack = "".join(traceback.format_stack(frame)) if frame is not None else "(no stack)\n"
        raise HangError("the call did not return within %s s; it hung at:\n%s" % (timeout, stack))
    if "error" in box:
        raise box["error"]
    return box["value"]


async def within(awaitable, timeout=CALL_TIMEOUT):
    """Await ``awaitable`` with a time limit; on expiry raise HangError with the task's stack."""
    import io

    task = asyncio.ensure_future(awaitable)
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        buffer = io.StringIO()
        task.print_stack(file=buffer)
        task.cancel()
        raise HangError("the awaited call did not finish within %s s; it hung at:\n%s" % (timeout, buffer.getvalue()))
    return task.result()


# One async test body, two loops: bind a mixin of async checks to IsolatedAsyncioTestCase (the default
# loop) and to UvloopTestCase (cf. CPython's BaseTimeoutTests bound to the C and the Python Task).


class UvloopTestCase(unittest.IsolatedAsyncioTestCase):
    """IsolatedAsyncioTestCase whose loop is a uvloop loop; every test skips when uvloop is not installed.

    Only the test's own loop is uvloop: the global event loop policy is left alone, so worker threads
    and later tests see what they would have seen anyway (``uvloop.install()`` is a process-wide
    setting, and process-wide settings are checked in clean interpreters).
    """

    @property
    def loop_factory(self):  # read by IsolatedAsyncioTestCase on Python 3.13+
        try:
            import uvloop
        except ImportError:
            return None  # the default loop; setUp skips
        return uvloop.new_event_loop

    def _setupAsyncioRunner(self):  # Python 3.11 and 3.12 take no loop_factory: pass it to the Runner
        if hasattr(unittest.IsolatedAsyncioTestCase, "loop_factory") or self.loop_factory is None:
            return super()._setupAsyncioRunner()
        self._asyncioRunner = asyncio.Runner(debug=True, loop_factory=self.loop_factory)

    def _setupAsyncioLoop(self):  # Python 3.8 to 3.10 call asyncio.new_event_loop() here
        factory = self.loop_factory
        if factory is None:
            return super()._setupAsyncioLoop()
        original = asyncio.new_event_loop
        asyncio.new_event_loop = factory
        try:
            return super()._setupAsyncioLoop()
        finally:
            asyncio.new_event_loop = original

    def setUp(self):
        if not is_importable("uvloop"):
            self.skipTest("uvloop is not installed (pip install g4f-tests[uvloop])")
        super().setUp()

    async def asyncSetUp(self):
        await super().asyncSetUp()
        loop = asyncio.get_running_loop()
        self.assertEqual(type(loop).__module__.split(".")[0], "uvloop", "the test loop is not uvloop: %r" % loop)


# APIs that appeared in a known g4f release. On an older g4f a check that needs one skips, naming it;
# on a newer one the check runs (and fails if the API is broken), so this never hides a regression.
G4F_APIS = {
    "create_async_stream": ("0.4.0.5", "ChatCompletion.create_async(stream=True) for every provider kind"),
    "auto_patch": ("0.4.0.0", "g4f patching a running loop itself when nest_asyncio is importable"),
    "to_sync_generator_coroutine": ("7.5.0", "g4f's to_sync_generator accepting a coroutine"),
}


def require_g4f_api(name):
    """Raise SkipTest if the installed g4f predates the API ``name`` of G4F_APIS."""
    first, what = G4F_APIS[name]
    installed = g4f_version()
    if installed and parse_version(installed) < parse_version(first):
        raise unittest.SkipTest("g4f %s predates %s (g4f >= %s)" % (installed, what, first))
