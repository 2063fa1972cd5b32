"""Fresh child processes for the checks (cf. CPython's script_helper and regrtest's workers).

``nest_asyncio.apply()`` patches asyncio for the whole process and cannot be undone, g4f decides at import
whether it can nest, and a check that leaves a loop behind changes what the next one sees. So checks run in
forks of a *zygote*, a process that prepared one interpreter state (nest_asyncio hidden or not, then g4f
imported) and does nothing else. A batch (checks.py: a module's checks of one regime, always all of them, in
one order) runs in one fork; a check that finds the fork unfit for it runs again alone in a fresh one.

The zygotes start early and take every check of the loaded suite at once, so the checks run while this
process does other work. A zygote is a fork of this process when this process is in its state or can be
prepared into it (see regimes.forkable), else started by multiprocessing's forkserver, else spawned;
``G4F_TESTS_START_METHOD=spawn`` (or ``forkserver``, ``fork``) forces one. Every way, the children import
the same g4f_tests files as this process, or refuse to run. This module is this process's side; zygote.py is
the zygote's.
"""

import contextlib
import importlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from . import ends, support
from .zygote import ChildFailure, main, package_file

START_ENV = "G4F_TESTS_START_METHOD"
# g4f's heavy dependencies (0.2 s of its 0.27 s import): imported before forking, so the zygotes share
# them. None of them is g4f or nest_asyncio, and importing them patches nothing.
PRELOAD = "asyncio concurrent.futures json ssl http.client email.message uuid aiohttp requests uvloop".split()


def start_method(state, here=False):
    """How to start the ``state`` zygote: a fork of this process if it is in that state already (``here``:
    nothing has run yet) or can be prepared into it (see register), else the forkserver, else spawn."""
    if _preparers[state][2] is not None:
        return "fresh"  # an interpreter that runs its boot code before anything else (see register)
    forced = os.environ.get(START_ENV)
    if forced:
        if forced not in multiprocessing.get_all_start_methods():
            raise ChildFailure(
                "%s=%s: this platform offers %s"
                % (START_ENV, forced, ", ".join(multiprocessing.get_all_start_methods()))
            )
        if forced == "fork" and not _preparers[state][1](here):  # its checks fail on the regime: say why
            unfit[state] = (
                "%s=fork made the zygote a fork of a process no longer in that state (it had imported g4f or a nest "
                "package, or run a test); leave %s unset, or set it to forkserver or spawn" % (START_ENV, START_ENV)
            )
        return forced
    if sys.platform.startswith("linux") and threading.active_count() == 1 and _preparers[state][1](here):
        return "fork"
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


class _Zygote:
    def __init__(self, context, prepare, state):
        self.conn, child_conn = context.Pipe()
        self.process = context.Process(
            target=main,
            name="g4f-tests-zygote-" + state,
            args=(child_conn, self.conn, prepare, state, package_file(), support.TIMEOUT),
        )
        self.process.start()
        child_conn.close()
        self.state, self.sent, self.answers, self.failure = state, set(), {}, None

    def submit(self, batches):
        new = []
        for batch in batches:
            name = tuple(key for key, _, _ in batch)
            if name not in self.sent:
                self.sent.add(name)
                new.append(batch)
        if new and self.failure is None:
            try:
                self.conn.send(new)
            except OSError:  # it has exited (it could not prepare, say): answer() reads why, or finds it dead
                pass

    def answer(self, key, timeout):
        deadline = time.monotonic() + timeout
        while key not in self.answers and self.failure is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.conn.poll(remaining):
                return None
            try:
                got_key, value = self.conn.recv()
            except (EOFError, OSError):  # it died (a reset if it left our requests unread)
                self.process.join(1.0)
                self.failure = "the %r zygote died (exit status %s)" % (self.state, self.process.exitcode)
                break
            if got_key == "!":
                self.failure = "the %r zygote could not prepare its interpreter:\n%s" % (self.state, value)
            else:
                self.answers[got_key] = value
        if self.failure is not None and key not in self.answers:
            raise ChildFailure(self.failure)
        return self.answers.get(key)

    def join(self, timeout):
        self.process.join(timeout)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()


class _FreshZygote(_Zygote):
    """A zygote that is a new interpreter running ``boot`` (say, gevent's monkey.patch_all()) before it imports
    anything else, this package included; then zygote.main as for the others."""

    def __init__(self, state, boot):
        ours, theirs = socket.socketpair()
        self.conn = multiprocessing.connection.Connection(ours.detach())
        code = "%s\nimport sys\nsys.path.insert(0, %r)\nfrom %s import zygote\nzygote.fresh_main(%d, %r, %r, %r)" % (
            boot,
            os.path.dirname(os.path.dirname(package_file())),
            __name__.rpartition(".")[0],
            theirs.fileno(),
            state,
            package_file(),
            support.TIMEOUT,
        )
        # From the stdlib's folder: ``python -c`` puts its working directory first on sys.path, and from g4f_tests/
        # our asyncio.py would be imported as asyncio.
        popen = subprocess.Popen(
            [sys.executable, "-c", code],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            cwd=os.path.dirname(os.__file__),
        )
        theirs.close()
        self.process = _Popened(popen)
        self.state, self.sent, self.answers, self.failure = state, set(), {}, None


