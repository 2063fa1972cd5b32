"""The registry's entries for the bridge's loop mechanics (workers.py, callers_loop.py, bridge_timeouts.py,
contexts.py, cancellation.py, loops.py): exact shapes, measured ranges, whom they affect, what to do.
known_defects.py re-exports them; see its docstring.
"""

import re
import sys

from . import support
from .client_defects import ASYNC_CLIENT_ASYNC_PROVIDER as _ASYNC_CLIENT_ASYNC_PROVIDER  # not re-exported
from .conditions import (  # noqa: F401
    NEVER_AWAITED,
    RUN_IN_LOOP,
    limit_type_error_shows,
    loop_unpatchable,
    nest_applied,
    nest_not_applied,
    python_before_3_9,
    python_before_3_11,
    python_before_3_12,
)
from .verdicts import ByRelease, Defect, Leaves, OneOf, Raises, Returns  # noqa: F401


def nest_replaces():
    """What of asyncio (probes.asyncio_parts) nest_asyncio's and nest_asyncio2's apply() replace on this Python"""
    parts = ["asyncio.run"]
    if sys.version_info < (3, 14):
        parts += ["asyncio.Future", "asyncio.Task", "the event loop policy's get_event_loop"]
    if (3, 9) <= sys.version_info < (3, 14):
        parts.append("asyncio.get_event_loop")
    return sorted(parts)


AUTO_PATCH_REPLACES_ASYNCIO = Defect(
    "auto-patch-replaces-asyncio",
    "to patch the running loop, g4f calls its nest package's apply(loop), which also replaces asyncio.run, "
    "asyncio.Task and Future (pure-Python ones), asyncio.get_event_loop and the event loop policy for the whole "
    "process, for good",
    "0.4.0.0",
    Returns({"asyncio replaced since the first call": nest_replaces()}),
    where="seen in a fresh child, nest installed, nothing applied: applies to you if you call the sync API inside a "
    "running loop once: from then on every asyncio.run in the process is nest's (it leaves loops open, see "
    "nest-run-leaves-loops) and every task a slower pure-Python one",
    workaround="call create_async (or AsyncClient) from async code; or apply the nest package yourself, knowingly, "
    "with run_close_loop=True",
)


def _failed(error, chunks=support.CHUNKS[:1], **facts):
    """What a check of a failing call observes (timeouts.py, providers.chunks_then_error): chunks, then the error."""
    return dict({"chunks before the error": list(chunks), "error": error}, **facts)


