"""What happens in a check's child around its body: the zygote states, the asyncio regimes, the observation.

A *state* is prepared once per zygote (children.py): ``NEST_IMPORTABLE`` (nest_asyncio2 / nest_asyncio
importable, nothing applied), ``NEST_HIDDEN`` (both unimportable, as if not installed, and uvloop too: g4f as
``pip install g4f`` leaves it) or ``GEVENT`` (a new interpreter that ran gevent's monkey.patch_all() before anything
else), then g4f imported. A *regime* is
entered in each check's own fork and asserted before its body runs, so a check named for plain asyncio never
runs on a patched one:

- ``PLAIN``: asyncio as the stdlib ships it (not nest-patched); an async body runs under ``asyncio.run``;
- ``UVLOOP``: an async body runs on a uvloop loop (``uvloop.run``), asyncio otherwise untouched;
- ``NEST_APPLIED``: the nest package g4f itself imports was applied first (what g4f tells Jupyter users to
  do), then the body runs, an async one under the patched ``asyncio.run``;
- ``NO_NEST``: plain asyncio in an interpreter where g4f found no nest package (and no uvloop) when it was
  imported.
- ``GEVENT_PATCHED``: gevent's patch_all ran first (socket, select, threading, ssl patched), asyncio untouched.
(observe.py runs a body in its regime and observes what it did.)
"""

import asyncio
import contextlib
import gc
import importlib
import inspect
import sys

from . import MODULES, children, sandbox, support

NEST_IMPORTABLE = "nest-importable"
NEST_HIDDEN = "nest-hidden"
GEVENT = "gevent"  # a new interpreter that ran gevent's monkey.patch_all() before anything else
GEVENT_BOOT = (
    "import sys\n"
    "early = [name for name in ('ssl', 'asyncio', 'threading') if name in sys.modules]\n"
    "assert not early, 'imported before gevent patched them: %s' % early\n"
    "from gevent import monkey\n"
    "monkey.patch_all()"
)


# What the nest-hidden state hides: the nest packages, and uvloop (so g4f's fallbacks for both run somewhere).
HIDDEN = support.NEST_MODULES + ("uvloop",)


class HideNest:
    """A meta path finder that makes nest_asyncio, nest_asyncio2 and uvloop unimportable, as if not installed."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            raise ModuleNotFoundError("No module named %r (hidden by g4f-tests)" % name, name=name)
        return None


# Imported by a zygote before it forks: importing them creates no loop, patches nothing, starts no thread.
WARM = ("g4f.client", "g4f.tools.run_tools", "concurrent.futures.thread")
# The providers g4f's image API imports on its first call (g4f.Provider loads them lazily, as attributes): 25 ms
# of imports (g4f.Provider.needs_auth, pycryptodome) once here rather than in each fork that generates an image.
WARM_PROVIDERS = ("PollinationsImage", "OpenaiAccount")
# The ASGI checks' server, when installed: imported once (and frozen for the garbage collector) in the zygote, not
# in each fork of asgi.py's regimes.
SERVER_WARM = ("uvicorn", "uvicorn.config", "starlette.applications", "starlette.routing", "starlette.responses")


# The modules whose checks run in the children, per state: the package's MODULES but the documented one (it runs
# in the test process), jupyter (its kernels are the clean processes) and those of a state of their own.
STATE_MODULES = {GEVENT: ("greenlets",)}
IN_TEST_PROCESS = ("asyncio", "jupyter")
CHECK_MODULES = tuple(
    name
    for name in MODULES
    if name not in IN_TEST_PROCESS and not any(name in names for names in STATE_MODULES.values())
)

# The modules with checks in the nest-hidden state (its zygote is on the critical path: it imports g4f itself).
NEST_HIDDEN_MODULES = ("nesting",)


def prepare(state):
    """Run once in a new zygote: hide nest_asyncio if the state says so, then import g4f and our mocks."""
    sandbox.work_in_run_dir()
    if state == NEST_HIDDEN:
        sys.meta_path.insert(0, HideNest())
        for name in [n for n in sys.modules if n.partition(".")[0] == "uvloop"]:
            del sys.modules[name]  # preloaded by the parent we are a fork of (children.PRELOAD)
    support.sandbox()
    importlib.import_module("g4f")
    package = __name__.rpartition(".")[0]
    # What the requests will name, imported while the parent loads (a request naming another module imports it).
    # A fork of the parent has the modules the parent loaded: the checks it can ask for.
    modules = STATE_MODULES.get(state, NEST_HIDDEN_MODULES)
    if state == NEST_IMPORTABLE:
        modules = tuple(n for n in CHECK_MODULES if "%s.%s" % (package, n) in sys.modules) or CHECK_MODULES
    for name in WARM + (SERVER_WARM if "asgi" in modules else ()):  # imported once here, not in each check
        if support.is_importable(name):
            importlib.import_module(name)
    for name in WARM_PROVIDERS:
        with contextlib.suppress(ImportError, AttributeError):  # a release without it
            getattr(importlib.import_module("g4f.Provider"), name)
    for name in ("providers",) + modules:
        importlib.import_module("%s.%s" % (package, name))
    support.sandbox()  # g4f is imported now: its version check goes off too
    gc.collect()
    gc.freeze()  # what the imports left is not the checks' garbage


def forkable(state):
    """Can a fork of this process be the ``state`` zygote: for NEST_HIDDEN, g4f and the nest packages not yet
    imported (prepare hides them, then imports g4f); for NEST_IMPORTABLE, nothing run yet (``here``) and
    nothing hidden, applied or installed (prepare imports what is missing)."""

    def check(here):
        if state == NEST_HIDDEN:
            return not any(name in sys.modules for name in ("g4f",) + support.NEST_MODULES)
        return (
            here
            and not getattr(asyncio, "_nest_patched", False)
            and support.thread_loop() is None
            and not any(isinstance(finder, HideNest) for finder in sys.meta_path)
        )

    return check


for _state in (NEST_IMPORTABLE, NEST_HIDDEN):
    children.register(_state, prepare, forkable(_state))
children.register(GEVENT, prepare, None, boot=GEVENT_BOOT)


class RegimeError(Exception):
    """The check's process is not in the regime the check is named for; the body did not run."""


