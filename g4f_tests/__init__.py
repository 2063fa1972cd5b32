"""g4f-tests: a unittest conformance suite for g4f's sync/async bridge.

``python -m unittest``, ``python -m unittest discover`` and ``python -m unittest g4f_tests`` come through
``load_tests`` below (discovery's ``test*.py`` pattern would never match ``asyncio.py``). ``python -m g4f_tests``
/ ``python run_tests.py`` add the environment header, the known-defects section and a closing count line.

Importing the package imports no g4f (so the runner can start the check children first, see children.py), but
it arms the network guard, and it attaches the suite's behaviour to the documented module when that module is
imported: ``asyncio.py`` stays g4f's own file and cannot import this package, yet one test id run alone must
get the same verdict as in the full run.
"""

import os
import sys

if os.path.dirname(os.path.abspath(__file__)) in [os.path.abspath(p or os.curdir) for p in sys.path]:
    # This folder on sys.path makes our asyncio.py the stdlib's asyncio (checked before anything imports it).
    sys.stderr.write(
        "g4f-tests: run it from outside the g4f_tests folder: python -m g4f_tests from the project root "
        "(or python -m unittest, python run_tests.py)\n"
    )
    raise SystemExit(2)

import importlib  # noqa: E402
import importlib.machinery  # noqa: E402
import unittest  # noqa: E402

from . import sandbox, support  # noqa: E402

__version__ = "0.2.0"

# The modules of checks, in the order they run by default: the documented module first.
MODULES = (
    "asyncio",
    "nesting",
    "callers_loop",
    "loops",
    "streaming",
    "fidelity",
    "incremental",
    "errors",
    "provider_lists",
    "timeouts",
    "authed",
    "responses",
    "response_objects",
    "shorthands",
    "parameters",
    "images",
    "third_party",
    "threads",
    "cancellation",
    "bridge",
    "workers",
    "bridge_timeouts",
    "contexts",
    "jupyter",
    # where integrators run g4f
    "asgi",
    "wsgi",
    "greenlets",
    "bots",
)  # setup.cfg's python_files lists them all, for pytest
DOCUMENTED = __name__ + ".asyncio"

support.enable_network_guard()
sandbox.cookies_dir()  # made (and removed at exit) by this process, before any child is started: theirs too


class _AdoptDocumented:
    """A meta path finder and loader: imports the documented module as usual, then hands it to documented.adopt."""

    def find_spec(self, name, path=None, target=None):
        if name != DOCUMENTED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None:
            self.loader, spec.loader = spec.loader, self
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        self.loader.exec_module(module)
        from .documented import adopt

        adopt(module)

    def __getattr__(self, name):  # get_source, get_filename, ...: the real loader's
        loader = self.__dict__.get("loader")
        if loader is None:
            raise AttributeError(name)
        return getattr(loader, name)


if not any(isinstance(finder, _AdoptDocumented) for finder in sys.meta_path):
    sys.meta_path.insert(0, _AdoptDocumented())


def load_tests(loader, standard_tests, pattern):
    if not support.is_importable("g4f"):  # the runner's one line, not an import traceback
        sys.stderr.write("g4f-tests: g4f is not installed in this Python (%s): pip install g4f\n" % sys.executable)
        raise SystemExit(2)
    suite = package_suite(loader)
    from .checks import prefetch

    prefetch(iter_tests(suite))
    return suite


def package_suite(loader):
    """Every module's tests, in MODULES order (the runner prefetches them itself, once it knows it will run them)."""
    suite = unittest.TestSuite()
    for name in MODULES:
        module = importlib.import_module("." + name, __name__)
        suite.addTests(loader.loadTestsFromModule(module))
    return suite


def iter_tests(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from iter_tests(item)
        else:
            yield item
