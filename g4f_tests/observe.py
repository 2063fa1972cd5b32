"""What a check's child does around its body: enter and assert the regime, run the body, and observe what it did.

The body's result, or the exception it raised, the warnings and asyncio log lines it caused and the loop it left
installed come back to the test as an observation (support.Observation), which the test asserts on in the
parent process. A body that makes several calls observes each (``each``), so a test reports them one by one.
"""

import asyncio
import gc
import logging
import traceback
import unittest
import warnings

from . import support
from .regimes import REGIMES, RegimeError


def describe_error(error):
    try:
        from g4f.errors import NestAsyncioError

        nest_error = isinstance(error, NestAsyncioError)
    except ImportError:
        nest_error = False
    kind = type(error)
    lines = traceback.format_exception(kind, error, error.__traceback__)
    return {
        "type": "%s.%s" % (kind.__module__, kind.__qualname__),
        "message": str(error),
        "nest_error": nest_error,
        "traceback": "".join(lines[-12:]),
    }


class _LogRecorder(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = []

    def emit(self, record):
        self.lines.append("%s: %s" % (record.levelname, record.getMessage().splitlines()[0]))


def _warning_lines(caught):
    return ["%s: %s" % (w.category.__name__, str(w.message).splitlines()[0]) for w in caught]


def observe(function, *args, **kwargs):
    """Call ``function`` (inside a body): what it returned or raised, the warnings it caused and the loop it
    left installed, as a dict the parent reads as an Observation. For a body that makes several calls."""
    before = support.thread_loop()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            found = {"value": function(*args, **kwargs)}
        except unittest.SkipTest as skip:  # this call needs an API the installed g4f predates
            found = {"skip": str(skip)}
        except Exception as error:
            found = {"error": describe_error(error)}
        found["leftover"] = _leftover_loop(before)
        gc.collect()
    found["warnings"] = _warning_lines(caught)
    return found


async def _outcome_async(function, *args, **kwargs):
    try:
        return {"value": await function(*args, **kwargs)}
    except unittest.SkipTest as skip:
        return {"skip": str(skip)}
    except Exception as error:
        return {"error": describe_error(error)}


async def observe_async(function, *args, **kwargs):
    """``observe`` for a coroutine function."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = await _outcome_async(function, *args, **kwargs)
        gc.collect()
    found["warnings"] = _warning_lines(caught)
    return found


def each(function, cases):
    """``{label: observe(function, *args)}`` for every ``label: args`` of ``cases``, in order, each call
    starting from the regime's own thread loop (what a call left is reported on that call, then undone)."""
    found = {}
    for label, args in cases.items():
        asyncio.set_event_loop(_own_loop[0])
        found[label] = observe(function, *args)
    asyncio.set_event_loop(_own_loop[0])
    return found


async def each_async(function, cases):
    """``each`` for a coroutine function: the calls share the running loop, so nothing is undone between them."""
    return {label: await observe_async(function, *args) for label, args in cases.items()}


async def each_at_once(function, cases):
    """``each_async`` with the calls made at once, as tasks of the running loop: for calls that mostly wait (a
    limit, a gap), so the body takes as long as its slowest call, not their sum. What each call returned or raised;
    the warnings they caused are the body's (warnings.catch_warnings cannot tell concurrent calls apart)."""
    found = await asyncio.gather(*[_outcome_async(function, *args) for args in cases.values()])
    return dict(zip(cases, found))


_own_loop = [None]  # the thread loop the regime installed before the body (the nest-applied loop), else None


def _leftover_loop(before):
    """The loop the body left installed for this thread, unless it is the regime's own (``before``)."""
    loop = support.thread_loop()
    if loop is None or loop is before:
        return None
    return "running" if loop.is_running() else "closed" if loop.is_closed() else "open"


def execute(regime_name, body, args):
    """Run in a check's fork: enter the regime, assert it, run ``body(*args)``; return the observation."""
    regime = REGIMES[regime_name]
    found = {}
    recorder = _LogRecorder()
    loggers = [logging.getLogger(name) for name in ("asyncio", "g4f")]
    for logger in loggers:
        logger.addHandler(recorder)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        before = None
        try:
            regime.enter()
            before = _own_loop[0] = support.thread_loop()
            problem = regime.problem()
            if problem:
                raise RegimeError(problem)
            found["value"] = regime.run(body, args)
        except unittest.SkipTest as skip:
            found["skip"] = str(skip)
        except RegimeError as problem:
            found["regime"] = str(problem)
        except BaseException as error:  # the check reports whatever g4f raised
            found["error"] = describe_error(error)
        found["leftover"] = _leftover_loop(before)
        leftover = support.thread_loop()
        if leftover is not None and leftover is not before and not leftover.is_closed():
            leftover.close()  # reported just above; closed, not to warn again in a later body of the batch
        regime.exit()
        gc.collect()  # never-awaited coroutines, unclosed loops and destroyed tasks show here
    for logger in loggers:
        logger.removeHandler(recorder)
    found["warnings"] = _warning_lines(caught)
    found["log"] = recorder.lines
    return found
