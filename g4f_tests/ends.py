"""How a run ends, however it ends: the last test, a test that hangs, Ctrl-C, SIGTERM, or output that cannot be
written. On every one of these paths whatever the suite started is stopped and removed (the zygotes and their
forks, the forkserver, a Jupyter kernel and its temp dir): ``at_end`` registers how, ``clean_up`` runs it, once.

- A test that calls g4f in this process and passes support.TIMEOUT ends the run (``test_limit``), naming it with
  every thread's stack, under any runner; the runner also prints what ran so far (``on_hang``).
- The runner (``handling_signals``): SIGINT and SIGTERM raise Stop, a KeyboardInterrupt, which unittest lets
  through every test and fixture; the runner prints one line, the partial summary, and exits 130 or 143.
- ``python -m unittest`` and pytest keep their own Ctrl-C; a SIGTERM cleans up, then ends the process as it would
  have (``clean_up_on_sigterm``).
- The runner's output (``Output``): a closed pipe ends the run quietly, as ``ls | head`` ends; any other error
  writing it ends the run with one line.
"""

import atexit
import contextlib
import faulthandler
import os
import signal
import sys
import threading

from . import support

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stop(KeyboardInterrupt):
    """The run must end now (Ctrl-C). A KeyboardInterrupt, so unittest lets it through tests and fixtures."""

    status, what = 130, "interrupted"  # 128 + the signal, as a shell reports a process it ended


class Terminated(Stop):
    status, what = 143, "terminated"


class OutputLost(Stop):
    """The standard output cannot be written: ``error`` (a closed pipe, a full disk, a closed file)."""

    def __init__(self, error):
        super().__init__(error)
        self.error = error


_cleanups = []
_ending = []  # set once the process is ending (a hang): a signal then changes nothing


def at_end(function):
    """Run ``function`` when the run ends, however it ends (once; the last registered first)."""
    if function not in _cleanups:
        _cleanups.append(function)
    # At exit, before whatever registered since: multiprocessing's own exit hook joins the zygotes, which only
    # end once clean_up has closed their pipes.
    atexit.unregister(clean_up)
    atexit.register(clean_up)
    return function


def done(function):
    """``function`` ran already: not again at the end."""
    with contextlib.suppress(ValueError):
        _cleanups.remove(function)


def clean_up(before_exit=False):
    """Run every registered clean-up; one that fails is named on stderr and the others still run. ``before_exit``:
    the process ends without its exit hooks (os._exit, a signal), so multiprocessing's run now too (they remove
    the forkserver's temp dir)."""
    while _cleanups:
        function = _cleanups.pop()
        try:
            function()
        except Exception as error:
            say("g4f-tests: cleaning up (%s) failed: %r" % (getattr(function, "__qualname__", function), error))
    if before_exit and "multiprocessing.util" in sys.modules:
        sys.modules["multiprocessing.util"]._run_finalizers()


def say(line):
    """One line on stderr, if stderr can take it."""
    with contextlib.suppress(Exception):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


# The per-test limit.

on_hang = None  # the runner's: print what ran so far, before the process ends
before_hang = None  # pytest's: stop capturing stderr, so that the stacks show


def _hung(test):
    _ending.append(test)
    try:
        if before_hang is not None:
            before_hang()
        stream = sys.__stderr__
        stream.write(
            "\ng4f-tests: %s did not finish within %s s; every thread's stack:\n" % (test.id(), support.TIMEOUT)
        )
        stream.flush()
        faulthandler.dump_traceback(file=stream)
        stream.flush()
        if on_hang is not None:
            on_hang(test)
    except BaseException:  # noqa: B036 (the output is gone: the process ends all the same)
        pass
    finally:
        try:
            clean_up(before_exit=True)
        finally:
            os._exit(1)


@contextlib.contextmanager
def test_limit(test):
    """Past TIMEOUT the run ends, naming ``test`` with every thread's stack (and, under the runner, what
    ran so far): a hang never hangs the run, under any runner. faulthandler, five seconds later, is the
    backstop for a hang that holds the interpreter. Armed by every test that calls g4f in this process (the
    documented module's, see checks.py); a check whose body runs in a child has the child's limit."""
    timer = threading.Timer(support.TIMEOUT, _hung, (test,))
    timer.daemon = True
    timer.start()
    try:
        faulthandler.dump_traceback_later(support.TIMEOUT + 5, exit=True, file=sys.stderr)
    except (ValueError, OSError, AttributeError):  # no file descriptor behind sys.stderr here
        faulthandler.dump_traceback_later(support.TIMEOUT + 5, exit=True, file=sys.__stderr__)
    try:
        yield
    finally:
        timer.cancel()
        faulthandler.cancel_dump_traceback_later()