def _plain_problem():
    if getattr(asyncio, "_nest_patched", False):
        return "asyncio is nest-patched"
    if asyncio.run.__module__ != "asyncio.runners":
        return "asyncio.run is %s.%s, not the stdlib's" % (asyncio.run.__module__, asyncio.run.__qualname__)
    return None


def _loop_problem(expected_package):
    loop = asyncio.get_running_loop()
    package = type(loop).__module__.partition(".")[0]
    if package != expected_package:
        return "the running loop is a %s.%s, not %s's" % (type(loop).__module__, type(loop).__name__, expected_package)
    return None


class Regime:
    """One asyncio regime: its name (in the test ids), the zygote state it needs, and how it runs a body."""

    def __init__(self, name, state, description):
        self.name, self.state, self.description = name, state, description

    def skip_reason(self):
        """Why this regime cannot exist in this environment (checked in the parent), or None."""
        return None

    def problem(self):
        """What makes this process not the regime (checked in the child before the body), or None."""
        return _plain_problem()

    def enter(self):
        pass

    def exit(self):
        """After the body (and its observation): the next body of the batch starts from the regime's state."""
        asyncio.set_event_loop(None)

    def run(self, body, args):
        if not inspect.iscoroutinefunction(body):
            return body(*args)

        async def checked():
            problem = self.loop_problem()
            if problem:
                raise RegimeError(problem)
            return await body(*args)

        return self.run_coroutine(checked())

    def loop_problem(self):
        return _loop_problem("asyncio")

    def run_coroutine(self, coroutine):
        return asyncio.run(coroutine)


class _NoNest(Regime):
    def problem(self):
        if support.g4f_nest() is not None:
            return "g4f imported a nest package although they are hidden"
        return _plain_problem()


class _Uvloop(Regime):
    def skip_reason(self):
        if not support.is_importable("uvloop"):
            return "uvloop is not installed (pip install uvloop)"
        return None

    def run(self, body, args):
        if not inspect.iscoroutinefunction(body):
            raise RegimeError("a sync body has no loop of its own to run on uvloop")
        return super().run(body, args)

    def loop_problem(self):
        return _loop_problem("uvloop")

    def run_coroutine(self, coroutine):
        import uvloop

        if hasattr(uvloop, "run"):  # uvloop >= 0.18
            return uvloop.run(coroutine)
        loop = uvloop.new_event_loop()
        try:
            return loop.run_until_complete(coroutine)
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()


class _NestApplied(Regime):
    """As a notebook has it: the thread's loop installed and nest-patched, asyncio patched process-wide."""

    def skip_reason(self):
        if support.g4f_nest() is None:
            return "g4f cannot nest here: the nest package it imports is not installed"
        return None

    def problem(self):
        if not getattr(asyncio, "_nest_patched", False):
            return "asyncio is not nest-patched after apply()"
        return None

    def enter(self):
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        support.g4f_nest().apply(self.loop)

    def run_coroutine(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def exit(self):
        if not self.loop.is_closed():
            self.loop.close()
        super().exit()

    def loop_problem(self):
        loop = asyncio.get_running_loop()
        if not hasattr(type(loop), "_nest_patched"):
            return "the running loop %r is not nest-patched" % (loop,)
        return None


class _Gevent(Regime):
    def skip_reason(self):
        if not support.is_importable("gevent"):
            return "gevent is not installed (pip install gevent)"
        return None

    def problem(self):
        from gevent import monkey

        unpatched = [name for name in ("socket", "select", "threading", "ssl") if not monkey.is_module_patched(name)]
        if unpatched:
            return "gevent's monkey.patch_all() did not patch %s" % ", ".join(unpatched)
        return _plain_problem()


PLAIN = Regime("plain", NEST_IMPORTABLE, "plain asyncio (nothing nest-patched)")
UVLOOP = _Uvloop("uvloop", NEST_IMPORTABLE, "on a uvloop loop")
NEST_APPLIED = _NestApplied("nest-applied", NEST_IMPORTABLE, "after g4f's nest package was applied")
NO_NEST = _NoNest("no-nest", NEST_HIDDEN, "with nest_asyncio and nest_asyncio2 unimportable")
GEVENT_PATCHED = _Gevent("gevent", GEVENT, "in a process that ran gevent's monkey.patch_all() first")
REGIMES = {r.name: r for r in (PLAIN, UVLOOP, NEST_APPLIED, NO_NEST, GEVENT_PATCHED)}
