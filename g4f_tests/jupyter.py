"""g4f's sync API inside a real Jupyter kernel, where a loop is always running (g4f issues #915, #1605, #2748).

Optional: needs ipykernel and jupyter_client (the project's ``jupyter`` extra); without them every test skips
naming them. The kernels are started when the suite is prefetched, by the test process, as jupyter_client's python3
kernel spec starts one (``python -m ipykernel_launcher -f CONNECTION_FILE``, IPC transport: sockets in the run's
temp dir, no TCP port), so they boot while the rest runs; each dies with the test process. A check's child claims
one, connects with jupyter_client, imports this checkout's g4f_tests in it and executes the cells below in order:
the first call that makes g4f patch a kernel's loop changes what later calls see, so there are two kernels, each
fresh for its first nesting call (stream=True in one, the Client in the other), each driven by a child of its own. A child
that finds no kernel to claim (a check run again alone) starts one with jupyter_client's KernelManager.
"""

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
import unittest
import uuid

from . import children, servers, support
from .checks import CheckTestCase, in_children
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
    """Start the kernels now, from this process (checks.prefetch calls it when the suite is loaded), so they boot
    while everything else runs; each dies with this process and its files go with the run dir. A check's child
    claims them (kernel_client); one that finds none claimable starts its own."""
    for name in CELLS:
        work = os.path.join(children.run_dir(), "kernel-" + name)
        if os.path.exists(work):
            continue  # started already (a second prefetch in this run)
        os.mkdir(work)
        info = dict(zip(PORTS, range(1, len(PORTS) + 1)), ip=os.path.join(work, "ipc"), transport="ipc")
        info.update(key=uuid.uuid4().hex, signature_scheme="hmac-sha256", kernel_name="python3")
        with open(os.path.join(work, "prestarted.json"), "w") as f:
            json.dump(info, f)
        command = [sys.executable, "-m", "ipykernel_launcher", "-f", os.path.join(work, "prestarted.json")]
        env = dict(os.environ, JPY_PARENT_PID=str(os.getpid()))  # ipykernel exits when this process is gone
        with open(os.path.join(work, "kernel.log"), "wb") as log:
            _prestarted.append(
                subprocess.Popen(
                    command + ARGUMENTS, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, **OWNED
                )
            )


KERNELS = {name: (name,) for name in CELLS}  # each kernel's session in a child of its own, at once
PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
ARGUMENTS = ["--HistoryManager.enabled=False"]
OWNED = {"preexec_fn": servers.die_with_parent} if os.name == "posix" else {}  # the kernel dies with its starter
_prestarted = []


@atexit.register
def _stop_prestarted():
    for process in _prestarted:
        if process.poll() is None:
            process.kill()
        process.wait()


def kernel_client(name, work):
    """A client of kernel ``name``: the prestarted one if this is the first to claim it, else a new kernel (its
    manager too, to shut it down)."""
    from jupyter_client.blocking import BlockingKernelClient

    prestarted = os.path.join(children.run_dir(), "kernel-" + name)
    try:
        os.close(os.open(os.path.join(prestarted, "claimed"), os.O_CREAT | os.O_EXCL))  # one claimer only
    except OSError:
        km = start_kernel(work)
        return km.client(), km
    kc = BlockingKernelClient(connection_file=os.path.join(prestarted, "prestarted.json"))
    kc.load_connection_file()
    return kc, None


def start_kernel(work):
    from jupyter_client.manager import KernelManager

    # IPC transport: the kernel's sockets are files in a temp dir, no TCP port at all.
    km = KernelManager(
        kernel_name="python3",
        transport="ipc",
        ip=os.path.join(work, "ipc"),
        connection_file=os.path.join(work, "kernel.json"),
    )
    km.start_kernel(extra_arguments=ARGUMENTS, **OWNED)
    return km