# Signals.


def _in_main_thread():
    return threading.current_thread() is threading.main_thread()


def ignore_signals():
    """From here on SIGINT and SIGTERM change nothing: the clean-up under way must finish."""
    if _in_main_thread():
        for signum in SIGNALS:
            signal.signal(signum, signal.SIG_IGN)


def _raise_stop(signum, frame):
    if _ending:  # a hang is being reported from another thread; the process ends with it
        return
    ignore_signals()
    raise Terminated() if signum == signal.SIGTERM else Stop()


@contextlib.contextmanager
def handling_signals():
    """The runner's: SIGINT and SIGTERM raise Stop and Terminated (in the main thread), until the block ends."""
    if not _in_main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    for signum in SIGNALS:
        signal.signal(signum, _raise_stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def _die_cleanly(signum, frame):
    ignore_signals()
    clean_up(before_exit=True)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def clean_up_on_sigterm():
    """Under ``python -m unittest`` or pytest, once the suite starts a process: a SIGTERM cleans up, then ends
    the process as it would have (unless something else handles SIGTERM already)."""
    if _in_main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _die_cleanly)


class uninterrupted:
    """While a child process is made, or talked to through a library that cannot stop half-way (jupyter_client,
    zmq): SIGINT and SIGTERM wait, and their handler runs as it would have at ``check()`` (a point where nothing
    is half-done) or at the end of the block. Raised in the middle of subprocess or multiprocessing code, a Stop
    can leave a process that nothing knows of; in zmq's, a context that never terminates. With ``block`` they are
    blocked too, and the child inherits them blocked until it has its own handlers (``child_signals``)."""

    def __init__(self, block=False):
        self.block, self.came, self.previous, self.mask = block, [], None, None

    def __enter__(self):
        if _in_main_thread():
            self.previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
            for signum in SIGNALS:
                signal.signal(signum, lambda signum, frame: self.came.append(signum))
            if self.block and hasattr(signal, "pthread_sigmask"):
                self.mask = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
        return self

    def check(self):
        if self.came and self.previous is not None:
            self.__exit__(None, None, None)  # the handler runs (and raises, most often)
            self.__enter__()

    def __exit__(self, *exc):
        if self.mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self.mask)  # what came meanwhile is recorded now
            self.mask = None
        if self.previous is None:
            return
        previous, self.previous = self.previous, None
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        for signum in self.came[:1]:
            del self.came[:]
            if callable(previous[signum]):
                previous[signum](signum, None)
            elif previous[signum] in (signal.SIG_DFL, None):
                os.kill(os.getpid(), signum)


def child_signals(zygote):
    """In a zygote: Ctrl-C at a terminal reaches the whole process group, but a zygote ends when the parent closes
    its pipe, so it ignores SIGINT. In a check's fork: Python's own handlers, as in any process. Then unblocked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN if zygote else signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)


# Output.


class Output:
    """The runner's standard output. The first error writing it raises OutputLost; later writes go nowhere."""

    def __init__(self, stream):
        self.stream, self.lost = stream, None

    def write(self, text):
        self._guarded(self.stream.write, text)
        return len(text)

    def flush(self):
        self._guarded(self.stream.flush)

    def _guarded(self, call, *args):
        if self.lost is None:
            try:
                call(*args)
            except (OSError, ValueError) as error:
                self.lost = error
                # What is still buffered would fail again when the interpreter flushes it at exit: it goes nowhere.
                with contextlib.suppress(Exception):
                    devnull = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(devnull, self.stream.fileno())
                    os.close(devnull)
                raise OutputLost(error) from None

    def __getattr__(self, name):
        return getattr(self.stream, name)


def stdout_problem():
    """Why the standard output cannot be used at all (it is closed), or None."""
    if sys.stdout is None:  # Python found no file descriptor 1 at startup
        return "the standard output is closed"
    try:
        fd = sys.stdout.fileno()
    except Exception:  # no descriptor behind it (captured, replaced): usable as it is
        return None
    try:
        os.fstat(fd)
    except OSError:
        return "the standard output is closed"
    return None


def end_for_lost_output(error, prog, failed):
    """The exit status once OutputLost ended the run (cleaned up already). A closed pipe ends the process as it
    ends ``ls | head``: by SIGPIPE, without a word. Any other error: one line, exit 2 (1 when tests failed)."""
    if isinstance(error, BrokenPipeError):
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        if hasattr(signal, "SIGPIPE"):
            clean_up(before_exit=True)
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGPIPE)
        return 1
    reason = getattr(error, "strerror", None) or str(error)
    say("%s: error: cannot write the output: %s" % (prog, reason))
    return 1 if failed else 2
