"""The registry of known g4f defects: which contract g4f breaks, on which releases, in exactly which shape
(what a user sees), why, whom it affects and what to do. Each entry is attached to the tests that check the
contract (``@known(...)``, verdicts.py); the ranges come from the compatibility matrix and its bisection
(COMPATIBILITY.md), and a release outside a measured range is not assumed affected.
"""

from . import support
from .bridge_defects import *  # noqa: F401,F403 (the bridge mechanics' entries: workers.py, callers_loop.py, ...)
from .client_defects import *  # noqa: F401,F403 (the client contracts' entries: fidelity.py to third_party.py)
from .client_defects import CLIENT_EMPTY_CHUNK_DELTA, CLIENT_EMPTY_CHUNK_DELTA_AGAIN
from .conditions import (  # noqa: F401 (shared with client_defects.py)
    LOOP_RUNNING,
    NEVER_AWAITED,
    OTHER_COUNTS,
    RUN_IN_LOOP,
    UVLOOP_RUNNING,
    UVLOOP_UNPATCHABLE,
    g4f_cannot_nest,
    loop_unpatchable,
    nest_applied,
    nest_not_applied,
    python_before_3_9,
    python_before_3_11,
    uvloop_shape_applies,
)
from .list_defects import *  # noqa: F401,F403 (provider_lists.py's entries, and cancellation.py's)
from .list_defects import ASYNC_CLIENT_IS_SYNC_OVER_A_LIST, ASYNC_CLIENT_SYNC_BRIDGE_OVER_A_LIST
from .response_defects import *  # noqa: F401,F403 (response_objects.py, shorthands.py, images.py's variations)

# isort: split
# The environments' entries last: the star imports' order is the registry's, and the README's defects table follows it.
from .env_defects import *  # noqa: F401,F403 (the environments' entries: asgi.py to bots.py)
from .env_defects import UVLOOP_WHERE, UVLOOP_WORKAROUND
from .verdicts import (  # noqa: F401
    ByRelease,
    Defect,
    ForCalls,
    Leaves,
    OneOf,
    Raises,
    Returns,
    known,  # noqa: F401 (checks import known)
)

# From 0.4.0.5 to 0.5.7.1 the async-generator sync path runs asyncio.run(async_generator_to_list(...)) where the
# others run the loop: the same defects then raise the asyncio.run() message (measured at both ends).
RUN_IN_LOOP_SHAPE = Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED])
GENERATOR_ASYNCIO_RUN = ("0.4.0.5", "0.5.7.1", RUN_IN_LOOP_SHAPE)

