"""g4f's own bridge helpers (g4f.providers.asyncio) called directly: to_sync_generator, to_async_iterator, to_thread."""

import asyncio
import inspect
import threading

from . import regimes, support
from .checks import CheckTestCase, in_child
from .known_defects import TIMEOUT_IS_ASYNCIO_ERROR, TO_ASYNC_ITERATOR_AWAITS, TO_ASYNC_ITERATOR_SPLITS, known
from .observe import each_async
from .providers import CHUNKS, MESSAGES, AsyncChunksProviderMock, hanging_provider

# What the timeout check gives a generator that stops answering.
EXPIRING_TIMEOUT = 0.01
# What the check expects of the expiry, in words.
EXPIRED = "first chunk, then TimeoutError, generator closed"


def helper(api, name, parameter=None):
    """g4f.providers.asyncio.<name> (taking ``parameter``), or a skip / failure through support.require_api."""

    def lookup():
        function = getattr(support.g4f_bridge(), name)
        if parameter is not None and parameter not in inspect.signature(function).parameters:
            raise KeyError("%s takes no %r" % (name, parameter))
        return function

    return support.require_api(api, lookup)


def chunk_generator():
    return AsyncChunksProviderMock.create_async_generator("", MESSAGES, stream=True)


def to_sync_generator_with_timeout():
    to_sync_generator = helper("to_sync_generator_timeout", "to_sync_generator", "timeout")
    return list(to_sync_generator(chunk_generator(), timeout=10))


def to_sync_generator_expiring():
    to_sync_generator = helper("to_sync_generator_timeout", "to_sync_generator", "timeout")
    seen = []
    provider = hanging_provider()
    generator = provider.create_async_generator("", MESSAGES, stream=True)
    try:
        for chunk in to_sync_generator(generator, timeout=EXPIRING_TIMEOUT):
            seen.append(chunk)
    except TimeoutError:  # what g4f raises (asyncio.TimeoutError is the same class from Python 3.11 on)
        if seen != [CHUNKS[0]]:
            return "chunks before the timeout: %r" % (seen,)
        closed = provider.closed.wait(1.0)
        return EXPIRED if closed else "TimeoutError, but the generator was not closed"
    return "no TimeoutError; chunks: %r" % (seen,)


class ToSyncGeneratorChecks:
    @in_child(to_sync_generator_with_timeout)
    def test_generator_with_timeout_yields_every_chunk(self, found):
        """to_sync_generator(async generator, timeout=...) outside a loop yields every chunk in order"""
        self.assertReturned(found, list(CHUNKS))

    @known(TIMEOUT_IS_ASYNCIO_ERROR)
    @in_child(to_sync_generator_expiring)
    def test_timeout_expires_and_closes_generator(self, found):
        """to_sync_generator with a timeout raises TimeoutError on a generator that stops answering, and closes it"""
        self.assertReturned(found, EXPIRED)


async def mock_coroutine():
    return "Mock"


SHAPES = {
    "str": ("Mock",),
    "bytes": (b"Mock",),
    "list": (list(CHUNKS),),
    "coroutine": (None,),
    "async generator": (AsyncChunksProviderMock,),
}
EXPECTED_ITEMS = {
    "str": ["Mock"],
    "bytes": [b"Mock"],
    "list": list(CHUNKS),
    "coroutine": ["Mock"],
    "async generator": list(CHUNKS),
}


async def to_async_iterator_items(value):
    """The items to_async_iterator yields for ``value`` (None: a coroutine; a provider: its async generator)."""
    to_async_iterator = helper("to_async_iterator", "to_async_iterator")
    if value is None:
        value = mock_coroutine()
    elif value is AsyncChunksProviderMock:
        value = chunk_generator()
    return [item async for item in to_async_iterator(value)]


async def to_async_iterator_of_every_shape():
    return await each_async(to_async_iterator_items, SHAPES)


CANCEL_TIMEOUT = 2.0  # how long the cancelled wait may take to end
CANCELLED = {"the wait cancelled": True, "CancelledError inside": True}


async def cancel_the_wait(shape):
    """Cancel a task waiting for to_async_iterator's next item while what it wraps (a coroutine, an async generator
    after its first item) waits: does the wait end cancelled, and did the CancelledError reach what it wraps?"""
    to_async_iterator = helper("to_async_iterator", "to_async_iterator")
    waiting, seen = asyncio.Event(), {"CancelledError inside": False}

    async def wait():
        waiting.set()
        try:
            await asyncio.sleep(support.TIMEOUT)
        except asyncio.CancelledError:
            seen["CancelledError inside"] = True
            raise

    async def coroutine():
        await wait()
        return CHUNKS[0]

    async def generator():
        yield CHUNKS[0]
        await wait()
        yield CHUNKS[1]

    iterator = to_async_iterator(coroutine() if shape == "coroutine" else generator())
    if shape == "async generator":
        await iterator.__anext__()
    task = asyncio.ensure_future(iterator.__anext__())
    await asyncio.wait_for(waiting.wait(), CANCEL_TIMEOUT)
    task.cancel()
    await asyncio.wait({task}, timeout=CANCEL_TIMEOUT)
    await iterator.aclose()
    return dict(seen, **{"the wait cancelled": task.cancelled()})


async def cancel_every_shape():
    return await each_async(cancel_the_wait, {"coroutine": ("coroutine",), "async generator": ("async generator",)})


async def to_thread_result():
    to_thread = helper("to_thread", "to_thread")
    caller = threading.get_ident()
    result, thread = await to_thread(lambda a, b=0: (a + b, threading.get_ident()), 1, b=2)
    return {"result": result, "other thread": thread != caller}


class ToAsyncIteratorChecks:
    @known(TO_ASYNC_ITERATOR_SPLITS, TO_ASYNC_ITERATOR_AWAITS)
    @in_child(to_async_iterator_of_every_shape)
    def test_to_async_iterator_accepts_every_shape(self, found):
        """to_async_iterator turns a str, bytes, a list, a coroutine and an async generator into the expected items"""
        for shape, call in self.calls(found):
            with self.subTest(shape=shape):
                self.assertReturned(call, EXPECTED_ITEMS[shape])

    @in_child(cancel_every_shape)
    def test_cancelling_the_wait_reaches_what_it_wraps(self, found):
        """cancelling a wait for to_async_iterator's next item ends it cancelled, and the CancelledError reaches the coroutine or async generator it wraps"""
        for shape, call in self.calls(found):
            with self.subTest(shape=shape):
                self.assertReturned(call, CANCELLED)
        self.assertNothingStray(found)

    @in_child(to_thread_result)
    def test_to_thread_runs_in_another_thread(self, found):
        """g4f's to_thread runs a sync callable in another thread and returns its result"""
        self.assertReturned(found, {"result": 3, "other thread": True})


class TestToSyncGenerator(ToSyncGeneratorChecks, CheckTestCase):
    pass


class TestToSyncGeneratorNestApplied(ToSyncGeneratorChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED


class TestToAsyncIterator(ToAsyncIteratorChecks, CheckTestCase):
    pass


class TestToAsyncIteratorUvloop(ToAsyncIteratorChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestToAsyncIteratorNestApplied(ToAsyncIteratorChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
