"""The registry of known g4f defects: which contract g4f breaks, on which releases, in exactly which shape
(what a user sees), why, whom it affects and what to do. Each entry is attached to the tests that check the
contract (``@known(...)``, verdicts.py); the ranges come from the compatibility matrix and its bisection
(COMPATIBILITY.md), and a release outside a measured range is not assumed affected.
"""

import sys

from . import support
from .verdicts import Defect, Leaves, OneOf, Raises, Returns, known  # noqa: F401 (the checks import known here)


def g4f_cannot_nest(case):
    """g4f cannot nest: the nest package it imports (nest_asyncio2 from 7.0) is not installed"""
    return support.g4f_nest() is None


def g4f_nests(case):
    """g4f can nest: the nest package it imports is installed"""
    return support.g4f_nest() is not None


def python_before_3_11(case):
    """Python is older than 3.11 (where asyncio.TimeoutError became the builtin TimeoutError)"""
    return sys.version_info < (3, 11)


def nest_applied(case):
    """the check runs after g4f's nest package was applied"""
    return getattr(getattr(case, "regime", None), "name", None) == "nest-applied"


RUN_IN_LOOP = r"asyncio\.run\(\) cannot be called from a running event loop"
LOOP_RUNNING = r"This event loop is already running"
UVLOOP_RUNNING = r"this event loop is already running\."
NEVER_AWAITED = "was never awaited"

