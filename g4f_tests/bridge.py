"""g4f's own bridge helpers (g4f.providers.asyncio) called directly: to_sync_generator, to_async_iterator, to_thread."""
import asyncio
import inspect
import threading
import unittest

from .mocks import CHUNKS, AsyncChunksProviderMock, make_hanging_provider
from .support import UvloopTestCase, run_in_thread, within

MESSAGES = [{"role": "user", "content": "Hello"}]
SHORT_TIMEOUT = 0.01  # what the timeout check gives a generator that never answers


def bridge(name, parameter=None):
    """A helper of g4f.providers.asyncio, or a skip naming what this g4f lacks."""
    try:
        import g4f.providers.asyncio as module
    except ImportError:
        raise unittest.SkipTest("g4f.providers.asyncio does not exist in this g4f")
    function = getattr(module, name, None)
    if function is None:
        raise unittest.SkipTest("g4f.providers.asyncio.%s does not exist in this g4f" % name)
    if parameter and parameter not in inspect.signature(function).parameters:
        raise unittest.SkipTest("g4f.providers.asyncio.%s takes no %r in this g4f" % (name, parameter))
    return function


def chunk_generator():
    return AsyncChunksProviderMock.create_async_generator("", MESSAGES, stream=True)


class TestToSyncGenerator(unittest.TestCase):
    def test_generator_with_timeout_yields_every_chunk(self):
        """to_sync_generator(async generator, timeout=...) outside a loop yields every chunk in order"""
        to_sync_generator = bridge("to_sync_generator", "timeout")
        chunks = run_in_thread(lambda: list(to_sync_generator(chunk_generator(), timeout=10)))
        self.assertEqual(chunks, list(CHUNKS))

    def test_timeout_expires_and_closes_generator(self):
        """to_sync_generator with a timeout raises TimeoutError on a generator that stops answering, and closes it"""
        to_sync_generator = bridge("to_sync_generator", "timeout")
        provider = make_hanging_provider()

        def consume():
            seen = []
            try:
                for chunk in to_sync_generator(provider.create_async_generator("", MESSAGES, stream=True),
                                               timeout=SHORT_TIMEOUT):
                    seen.append(chunk)
            except (TimeoutError, asyncio.TimeoutError) as error:
                return seen, error
            return seen, None

        seen, error = run_in_thread(consume)
        self.assertEqual(seen, [CHUNKS[0]])
        self.assertIsNotNone(error, "the generator stopped answering but no TimeoutError was raised")
        self.assertTrue(provider.closed.wait(1.0), "the generator was not closed after the timeout")


class ToAsyncIteratorChecks:
    """Bound below to the default loop and to uvloop."""

    async def test_to_async_iterator_accepts_every_shape(self):
        """to_async_iterator turns a str, bytes, a list, a coroutine and an async generator into the expected items"""
        to_async_iterator = bridge("to_async_iterator")

        async def coroutine():
            return "Mock"

        # Made one at a time, so a failing case leaves no unawaited coroutine behind.
        cases = [("str", lambda: "Mock", ["Mock"]), ("bytes", lambda: b"Mock", [b"Mock"]),
                 ("list", lambda: list(CHUNKS), list(CHUNKS)), ("coroutine", coroutine, ["Mock"]),
                 ("async generator", chunk_generator, list(CHUNKS))]
        for name, make, expected in cases:
            with self.subTest(shape=name):

                async def collect():
                    return [item async for item in to_async_iterator(make())]

                self.assertEqual(await within(collect()), expected)

    async def test_to_thread_runs_in_another_thread(self):
        """g4f's to_thread runs a sync callable in another thread and returns its result"""
        to_thread = bridge("to_thread")
        caller = threading.get_ident()
        result = await within(to_thread(lambda a, b=0: (a + b, threading.get_ident()), 1, b=2))
        self.assertEqual(result[0], 3)
        self.assertNotEqual(result[1], caller)


class TestToAsyncIterator(ToAsyncIteratorChecks, unittest.IsolatedAsyncioTestCase):
    pass


class TestToAsyncIteratorUvloop(ToAsyncIteratorChecks, UvloopTestCase):
    pass
