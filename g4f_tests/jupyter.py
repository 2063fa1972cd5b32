"""g4f's sync API inside a real Jupyter kernel, where a loop is always running (g4f issue #2748).

Optional: needs ipykernel and jupyter_client (the project's ``jupyter`` extra); without them every test skips
naming them. The kernel is started by jupyter_client over its IPC transport (sockets in a temp dir, no TCP
port), runs this environment's Python, imports this checkout's g4f_tests, and executes the cells below in a
fixed order (the first call that makes g4f patch the kernel's loop changes what later calls see), once per
class; each test asserts on the observation its cell printed.
"""

import json
import os
import re
import shutil
import tempfile
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
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # IPython colours its tracebacks


@unittest.skipIf(MISSING, "%s not installed (pip install ipykernel jupyter_client)" % " and ".join(MISSING))
class TestJupyterKernel(CheckTestCase):
    results = None

    @classmethod
    def setUpClass(cls):
        from jupyter_client.manager import KernelManager

        # IPC transport: the kernel's sockets are files in a temp dir, no TCP port at all. That dir (which also
        # holds kernel.json, with the kernel's HMAC key) and the kernel go however the run ends (ends.at_end).
        work = tempfile.mkdtemp(prefix="g4f-tests-kernel-")
        km = KernelManager(
            kernel_name="python3",
            transport="ipc",
            ip=os.path.join(work, "ipc"),
            connection_file=os.path.join(work, "kernel.json"),
        )
        clients = []

        def stop_kernel():
            try:
                for kc in clients:
                    kc.stop_channels()
                if km.has_kernel:
                    km.shutdown_kernel(now=True)
            except Exception:  # a signal stopped it half-way through starting: what runs is killed below
                pass
            finally:
                process = getattr(getattr(km, "provisioner", None), "process", None) or getattr(km, "kernel", None)
                if process is not None and process.poll() is None:  # shutdown failed half-way: no survivor
                    process.kill()
                    process.wait()
                shutil.rmtree(work, ignore_errors=True)

        ends.at_end(stop_kernel)
        ends.clean_up_on_sigterm()
        cls.results = {}
        try:
            # The kernel's working directory is its temp dir: its sys.path starts there, never in g4f_tests/.
            km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"], cwd=work)
            kc = km.client()
            clients.append(kc)
            kc.start_channels()
            kc.wait_for_ready(timeout=support.CHILD_TIMEOUT)
            package_file = os.path.join(PACKAGE_PARENT, PACKAGE, "__init__.py")
            setup = SETUP_CELL % {"parent": PACKAGE_PARENT, "package": PACKAGE, "file": package_file, "mark": MARK}
            broken = None
            for name, code in [("setup", setup)] + CELLS:
                cls.results[name] = broken or cls.run_cell(km, kc, code)
                if "unresponsive" in cls.results[name]:
                    broken = {"crash": {"exitcode": None, "stderr": "not run: the kernel was stuck in a cell before"}}
        finally:
            ends.done(stop_kernel)
            stop_kernel()

    @staticmethod
    def run_cell(km, kc, code):
        """Execute ``code`` in the kernel; the observation it printed, or the error the cell raised. A cell past
        TIMEOUT is interrupted: the traceback of the KeyboardInterrupt says where it hung."""
        printed = []

        def hook(message):
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])

        try:
            reply = kc.execute_interactive(code, timeout=support.TIMEOUT, output_hook=hook, stop_on_error=False)
        except TimeoutError:
            km.interrupt_kernel()
            try:
                reply = kc.get_shell_msg(timeout=5)
            except Exception:
                reply = {"content": {"status": "error", "ename": "no reply to an interrupt", "traceback": []}}
            return {
                "unresponsive": True,
                "crash": {
                    "exitcode": None,
                    "stderr": "Timeout (%s s): the cell did not finish; interrupted, it was at:\n%s"
                    % (support.TIMEOUT, ANSI.sub("", "\n".join(reply["content"].get("traceback", [])))[-3000:]),
                },
            }
        content = reply["content"]
        if content["status"] != "ok":
            return {
                "crash": {
                    "exitcode": None,
                    "stderr": "the cell raised %s: %s\n%s"
                    % (
                        content.get("ename"),
                        content.get("evalue"),
                        ANSI.sub("", "\n".join(content.get("traceback", [])))[-3000:],
                    ),
                }
            }
        for line in "".join(printed).splitlines():
            if line.startswith(MARK):
                return json.loads(line[len(MARK) :])
        return {"crash": {"exitcode": None, "stderr": "the cell printed no observation: " + "".join(printed)}}

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
