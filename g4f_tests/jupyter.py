"""g4f's sync API inside a real Jupyter kernel, where a loop is always running (g4f issue #2748).

Optional: needs the [jupyter] extra (ipykernel, jupyter_client); without it every test skips. The
kernel is started by jupyter_client over its IPC transport (sockets in a temp dir, no TCP port),
runs this environment's Python, and executes the cells below in a fixed order (the first call that
makes g4f patch the kernel's loop changes what later calls see), once per class setup; the tests
assert on what each cell printed.
"""
import json
import os
import shutil
import tempfile
import unittest

from .support import CALL_TIMEOUT, CHILD_TIMEOUT, is_importable

PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = __name__.rpartition(".")[0]

SETUP_CELL = """
import gc, json, sys, warnings
sys.path.append(%(parent)r)
from %(package)s import mocks, support
support.enable_network_guard()

def g4f_tests_try(provider):
    import g4f
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value, error = g4f.ChatCompletion.create(g4f.models.default, [{"role": "user", "content": "Hello"}],
                                                     getattr(mocks, provider)), None
        except Exception as exc:
            value, error = None, "%%s.%%s: %%s" %% (type(exc).__module__, type(exc).__qualname__, exc)
        gc.collect()
    print("G4F-TESTS " + json.dumps({"value": value, "error": error,
                                     "warnings": [str(w.message).splitlines()[0] for w in caught]}))
"""

# In this order: nothing has patched the kernel's loop before the first cell.
CELLS = [
    ("fresh_async_provider", 'g4f_tests_try("AsyncProviderMock")'),
    ("generator_provider", 'g4f_tests_try("AsyncGeneratorProviderMock")'),
    ("patched_async_provider", 'g4f_tests_try("AsyncProviderMock")'),
]


class TestJupyterKernel(unittest.TestCase):
    results = None

    @classmethod
    def setUpClass(cls):
        if not (is_importable("ipykernel") and is_importable("jupyter_client")):
            return  # each test skips in setUp, so each is counted
        from jupyter_client.manager import KernelManager

        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [p for p in (os.environ.get("PYTHONPATH"), PACKAGE_PARENT) if p]))
        # IPC transport: the kernel's sockets are files in a temp dir, no TCP port at all.
        work = tempfile.mkdtemp(prefix="g4f-tests-kernel-")
        km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(work, "ipc"),
                           connection_file=os.path.join(work, "kernel.json"))
        km.start_kernel(env=env, extra_arguments=["--HistoryManager.enabled=False"])
        kc = km.client()
        kc.start_channels()
        cls.results = {}
        try:
            kc.wait_for_ready(timeout=CHILD_TIMEOUT)
            cls.run_cell(kc, SETUP_CELL % {"parent": PACKAGE_PARENT, "package": PACKAGE})
            for name, code in CELLS:
                cls.results[name] = cls.run_cell(kc, code)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            shutil.rmtree(work, ignore_errors=True)

    def setUp(self):
        if self.results is None:
            self.skipTest("ipykernel and jupyter_client are not installed (pip install g4f-tests[jupyter])")

    @staticmethod
    def run_cell(kc, code):
        """Execute ``code`` in the kernel; return the JSON it printed (or the error it raised)."""
        printed = []

        def hook(message):
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])

        reply = kc.execute_interactive(code, timeout=CALL_TIMEOUT, output_hook=hook, stop_on_error=False)
        content = reply["content"]
        if content["status"] != "ok":
            return {"value": None, "error": "%s: %s" % (content.get("ename"), content.get("evalue")), "warnings": []}
        for line in "".join(printed).splitlines():
            if line.startswith("G4F-TESTS "):
                return json.loads(line[len("G4F-TESTS "):])
        return {"value": None, "error": None, "warnings": [], "printed": "".join(printed)}

    def assertReturnedMock(self, name):
        found = self.results[name]
        self.assertIsNone(found["error"], "in the kernel, g4f raised %s; warnings: %s" % (found["error"], found["warnings"]))
        self.assertEqual(found["value"], "Mock")
        stray = [w for w in found["warnings"] if "never awaited" in w or "unclosed" in w]
        self.assertEqual(stray, [], "the call left coroutines or loops behind")

    def test_async_provider_in_fresh_kernel(self):
        """in a fresh Jupyter kernel, sync create with an async provider returns the result"""
        self.assertReturnedMock("fresh_async_provider")

    def test_generator_provider_in_kernel(self):
        """in a Jupyter kernel, sync create with an async-generator provider returns the result (g4f patches the kernel's loop)"""
        self.assertReturnedMock("generator_provider")

    def test_async_provider_after_kernel_loop_patched(self):
        """in a Jupyter kernel whose loop g4f has patched, sync create with an async provider returns the result"""
        self.assertReturnedMock("patched_async_provider")

