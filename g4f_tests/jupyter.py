"""g4f's sync API inside a real Jupyter kernel, where a loop is always running (g4f issue #2748).

Optional: needs ipykernel and jupyter_client (the project's ``jupyter`` extra); without them every test skips
naming them. The kernel is started by jupyter_client over its IPC transport (sockets in a temp dir, no TCP
port), runs this environment's Python, imports this checkout's g4f_tests, and executes the cells below in a
fixed order (the first call that makes g4f patch the kernel's loop changes what later calls see), once per
class; each test asserts on the observation its cell printed.
"""

import json
import os
import shutil
import tempfile
import unittest

from . import support
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


@unittest.skipIf(MISSING, "%s not installed (pip install ipykernel jupyter_client)" % " and ".join(MISSING))
@unittest.skipIf(
    not MISSING and support.g4f_nest() is None,
    "g4f cannot nest here: the nest package it imports is not installed (a kernel's loop always runs)",
)
class TestJupyterKernel(CheckTestCase):
    results = None

    @classmethod
    def setUpClass(cls):
        from jupyter_client.manager import KernelManager

        # IPC transport: the kernel's sockets are files in a temp dir, no TCP port at all.
        work = tempfile.mkdtemp(prefix="g4f-tests-kernel-", dir=socket_dir())
        km = KernelManager(
            kernel_name="python3",
            transport="ipc",
            ip=os.path.join(work, "ipc"),
            connection_file=os.path.join(work, "kernel.json"),
        )
        km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])
        kc = km.client()
        kc.start_channels()
        cls.results = {}
        try:
            kc.wait_for_ready(timeout=support.CHILD_TIMEOUT)
            package_file = os.path.join(PACKAGE_PARENT, PACKAGE, "__init__.py")
            cls.run_cell(
                kc, SETUP_CELL % {"parent": PACKAGE_PARENT, "package": PACKAGE, "file": package_file, "mark": MARK}
            )
            for name, code in CELLS:
                cls.results[name] = cls.run_cell(kc, code)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            shutil.rmtree(work, ignore_errors=True)

    @staticmethod
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

    def observation(self, name):
        return support.Observation(**self.results[name])

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
