"""g4f's sync API inside a real Jupyter kernel, where a loop is always running (g4f issues #915, #1605, #2748).

Optional: needs ipykernel and jupyter_client (the project's ``jupyter`` extra); without them every test skips
naming them. The kernels are started by jupyter_client over its IPC transport (sockets in a temp dir, no TCP
port) when the suite is prefetched (checks.prefetch), so they boot while the rest runs; each runs this
environment's Python, imports this checkout's g4f_tests, and executes the cells below in a fixed order: the first
call that makes g4f patch a kernel's loop changes what later calls see, so there are two kernels, each fresh for
its first nesting call (stream=True in one, the Client in the other). Each test asserts on what its cell printed.
"""

import json
import os
import queue
import re
import shutil
import tempfile
import time
import unittest

from . import ends, servers, support
from .checks import CheckTestCase
from .known_defects import JUPYTER_FRESH_KERNEL, known
from .providers import CHUNKS, JOINED

PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = __name__.rpartition(".")[0]
MARK = "G4F-TESTS-OBSERVATION "

SETUP_CELL = """
import json, sys
sys.path.insert(0, %(parent)r)
import %(package)s
assert %(package)s.__file__ == %(file)r, "the kernel imported another g4f_tests: " + %(package)s.__file__
from %(package)s import servers, support
support.sandbox()

def g4f_tests_try(call, provider):
    found = servers.call(servers.CALLS[call], servers.provider(provider))
    print(%(mark)r + json.dumps(found, default=repr))

print(%(mark)r + json.dumps({"value": "ready"}))
"""

# Per kernel, in this order: nothing has patched a kernel's loop before its first cell.
CELLS = {
    "a": [
        ("fresh_async_provider", 'g4f_tests_try("create", "AsyncProviderMock")'),
        ("fresh_client", 'g4f_tests_try("client", "AsyncChunksProviderMock")'),
        ("patched_stream", 'g4f_tests_try("stream", "AsyncChunksProviderMock")'),
        ("generator_provider", 'g4f_tests_try("create", "AsyncGeneratorProviderMock")'),
        ("patched_async_provider", 'g4f_tests_try("create", "AsyncProviderMock")'),
    ],
    "b": [
        ("fresh_stream", 'g4f_tests_try("stream", "AsyncChunksProviderMock")'),
        ("patched_client", 'g4f_tests_try("client", "AsyncChunksProviderMock")'),
    ],
}
MISSING = [name for name in ("ipykernel", "jupyter_client") if not support.is_importable(name)]
# A unix socket's path holds at most 107 bytes on Linux (103 on macOS): the kernel's "<dir>/ipc-N" must fit.
SOCKET_PATH_MAX = 100


def socket_dir():
    """Where the kernel's sockets go: the temp dir, unless its path is too long for them (a long TMPDIR, such as
    nox's per-session one), then /tmp."""
    base = tempfile.gettempdir()
    if len(os.path.join(base, "g4f-tests-kernel-12345678", "ipc-10")) > SOCKET_PATH_MAX and os.path.isdir("/tmp"):
        return "/tmp"
    return base


ANSI = re.compile(r"\x1b\[[0-9;]*m")  # IPython colours its tracebacks


def _crash(what, content):
    return {
        "exitcode": None,
        "stderr": "%s\n%s" % (what, ANSI.sub("", "\n".join(content.get("traceback", [])))[-3000:]),
    }


