"""Fresh child processes for the checks (cf. CPython's script_helper): one zygote per interpreter state, one
fork of it per batch of checks.

``nest_asyncio.apply()`` patches asyncio for the whole process and cannot be undone, g4f decides at import
whether it can nest, and a check that leaves a loop behind changes what the next one sees. So checks run in
forks of a *zygote*: a process that prepared one interpreter state (nest_asyncio hidden or not, then g4f
imported) and does nothing else. A batch (checks.py: the checks of one test class, always all of them, in one
order) runs in one fork; a check that finds the fork unfit for it runs again alone in a fresh one. So what a
check sees never depends on the order or the selection of the tests.

The zygotes start early (the runner starts them before it imports g4f; load_tests and conftest when they
load the suite) and take every check of the loaded suite at once, so the checks run while this process does
other work. A zygote is forked from this process when that is as good as a fresh interpreter (Linux,
nothing of g4f or nest_asyncio imported, one thread), else started by multiprocessing's forkserver, else
spawned; ``G4F_TESTS_START_METHOD=spawn`` (or ``forkserver``, ``fork``) forces one. Every way, the
children import the same g4f_tests files as this process, or refuse to run.
"""
import atexit
import collections
import faulthandler
import gc
import importlib
import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
import time
import traceback

from . import support

START_ENV = "G4F_TESTS_START_METHOD"
# g4f's heavy dependencies (0.2 s of its 0.27 s import): imported before forking, so the zygotes share
# them. None of them is g4f or nest_asyncio, and importing them patches nothing.
PRELOAD = ("asyncio", "concurrent.futures", "json", "ssl", "http.client", "email.message", "uuid",
           "aiohttp", "requests", "uvloop")
PACKAGE = __name__.rpartition(".")[0]
# A body past CALL_TIMEOUT dumps its stacks and exits; a child that does not even do that is killed.
KILL_AFTER = support.CALL_TIMEOUT + 5.0


class ChildFailure(Exception):
    """A zygote could not answer: it failed to start, died, or never replied. The message says which."""


def _package_file():
    return os.path.abspath(sys.modules[PACKAGE].__file__)


def start_method(state, here=False):
    """How to start the ``state`` zygote: a fork of this process if it is in that state already (``here``:
    nothing has run yet) or can be prepared into it (see register), else the forkserver, else spawn."""
    forced = os.environ.get(START_ENV)
    if forced:
        if forced not in multiprocessing.get_all_start_methods():
            raise ChildFailure("%s=%s: this platform offers %s" % (START_ENV, forced,
                                                                    ", ".join(multiprocessing.get_all_start_methods())))
        return forced
    if sys.platform.startswith("linux") and threading.active_count() == 1 and _preparers[state][1](here):
        return "fork"
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


# --------------------------------------------------------------------------------------------------
# Child side: a zygote prepares its state, then forks one child per batch and relays what it returns.
#
# A batch is a list of requests, (key, function, args), run one after another in one fork. An answer that
# carries the key ALONE says the process was not fit for that request (an earlier request of the batch
# changed it): the request then runs again by itself in a fresh fork. When a fork dies, the request it was
# running gets the crash, and the ones after it run again, each by itself.

ALONE = "regime"


def _zygote(conn, parent_end, prepare, state, parent_file):
    parent_end.close()  # a forked zygote inherits our end too: closed, so our closing it reads as EOF here
    try:
        if _package_file() != parent_file:
            raise ChildFailure("the child imported %s from %s, the parent from %s"
                               % (PACKAGE, _package_file(), parent_file))
        prepare(state)
    except BaseException:
        conn.send(("!", traceback.format_exc()))
        return
    forks = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    queue, running, open_ = collections.deque(), [], True
    limit = 2 * (os.cpu_count() or 2) + 2  # several: some checks mostly wait (timeouts, cancellation)
    while open_ or queue or running:
        while queue and len(running) < limit:
            running.append(_Fork(forks, prepare, state, queue.popleft()))
        waiting = [conn] if open_ else []
        for child in running:
            waiting += child.waitables()
        ready = multiprocessing.connection.wait(waiting, timeout=1.0)
        if conn in ready:
            try:
                queue.extend(conn.recv())
                gc.freeze()  # what unpickling the requests imported (the checks' modules) is not their garbage
            except EOFError:  # the parent is gone: nobody wants the answers
                open_ = False
                queue.clear()
                for child in running:
                    child.process.kill()
        for child in list(running):
            answers, again = child.poll(ready)
            queue.extendleft([request] for request in reversed(again))
            if child.done:
                running.remove(child)
            for answer in answers if open_ else ():
                conn.send(answer)


def _run_fork(result_conn, err_fd, prepare, state, batch):
    if err_fd is None:  # a spawned child (no fork on this platform): a fresh interpreter to prepare
        prepare(state)
    else:
        os.dup2(err_fd, 1)
        os.dup2(err_fd, 2)
    faulthandler.enable()
    for key, function, args in batch:
        faulthandler.dump_traceback_later(support.CALL_TIMEOUT, exit=True)
        result_conn.send((key, function(*args)))
        faulthandler.cancel_dump_traceback_later()


