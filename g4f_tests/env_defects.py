"""The known g4f defects seen where integrators run g4f (asgi.py, wsgi.py, greenlets.py, bots.py): exact shapes and
the releases measured, as in known_defects.py (which re-exports them)."""

from . import support
from .conditions import NEVER_AWAITED, g4f_cannot_nest
from .verdicts import ByRelease, Defect, Leaves, OneOf, Returns


def g4f_nests(case):
    """g4f can nest: the nest package it imports is installed"""
    return support.g4f_nest() is not None


UVLOOP_WHERE = (
    "seen in a child running a uvloop loop: applies to you if you call the sync API from code that runs on uvloop "
    "(uvicorn[standard], an aiohttp or bot server with uvloop)"
)
UVLOOP_WORKAROUND = "call create_async (or AsyncClient) from async code; the sync API cannot nest on uvloop"

PATCHED_LOOP_THREADS_KEEP_LOOPS = Defect(
    "patched-loop-threads-keep-loops",
    "once g4f has patched a running loop (a sync call in an async handler), the nest package's asyncio.run is "
    "process-wide: each later sync call from a worker thread leaves that thread an open event loop installed",
    "0.2.8.1",
    Leaves(["unclosed event loop"]),
    where="seen in a uvicorn server after an async def endpoint made a sync call: applies to you if your app "
    "mixes async handlers that call the sync API with def handlers (a threadpool's workers keep the loops)",
    workaround="use the async API in async handlers, so g4f never patches the server's loop",
)
RUN_IN_GREENLET = "builtins.RuntimeError: asyncio.run() cannot be called from a running event loop"
_NAME_ERROR = "builtins.NameError: name 'PollinationsImage' is not defined"
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
    "0.3.9.7",
    GEVENT_ASYNC_PROVIDER_AT_ONCE.shape,
    last="7.4.7",
    when=g4f_cannot_nest,
)
# From 7.0.0 to 7.4.7, where g4f nests, sync creates with an async provider at once under gevent race on the shared
# patched loop: run alone, the greenlets module's check saw every call right in most runs, and in the others one call
# failed ("Cannot close a running event loop", or "'NoneType' object is not reversible"). Measured: 7.0.0 2 runs of
# 8, 7.1.6 4 of 20, 7.1.7 2 of 10, 7.1.9, 7.2.5 and 7.3.9 1 of 10 each, 7.4.7 3 of 20; 6.9.10 and 7.5.0 0 of 10. No
# exact verdict is possible there, so the check skips saying so (greenlets.py) instead of carrying a shape it shows
# now and then.
RACY_AT_ONCE = (
    "7.0.0",
    "7.4.7",
    "g4f 7.0.0 to 7.4.7 race under gevent here: calls at once on the shared patched loop are right in most runs "
    "and one of them fails in the others (up to one run in four), with one error or another (measured): no exact "
    "verdict is possible",
)
# Three of four calls at once find another greenlet's loop running: asyncio.run() refuses, a coroutine is left.
_AT_ONCE_ASYNCIO_RUN = Returns({"calls": 4, "wrong": {RUN_IN_GREENLET: 3}}, [NEVER_AWAITED])
GEVENT_IMAGES_AT_ONCE = gevent_defect(
    "gevent-images-at-once",
    "under gevent, client.images.generate %s: its asyncio.run() raises a bare RuntimeError and leaves the "
    "coroutine never awaited" % IN_ANOTHER_GREENLETS_LOOP,
    "7.5.0",
    ByRelease(
        ("7.5.0", "8.3.7", _AT_ONCE_ASYNCIO_RUN),
        # client-images-name-error's releases: the one call that gets to generate fails with its NameError
        ("8.4.0", "8.4.5", Returns({"calls": 4, "wrong": {_NAME_ERROR: 1, RUN_IN_GREENLET: 3}}, [NEVER_AWAITED])),
        ("8.4.6", None, _AT_ONCE_ASYNCIO_RUN),
    ),
)
GEVENT_IMAGES_AT_ONCE_NO_NEST = gevent_defect(
    "gevent-images-at-once-no-nest",
    GEVENT_IMAGES_AT_ONCE.reason + ", where g4f cannot nest",
    "0.3.9.7",
    _AT_ONCE_ASYNCIO_RUN,
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
_AT_ONCE_LOOP_RUNNING = Returns(
    {"calls": 4, "wrong": {"builtins.RuntimeError: This event loop is already running": 3}}, [NEVER_AWAITED]
)
GEVENT_GENERATOR_AT_ONCE_NO_NEST = gevent_defect(
    "gevent-generator-at-once-no-nest",
    "under gevent, where g4f cannot nest, a sync stream %s and runs on it: a bare RuntimeError, and a "
    "never-awaited coroutine" % IN_ANOTHER_GREENLETS_LOOP,
    "0.3.9.7",
    ByRelease(
        ("0.3.9.7", "0.4.0.4", _AT_ONCE_LOOP_RUNNING),
        ("0.4.0.5", "0.5.7.1", _AT_ONCE_ASYNCIO_RUN),  # the async-generator path's asyncio.run (known_defects.py)
        ("0.5.7.2", None, _AT_ONCE_LOOP_RUNNING),
    ),
    when=g4f_cannot_nest,
)
GEVENT_AT_ONCE_NEST_ERROR = gevent_defect(
    "gevent-at-once-nest-error",
    "under gevent, a sync create %s: releases that cannot nest there raise NestAsyncioError although the caller "
    "runs no loop" % IN_ANOTHER_GREENLETS_LOOP,
    "0.2.2.0",
    OneOf(
        *(
            Returns({"calls": 4, "wrong": {"g4f.errors.NestAsyncioError: " + message: 3}})
            for message in (
                'Use "create_async" instead of "create" function in a running event loop. Or use "nest_asyncio" '
                "package.",  # 0.2.2.0 to 0.2.8.0, which never nest
                'Install "nest_asyncio" package',  # from 0.2.8.1, without a nest package
            )
        )
    ),
    last="0.2.9.11",
    when=g4f_cannot_nest,
)
