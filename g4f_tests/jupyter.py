"""g4f's sync API inside a real Jupyter kernel, where a loop is always running (g4f issue #2748).

Optional: needs ipykernel and jupyter_client (the project's ``jupyter`` extra); without them every test skips
naming them. The kernel is started by jupyter_client over its IPC transport (sockets in a temp dir, no TCP
port), runs this environment's Python, imports this checkout's g4f_tests, and executes the cells below in a
fixed order (the first call that makes g4f patch the kernel's loop changes what later calls see), once per
class; each test asserts on the observation its cell printed.
"""

import json
import os
import queue
import re
import shutil
import tempfile
import time
import unittest

from . import ends, support
from .checks import CheckTestCase
from .known_defects import JUPYTER_FRESH_KERNEL, known

PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = __name__.rpartition(".")[0]
MARK = "G4F-TESTS-OBSERVATION "

SETUP_CELL = """
import json, sys
sys.path.insert(0, %(parent)r)
import %(package)s
assert %(package)s.__file__ == %(file)r, "the kernel imported another g4f_tests: " + %(package)s.__file__
from %(package)s import mocks, observe, providers, support
support.sandbox()

def g4f_tests_try(provider):
    found = observe.observe(providers.create, getattr(mocks, provider))
    print(%(mark)r + json.dumps(found, default=repr))

print(%(mark)r + json.dumps({"value": "ready"}))
"""

# In this order: nothing has patched the kernel's loop before the first cell.
CELLS = [
    ("fresh_async_provider", 'g4f_tests_try("AsyncProviderMock")'),
    ("generator_provider", 'g4f_tests_try("AsyncGeneratorProviderMock")'),
    ("patched_async_provider", 'g4f_tests_try("AsyncProviderMock")'),
]
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
            # Its working directory is its temp dir: its sys.path starts there, never in g4f_tests/.
            self.km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"], cwd=self.work)
            signals.check()
            self.kc = self.km.client()
            self.kc.start_channels()
            deadline = time.monotonic() + support.CHILD_TIMEOUT
            while True:
                try:
                    self.kc.wait_for_ready(timeout=0.5)
                    break
                except RuntimeError:
                    signals.check()
                    if time.monotonic() > deadline or not self.km.is_alive():
                        raise
        except BaseException:
            self.stop()
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

    @classmethod
    def setUpClass(cls):
        cls.results = {}
        with ends.uninterrupted() as signals:
            kernel = Kernel(signals)
            try:
                package_file = os.path.join(PACKAGE_PARENT, PACKAGE, "__init__.py")
                setup = SETUP_CELL % {"parent": PACKAGE_PARENT, "package": PACKAGE, "file": package_file, "mark": MARK}
                broken = None
                for name, code in [("setup", setup)] + CELLS:
                    cls.results[name] = broken or kernel.run(code)
                    if "unresponsive" in cls.results[name]:
                        broken = {
                            "crash": {"exitcode": None, "stderr": "not run: an earlier cell hung (see its check)"}
                        }
            finally:
                kernel.stop()

    def observation(self, name):
        found = dict(self.results[name])
        if self.results["setup"].get("crash"):  # the cells ran without the setup cell's helpers: say why
            found = self.results["setup"]
        found.pop("unresponsive", None)
        return support.Observation(**found)

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