def kernel_session(name):
    """Kernel ``name`` (prestarted, else started now): run its cells in order, shut it down; {cell: observation}
    (a failure is every unrun cell's observation)."""
    results = {}
    work = tempfile.mkdtemp(prefix="kernel-", dir=children.run_dir())
    km = kc = None
    try:
        kc, km = kernel_client(name, work)
        kc.start_channels(hb=km is not None)  # a client without the manager would read a slow start as death
        kc.wait_for_ready(timeout=support.TIMEOUT)
        package_file = os.path.join(PACKAGE_PARENT, PACKAGE, "__init__.py")
        run_cell(kc, SETUP_CELL % {"parent": PACKAGE_PARENT, "package": PACKAGE, "file": package_file, "mark": MARK})
        for cell, call, provider in CELLS[name]:
            results[cell] = run_cell(kc, "g4f_tests_try(%r, %r)" % (call, provider))
    except Exception:
        failure = {"crash": {"exitcode": None, "stderr": "kernel %s: %s" % (name, traceback.format_exc()[-3000:])}}
        for cell, _, _ in CELLS[name]:
            results.setdefault(cell, failure)
    finally:
        if km is not None:
            km.shutdown_kernel(now=True)
        elif kc is not None:
            kc.shutdown()  # the prestarted kernel exits; its starter reaps it
        if kc is not None:
            kc.stop_channels()
        shutil.rmtree(work, ignore_errors=True)
    return results


def run_cell(kc, code):
    """Execute ``code`` in the kernel; the observation it printed, or the error the cell raised."""
    printed = []

    def hook(message):
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    reply = kc.execute_interactive(code, timeout=support.TIMEOUT, output_hook=hook, stop_on_error=False)
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
    slow = True  # its child starts first (checks.prefetch): kernels take the longest

    @classmethod
    def prestart(cls):
        prestart()

    def cell(self, found, name):
        kernel = next(kernel for kernel, cells in CELLS.items() if name in [cell for cell, _, _ in cells])
        return servers.observation(self.returned(found[kernel], "an observation of each cell"), name)

    @known(JUPYTER_FRESH_KERNEL)
    @in_children(kernel_session, KERNELS)
    def test_async_provider_in_fresh_kernel(self, found):
        """in a fresh Jupyter kernel, sync create with an async provider returns the result"""
        self.assertReturned(self.cell(found, "fresh_async_provider"), "Mock")

    @in_children(kernel_session, KERNELS)
    def test_generator_provider_in_kernel(self, found):
        """in a Jupyter kernel, sync create with an async-generator provider returns the result (g4f patches the kernel's loop)"""
        self.assertReturned(self.cell(found, "generator_provider"), "Mock")

    @in_children(kernel_session, KERNELS)
    def test_async_provider_after_kernel_loop_patched(self, found):
        """in a Jupyter kernel whose loop g4f has patched, sync create with an async provider returns the result"""
        self.assertReturned(self.cell(found, "patched_async_provider"), "Mock")

    @in_children(kernel_session, KERNELS)
    def test_stream_in_fresh_kernel(self, found):
        """in a fresh Jupyter kernel, sync create(stream=True) yields every chunk in order (g4f patches the kernel's loop)"""
        self.assertReturned(self.cell(found, "fresh_stream"), list(CHUNKS))

    @in_children(kernel_session, KERNELS)
    def test_stream_after_kernel_loop_patched(self, found):
        """in a Jupyter kernel whose loop g4f has patched, sync create(stream=True) yields every chunk in order"""
        self.assertReturned(self.cell(found, "patched_stream"), list(CHUNKS))

    @in_children(kernel_session, KERNELS)
    def test_client_in_fresh_kernel(self, found):
        """in a fresh Jupyter kernel, the sync Client returns the joined message (g4f patches the kernel's loop)"""
        self.assertReturned(self.cell(found, "fresh_client"), JOINED)

    @in_children(kernel_session, KERNELS)
    def test_client_after_kernel_loop_patched(self, found):
        """in a Jupyter kernel whose loop g4f has patched, the sync Client returns the joined message"""
        self.assertReturned(self.cell(found, "patched_client"), JOINED)