NO_NEST_ASYNC_PROVIDER = Defect(
    "no-nest-async-provider",
    "without a nest package, sync create inside a running loop raises a bare RuntimeError, not "
    "NestAsyncioError, and leaves a never-awaited coroutine",
    "0.3.4.6",
    Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED]),
    issues=(2748, 2403),
    where="seen in a child interpreter with nest_asyncio and nest_asyncio2 hidden: applies to you if you run "
    "g4f without the nest package it imports (nest_asyncio2 from g4f 7.0). Measured: 0.3.3.3 raises "
    "NestAsyncioError, 0.3.4.6 to 8.8.6 do not; 0.3.3.4 to 0.3.4.5 cannot be imported offline",
    workaround="install nest_asyncio2 (g4f then patches the running loop), or call create_async from async code",
)
NO_NEST_GENERATOR_PROVIDER = Defect(
    "no-nest-generator-provider",
    "without a nest package, sync create of an async-generator provider inside a running loop raises a bare "
    "RuntimeError, not NestAsyncioError, and leaves a never-awaited coroutine",
    "0.3.4.6",
    ByRelease(
        ("0.3.4.6", "0.4.0.4", Raises("builtins.RuntimeError", LOOP_RUNNING, [NEVER_AWAITED])),
        GENERATOR_ASYNCIO_RUN,
        ("0.5.7.2", None, Raises("builtins.RuntimeError", LOOP_RUNNING, [NEVER_AWAITED])),
    ),
    issues=(2748, 2403),
    where=NO_NEST_ASYNC_PROVIDER.where,
    workaround=NO_NEST_ASYNC_PROVIDER.workaround,
)
# 0.2.8.1 (the first release that nests) to 0.3.1.8 apply nest_asyncio to the uvloop loop, which refuses.
UVLOOP_REFUSED = ("0.2.8.1", "0.3.1.8", Raises("builtins.ValueError", UVLOOP_UNPATCHABLE))
UVLOOP_ASYNC_PROVIDER = Defect(
    "uvloop-async-provider",
    "inside a running uvloop loop sync create raises another error than NestAsyncioError: nest_asyncio's "
    "ValueError refusing to patch uvloop (0.2.8.1 to 0.3.1.8), then a bare RuntimeError as g4f leaves the loop "
    "unpatched",
    "0.2.8.1",
    ByRelease(UVLOOP_REFUSED, ("0.3.1.9", None, RUN_IN_LOOP_SHAPE)),
    when=uvloop_shape_applies,
    issues=(2403,),
    where="seen in a child running a uvloop loop: applies to you if you call the sync API from code that "
    "runs on uvloop (uvicorn[standard], an aiohttp or bot server with uvloop). Measured: 0.2.8.0 raises "
    "NestAsyncioError; each change of shape bisected (0.3.2.0 to 0.3.2.8 cannot be imported offline)",
    workaround="call create_async (or AsyncClient) from async code; the sync API cannot nest on uvloop",
)
UVLOOP_GENERATOR_PROVIDER = Defect(
    "uvloop-generator-provider",
    UVLOOP_ASYNC_PROVIDER.reason,
    "0.2.8.1",
    ByRelease(
        UVLOOP_REFUSED,
        ("0.3.1.9", "0.4.0.4", Raises("builtins.RuntimeError", UVLOOP_RUNNING)),
        GENERATOR_ASYNCIO_RUN,
        ("0.5.7.2", None, Raises("builtins.RuntimeError", UVLOOP_RUNNING)),
    ),
    when=uvloop_shape_applies,
    issues=(2403,),
    where=UVLOOP_ASYNC_PROVIDER.where,
    workaround=UVLOOP_ASYNC_PROVIDER.workaround,
)
UVLOOP_CLIENT = Defect(
    "uvloop-client",
    "inside a running uvloop loop (an async def endpoint of uvicorn[standard]) the sync Client lets another error "
    "through than NestAsyncioError: the shapes of uvloop-generator-provider, release for release",
    "0.2.8.1",
    UVLOOP_GENERATOR_PROVIDER.shape,
    when=uvloop_shape_applies,
    issues=(2403,),
    where=UVLOOP_WHERE,
    workaround=UVLOOP_WORKAROUND,
)
AUTO_PATCH_ASYNC_PROVIDER = Defect(
    "auto-patch-async-provider",
    "with nest_asyncio importable but not applied, the AsyncProvider sync path calls asyncio.run() without "
    "patching the running loop: a bare RuntimeError",
    "7.5.0",
    Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED]),
    issues=(2748,),
    where="seen in a child with g4f's nest package installed and nothing applied: applies to you if you call "
    "the sync API with an AsyncProvider inside a running loop (a notebook cell, an async handler). Measured: "
    "7.4.7 returns the result, 7.5.0 to 8.8.6 raise",
    workaround="call nest_asyncio2.apply() yourself first, or use create_async (7.4.7 worked)",
)
AUTO_PATCH_GENERATOR_PROVIDER = Defect(
    "auto-patch-generator-provider",
    "with nest_asyncio importable but not applied, the async-generator sync path calls asyncio.run() without "
    "patching the running loop: a bare RuntimeError and a never-awaited coroutine",
    "0.4.0.5",
    RUN_IN_LOOP_SHAPE,
    last="0.4.7.4",
    where="seen in a child with g4f's nest package installed and nothing applied: applies to you on g4f 0.4.0.5 "
    "to 0.4.7.4 if you call the sync API with an async-generator provider inside a running loop. Measured: "
    "0.4.0.4 and 0.4.7.5 return the result (both ends bisected)",
    workaround="upgrade to g4f 0.4.7.5 or later, or call nest_asyncio.apply() yourself first",
)