class _Popened:
    """A Popen seen as a multiprocessing.Process (join, exitcode, kill), for _Zygote."""

    def __init__(self, popen):
        self.popen = popen

    def join(self, timeout=None):
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass

    @property
    def exitcode(self):
        return self.popen.poll()

    def kill(self):
        self.popen.kill()


_zygotes = {}
_preparers = {}
unfit = {}  # state: why its zygote, a forced fork, may not be in that state (checks.py adds it to a regime failure)


def register(state, prepare, forkable, boot=None):
    """``prepare(state)`` runs in a new zygote before it forks any check (hide packages, import g4f).
    ``forkable(here)`` says whether a fork of this process can be that zygote (``here``: no test ran yet).
    With ``boot`` (Python code), the zygote is always a new interpreter that runs it first of all."""
    _preparers[state] = (prepare, forkable, boot)


def start(states=None, here=False):
    """Start the zygotes for ``states`` (all registered by default) unless they run already. With ``here``,
    nothing has run in this process yet (the suite was just loaded): a zygote may be a fork of it."""
    for state in [s for s in (states or _preparers) if s not in _zygotes]:
        method = start_method(state, here)
        if method == "fresh":
            ends.at_end(stop)
            ends.clean_up_on_sigterm()
            with ends.uninterrupted(block=True):
                _zygotes[state] = _FreshZygote(state, _preparers[state][2])
            continue
        if method == "fork":
            for name in PRELOAD:  # shared with the zygote, and with every fork of it
                if support.is_importable(name):
                    importlib.import_module(name)
            method = start_method(state, here)  # a preloaded module could have started a thread
        context = multiprocessing.get_context(method)
        ends.at_end(stop)
        ends.clean_up_on_sigterm()
        if method != "fork":  # first: it unblocks the signals once it has started
            with ends.uninterrupted():
                _start_helper(__import__("multiprocessing.resource_tracker").resource_tracker._resource_tracker)
        with ends.uninterrupted(block=True):
            if method == "forkserver":
                context.set_forkserver_preload([m for m in PRELOAD if support.is_importable(m)])
                _start_helper(__import__("multiprocessing.forkserver").forkserver._forkserver)
            _zygotes[state] = _Zygote(context, _preparers[state][0], state)


def _start_helper(helper):
    """Start multiprocessing's resource tracker or forkserver, unless it runs; stopped with the zygotes then.
    From the stdlib's folder: each runs ``python -c``, whose sys.path starts with its working directory, and from
    g4f_tests/ the forkserver would preload our asyncio.py as asyncio."""
    if getattr(helper, "_forkserver_pid", getattr(helper, "_pid", None)) is not None:
        return
    here = os.getcwd()
    os.chdir(os.path.dirname(os.__file__))
    try:
        helper.ensure_running()
    finally:
        os.chdir(here)
    _helpers.append(helper)


def submit(state, batches, here=False):
    """Send ``batches`` (each a list of requests: key, function, args) to the ``state`` zygote, started if
    needed (``here``: see start); a batch sent before is not sent again."""
    start([state], here)
    _zygotes[state].submit(batches)


def answer(state, key, batch, timeout=None, here=False):
    """What the request ``key`` of ``batch`` returned in a fork of the ``state`` zygote (a picklable value),
    or ``{"crash": {"exitcode", "stderr"}}`` when that fork died or hung; ChildFailure if no answer came."""
    submit(state, [batch], here)
    timeout = timeout or support.CHILD_TIMEOUT + support.TIMEOUT * len(batch)
    zygote = _zygotes[state]
    value = zygote.answer(key, timeout)
    if value is None:  # the zygote is stuck: the checks still waiting for it fail at once, not one timeout each
        zygote.failure = "no answer from the %r zygote within %s s for %s" % (state, timeout, key)
        raise ChildFailure(zygote.failure)
    return value


_helpers = []  # multiprocessing's forkserver and resource tracker, when the zygotes started them


def stop(timeout=2.0):
    """Stop every zygote, then the forkserver and resource tracker they needed (after a run, at the end however
    it comes, see ends.py): nothing the suite starts outlives it."""
    stopping = list(_zygotes.values())
    _zygotes.clear()
    # EOF to every zygote first: a zygote forked after another holds a copy of the other's pipe to us, so
    # that one sees EOF only once every copy is closed. Each then kills its running forks and exits.
    for zygote in stopping:
        zygote.conn.close()
    for zygote in stopping:
        zygote.join(timeout)  # on EOF a zygote exits at once, unless it is stuck (preparing): then it is killed
    for process in multiprocessing.active_children():  # one a signal interrupted before it was registered
        if process.name.startswith("g4f-tests-"):
            process.kill()
            process.join()
    while _helpers:  # each ends once no process holds its pipe: killed first, so waiting for it cannot hang
        helper = _helpers.pop()
        pid = getattr(helper, "_forkserver_pid", getattr(helper, "_pid", None))
        if pid is not None:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            helper._stop()
