"""Provider mocks: the three the documented tests use, the rest of g4f's etc/unittest, then ours.

The first ten names are the ones g4f's own ``etc/unittest`` modules import from ``.mocks``, so this
file can replace g4f's copy. Every mock is a few classmethods over g4f's provider base classes, and
importing this module must work on every g4f release from 0.2.2.0 on: a name a release lacks
(``g4f.providers.response`` before 0.4) falls back to where that release keeps it.
"""
import asyncio

import g4f.debug
from g4f.errors import MissingAuthError
from g4f.providers.base_provider import (
    AbstractProvider,
    AsyncGeneratorProvider,
    AsyncProvider,
)

try:
    from g4f.providers.response import ImageResponse
except ImportError:  # g4f < 0.4 keeps it in g4f.image
    from g4f.image import ImageResponse

# Every check module imports this one: no g4f request may start g4f's version check (a thread that
# contacts the package index). g4f's own etc/unittest/__main__.py does the same.
g4f.debug.version_check = False


# The documented three.


class ProviderMock(AbstractProvider):
    working = True
    use_stream_timeout = False

    @classmethod
    def create_completion(cls, model, messages, stream, **kwargs):
        yield "Mock"


class AsyncProviderMock(AsyncProvider):
    working = True
    use_stream_timeout = False

    @classmethod
    async def create_async(cls, model, messages, **kwargs):
        return "Mock"


class AsyncGeneratorProviderMock(AsyncGeneratorProvider):
    working = True
    use_stream_timeout = False

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        yield "Mock"


# The other names g4f's etc/unittest imports from .mocks.


class ModelProviderMock(AbstractProvider):
    working = True
    use_stream_timeout = False

    @classmethod
    def create_completion(cls, model, messages, stream, **kwargs):
        yield model


class YieldProviderMock(AsyncGeneratorProvider):
    working = True
    use_stream_timeout = False

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        for message in messages:
            yield message["content"]


class YieldImageResponseProviderMock(AsyncGeneratorProvider):
    working = True
    use_stream_timeout = False

    @classmethod
    async def create_async_generator(cls, model, messages, stream, prompt, **kwargs):
        yield ImageResponse(prompt, "")


class MissingAuthProviderMock(AbstractProvider):
    working = True
    use_stream_timeout = False

    @classmethod
    def create_completion(cls, model, messages, stream, **kwargs):
        raise MissingAuthError(cls.__name__)
        yield  # makes this a generator, as g4f expects


class RaiseExceptionProviderMock(AbstractProvider):
    working = True
    use_stream_timeout = False

    @classmethod
    def create_completion(cls, model, messages, stream, **kwargs):
        raise RuntimeError(cls.__name__)
        yield


class AsyncRaiseExceptionProviderMock(AsyncGeneratorProvider):
    working = True
    use_stream_timeout = False

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        raise RuntimeError(cls.__name__)
        yield


class YieldNoneProviderMock(AsyncGeneratorProvider):
    working = True
    use_stream_timeout = False

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        yield None


# Ours: several chunks, so a lost, repeated or reordered chunk shows; a provider that never answers.

CHUNKS = ("A", "B", "C")
JOINED = "".join(CHUNKS)


class ChunksProviderMock(AbstractProvider):
    working = True
    use_stream_timeout = False
    supports_stream = True

    @classmethod
    def create_completion(cls, model, messages, stream, **kwargs):
        for chunk in CHUNKS:
            yield chunk


class AsyncChunksProviderMock(AsyncGeneratorProvider):
    working = True
    use_stream_timeout = False
    supports_stream = True

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        for chunk in CHUNKS:
            await asyncio.sleep(0)  # give the loop a turn between chunks, as a network provider would
            yield chunk


class SlowAsyncProviderMock(AsyncProvider):
    """An AsyncProvider that takes a few milliseconds, so concurrent calls really overlap."""

    working = True
    use_stream_timeout = False

    @classmethod
    async def create_async(cls, model, messages, **kwargs):
        await asyncio.sleep(0.005)
        return "Mock"


class NoStreamAsyncChunksProviderMock(AsyncChunksProviderMock):
    """An async-generator provider that does not stream: g4f's sync path collects it in one go."""

    supports_stream = False


def make_hanging_provider():
    """A fresh async-generator provider that yields "A", then waits forever.

    ``started`` is set when the generator starts, ``closed`` once the generator's ``finally`` ran:
    threading events, so a test can wait on them from any thread.
    """
    import threading

    class HangingProviderMock(AsyncGeneratorProvider):
        working = True
        use_stream_timeout = False
        supports_stream = True
        started = threading.Event()
        closed = threading.Event()

        @classmethod
        async def create_async_generator(cls, model, messages, stream, **kwargs):
            try:
                cls.started.set()
                yield CHUNKS[0]
                await asyncio.Event().wait()
                yield CHUNKS[1]
            finally:
                cls.closed.set()

    return HangingProviderMock
