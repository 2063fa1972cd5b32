"""g4f-tests: a unittest conformance suite for g4f's sync/async bridge.

``python -m unittest``, ``python -m unittest discover`` and ``python -m unittest g4f_tests`` all come
through ``load_tests`` below (discovery's ``test*.py`` pattern would never match ``asyncio.py``).
``python run_tests.py`` / ``python -m g4f_tests`` add an environment header, the known-defects
section and a closing count line.
"""
import importlib
import sys
import unittest

from . import known_defects, support

__version__ = "0.1.0"

# g4f's version check (a thread that asks the package index on the first request) is switched off
# here if g4f is already imported, else by mocks.py, which every check module imports right after g4f.
# The package itself does not import g4f, so the runner can start the clean-interpreter children
# (clean_interpreter.py) before this process spends its half second importing g4f.
if "g4f" in sys.modules:
    support.disable_g4f_version_check()

# The modules of checks, in the order they run by default: the documented module first.
MODULES = ("asyncio", "nesting", "loops", "streaming", "clients", "threads", "cancellation", "bridge", "jupyter")


def load_tests(loader, standard_tests, pattern):
    if not support.is_importable("g4f"):
        raise ImportError("g4f is not installed in this Python: pip install g4f")
    support.disable_g4f_version_check()
    support.enable_network_guard()
    suite = unittest.TestSuite()
    for name in MODULES:
        module = importlib.import_module("." + name, __name__)
        suite.addTests(loader.loadTestsFromModule(module))
    for test in known_defects.iter_tests(suite):
        # Once the documented TestChatCompletionNestAsync has applied nest_asyncio here, a sync call
        # leaves the thread's loop open: clean that up after every sync test, in any order. (An async
        # test's installed loop is its own, closed by IsolatedAsyncioTestCase.)
        if not isinstance(test, unittest.IsolatedAsyncioTestCase):
            test.addCleanup(support.close_nest_leftover_loop)
    return known_defects.apply(suite)