class _Fork:
    """One batch run in a fork of the zygote: the answers it sent, what to run again, how it died."""

    def __init__(self, context, prepare, state, batch):
        self.batch, self.answered, self.stderr, self.done = batch, [], b"", False
        self.progress = time.monotonic()
        self.conn, child_conn = context.Pipe(duplex=False)
        forked = context.get_start_method() == "fork"
        self.err_r, err_w = os.pipe() if forked else (None, None)
        self.process = context.Process(target=_run_fork, name="g4f-tests-check",
                                       args=(child_conn, err_w, prepare, state, batch))
        self.process.start()
        child_conn.close()  # only the child holds these ends now, so EOF means it is gone
        if forked:
            os.close(err_w)

    def waitables(self):
        return [self.conn, self.process.sentinel] + ([self.err_r] if self.err_r is not None else [])

    def poll(self, ready):
        """(answers to relay, requests to run again by themselves); sets ``done`` once the fork is gone."""
        answers, again = [], []
        if self.err_r is not None and self.err_r in ready:
            self.stderr += os.read(self.err_r, 65536)
        if self.conn in ready:
            self._receive(answers, again)
        if time.monotonic() - self.progress > KILL_AFTER:
            self.process.kill()
        if self.process.sentinel not in ready and self.process.exitcode is None:
            return answers, again
        self.process.join()
        self._receive(answers, again)  # what it sent before exiting
        if self.err_r is not None:
            self.stderr += _drain(self.err_r)
        self.conn.close()
        self.done = True
        left = self.batch[len(self.answered):]
        if left:  # it died running left[0]; the ones after it never ran
            answers.append((left[0][0], {"crash": {"exitcode": self.process.exitcode,
                                                   "stderr": self.stderr.decode("utf-8", "replace")[-6000:]}}))
            again.extend(left[1:])
        return answers, again

    def _receive(self, answers, again):
        while self.conn.poll():
            try:
                key, value = self.conn.recv()
            except EOFError:  # it died: reported once it has exited
                return
            request = self.batch[len(self.answered)]
            self.answered.append(key)
            self.progress = time.monotonic()
            if len(self.answered) > 1 and isinstance(value, dict) and ALONE in value:
                again.append(request)
            else:
                answers.append((key, value))


def _drain(fd):
    chunks = []
    os.set_blocking(fd, False)
    try:
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    except BlockingIOError:
        pass
    os.close(fd)
    return b"".join(chunks)


# --------------------------------------------------------------------------------------------------
# Parent side: start the zygotes, send them requests, collect the answers.


class _Zygote:
    def __init__(self, context, prepare, state):
        self.conn, child_conn = context.Pipe()
        self.process = context.Process(target=_zygote, name="g4f-tests-zygote-" + state,
                                       args=(child_conn, self.conn, prepare, state, _package_file()))
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
            self.conn.send(new)

    def answer(self, key, timeout):
        deadline = time.monotonic() + timeout
        while key not in self.answers and self.failure is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.conn.poll(remaining):
                return None
            try:
                got_key, value = self.conn.recv()
            except EOFError:
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

    def join(self):
        self.process.join(KILL_AFTER)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()


_zygotes = {}
_preparers = {}


def register(state, prepare, forkable):
    """``prepare(state)`` runs in a new zygote before it forks any check (hide packages, import g4f).
    ``forkable(here)`` says whether a fork of this process can be that zygote (``here``: no test ran yet)."""
    _preparers[state] = (prepare, forkable)


def start(states=None, here=False):
    """Start the zygotes for ``states`` (all registered by default) unless they run already. With ``here``,
    nothing has run in this process yet (the suite was just loaded): a zygote may be a fork of it."""
    for state in [s for s in (states or _preparers) if s not in _zygotes]:
        method = start_method(state, here)
        if method == "fork":
            for name in PRELOAD:  # shared with the zygote, and with every fork of it
                if support.is_importable(name):
                    importlib.import_module(name)
            method = start_method(state, here)  # a preloaded module could have started a thread
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload([m for m in PRELOAD if support.is_importable(m)])
        _zygotes[state] = _Zygote(context, _preparers[state][0], state)


def submit(state, batches, here=False):
    """Send ``batches`` (each a list of requests: key, function, args) to the ``state`` zygote, started if
    needed (``here``: see start); a batch sent before is not sent again."""
    start([state], here)
    _zygotes[state].submit(batches)


def answer(state, key, batch, timeout=support.CHILD_TIMEOUT):
    """What the request ``key`` of ``batch`` returned in a fork of the ``state`` zygote (a picklable value),
    or ``{"crash": {"exitcode", "stderr"}}`` when that fork died or hung; ChildFailure if no answer came."""
    submit(state, [batch])
    value = _zygotes[state].answer(key, timeout)
    if value is None:
        raise ChildFailure("no answer from the %r zygote within %s s for %s" % (state, timeout, key))
    return value


@atexit.register
def stop():
    """Stop every zygote (at exit, or after a run): nothing the suite starts outlives it."""
    stopping = list(_zygotes.values())
    _zygotes.clear()
    # EOF to every zygote first: a zygote forked after another holds a copy of the other's pipe to us, so
    # that one sees EOF only once every copy is closed.
    for zygote in stopping:
        zygote.conn.close()
    for zygote in stopping:
        zygote.join()