NO_NEST_ASYNC_PROVIDER = Defect(
    "no-nest-async-provider",
    "without a nest package, sync create inside a running loop raises a bare RuntimeError, not "
    "NestAsyncioError, and leaves a never-awaited coroutine",
    "0.3.4.6",
    Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED]),
    issues=(2748, 2403),
    where="seen in a child interpreter with nest_asyncio and nest_asyncio2 hidden: applies to you if you run "
    "g4f without the nest package it imports (nest_asyncio2 from g4f 7.0)",
    workaround="install nest_asyncio2 (g4f then patches the running loop), or call create_async from async code",
)
NO_NEST_GENERATOR_PROVIDER = Defect(
    "no-nest-generator-provider",
    "without a nest package, sync create of an async-generator provider inside a running loop raises a bare "
    "RuntimeError, not NestAsyncioError",
    "0.3.4.6",
    Raises("builtins.RuntimeError", LOOP_RUNNING, [NEVER_AWAITED]),
    issues=(2748, 2403),
    where=NO_NEST_ASYNC_PROVIDER.where,
    workaround=NO_NEST_ASYNC_PROVIDER.workaround,
)
UVLOOP_ASYNC_PROVIDER = Defect(
    "uvloop-async-provider",
    "inside a running uvloop loop g4f patches nothing and lets a bare RuntimeError through instead of "
    "NestAsyncioError",
    "7.0.0",
    Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED]),
    issues=(2403,),
    where="seen in a child running a uvloop loop: applies to you if you call the sync API from code that "
    "runs on uvloop (uvicorn[standard], an aiohttp or bot server with uvloop)",
    workaround="call create_async (or AsyncClient) from async code; the sync API cannot nest on uvloop",
)
UVLOOP_GENERATOR_PROVIDER = Defect(
    "uvloop-generator-provider",
    UVLOOP_ASYNC_PROVIDER.reason,
    "7.0.0",
    Raises("builtins.RuntimeError", UVLOOP_RUNNING),
    issues=(2403,),
    where=UVLOOP_ASYNC_PROVIDER.where,
    workaround=UVLOOP_ASYNC_PROVIDER.workaround,
)
AUTO_PATCH_ASYNC_PROVIDER = Defect(
    "auto-patch-async-provider",
    "with nest_asyncio importable but not applied, the AsyncProvider sync path calls asyncio.run() without "
    "patching the running loop: a bare RuntimeError",
    "7.5.0",
    Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED]),
    issues=(2748,),
    where="seen in a child with g4f's nest package installed and nothing applied: applies to you if you call "
    "the sync API with an AsyncProvider inside a running loop (a notebook cell, an async handler)",
    workaround="call nest_asyncio2.apply() yourself first, or use create_async (7.4.7 worked)",
)
ASYNC_STREAM_OF_SYNC_PROVIDER = Defect(
    "async-stream-of-sync-provider",
    "create_async(stream=True) with a sync provider returns a coroutine, not an async iterator",
    "0.4.0.5",
    Returns({"returned": "coroutine"}),
    last="7.4.7",
    where="seen in every regime: applies to you on g4f 0.4.0.5 to 7.4.7 if you stream asynchronously from a "
    "sync provider",
    workaround="upgrade to g4f 7.5.0 or later",
)
ASYNC_CLIENT_ONE_DELTA = Defect(
    "async-client-one-delta",
    "AsyncClient streaming over a sync provider yields the whole text as one delta",
    "0.4.0.5",
    Returns([support.JOINED]),
    last="7.4.7",
    where=ASYNC_STREAM_OF_SYNC_PROVIDER.where,
    workaround=ASYNC_STREAM_OF_SYNC_PROVIDER.workaround,
)
TO_ASYNC_ITERATOR_SPLITS = Defect(
    "to-async-iterator-splits",
    "to_async_iterator iterates a str or bytes item by item instead of yielding it whole",
    "0.4.0.5",
    OneOf(Returns(list("Mock")), Returns(list(b"Mock"))),
    last="7.4.7",
    where="seen in every regime: applies to you on g4f 0.4.0.5 to 7.4.7 if you pass a str or bytes to g4f's "
    "to_async_iterator",
    workaround="upgrade to g4f 7.5.0 or later",
)
NEST_RUN_LEAVES_LOOPS = Defect(
    "nest-run-leaves-loops",
    "once nest_asyncio2 is applied (as g4f advises, and as g4f does itself inside a running loop), each sync "
    "call from a worker thread leaves that thread an event loop that is never closed: nest's asyncio.run "
    "makes one per thread and never closes it",
    "0.3.0.0",
    Leaves(["unclosed event loop"], also=["unclosed <socket"]),
    when=nest_applied,
    where="seen in a child that applied g4f's nest package first: applies to you if you (or g4f, inside a "
    "running loop) applied nest_asyncio2 and then call the sync API from worker threads (a threaded "
    "server, run_in_executor): one leaked loop, with its selector and sockets, per thread",
    workaround="apply nest_asyncio2 with run_close_loop=True before g4f does, or use the async API",
)
JUPYTER_FRESH_KERNEL = Defect(
    "jupyter-fresh-kernel",
    "in a fresh Jupyter kernel the AsyncProvider sync path calls asyncio.run() on the kernel's running, "
    "unpatched loop: a bare RuntimeError and a never-awaited coroutine (the auto-patch defect, in a kernel)",
    "7.5.0",
    Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED]),
    issues=(2748,),
    where="seen in a real ipykernel: applies to you if the first g4f call in your notebook is a sync create "
    "with an AsyncProvider",
    workaround="run nest_asyncio2.apply() in the notebook first, or await create_async in the cell",
)
TIMEOUT_IS_ASYNCIO_ERROR = Defect(
    "timeout-is-asyncio-error",
    "to_sync_generator(timeout=...) lets asyncio.TimeoutError through, which before Python 3.11 is not the "
    "builtin TimeoutError g4f means to raise (its except TimeoutError does not catch it)",
    "0.5.4.4",
    Raises("asyncio.exceptions.TimeoutError", ""),
    when=python_before_3_11,
    where="seen on Python 3.8 with g4f 0.5.4.4, 6.0.5, 7.0.0 and 8.8.6: applies to you on Python 3.8 to 3.10 "
    "if you catch TimeoutError around a sync stream with a timeout",
    workaround="catch asyncio.TimeoutError as well (or use Python 3.11 or later)",
)
# The documented test_exception runs only where g4f cannot nest: the same defect, seen in this process.
DOCUMENTED_NO_NEST = Defect(
    "documented-no-nest",
    NO_NEST_ASYNC_PROVIDER.reason,
    "0.3.4.6",
    Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED]),
    issues=(2748, 2403),
    when=g4f_cannot_nest,
    where="seen in this process, which runs g4f without a nest package g4f can use",
    workaround=NO_NEST_ASYNC_PROVIDER.workaround,
)
DOCUMENTED = {"TestChatCompletion.test_exception": DOCUMENTED_NO_NEST}
UVLOOP_CLIENT = Defect(
    "uvloop-client",
    "inside a running uvloop loop (an async def endpoint of uvicorn[standard]) the sync Client lets a bare "
    "RuntimeError through instead of NestAsyncioError",
    "6.0.5",
    Raises("builtins.RuntimeError", UVLOOP_RUNNING),
    issues=(2403,),
    where=UVLOOP_ASYNC_PROVIDER.where,
    workaround=UVLOOP_ASYNC_PROVIDER.workaround,
)
PATCHED_LOOP_THREADS_KEEP_LOOPS = Defect(
    "patched-loop-threads-keep-loops",
    "once g4f has patched a running loop (a sync call in an async handler), nest_asyncio2's asyncio.run is "
    "process-wide: each later sync call from a worker thread leaves that thread an open event loop installed",
    "6.0.5",
    Leaves(["unclosed event loop"]),
    where="seen in a uvicorn server after an async def endpoint made a sync call: applies to you if your app "
    "mixes async handlers that call the sync API with def handlers (a threadpool's workers keep the loops)",
    workaround="use the async API in async handlers, so g4f never patches the server's loop",
)
RUN_IN_GREENLET = "builtins.RuntimeError: asyncio.run() cannot be called from a running event loop"
NOT_REVERSIBLE = "builtins.TypeError: 'NoneType' object is not reversible"
GEVENT_WHERE = (
    "seen in a fresh interpreter that ran gevent.monkey.patch_all() first and serves with gevent.pywsgi: applies "
    "to you if you call g4f's sync API under gevent (gunicorn -k gevent) and two requests can overlap"
)
GEVENT_WORKAROUND = (
    "serve g4f's sync calls from real threads (gunicorn -k gthread), or let one sync g4f call run at a time per "
    "process (one at a time works under gevent)"
)
IN_ANOTHER_GREENLETS_LOOP = (
    "made while another greenlet's call is inside its event loop, finds that loop running (asyncio keeps the "
    "running loop per OS thread, and greenlets share one)"
)


