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


def python_before_3_11(case):
    """Python is older than 3.11 (where asyncio.TimeoutError became the builtin TimeoutError)"""
    return sys.version_info < (3, 11)


def nest_applied(case):
    """the check runs after g4f's nest package was applied"""
    return getattr(getattr(case, "regime", None), "name", None) == "nest-applied"


def nest_not_applied(case):
    """the check runs on a loop g4f's nest package was not applied to"""
    return not nest_applied(case)


OTHER_COUNTS = "other counts than the provider reported"  # responses.py's words for g4f's own estimate
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
    "create_async(stream=True) with a sync provider or an AsyncProvider returns a coroutine, not an async iterator",
    "0.4.0.5",
    OneOf(Returns({"returned": "coroutine"}), Returns({"received": {"returned": "coroutine"}, "raised": None})),
    last="7.4.7",
    where="seen in every regime: applies to you on g4f 0.4.0.5 to 7.4.7 if you stream asynchronously from a "
    "sync provider",
    workaround="upgrade to g4f 7.5.0 or later",
)
ASYNC_CLIENT_ONE_DELTA = Defect(
    "async-client-one-delta",
    "AsyncClient over a sync provider collects the whole answer before it delivers anything: streamed, one "
    "delta with all the text (after the provider produced every chunk, none before a failure); the finish reason "
    "and token counts the provider reported are lost",
    "0.4.0.5",
    OneOf(
        Returns([support.JOINED, None]),  # fidelity.py
        Returns({"first": support.JOINED, "produced when it arrived": len(support.NON_EMPTY)}),  # incremental.py
        Returns({"first": support.JOINED, "closed": True}),
        Returns({"received": [], "raised": "g4f_tests.providers.ProviderError: FailingProviderMock"}),  # errors.py
        Returns({"finish_reason": "stop", "usage": OTHER_COUNTS}),  # responses.py
        Returns({"content": [support.JOINED, None], "finish_reason": [None, "stop"], "usage": OTHER_COUNTS}),
    ),
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
# g4f's RaiseExceptionProviderMock as errors.py asks it, not streamed and streamed (a subclass that streams).
_RAISE_MOCKS = ("RaiseExceptionProviderMock", "StreamingRaiseExceptionProviderMock")
NO_USE_STREAM_TIMEOUT = "type object '%s' has no attribute 'use_stream_timeout'"
ASYNC_CLIENT_USE_STREAM_TIMEOUT = Defect(
    "async-client-use-stream-timeout",
    "AsyncClient reads the provider's use_stream_timeout, which only AsyncGeneratorProvider defines: a provider "
    "based on AbstractProvider or AsyncProvider without it (g4f's own RaiseExceptionProviderMock, a third "
    "party's) gets AttributeError from every AsyncClient request, streamed or not, and is never called",
    "7.5.0",
    OneOf(
        Raises("builtins.AttributeError", NO_USE_STREAM_TIMEOUT % r"\w+"),
        *[
            Returns({"received": received, "raised": "builtins.AttributeError: " + NO_USE_STREAM_TIMEOUT % name})
            for name in _RAISE_MOCKS
            for received in (None, [])
        ],
    ),
    where="seen in every regime: applies to you if you pass AsyncClient a provider class of your own based on "
    "AbstractProvider or AsyncProvider (ChatCompletion and Client take it)",
    workaround="set use_stream_timeout = False on the provider class (as g4f's own test mocks do), or base it on "
    "AsyncGeneratorProvider",
)
CLIENT_STREAM_NO_LIMIT = Defect(
    "client-stream-no-limit",
    "the sync Client does not limit the wait for a stream's chunks: with stream_timeout (or timeout, for a "
    "provider whose use_stream_timeout is False) it waits as long as the provider takes, where AsyncClient "
    "raises TimeoutError",
    "7.5.0",
    Returns({"received": [support.CHUNKS[0], support.CHUNKS[1], None], "raised": None}),
    where="seen in every regime: applies to you if you rely on stream_timeout or timeout to end a stalled "
    "stream of the sync Client (a chat UI, a bot)",
    workaround="use AsyncClient, or watch the time yourself between chunks",
)
CLIENT_RESPONSE_WITHOUT_MODEL = Defect(
    "client-response-without-model",
    "the sync Client's ChatCompletion and chunks have model None and provider None (its iter_response drops "
    "the provider info it is given), where AsyncClient's carry the model requested and the provider's name",
    "6.9.8",
    Returns({"model": None, "provider": None}),
    where="seen in every regime: applies to you if you read response.model or response.provider of the sync "
    "Client (logging, billing, an OpenAI-compatible proxy)",
    workaround="use the model you asked for, or AsyncClient",
)
CLIENTS_DROP_RESPONSE_FORMAT = Defect(
    "clients-drop-response-format",
    "Client and AsyncClient keep response_format to themselves (they only filter the answer for json_object): "
    "the provider never gets it, where ChatCompletion passes it on",
    "0.2.2.0",
    Returns({"response_format": "(not passed)"}),
    where="seen in every regime: applies to you if you ask a client for JSON (response_format) from a provider "
    "that supports it, such as g4f's OpenAI-compatible ones: the provider is not asked for JSON",
    workaround="ask for JSON in the prompt, or use ChatCompletion.create / create_async",
)
SYNC_IMAGES_IN_RUNNING_LOOP = Defect(
    "sync-images-in-running-loop",
    "Client().images.generate runs its async implementation with asyncio.run(), which cannot run inside a running "
    "event loop: a bare RuntimeError and a never-awaited coroutine, where chat completions nest",
    "0.3.8.3",
    Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED]),
    issues=(2658,),
    when=nest_not_applied,
    where="seen on a plain asyncio loop and on uvloop: applies to you if you generate images with the sync Client "
    "from async code (a Discord or Telegram bot, a notebook cell) without nest_asyncio2 applied",
    workaround="await AsyncClient().images.generate, or apply nest_asyncio2 first",
)
_EMPTY_CHUNK_DELTAS = [c for c in support.CHUNKS] + [None]
CLIENT_EMPTY_CHUNK_DELTA = Defect(
    "client-empty-chunk-delta",
    "Client and AsyncClient stream a chunk with an empty delta for an empty provider chunk (later releases send "
    "no chunk for it)",
    "0.2.2.0",
    OneOf(
        Returns(_EMPTY_CHUNK_DELTAS),
        Returns(
            {
                "answer": [["Hello", ", Wörld", " ", "", "\n  ", None], "stop"],
                "ignore_stream reached the provider": None,
            }
        ),
    ),
    last="0.3.9.5",
    where="seen in every regime: applies to you on g4f 0.3.9.5 or older (and 0.4.9.9 to 0.5.2.7) if you count or "
    "display the deltas of a client stream",
    workaround="skip chunks whose delta content is empty, or upgrade to g4f 0.5.2.8 or later",
)
CLIENT_EMPTY_CHUNK_DELTA_AGAIN = Defect(
    "client-empty-chunk-delta-again",
    CLIENT_EMPTY_CHUNK_DELTA.reason + ", again (0.3.9.6 to 0.4.9.8 sent none)",
    "0.4.9.9",
    CLIENT_EMPTY_CHUNK_DELTA.shape,
    last="0.5.2.7",
    where=CLIENT_EMPTY_CHUNK_DELTA.where,
    workaround=CLIENT_EMPTY_CHUNK_DELTA.workaround,
)
EARLY_CLOSE_LEAVES_PROVIDER_OPEN = Defect(
    "early-close-leaves-provider-open",
    "closing a sync stream (ChatCompletion.create(stream=True), Client) of an async-generator provider after one "
    "chunk leaves the provider's generator open: its finally does not run",
    "0.2.2.0",
    Returns({"first": support.CHUNKS[0], "closed": False}),
    last="0.3.5.7",
    where="seen in every regime: applies to you on g4f 0.3.5.7 or older if you stop reading a stream early (a "
    "cancelled request, a stop button): the provider's connection stays open",
    workaround="upgrade to g4f 0.3.5.8 or later",
)
CLIENT_PROXY_TWICE = Defect(
    "client-proxy-twice",
    "Client.chat.completions.create(proxy=...) passes proxy to the provider twice: TypeError",
    "0.2.2.0",
    Raises("builtins.TypeError", r".*\.create_completion\(\) got multiple values for keyword argument 'proxy'"),
    last="0.2.2.3",
    where="seen in every regime: applies to you on g4f 0.2.2.0 to 0.2.2.3 if you pass proxy to the Client's create",
    workaround="set the proxy on the Client (Client(proxies=...)), or upgrade to g4f 0.2.2.4 or later",
)
_NEST_ERROR = 'g4f.errors.NestAsyncioError: Install "nest_asyncio" package'
_RUN_ERROR = "builtins.RuntimeError: asyncio.run() cannot be called from a running event loop"
ASYNC_CLIENT_ASYNC_PROVIDER = Defect(
    "async-client-async-provider",
    "AsyncClient cannot call an AsyncProvider: it takes the provider's sync path inside its own running loop "
    "(NestAsyncioError up to 0.3.2.0, then a bare RuntimeError from asyncio.run() and a never-awaited coroutine)",
    "0.2.8.1",
    OneOf(
        Raises("g4f.errors.NestAsyncioError", 'Install "nest_asyncio" package'),
        Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED]),
        *[Returns({"received": r, "raised": _NEST_ERROR}) for r in (None, [])],
        *[Returns({"received": r, "raised": _RUN_ERROR}, [NEVER_AWAITED]) for r in (None, [])],
    ),
    last="0.4.0.4",
    where="seen in every regime: applies to you on g4f 0.2.8.1 to 0.4.0.4 if you use AsyncClient with an "
    "AsyncProvider",
    workaround="upgrade to g4f 0.4.0.5 or later, or use ChatCompletion.create_async",
)
CLIENT_TIMEOUT_IS_ASYNCIO_ERROR = Defect(
    "client-timeout-is-asyncio-error",
    "AsyncClient's stream limit lets asyncio.TimeoutError through, which before Python 3.11 is not the builtin "
    "TimeoutError g4f means to raise (its except TimeoutError does not catch it): no message either",
    "7.5.0",
    Returns(
        {
            "received": [support.CHUNKS[0]],
            "raised": "asyncio.exceptions.TimeoutError: ",
            "promptly": True,
            "closed": True,
        }
    ),
    when=python_before_3_11,
    where="seen on Python 3.8: applies to you on Python 3.8 to 3.10 if you catch TimeoutError around an "
    "AsyncClient stream with stream_timeout or timeout",
    workaround="catch asyncio.TimeoutError as well (or use Python 3.11 or later)",
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