_CANCELLED = {"provider when the error reached the caller": "cancelled and closed"}
_NO_LOOP_LEFT = {"thread's loop after the call": None}
_LATE, _THREAD = ("still running", "ended after the loop closed"), ("still alive", "ended")
_WORK = ("executor job", "executor thread", "inner async generator", "pending task")  # probes.work_left
_ASYNCIO_TIMEOUT = "asyncio.exceptions.TimeoutError: "  # before Python 3.11, asyncio's own, without a message
TIMEOUT_WITHOUT_MESSAGE = Defect(
    "timeout-without-message",
    "to_sync_generator(timeout=...) raises a TimeoutError with no message (which timeout, after how long)",
    "0.5.4.4",
    OneOf(Returns(_failed("TimeoutError: ", **_CANCELLED)), Returns(_failed("TimeoutError: ", chunks=()))),  # 0, -1
    last="7.1.6",
    where="seen in every regime: applies to you on g4f 0.5.4.4 to 7.1.6 (bisected: 7.1.7 names the timeout)",
    workaround="upgrade to g4f 7.1.7 or later",
)
ASYNC_STREAM_OF_ASYNC_PROVIDER = Defect(
    "async-stream-of-async-provider",
    "create_async(stream=True) with an AsyncProvider returns its coroutine, not an async iterator (the cause of "
    "async-stream-of-sync-provider), leaving it never awaited",
    "0.4.0.5",
    Raises(
        "builtins.TypeError", r"'async for' requires an object with __aiter__ method, got coroutine", [NEVER_AWAITED]
    ),
    last="7.4.7",
    where="seen in every regime: applies to you on g4f 0.4.0.5 to 7.4.7 if you stream asynchronously from an "
    "AsyncProvider that declares supports_stream",
    workaround="upgrade to g4f 7.5.0 or later",
)
ASYNC_SYNC_PROVIDER_OUTSIDE_CONTEXT = Defect(
    "async-sync-provider-outside-context",
    "create_async runs a sync provider with loop.run_in_executor, outside the caller's context (its ContextVars)",
    "0.3.5.8",
    Returns({"caller's context": "not set: the provider ran in another context", "result": support.JOINED}),
    last="7.4.7",
    where="seen in every regime: applies to you on g4f up to 7.4.7 if a sync provider reads the caller's ContextVars",
    workaround="upgrade to g4f 7.5.0 or later (it iterates a sync provider on the caller's task)",
)
_RENAMED = "The operation timed out after None seconds"
_PROVIDERS_OWN = "TimeoutError: g4f-tests: the provider's own timeout"  # failing.TimingOutGeneratorMock's
PROVIDER_TIMEOUT_RENAMED = Defect(
    "provider-timeout-renamed",
    "to_sync_generator catches every TimeoutError around a chunk, also the provider's own when no timeout was "
    "given, and raises 'The operation timed out after None seconds' instead: the provider's message is lost",
    "7.1.7",
    OneOf(
        # the provider's error stays reachable as the renamed one's __cause__ (the workaround below relies on it)
        Returns(_failed("TimeoutError: " + _RENAMED, cause=_PROVIDERS_OWN, **_NO_LOOP_LEFT)),
        # the sync Client's stream, with a stream_timeout the provider never reached (errors.py)
        Returns({"received": list(support.CHUNKS[:2]), "raised": "builtins.TimeoutError: " + _RENAMED}),
    ),
    where="seen in every regime: applies to you on g4f 7.1.7 and later if a provider (its HTTP client) times out "
    "under the sync API: you read 'after None seconds' (bisected: 7.1.6 let the provider's error through)",
    workaround="read the error's __cause__, which is the provider's own TimeoutError",
)
EXECUTOR_NOT_WAITED_BEFORE_3_9 = Defect(
    "executor-not-waited-before-3-9",
    "before Python 3.9 the loop has no shutdown_default_executor (and asyncio.run does not wait either): a sync "
    "call returns while a job its provider put on the default executor still runs",
    "0.3.5.8",
    OneOf(  # the loop closed first; how far the job and its thread got by then is a race
        *(
            Returns(dict(zip(_WORK, (job, thread, "closed", "cancelled")), **provider))
            for job in _LATE
            for thread in _THREAD
            for provider in ({}, {"provider's generator": "closed"})  # the stream closed after its first chunk
        )
    ),
    when=python_before_3_9,
    where="seen on Python 3.8: applies to you there if a provider uses run_in_executor (it outlives the sync call)",
    workaround="use Python 3.9 or later, or await the executor's futures inside the provider",
)
_AUTHED_CANCELLED = "the provider's await cancelled"  # authed.py's words
TIMEOUT_IS_ASYNCIO_ERROR = Defect(
    "timeout-is-asyncio-error",
    "to_sync_generator(timeout=...) and wait_for (AsyncClient's stream_timeout) let asyncio.TimeoutError through, "
    "which before Python 3.11 is not the builtin TimeoutError g4f means to raise (its except TimeoutError does not "
    "catch it), so the error carries no message",
    "0.5.4.4",
    OneOf(
        Raises("asyncio.exceptions.TimeoutError", ""),
        Returns(_failed(_ASYNCIO_TIMEOUT, **_CANCELLED)),
        Returns(_failed(_ASYNCIO_TIMEOUT, chunks=())),  # timeout=0 or -1: before the first chunk
        Returns({"deltas before the error": [], "error": _ASYNCIO_TIMEOUT}),  # AsyncClient's stream_timeout=0
        Returns({"deltas before the error": [support.CHUNKS[0]], "error": _ASYNCIO_TIMEOUT, **_CANCELLED}),
    ),
    when=python_before_3_11,
    where="seen on Python 3.8 with g4f 0.5.4.4 (where the timeout first appears) and on Python 3.8, 3.9 and 3.10 "
    "with 8.8.6 (cells): applies to you on Python 3.8 to 3.10 if you catch TimeoutError around a sync stream "
    "with a timeout, or an AsyncClient stream with stream_timeout",
    workaround="catch asyncio.TimeoutError as well (or use Python 3.11 or later)",
)
AUTHED_TIMEOUT_IS_ASYNCIO_ERROR = Defect(
    "authed-timeout-is-asyncio-error",
    "AsyncAuthedProvider's limit on each chunk lets asyncio.TimeoutError through, which before Python 3.11 is not "
    "the builtin TimeoutError (its except TimeoutError does not catch it), so the error carries no message",
    "0.6.2.1",
    Returns({"received": [support.CHUNKS[0]], "raised": "asyncio.exceptions.TimeoutError", _AUTHED_CANCELLED: True}),
    when=python_before_3_11,
    where="seen on Python 3.8 with g4f 0.6.2.1 (where the limits first appear), 7.4.7 and 8.8.6 and on 3.9 and 3.10 "
    "with 8.8.6 (cells): applies to you on Python 3.8 to 3.10 if you catch TimeoutError around the stream of a "
    "provider that logs in (an AsyncAuthedProvider, such as g4f's OpenaiChat) with a limit",
    workaround="catch asyncio.TimeoutError as well (or use Python 3.11 or later)",
)
_LIMITED_TIMEOUT = "builtins.TimeoutError: The operation timed out after 30 seconds"  # errors.py's STREAM_TIMEOUT
_OWN_TIMEOUT_RENAMED = {"received": list(support.CHUNKS[:2])}
STREAM_LIMIT_RENAMES_PROVIDER_TIMEOUT = Defect(
    "stream-limit-renames-provider-timeout",
    "AsyncClient's stream with a stream limit reports a TimeoutError the provider raised itself (an upstream's) as "
    "its own limit expiring, after the limit's seconds (30 here, never reached): the provider's message is lost",
    "7.1.8",
    ByRelease(
        ("7.1.8", "7.1.8", Returns(dict(_OWN_TIMEOUT_RENAMED, raised=_LIMITED_TIMEOUT))),
        (
            "7.1.9",
            "7.4.7",
            OneOf(  # the provider's name, whatever its message (errors.py: with one and without)
                *(
                    Returns(dict(_OWN_TIMEOUT_RENAMED, raised=_LIMITED_TIMEOUT + " in " + name))
                    for name in ("AsyncTimingOutProviderMock", "AsyncBareTimeoutProviderMock")
                )
            ),
        ),
        ("7.5.0", "8.2.6", Returns(dict(_OWN_TIMEOUT_RENAMED, raised=_LIMITED_TIMEOUT))),
    ),
    last="8.2.6",
    where="seen in every regime: applies to you on g4f 7.1.8 to 8.2.6 if you stream from AsyncClient with "
    "stream_timeout and a provider (its HTTP client) times out: you read that your limit expired. Bisected: 7.1.6 "
    "and 8.2.7 let the provider's error through (7.1.7 raises TypeError, limit-type-error)",
    workaround="read the error's __cause__, which is the provider's own TimeoutError, or upgrade to g4f 8.2.7 or later",
    calls=("AsyncClient",),
)
_ASEND = "'async_generator_asend' object is not callable"
LIMIT_TYPE_ERROR = Defect(
    "limit-type-error",
    "a stream with a limit raises TypeError ('async_generator_asend' object is not callable) before its first chunk: "
    "AsyncClient's with stream_timeout in 7.1.7, an AsyncAuthedProvider's with stream_timeout or timeout in 7.1.7 "
    "and 7.1.8",
    "7.1.7",
    OneOf(
        Returns({"received": [], "raised": "builtins.TypeError: " + _ASEND}),  # errors.py
        Returns("the provider raised nothing; the caller got builtins.TypeError: " + _ASEND),  # errors.py, the chain
        Returns({"received": [], "raised": "builtins.TypeError", _AUTHED_CANCELLED: False}),  # authed.py
        Leaves(["Task was destroyed but it is pending"]),  # authed.py after nest-apply: tasks left pending as well
        Raises("builtins.TypeError", re.escape(_ASEND)),  # authed.py, the read that was to be cancelled
    ),
    last="7.1.8",
    when=limit_type_error_shows,
    where="seen in every regime: applies to you on g4f 7.1.7 if you stream from AsyncClient with stream_timeout, and "
    "on 7.1.7 and 7.1.8 if a provider that logs in (an AsyncAuthedProvider) streams with a limit. Bisected: 7.1.6 "
    "and 7.1.9 stream",
    workaround="upgrade to g4f 7.1.9 or later",
)
TO_SYNC_GENERATOR_COLLECT_IGNORES_TIMEOUT = Defect(
    "to-sync-generator-collect-ignores-timeout",
    "to_sync_generator(stream=False, timeout=...) collects the generator with asyncio.run and never applies the "
    "timeout: a slow generator is waited for to its end",
    "0.5.4.4",
    Returns({"chunks": list(support.CHUNKS)}),
    where="seen in every regime: applies to you if you call to_sync_generator(stream=False) with a timeout",
    workaround="keep stream=True (the default) where a timeout matters, or wrap the call in your own timeout",
)
TO_THREAD_DROPS_CONTEXT = Defect(
    "to-thread-drops-context",
    "before Python 3.9, g4f's to_thread falls back to loop.run_in_executor, which runs the callable outside the "
    "caller's context: its ContextVars are not set there (asyncio.to_thread copies them)",
    "8.4.0",
    Returns({"result": support.JOINED, "caller's context": "not set: the provider ran in another context"}),
    when=python_before_3_9,
    where="seen on Python 3.8: applies to you on Python 3.8 if you rely on ContextVars inside g4f's to_thread",
    workaround="wrap the callable: contextvars.copy_context().run, or use Python 3.9 or later",
)
NESTED_RUNTIME_ERROR_IS_NEST_ERROR = Defect(
    "nested-runtime-error-is-nest-error",
    "inside a running loop, to_sync_generator(coroutine) reports any RuntimeError the coroutine raises as "
    "NestAsyncioError ('Install \"nest-asyncio2\"'), although nest is installed and applied",
    "7.5.0",
    Returns(
        _failed(
            'NestAsyncioError: Install "nest-asyncio2" package | pip install -U nest-asyncio2',
            chunks=(),
            cause="RuntimeError: g4f-tests: the provider failed",  # the workaround below relies on it
        )
    ),
    where="seen in a child that applied g4f's nest package: applies to you if you call g4f.to_sync_generator with a "
    "coroutine inside a running loop and it fails with a RuntimeError: you are told to install what you have",
    workaround="read the NestAsyncioError's __cause__ (raise ... from e keeps the provider's error there)",
)
WAIT_FOR_LEAVES_PROVIDER_SUSPENDED = Defect(
    "wait-for-leaves-provider-suspended",
    "g4f's wait_for (AsyncClient's stream_timeout) has no finally: closing the stream leaves the provider's "
    "generator suspended, to be finalized whenever the garbage collector gets to it",
    "7.5.0",
    Returns({"first chunk": support.CHUNKS[0], "provider after aclose()": "suspended"}),
    last="8.4.7",
    where="seen in every regime: applies to you on g4f 7.5.0 to 8.4.7 if you stop reading an AsyncClient stream "
    "early: the provider's cleanup (its finally, its HTTP session) runs late, or never",
    workaround="upgrade to g4f 8.4.8 or later (bisected: 8.4.7 has no aclose in wait_for, 8.4.8 has)",
)
# The loopback URL of probes.IMAGE_URL, which nothing listens on: a release that downloads it is refused.
_IMAGE_REFUSED = r"Cannot connect to host 127\.0\.0\.1:9 ssl:default \[Connect call failed \('127\.0\.0\.1', 9\)\]"
CLIENT_IMAGES_DOWNLOAD_URL = Defect(
    "client-images-download-url",
    'Client().images.generate and AsyncClient().images.generate with response_format="url" do not answer the '
    "provider's URL: g4f downloads every image into its images directory first (copy_images, as for b64_json), so an "
    "image it cannot fetch fails the whole call with the download's error",
    "0.3.5.8",
    Raises("aiohttp.client_exceptions.ClientConnectorError", _IMAGE_REFUSED),
    last="0.3.8.1",
    where="seen in every regime (a worker thread, a running loop with nest applied, AsyncClient on asyncio and "
    'uvloop): applies to you on g4f up to 0.3.8.1 if you ask for response_format="url" from an image provider '
    "whose URLs g4f cannot reach (or must not fetch). Measured from 0.3.5.8, where these checks first run (they need "
    "the bridge; 0.3.5.7's client has the same code); 0.3.8.3 answers the provider's URLs",
    workaround="pass response_format=None: these releases then answer the provider's URLs untouched; or upgrade to "
    "g4f 0.3.8.3 or later",
)
CLIENT_IMAGES_NAME_ERROR = Defect(
    "client-images-name-error",
    "Client().images.generate and AsyncClient().images.generate raise NameError: g4f's images code names "
    "PollinationsImage, which these releases no longer import",
    "8.4.0",
    Raises("builtins.NameError", r"name 'PollinationsImage' is not defined"),
    last="8.4.5",
    where="seen in every regime and on Python 3.8 and 3.11: applies to you on g4f 8.4.0 to 8.4.5 if you generate "
    "images through a client. Bisected: 8.3.7 and 8.4.6 answer",
    workaround="upgrade to g4f 8.4.6 or later",
)
IMAGES_LIST_STOPS_AT_A_FAILED_PROVIDER = Defect(
    "images-list-stops-at-a-failed-provider",
    "Client().images.generate and AsyncClient().images.generate over a provider list raise the error of its first "
    "provider where it failed, instead of passing over it to the next provider, which answers",
    "0.3.8.3",
    Raises("g4f_tests.failing.ProviderError", "first"),
    last="0.3.8.4",
    where="seen in every regime: applies to you on g4f 0.3.8.3 and 0.3.8.4 if you generate images from a model's "
    "providers (a provider list) and one of them fails. Bisected: 0.3.9.0 passes over it (0.3.8.3 is the first "
    "release whose image providers the check can ask)",
    workaround="catch the error and ask the next provider yourself, or upgrade to g4f 0.3.9.0 or later",
    calls=("Client over IterListProvider, the first fails", "AsyncClient over IterListProvider, the first fails"),
)
# The defects of a client's image generation, wherever a check makes one (workers.py, callers_loop.py, contexts.py).
CLIENT_IMAGES_DEFECTS = (CLIENT_IMAGES_DOWNLOAD_URL, CLIENT_IMAGES_NAME_ERROR)
ASYNC_CLIENT_ASYNC_PROVIDER_UNPATCHABLE = Defect(
    "async-client-async-provider-unpatchable",
    "AsyncClient takes an AsyncProvider's sync path inside its own running loop (async-client-async-provider): "
    "where g4f cannot patch that loop (uvloop, or no nest package) asyncio.run() raises a bare RuntimeError and "
    "leaves a never-awaited coroutine (on asyncio with a nest package g4f patches the loop and the call works)",
    "0.3.5.8",
    Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED]),
    last="0.4.0.4",
    when=loop_unpatchable,
    where="seen by contexts.py on a uvloop loop and without a nest package: applies to you on g4f up to 0.4.0.4 if "
    "you use AsyncClient with an AsyncProvider there. Measured from 0.3.5.8, where contexts.py first runs (it needs "
    "the bridge; async-client-async-provider is the same defect from 0.2.8.1); 0.4.0.5 works (its AsyncClient "
    "takes the provider's async create function)",
    workaround=_ASYNC_CLIENT_ASYNC_PROVIDER.workaround,
)
UVLOOP_GENERATOR_LEAVES_COROUTINE = Defect(
    "uvloop-generator-leaves-coroutine",
    "inside a running uvloop loop, the async-generator sync path hands asyncio.run() an async_generator_to_list "
    "coroutine, which it refuses: the caller that catches the RuntimeError (uvloop-generator-provider) is still left "
    "a never-awaited coroutine (a RuntimeWarning when it is collected)",
    "0.4.0.5",
    Leaves(["coroutine 'async_generator_to_list' was never awaited"]),
    last="0.5.7.1",
    where="seen in a child running a uvloop loop: applies to you on g4f 0.4.0.5 to 0.5.7.1 if you call the sync API "
    "with an async-generator provider on uvloop, even if you handle its error. Measured at both ends: 0.4.0.4 and "
    "0.5.7.2 run the loop instead and leave nothing (the range of uvloop-generator-provider's asyncio.run() shape)",
    workaround="call create_async (or AsyncClient) from async code; the sync API cannot nest on uvloop",
)
STREAM_LIMIT_LOSES_CANCELLATION = Defect(
    "stream-limit-loses-cancellation",
    "AsyncClient's stream with a stream limit waits for each chunk with asyncio.wait_for, which before Python 3.12 "
    "returns a chunk that arrives with a cancellation and drops the cancellation (CPython gh-86296): the task "
    "reading the stream takes the chunk and goes on waiting for the next one",
    "7.5.0",
    Returns("the cancellation was lost: the reader took the chunk that came with it and asked for the next"),
    when=python_before_3_12,
    where="seen on Python 3.8 to 3.11 in every regime: applies to you if you cancel a task that streams from "
    "AsyncClient with stream_timeout (a server whose client went away, a bot's timeout): when the cancellation "
    "comes as a chunk arrives, the task keeps running, waiting on the provider. On Python 3.12 and 3.13, whose "
    "wait_for runs the provider in the reader's own task, it is delivered "
    "(g4f 7.5.0, the first release with the clients' own stream limit, to 8.8.6)",
    workaround="run on Python 3.12 or later, or cancel again until the task is done",
)
STREAM_LIMIT_NAMES_A_BARE_PROVIDER_TIMEOUT = Defect(
    "stream-limit-names-a-bare-provider-timeout",
    "AsyncClient's stream with a stream limit gives a TimeoutError the provider raised without a message (as "
    "asyncio.timeout() raises it) a message of its own, 'The operation timed out', where every other async path "
    "raises it as the provider did",
    "8.2.7",
    Returns({"received": list(support.CHUNKS[:2]), "raised": "builtins.TimeoutError: The operation timed out"}),
    where="seen in every regime: applies to you on g4f 8.2.7 and later if you stream from AsyncClient with "
    "stream_timeout and match on the text of an upstream's timeout (8.2.6 and before: stream-limit-renames-"
    "provider-timeout)",
    workaround="follow the error's __cause__ chain: the provider's own TimeoutError is its end (two links down)",
    calls=("AsyncClient, stream with stream_timeout, async-generator provider timing out itself with no message",),
)