def gevent_defect(name, reason, first, shape, last=None, when=None):
    return Defect(name, reason, first, shape, last, (2658,), when, GEVENT_WHERE, GEVENT_WORKAROUND)


GEVENT_ASYNC_PROVIDER_AT_ONCE = gevent_defect(
    "gevent-async-provider-at-once",
    "under gevent, a sync create %s: the AsyncProvider path's asyncio.run() raises a bare RuntimeError and "
    "leaves the coroutine never awaited" % IN_ANOTHER_GREENLETS_LOOP,
    "7.5.0",
    Returns({"calls": 4, "wrong": {RUN_IN_GREENLET: 3}}, [NEVER_AWAITED]),
)
GEVENT_ASYNC_PROVIDER_AT_ONCE_NO_NEST = gevent_defect(
    "gevent-async-provider-at-once-no-nest",
    GEVENT_ASYNC_PROVIDER_AT_ONCE.reason + ", where g4f cannot nest",
    "6.5.0",
    GEVENT_ASYNC_PROVIDER_AT_ONCE.shape,
    last="7.4.7",
    when=g4f_cannot_nest,
)
GEVENT_ASYNC_PROVIDER_AT_ONCE_7_0_0 = gevent_defect(
    "gevent-async-provider-at-once-7.0.0",
    "under gevent, a sync create %s, nest-patches it and runs on it: one call fails closing the loop another "
    "greenlet still runs" % IN_ANOTHER_GREENLETS_LOOP,
    "7.0.0",
    Returns({"calls": 4, "wrong": {"builtins.RuntimeError: Cannot close a running event loop": 1}}),
    last="7.0.0",
    when=g4f_nests,
)
GEVENT_IMAGES_AT_ONCE = gevent_defect(
    "gevent-images-at-once",
    "under gevent, client.images.generate %s: its asyncio.run() raises a bare RuntimeError and leaves the "
    "coroutine never awaited" % IN_ANOTHER_GREENLETS_LOOP,
    "7.5.0",
    Returns({"calls": 4, "wrong": {RUN_IN_GREENLET: 3}}, [NEVER_AWAITED]),
)
GEVENT_IMAGES_AT_ONCE_NO_NEST = gevent_defect(
    "gevent-images-at-once-no-nest",
    GEVENT_IMAGES_AT_ONCE.reason + ", where g4f cannot nest",
    "6.5.0",
    GEVENT_IMAGES_AT_ONCE.shape,
    last="7.4.7",
    when=g4f_cannot_nest,
)
GEVENT_IMAGES_AT_ONCE_NESTED = gevent_defect(
    "gevent-images-at-once-nested",
    "under gevent, client.images.generate %s, and nest_asyncio2's asyncio.run (patched process-wide by an "
    "earlier call) fails inside it" % IN_ANOTHER_GREENLETS_LOOP,
    "7.0.0",
    Returns({"calls": 4, "wrong": {NOT_REVERSIBLE: 3}}),
    last="7.4.7",
    when=g4f_nests,
)
GEVENT_GENERATOR_AT_ONCE = gevent_defect(
    "gevent-generator-at-once",
    "under gevent, a sync stream %s, nest-patches it and runs on it: one call fails closing the loop another "
    "greenlet still runs, two inside nest_asyncio2" % IN_ANOTHER_GREENLETS_LOOP,
    "7.5.0",
    Returns({"calls": 4, "wrong": {"builtins.RuntimeError: Cannot close a running event loop": 1, NOT_REVERSIBLE: 2}}),
    when=g4f_nests,
)
GEVENT_GENERATOR_AT_ONCE_NO_NEST = gevent_defect(
    "gevent-generator-at-once-no-nest",
    "under gevent, where g4f cannot nest, a sync stream %s and runs on it: a bare RuntimeError, and a "
    "never-awaited coroutine" % IN_ANOTHER_GREENLETS_LOOP,
    "6.5.0",
    Returns({"calls": 4, "wrong": {"builtins.RuntimeError: This event loop is already running": 3}}, [NEVER_AWAITED]),
    when=g4f_cannot_nest,
)
