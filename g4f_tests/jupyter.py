"""g4f's sync API inside a real Jupyter kernel, where a loop is always running (g4f issues #915, #1605, #2748).

Optional: needs ipykernel and jupyter_client (the project's ``jupyter`` extra); without them every test skips
naming them. The kernels are the clean processes here: new interpreters started as jupyter_client's python3 kernel
spec starts one (``python -m ipykernel_launcher -f CONNECTION_FILE``; IPC transport: sockets in the run's temp dir,
no TCP port), each dying with the test process. They start when the suite is prefetched, and a thread of the test
process drives each with jupyter_client while the rest runs (a single test started alone does it in setUpClass):
it imports this checkout's g4f_tests in the kernel and executes the cells below in order. The first call that makes
g4f patch a kernel's loop changes what later calls see, so there are two kernels, each fresh for its first nesting
call (stream=True in one, the Client in the other). Each test asserts on what its cell printed.
"""

import atexit
import json
import os
import subprocess
import sys
import threading
import traceback
import unittest
import uuid

from . import children, servers, support
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
"""

# Per kernel, in this order: nothing has patched a kernel's loop before its first cell.
CELLS = {
    "a": [
        ("fresh_async_provider", "create", "AsyncProviderMock"),
        ("fresh_client", "client", "AsyncChunksProviderMock"),
        ("patched_stream", "stream", "AsyncChunksProviderMock"),
        ("generator_provider", "create", "AsyncGeneratorProviderMock"),
        ("patched_async_provider", "create", "AsyncProviderMock"),
    ],
    "b": [
        ("fresh_stream", "stream", "AsyncChunksProviderMock"),
        ("patched_client", "client", "AsyncChunksProviderMock"),
    ],
}


def prestart():
    """Start the kernels and the threads that drive them, once per process (checks.prefetch calls it, after the
    zygotes are forked: a thread here would keep this process from being one)."""
    if _sessions:
        return
    for name in CELLS:
        work = os.path.join(children.run_dir(), "kernel-" + name)
        os.mkdir(work)
        info = dict(zip(PORTS, range(1, len(PORTS) + 1)), ip=os.path.join(work, "ipc"), transport="ipc")
        info.update(key=uuid.uuid4().hex, signature_scheme="hmac-sha256", kernel_name="python3")
        connection = os.path.join(work, "kernel.json")
        with open(connection, "w") as f:
            json.dump(info, f)
        command = [sys.executable, "-m", "ipykernel_launcher", "-f", connection, "--HistoryManager.enabled=False"]
        env = dict(os.environ, JPY_PARENT_PID=str(os.getpid()))  # ipykernel exits when this process is gone
        with open(os.path.join(work, "kernel.log"), "wb") as log:
            _kernels.append(
                subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, **OWNED)
            )
        thread = threading.Thread(target=kernel_session, args=(name, connection), name="g4f-tests-kernel-" + name)
        thread.daemon = True
        thread.start()
        _sessions[name] = thread


PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
OWNED = {"preexec_fn": servers.die_with_parent} if os.name == "posix" else {}  # it dies with the test process
_kernels, _sessions, _results = [], {}, {}
_starter = os.getpid()


@atexit.register
def _stop_kernels():
    if os.getpid() != _starter:
        return  # a fork of the starter holds copies of the Popen objects, not the kernels
    for process in _kernels:
        if process.poll() is None:
            process.kill()
        process.wait()


def kernel_session(name, connection):
    """Drive kernel ``name``: wait until it is ready, import g4f_tests in it, run its cells in order, shut it down.
    Every cell's observation goes to _results (a failure is every unrun cell's)."""
    from jupyter_client.blocking import BlockingKernelClient

    kc = BlockingKernelClient(connection_file=connection)
    try:
        kc.load_connection_file()
        kc.start_channels(hb=False)  # without the kernel's manager, a slow start would read as its death
        kc.wait_for_ready(timeout=support.CHILD_TIMEOUT)
        package_file = os.path.join(PACKAGE_PARENT, PACKAGE, "__init__.py")
        setup = SETUP_CELL % {"parent": PACKAGE_PARENT, "package": PACKAGE, "file": package_file, "mark": MARK}
        run_cell(kc, setup, support.CHILD_TIMEOUT)  # imports g4f there
        for cell, call, provider in CELLS[name]:
            _results[cell] = run_cell(kc, "g4f_tests_try(%r, %r)" % (call, provider))
        kc.shutdown()
    except Exception:
        failure = {"crash": {"exitcode": None, "stderr": "kernel %s: %s" % (name, traceback.format_exc()[-3000:])}}
        for cell, _, _ in CELLS[name]:
            _results.setdefault(cell, failure)
    finally:
        kc.stop_channels()


def run_cell(kc, code, timeout=None):
    """Execute ``code`` in the kernel; the observation it printed, or the error the cell raised."""
    printed = []

    def hook(message):
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    reply = kc.execute_interactive(code, timeout=timeout or support.TIMEOUT, output_hook=hook, stop_on_error=False)
    content = reply["content"]
    if content["status"] != "ok":
        return {
            "crash": {
                "exitcode": None,
                "stderr": "the cell raised %s: %s\n%s"
                % (content.get("ename"), content.get("evalue"), "\n".join(content.get("traceback", []))[-3000:]),
            }
        }
    for line in "".join(printed).splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    return {"crash": {"exitcode": None, "stderr": "the cell printed no observation: " + "".join(printed)}}


@servers.needs("ipykernel", "jupyter_client")
@unittest.skipIf(
    support.g4f_nest() is None,
    "g4f cannot nest here: the nest package it imports is not installed (a kernel's loop always runs)",
)
class TestJupyterKernel(CheckTestCase):
    @classmethod
    def prestart(cls):
        prestart()

    @classmethod
    def setUpClass(cls):
        """Wait for the kernels' sessions (started now if the suite was not prefetched): outside the per-test limit,
        as a kernel may take long to start on a loaded machine; each step has its own limit."""
        prestart()
        for thread in _sessions.values():
            thread.join(support.CHILD_TIMEOUT + support.TIMEOUT * (1 + max(len(cells) for cells in CELLS.values())))

    def cell(self, name):
        if name not in _results:
            self.fail("the kernel session did not finish: no observation of the %r cell" % name)
        return servers.observation(_results, name)

    @known(JUPYTER_FRESH_KERNEL)
    def test_async_provider_in_fresh_kernel(self):
        """in a fresh Jupyter kernel, sync create with an async provider returns the result"""
        self.assertReturned(self.cell("fresh_async_provider"), "Mock")

    def test_generator_provider_in_kernel(self):
        """in a Jupyter kernel, sync create with an async-generator provider returns the result (g4f patches the kernel's loop)"""
        self.assertReturned(self.cell("generator_provider"), "Mock")

    def test_async_provider_after_kernel_loop_patched(self):
        """in a Jupyter kernel whose loop g4f has patched, sync create with an async provider returns the result"""
        self.assertReturned(self.cell("patched_async_provider"), "Mock")

    def test_stream_in_fresh_kernel(self):
        """in a fresh Jupyter kernel, sync create(stream=True) yields every chunk in order (g4f patches the kernel's loop)"""
        self.assertReturned(self.cell("fresh_stream"), list(CHUNKS))

    def test_stream_after_kernel_loop_patched(self):
        """in a Jupyter kernel whose loop g4f has patched, sync create(stream=True) yields every chunk in order"""
        self.assertReturned(self.cell("patched_stream"), list(CHUNKS))

    def test_client_in_fresh_kernel(self):
        """in a fresh Jupyter kernel, the sync Client returns the joined message (g4f patches the kernel's loop)"""
        self.assertReturned(self.cell("fresh_client"), JOINED)

    def test_client_after_kernel_loop_patched(self):
        """in a Jupyter kernel whose loop g4f has patched, the sync Client returns the joined message"""
        self.assertReturned(self.cell("patched_client"), JOINED)
