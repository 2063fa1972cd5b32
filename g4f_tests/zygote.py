"""The zygote's side of children.py: prepare an interpreter state, then fork one child per batch, relay answers.

A batch is a list of requests, (key, function, args), run one after another in one fork. An answer that carries
the key ALONE says the process was not fit for that request (an earlier request of the batch changed it): the
request then runs again by itself in a fresh fork. When a fork dies, the request it was running gets the crash
(with what it printed: a hang's stack dump, a traceback), and the ones after it run again, each by itself.
"""

import collections
import contextlib
import faulthandler
import gc
import multiprocessing
import multiprocessing.connection
import os
import sys
import time
import traceback

from . import ends, support

PACKAGE = __name__.rpartition(".")[0]


def kill_after():
    """A body past support.TIMEOUT dumps its stacks and exits; a child silent this long after is killed."""
    return support.TIMEOUT + 5.0


ALONE = "regime"
WAITING = 1.0


class ChildFailure(Exception):
    """A zygote could not answer: it failed to start, died, or never replied. The message says which."""


def package_file():
    return os.path.abspath(sys.modules[PACKAGE].__file__)


def main(conn, parent_end, prepare, state, parent_file, timeout):
    """A zygote's life: ``prepare(state)``, then run the batches the parent sends until it closes the pipe."""
    ends.child_signals(zygote=True)
    if parent_end is not None:
        parent_end.close()  # a forked zygote inherits our end too: closed, so our closing it reads as EOF here
    support.TIMEOUT = timeout
    try:
        if package_file() != parent_file:
            raise ChildFailure(
                "the child imported %s from %s, the parent from %s" % (PACKAGE, package_file(), parent_file)
            )
        prepare(state)
    except BaseException:
        with contextlib.suppress(OSError):  # the parent may be gone already (it could not load the suite either)
            conn.send(("!", traceback.format_exc()))
        return
    forks = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    queue, running, open_ = collections.deque(), [], True
    limit = 2 * (os.cpu_count() or 2) + 2  # several: some checks mostly wait (timeouts, cancellation)
    while open_ or queue or running:
        # A fork silent for a second waits (a timeout, a hang) and computes nothing: it holds no slot.
        busy = sum(1 for child in running if time.monotonic() - child.progress < WAITING)
        while queue and busy < limit and len(running) < 4 * limit:
            running.append(_Fork(forks, prepare, state, queue.popleft()))
            busy += 1
        waiting = [conn] if open_ else []
        for child in running:
            waiting += child.waitables()
        ready = multiprocessing.connection.wait(waiting, timeout=1.0)
        if conn in ready:
            try:
                queue.extend(conn.recv())
                gc.freeze()  # what unpickling the requests imported (the checks' modules) is not their garbage
            except (EOFError, OSError):  # the parent is gone
                open_ = _parent_gone(queue, running)
        for child in list(running):
            answers, again = child.poll(ready)
            if open_:  # else nobody wants the answers: what a killed fork left is not run again
                queue.extendleft([request] for request in reversed(again))
            if child.done:
                running.remove(child)
            try:
                for answer in answers if open_ else ():
                    conn.send(answer)
            except OSError:  # the parent is gone
                open_ = _parent_gone(queue, running)


def _parent_gone(queue, running):
    """Nobody wants the answers: nothing more is started, what runs is killed (its forks would outlive the run)."""
    queue.clear()
    for child in running:
        child.process.kill()
    return False


def fresh_main(fd, state, parent_file, timeout):
    """The life of a zygote started as a new interpreter (children._FreshZygote), after its boot code."""
    from . import children, regimes  # noqa: F401 (regimes registers the states)

    conn = multiprocessing.connection.Connection(fd)
    main(conn, None, children._preparers[state][0], state, parent_file, timeout)


# A fork without a timed body runs at this much lower priority, so that the forks whose bodies measure real time (a
# stream limit of 0.1 s, chunks 25 ms apart: ``timed`` bodies) are not held up by the run's own CPU-bound forks.
NICER = 10


def _timed(batch):
    """Does a request of ``batch`` run a body marked ``timed`` (observe.execute's args: regime, body, its args)?"""
    return any(getattr(args[1], "timed", False) for _, _, args in batch if len(args) > 1)


def _run_fork(result_conn, err_fd, prepare, state, batch):
    ends.child_signals(zygote=False)
    if not _timed(batch) and hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(NICER)
    if err_fd is None:  # a spawned child (no fork on this platform): a fresh interpreter to prepare
        prepare(state)
    else:
        os.dup2(err_fd, 1)
        os.dup2(err_fd, 2)
    faulthandler.enable()
    for key, function, args in batch:
        faulthandler.dump_traceback_later(support.TIMEOUT, exit=True)
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
        self.process = context.Process(
            target=_run_fork, name="g4f-tests-check", args=(child_conn, err_w, prepare, state, batch)
        )
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
        if time.monotonic() - self.progress > kill_after():
            self.process.kill()
        if self.process.sentinel not in ready and self.process.exitcode is None:
            return answers, again
        self.process.join()
        self._receive(answers, again)  # what it sent before exiting
        if self.err_r is not None:
            self.stderr += _drain(self.err_r)
        self.conn.close()
        self.done = True
        left = self.batch[len(self.answered) :]
        if left:  # it died running left[0]; the ones after it never ran
            answers.append(
                (
                    left[0][0],
                    {
                        "crash": {
                            "exitcode": self.process.exitcode,
                            "stderr": self.stderr.decode("utf-8", "replace")[-6000:],
                        }
                    },
                )
            )
            again.extend(left[1:])
        return answers, again

    def _receive(self, answers, again):
        while self.conn.poll():
            try:
                key, value = self.conn.recv()
            except (EOFError, OSError):  # it died (killed mid-message: OSError): reported once it has exited
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