class Kernel:
    """A kernel over IPC in a temp dir, driven from this process. jupyter_client and zmq cannot stop half-way, so
    SIGINT and SIGTERM take effect at ``signals.check()`` between their calls (ends.uninterrupted): a Stop raised
    inside zmq left a context whose termination never returned."""

    def __init__(self, signals):
        from jupyter_client.manager import KernelManager

        self.signals, self.kc = signals, None
        # IPC transport: the kernel's sockets are files in a temp dir, no TCP port at all. That dir (which also
        # holds kernel.json, with the kernel's HMAC key) and the kernel go however the run ends (ends.at_end).
        self.work = tempfile.mkdtemp(prefix="g4f-tests-kernel-", dir=socket_dir())
        self.km = KernelManager(
            kernel_name="python3",
            transport="ipc",
            ip=os.path.join(self.work, "ipc"),
            connection_file=os.path.join(self.work, "kernel.json"),
        )
        ends.at_end(self.stop)
        ends.clean_up_on_sigterm()
        try:
            # Its working directory is its temp dir: its sys.path starts there, never in g4f_tests/. It dies with
            # this process however it ends (PR_SET_PDEATHSIG where there is one, and ipykernel's parent check).
            owned = {"preexec_fn": servers.die_with_parent} if os.name == "posix" else {}
            self.km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"], cwd=self.work, **owned)
            signals.check()
            self.kc = self.km.client()
            self.kc.start_channels()
            self._wait_for_the_heartbeat_socket()
        except BaseException:
            self.stop()
            raise

    def _wait_for_the_heartbeat_socket(self, seconds=2.0):
        """The heartbeat channel makes its socket in its own thread: stopped before it has (a Ctrl-C just then), the
        thread may find zmq's context going and print a traceback (seen once in a self-test: "Too many open files"
        from its socket, after a SIGINT as the kernel started; not reproduced in 12 tries since)."""
        deadline = time.monotonic() + seconds
        channel = getattr(self.kc, "hb_channel", None)
        while getattr(channel, "socket", True) is None and time.monotonic() < deadline:
            time.sleep(0.002)

    def ready(self):
        """Wait until the kernel answers (it may have booted meanwhile)."""
        deadline = time.monotonic() + support.CHILD_TIMEOUT
        while True:
            try:
                self.kc.wait_for_ready(timeout=0.5)
                return
            except RuntimeError:
                self.signals.check()
                if time.monotonic() > deadline or not self.km.is_alive():
                    raise

    def stop(self):
        ends.done(self.stop)
        with ends.uninterrupted():
            try:
                if self.kc is not None:
                    self.kc.stop_channels()
                if self.km.has_kernel:
                    self.km.shutdown_kernel(now=True)
            except Exception:  # half-started or half-stopped: what runs is killed below
                pass
            finally:
                process = getattr(getattr(self.km, "provisioner", None), "process", None)
                if process is not None and process.poll() is None:
                    process.kill()
                    process.wait()
                shutil.rmtree(self.work, ignore_errors=True)

    def _answer(self, get, msg_id, seconds):
        """The next message from ``get`` (a channel's get_*_msg) answering ``msg_id``, or None after ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.signals.check()
            try:
                message = get(timeout=0.2)
            except queue.Empty:
                continue
            if message["parent_header"].get("msg_id") == msg_id:
                return message
        return None

    def run(self, code):
        """Execute ``code``: the observation it printed, or the error the cell raised. A cell past TIMEOUT is
        interrupted: the traceback of the KeyboardInterrupt says where it hung."""
        msg_id = self.kc.execute(code, stop_on_error=False)
        printed, deadline = [], time.monotonic() + support.TIMEOUT
        while True:
            message = self._answer(self.kc.get_iopub_msg, msg_id, deadline - time.monotonic())
            if message is None:
                self.km.interrupt_kernel()
                reply = self._answer(self.kc.get_shell_msg, msg_id, 5) or {"content": {"traceback": ["(no answer)"]}}
                what = "Timeout (%s s): the cell did not finish; interrupted, it was at:" % support.TIMEOUT
                return {"unresponsive": True, "crash": _crash(what, reply["content"])}
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])
            elif message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                break
        reply = self._answer(self.kc.get_shell_msg, msg_id, support.TIMEOUT) or {"content": {"status": "no reply"}}
        content = reply["content"]
        if content["status"] != "ok":
            what = "the cell raised %s: %s" % (content.get("ename", content["status"]), content.get("evalue", ""))
            return {"crash": _crash(what, content)}
        for line in "".join(printed).splitlines():
            if line.startswith(MARK):
                return json.loads(line[len(MARK) :])
        return {"crash": {"exitcode": None, "stderr": "the cell printed no observation: " + "".join(printed)}}


@unittest.skipIf(MISSING, "%s not installed (pip install ipykernel jupyter_client)" % " and ".join(MISSING))
@unittest.skipIf(
    not MISSING and support.g4f_nest() is None,
    "g4f cannot nest here: the nest package it imports is not installed (a kernel's loop always runs)",
)
class TestJupyterKernel(CheckTestCase):
    results = None
    kernels = {}  # name: Kernel, started by prestart (at prefetch) or by setUpClass

    @classmethod
    def prestart(cls):
        """Start the kernels now (checks.prefetch, once the zygotes are forked): they boot while the rest runs."""
        if getattr(cls, "__unittest_skip__", False):
            return
        with ends.uninterrupted() as signals:
            for name in CELLS:
                if name not in cls.kernels:
                    cls.kernels[name] = Kernel(signals)

    @classmethod
    def setUpClass(cls):
        cls.prestart()
        cls.results = {}
        with ends.uninterrupted() as signals:
            for name, kernel in sorted(cls.kernels.items()):
                kernel.signals = signals
                try:
                    cls.run_kernel(name, kernel)
                finally:
                    kernel.stop()
        cls.kernels = {}

    broken = None  # once a cell hung (g4f hangs), no other runs: one limit's wait, not one a kernel

    @classmethod
    def run_kernel(cls, name, kernel):
        try:
            kernel.ready()
        except RuntimeError as error:
            cls.results["setup " + name] = {"crash": {"exitcode": None, "stderr": "the kernel: %s" % error}}
            return
        package_file = os.path.join(PACKAGE_PARENT, PACKAGE, "__init__.py")
        setup = SETUP_CELL % {"parent": PACKAGE_PARENT, "package": PACKAGE, "file": package_file, "mark": MARK}
        for cell, code in [("setup " + name, setup)] + CELLS[name]:
            cls.results[cell] = cls.broken or kernel.run(code)
            if "unresponsive" in cls.results[cell]:
                cls.broken = {"crash": {"exitcode": None, "stderr": "not run: an earlier cell hung (see its check)"}}

    def observation(self, name):
        kernel = next(kernel for kernel, cells in CELLS.items() if name in [cell for cell, _ in cells])
        found = dict(self.results[name])
        if self.results["setup " + kernel].get("crash"):  # the cells ran without the setup cell's helpers: say why
            found = self.results["setup " + kernel]
        found.pop("unresponsive", None)
        return servers.observation({name: found}, name)

    @known(JUPYTER_FRESH_KERNEL)
    def test_async_provider_in_fresh_kernel(self):
        """in a fresh Jupyter kernel, sync create with an async provider returns the result"""
        self.assertReturned(self.observation("fresh_async_provider"), "Mock")

    def test_generator_provider_in_kernel(self):
        """in a Jupyter kernel, sync create with an async-generator provider returns the result (g4f patches the kernel's loop)"""
        self.assertReturned(self.observation("generator_provider"), "Mock")

    def test_async_provider_after_kernel_loop_patched(self):
        """in a Jupyter kernel whose loop g4f has patched, sync create with an async provider returns the result"""
        self.assertReturned(self.observation("patched_async_provider"), "Mock")

    def test_stream_in_fresh_kernel(self):
        """in a fresh Jupyter kernel, sync create(stream=True) yields every chunk in order (g4f patches the kernel's loop)"""
        self.assertReturned(self.observation("fresh_stream"), list(CHUNKS))

    def test_stream_after_kernel_loop_patched(self):
        """in a Jupyter kernel whose loop g4f has patched, sync create(stream=True) yields every chunk in order"""
        self.assertReturned(self.observation("patched_stream"), list(CHUNKS))

    def test_client_in_fresh_kernel(self):
        """in a fresh Jupyter kernel, the sync Client returns the joined message (g4f patches the kernel's loop)"""
        self.assertReturned(self.observation("fresh_client"), JOINED)

    def test_client_after_kernel_loop_patched(self):
        """in a Jupyter kernel whose loop g4f has patched, the sync Client returns the joined message"""
        self.assertReturned(self.observation("patched_client"), JOINED)
