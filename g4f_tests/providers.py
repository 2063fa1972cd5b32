"""Our providers, beyond g4f's drop-in names in mocks.py: chunks that show any transformation, providers that
are slow or never answer.

Every check's body runs in its own fresh process (children.py), so a provider's class-level state (a
threading.Event it sets) is that check's alone.
"""

import asyncio
import threading

from g4f.providers.base_provider import AbstractProvider, AsyncGeneratorProvider, AsyncProvider

from . import support
from .support import CHUNKS, JOINED, MESSAGES, NON_EMPTY  # noqa: F401 (the checks import them from here)


class ChunksProviderMock(AbstractProvider):
    """A sync provider that streams CHUNKS."""

    working = True
    use_stream_timeout = False
    supports_stream = True

    @classmethod
    def create_completion(cls, model, messages, stream, **kwargs):
        for chunk in CHUNKS:
            yield chunk


class AsyncChunksProviderMock(AsyncGeneratorProvider):
    """An async-generator provider that streams CHUNKS, giving the loop a turn between them."""

    working = True
    use_stream_timeout = False
    supports_stream = True

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        for chunk in CHUNKS:
            await asyncio.sleep(0)
            yield chunk


class NoStreamAsyncChunksProviderMock(AsyncChunksProviderMock):
    """An async-generator provider that does not stream: g4f's sync path collects it in one go."""

    supports_stream = False


class SlowAsyncProviderMock(AsyncProvider):
    """An AsyncProvider that takes a few milliseconds, so concurrent calls really overlap."""

    working = True
    use_stream_timeout = False

    @classmethod
    async def create_async(cls, model, messages, **kwargs):
        await asyncio.sleep(0.005)
        return "Mock"


def hanging_provider(base=None):
    """A fresh HangingProviderMock (or subclass of ``base``), its events not yet set (a check's own)."""
    events = {name: threading.Event() for name in ("started", "cancelled", "closed")}
    base = base or HangingProviderMock
    return type(base.__name__, (base,), events)


class HangingProviderMock(AsyncGeneratorProvider):
    """Yields CHUNKS[0], then waits forever. ``started`` is set when it starts, ``cancelled`` when CancelledError
    reaches it, ``closed`` once its ``finally`` ran: threading events, so a check can wait on them from any
    thread (take a fresh one: hanging_provider)."""

    working = True
    use_stream_timeout = False
    supports_stream = True
    started = cancelled = closed = threading.Event()

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        try:
            cls.started.set()
            yield CHUNKS[0]
            await asyncio.Event().wait()
            yield CHUNKS[1]
        except asyncio.CancelledError:
            cls.cancelled.set()
            raise
        finally:
            cls.closed.set()


class HangingAsyncProviderMock(AsyncProvider):
    """An AsyncProvider that never answers, with HangingProviderMock's events (take one: hanging_provider)."""

    working = True
    use_stream_timeout = False
    started = cancelled = closed = threading.Event()

    @classmethod
    async def create_async(cls, model, messages, **kwargs):
        try:
            cls.started.set()
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cls.cancelled.set()
            raise
        finally:
            cls.closed.set()
        return CHUNKS[1]


def create(provider, stream=False, **kwargs):
    """Sync ChatCompletion.create; for stream=True the str chunks of the stream (g4f may add other objects, such
    as a finish reason), or {"returned": type name} when it returns something that is not a stream."""
    import g4f

    result = g4f.ChatCompletion.create(g4f.models.default, MESSAGES, provider, stream=stream, **kwargs)
    if not stream:
        return result
    if isinstance(result, str) or not hasattr(result, "__iter__"):
        return {"returned": type(result).__name__}
    return [chunk for chunk in result if isinstance(chunk, str)]


async def create_async(provider, stream=False, **kwargs):
    """ChatCompletion.create_async, awaited or (stream=True) iterated; {"returned": type name} when a stream
    was asked for and something else came back."""
    import g4f

    result = g4f.ChatCompletion.create_async(g4f.models.default, MESSAGES, provider, stream=stream, **kwargs)
    if not stream:
        return await result
    if not hasattr(result, "__aiter__"):
        if hasattr(result, "close"):
            result.close()  # a coroutine we will not await: no never-awaited warning from the harness
        return {"returned": type(result).__name__}
    return [chunk async for chunk in result if isinstance(chunk, str)]


class FailingGeneratorMock(AsyncGeneratorProvider):
    """Yields CHUNKS[0], then raises ``failure``."""

    working = True
    use_stream_timeout = False
    supports_stream = True
    failure = ValueError("g4f-tests: the provider failed")

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        yield CHUNKS[0]
        await asyncio.sleep(0)
        raise cls.failure


class NoStreamFailingGeneratorMock(FailingGeneratorMock):
    supports_stream = False


class FailingAsyncProviderMock(AsyncProvider):
    working = True
    use_stream_timeout = False
    failure = FailingGeneratorMock.failure

    @classmethod
    async def create_async(cls, model, messages, **kwargs):
        await asyncio.sleep(0)
        raise cls.failure


class TimingOutGeneratorMock(FailingGeneratorMock):
    """Fails with a TimeoutError of its own (its HTTP client timed out, say)."""

    failure = TimeoutError("g4f-tests: the provider's own timeout")


class RuntimeErrorAsyncProviderMock(FailingAsyncProviderMock):
    failure = RuntimeError("g4f-tests: the provider failed")


def chunks_then_error(provider, stream=False, coroutine=False):
    """The chunks a sync call handed out before the provider's exception, and that exception, in words."""
    chunks = []
    if coroutine:  # a skip on a g4f that predates it, not an error of the call
        to_sync_generator = support.require_api(
            "to_sync_generator_coroutine", lambda: support.g4f_bridge().to_sync_generator
        )
    try:
        if coroutine:
            chunks.extend(to_sync_generator(provider.create_async("", MESSAGES)))
        else:
            import g4f

            result = g4f.ChatCompletion.create(g4f.models.default, MESSAGES, provider, stream=stream)
            chunks.extend(result if stream else [result])  # a stream: one chunk at a time, up to the error
    except Exception as error:
        return {"chunks before the error": chunks, "error": "%s: %s" % (type(error).__name__, error)}
    return {"chunks": chunks}


# A sync call of each bridge path over a failing provider: (arguments of chunks_then_error, chunks before the error)
FAILED = "ValueError: g4f-tests: the provider failed"
FAILURES = {
    "create(stream=True), async generator": ((FailingGeneratorMock, True), [CHUNKS[0]]),
    "create, async generator": ((FailingGeneratorMock,), []),
    "create, async generator without streaming": ((NoStreamFailingGeneratorMock,), []),
    "create, AsyncProvider": ((FailingAsyncProviderMock,), []),
    "to_sync_generator(coroutine)": ((FailingAsyncProviderMock, False, True), []),
}


def failure_expected(label):
    return {"chunks before the error": FAILURES[label][1], "error": FAILED}
