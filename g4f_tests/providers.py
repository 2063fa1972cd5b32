"""Our providers, beyond g4f's drop-in names in mocks.py: chunks that show any transformation, providers that
are slow or never answer.

Every check's body runs in its own fresh process (children.py), so a provider's class-level state (a
threading.Event it sets) is that check's alone.
"""

import asyncio
import threading
import time

from g4f.providers.base_provider import AbstractProvider, AsyncGeneratorProvider, AsyncProvider

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
    events = {name: threading.Event() for name in ("started", "waiting", "cancelled", "closed")}
    base = base or HangingProviderMock
    return type(base.__name__, (base,), events)


class HangingProviderMock(AsyncGeneratorProvider):
    """Yields CHUNKS[0], then waits forever. ``started`` is set when it starts, ``waiting`` when it begins to wait,
    ``cancelled`` when CancelledError reaches it, ``closed`` once its ``finally`` ran: threading events, so a check
    can wait on them from any thread (take a fresh one: hanging_provider)."""

    working = True
    use_stream_timeout = False
    supports_stream = True
    started = waiting = cancelled = closed = threading.Event()

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        try:
            cls.started.set()
            for chunk in cls.before_waiting():
                yield chunk
            cls.waiting.set()
            await cls.wait()
            yield CHUNKS[1]
        except asyncio.CancelledError:
            cls.cancelled.set()
            raise
        finally:
            cls.closed.set()

    @classmethod
    def before_waiting(cls):
        """The chunks it yields before it waits (a subclass may act between them)."""
        yield CHUNKS[0]

    @classmethod
    async def wait(cls):
        await asyncio.Event().wait()


class JoinedAsyncProviderMock(AsyncProvider):
    """An AsyncProvider that answers JOINED in one piece (a stream of it is that one chunk)."""

    working = True
    use_stream_timeout = False
    supports_stream = True

    @classmethod
    async def create_async(cls, model, messages, **kwargs):
        await asyncio.sleep(0)
        return JOINED


# The three kinds of provider a request can meet, each streaming CHUNKS (the AsyncProvider: JOINED at once).
KINDS = {
    "sync provider": ChunksProviderMock,
    "async provider": JoinedAsyncProviderMock,
    "async-generator provider": AsyncChunksProviderMock,
}


class CountingProviderMock(AbstractProvider):
    """A sync provider that streams CHUNKS, counting in ``produced[0]`` the chunks it has yielded so far and
    setting ``closed`` once its generator is closed (take a fresh one: counting_provider)."""

    working = True
    use_stream_timeout = False
    supports_stream = True

    @classmethod
    def create_completion(cls, model, messages, stream, **kwargs):
        try:
            for chunk in NON_EMPTY:
                cls.produced[0] += 1
                yield chunk
        finally:
            cls.closed.set()


class AsyncCountingProviderMock(AsyncGeneratorProvider):
    """CountingProviderMock as an async-generator provider."""

    working = True
    use_stream_timeout = False

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        try:
            for chunk in NON_EMPTY:
                cls.produced[0] += 1
                yield chunk
                await asyncio.sleep(0)
        finally:
            cls.closed.set()


def counting_provider(kind):
    """A fresh counting provider of ``kind`` ("sync provider" or "async-generator provider"), nothing counted."""
    base = CountingProviderMock if kind == "sync provider" else AsyncCountingProviderMock
    return type(base.__name__, (base,), {"produced": [0], "closed": threading.Event()})


class PacedProviderMock(AsyncGeneratorProvider):
    """Yields ``chunks[0]`` at once, then each next chunk after its gap in ``gaps`` (seconds); counts the gaps it
    waited out (``waited``), keeps the longest time one of its sleeps really took, to its end or its cancellation
    (``longest``: far over its gap only when the machine stalled it), and sets ``closed`` once its generator is
    closed (take a fresh one: paced_provider)."""

    working = True
    chunks, gaps, waited, longest = (), (), 0, 0.0

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        try:
            yield cls.chunks[0]
            for gap, chunk in zip(cls.gaps, cls.chunks[1:]):
                asleep = time.monotonic()
                try:
                    await asyncio.sleep(gap)
                finally:
                    cls.longest = max(cls.longest, time.monotonic() - asleep)
                cls.waited += 1
                yield chunk
        finally:
            cls.closed.set()


def paced_provider(chunks, gap, use_stream_timeout):
    """A fresh PacedProviderMock yielding ``chunks`` ``gap`` seconds apart; use_stream_timeout True is left to the
    base class (AsyncGeneratorProvider's, as a third party leaves it), False is set on the class."""
    attributes = {
        "chunks": tuple(chunks),
        "gaps": (gap,) * (len(chunks) - 1),
        "closed": threading.Event(),
        "waited": 0,
        "longest": 0.0,
    }
    if not use_stream_timeout:
        attributes["use_stream_timeout"] = False
    return type("PacedProviderMock", (PacedProviderMock,), attributes)


class HangingAsyncProviderMock(AsyncProvider):
    """An AsyncProvider that never answers, with HangingProviderMock's events (take one: hanging_provider)."""

    working = True
    use_stream_timeout = False
    started = waiting = cancelled = closed = threading.Event()

    @classmethod
    async def create_async(cls, model, messages, **kwargs):
        try:
            cls.started.set()
            cls.waiting.set()
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