ASYNC_STREAM_OF_SYNC_PROVIDER = Defect(
    "async-stream-of-sync-provider",
    "create_async(stream=True) with a sync provider or an AsyncProvider returns a coroutine, not an async iterator",
    "0.4.0.5",
    OneOf(Returns({"returned": "coroutine"}), Returns({"received": {"returned": "coroutine"}, "raised": None})),
    last="7.4.7",
    where="seen in every regime: applies to you on g4f 0.4.0.5 to 7.4.7 if you stream asynchronously from a "
    "sync provider. Measured in this shape on 0.4.0.5, 0.4.7.4, 0.5.7.1, 6.0.5, 7.0.0 and 7.4.7 (cells); "
    "0.4.0.4 skips (create_async(stream=True) is newer), 7.5.0 honours it",
    workaround="upgrade to g4f 7.5.0 or later",
)
# response_objects.py's provider over AsyncClient: its reasoning and text joined into one text, the rest lost.
_OBJECTS_TEXT = "Denke über „Wörld“ nach… \nHallo, Wörld 42"
_OWN_NAMES = {"provider": "ObjectsProviderMock", "model": support.MODEL}
_ONE_DELTA_OBJECTS = (
    Returns(dict(_OWN_NAMES, content=_OBJECTS_TEXT, reasoning=None, tool_calls=None, finish_reason="stop")),
    Returns(dict(_OWN_NAMES, deltas=[{"content": _OBJECTS_TEXT}, {}], finish_reason=[None, "stop"])),
    Returns({"conversation": None}),
)
ASYNC_CLIENT_ONE_DELTA = Defect(
    "async-client-one-delta",
    "AsyncClient over a sync provider collects the whole answer before it delivers anything: streamed, one "
    "delta with all the text (after the provider produced every chunk, none before a failure); the finish reason "
    "and token counts the provider reported are lost, its reasoning joined into the text, its tool calls, "
    "conversation and provider info lost",
    "0.4.0.5",
    OneOf(
        Returns([support.JOINED, None]),  # fidelity.py
        # fidelity.py, the text around an exception object
        ForCalls(
            ("AsyncClient, stream, sync provider", "AsyncClient, a None chunk, stream, sync provider"),
            Returns(["Hallo, Wörld 42", None]),
        ),
        Returns({"first": support.JOINED, "produced when it arrived": len(support.NON_EMPTY)}),  # incremental.py
        Returns({"first": support.JOINED, "closed": True}),
        ForCalls(  # incremental.py, max_tokens not applied
            ("AsyncClient, not streamed, sync provider", "AsyncClient, stream, sync provider"),
            Returns({"answer": support.JOINED, "closed": True}),
        ),
        Returns({"received": [], "raised": "g4f_tests.failing.ProviderError: FailingProviderMock"}),  # errors.py
        Returns({"finish_reason": "stop", "usage": OTHER_COUNTS}),  # responses.py
        Returns({"content": [support.JOINED, None], "finish_reason": [None, "stop"], "usage": OTHER_COUNTS}),
        *_ONE_DELTA_OBJECTS,  # response_objects.py
        Returns(["".join(support.NON_EMPTY[:3]), None]),  # shorthands.py, not raw
    ),
    last="7.4.7",
    where="seen in every regime: applies to you on g4f 0.4.0.5 to 7.4.7 if you stream from AsyncClient over a "
    "sync provider. Measured in this shape on the cells from 0.4.0.5 to 7.4.7; 0.4.0.4 and 7.5.0 honour it",
    workaround=ASYNC_STREAM_OF_SYNC_PROVIDER.workaround,
    calls=("AsyncClient",),
)
ASYNC_CLIENT_MISSING = Defect(
    "async-client-missing",
    "g4f.client.AsyncClient does not exist: these releases removed it (0.3.3.3 brought back a synchronous one)",
    "0.3.3.0",
    Raises(
        "builtins.AssertionError",
        r"g4f\.client\.AsyncClient is missing from g4f [\d.]+ although g4f has had it since 0\.2\.8\.1: "
        r"module 'g4f\.client' has no attribute 'AsyncClient'",
    ),
    last="0.3.3.2",
    where="seen in every regime: applies to you on g4f 0.3.3.0 to 0.3.3.2 if you import AsyncClient. Measured: "
    "0.3.2.0 has it (0.3.2.1 to 0.3.2.9 cannot be imported offline), the wheels of 0.3.3.0 to 0.3.3.2 lack it",
    workaround="use g4f 0.3.2.0 or 0.3.7.2 and later",
)
# errors.py's chain of a stream limit's error, where AsyncClient fails on uvloop before its provider runs
_UVLOOP_CHAIN = "the provider raised nothing; the caller got builtins.RuntimeError: this event loop is already running."
ASYNC_CLIENT_IS_SYNC = Defect(
    "async-client-is-sync",
    "AsyncClient is the synchronous Client under a deprecated name: create returns the ChatCompletion itself "
    "(awaiting it raises TypeError), create(stream=True) a sync generator (async for raises TypeError; a check "
    "that looks for an async stream finds a generator), and on a running loop it cannot patch (uvloop, or no nest "
    "package) its sync path fails",
    "0.3.3.3",
    OneOf(
        Raises("builtins.TypeError", r"object ChatCompletion can't be used in 'await' expression"),
        Raises("builtins.TypeError", r"'async for' requires an object with __aiter__ method, got generator"),
        Raises("builtins.RuntimeError", UVLOOP_RUNNING),
        Raises("g4f.errors.NestAsyncioError", 'Install "nest_asyncio" package'),  # without a nest package
        Returns({"returned": "generator"}),  # fidelity.py, incremental.py
        Returns({"received": {"returned": "generator"}, "raised": None}),  # errors.py
        Returns({"received": None, "raised": "builtins.RuntimeError: this event loop is already running."}),
        Returns(_UVLOOP_CHAIN),  # errors.py's chain
        *ASYNC_CLIENT_IS_SYNC_OVER_A_LIST,  # provider_lists.py
    ),
    last="0.3.3.3",
    where="seen in every regime (the RuntimeError on uvloop): applies to you on g4f 0.3.3.3 if you await "
    "AsyncClient. Measured on 0.3.3.3 only: 0.3.3.4 to 0.3.4.5 cannot be imported offline, 0.3.4.6 is async",
    workaround="use Client.chat.completions.async_create there, or g4f 0.3.7.2 and later",
)
ASYNC_CLIENT_SYNC_BRIDGE = Defect(
    "async-client-sync-bridge",
    "AsyncClient runs an async-generator provider through the sync bridge, inside the running loop: where g4f "
    "cannot patch that loop (uvloop, or no nest package) it raises a bare RuntimeError",
    "0.3.4.6",
    OneOf(
        Raises("builtins.RuntimeError", UVLOOP_RUNNING),  # on uvloop
        Raises("builtins.RuntimeError", LOOP_RUNNING, [NEVER_AWAITED]),  # without a nest package
        # errors.py: what the caller saw
        *[
            Returns({"received": r, "raised": "builtins.RuntimeError: this event loop is already running."})
            for r in (None, [])
        ],
        *[
            Returns(
                {"received": r, "raised": "builtins.RuntimeError: This event loop is already running"}, [NEVER_AWAITED]
            )
            for r in (None, [])
        ],
        Returns(_UVLOOP_CHAIN),  # errors.py's chain, on uvloop
        Returns(
            _UVLOOP_CHAIN.replace("this", "This").rstrip("."), [NEVER_AWAITED]
        ),  # errors.py's chain, no nest package
        *ASYNC_CLIENT_SYNC_BRIDGE_OVER_A_LIST,  # provider_lists.py
    ),
    last="0.3.7.1",
    when=loop_unpatchable,
    where="seen in a child running a uvloop loop and in an environment without a nest package: applies to you "
    "on g4f 0.3.4.6 to 0.3.7.1 if you use AsyncClient with an async-generator provider there (on the default "
    "loop with a nest package g4f patches the loop and the call works). Measured at both ends in both "
    "environments; 0.3.7.2 works (bisected); 0.3.4.6 is the first release after 0.3.3.3 that imports offline",
    workaround="upgrade to g4f 0.3.7.2 or later",
)
_SPLIT = OneOf(Returns(list("Mock")), Returns(list(b"Mock")))
TO_ASYNC_ITERATOR_SPLITS = Defect(
    "to-async-iterator-splits",
    "to_async_iterator iterates a str or bytes item by item instead of yielding it whole",
    "0.4.0.5",
    ByRelease(("0.4.0.5", "0.4.0.7", _SPLIT), ("0.4.4.1", "7.4.7", _SPLIT)),  # between: to-async-iterator-awaits
    last="7.4.7",
    where="seen in every regime: applies to you on g4f 0.4.0.5 (where to_async_iterator first appears) to 7.4.7 "
    "if you pass a str or bytes to it (0.4.0.9 to 0.4.3.6 fail otherwise: to-async-iterator-awaits). Measured on "
    "the cells from 0.4.0.5 to 7.4.7; 7.5.0 honours it",
    workaround="upgrade to g4f 7.5.0 or later",
)
TO_ASYNC_ITERATOR_AWAITS = Defect(
    "to-async-iterator-awaits",
    "to_async_iterator awaits whatever is not an async iterator: a str, bytes or a list raises TypeError",
    "0.4.0.9",
    Raises("builtins.TypeError", r"object (str|bytes|list) can't be used in 'await' expression"),
    last="0.4.3.6",
    where="seen in every regime: applies to you on g4f 0.4.0.9 to 0.4.3.6 if you pass to_async_iterator anything "
    "but an async iterator or a coroutine. Bisected: 0.4.0.7 and 0.4.4.1 iterate them (to-async-iterator-splits)",
    workaround="upgrade to g4f 7.5.0 or later",
)
NEST_RUN_LEAVES_LOOPS = Defect(
    "nest-run-leaves-loops",
    "once g4f's nest package is applied (as g4f advises, and as g4f does itself inside a running loop), each "
    "sync call from a worker thread leaves that thread an event loop that is never closed: the patched "
    "asyncio.run makes one per thread and never closes it",
    "0.2.8.1",
    Leaves(["unclosed event loop"], also=["unclosed <socket"]),
    when=nest_applied,
    where="seen in a child that applied g4f's nest package first: applies to you if you (or g4f, inside a "
    "running loop) applied nest_asyncio (nest_asyncio2 from g4f 7.0) and then call the sync API from worker "
    "threads (a threaded server, run_in_executor): one leaked loop, with its selector and sockets, per "
    "thread. Measured from 0.2.8.1, the first release that nests (the check cannot run before), to 8.8.6",
    workaround="apply nest_asyncio2 with run_close_loop=True before g4f does, or use the async API",
)
# What a stream over AsyncClient meets, wherever it runs (asgi.py's streaming endpoint, bots.py's handler).
ASYNC_CLIENT_STREAM_DEFECTS = (
    CLIENT_EMPTY_CHUNK_DELTA,
    CLIENT_EMPTY_CHUNK_DELTA_AGAIN,
    ASYNC_CLIENT_MISSING,
    ASYNC_CLIENT_IS_SYNC,
    ASYNC_CLIENT_SYNC_BRIDGE,
)
JUPYTER_FRESH_KERNEL = Defect(
    "jupyter-fresh-kernel",
    "in a fresh Jupyter kernel the AsyncProvider sync path calls asyncio.run() on the kernel's running, "
    "unpatched loop: a bare RuntimeError and a never-awaited coroutine (the auto-patch defect, in a kernel)",
    "7.5.0",
    Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED]),
    issues=(2748,),
    where="seen in a real ipykernel: applies to you if the first g4f call in your notebook is a sync create "
    "with an AsyncProvider. Measured in a kernel: 7.4.7 returns the result, 7.5.0 to 8.8.6 raise",
    workaround="run nest_asyncio2.apply() in the notebook first, or await create_async in the cell",
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
