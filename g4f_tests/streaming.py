"""Streaming through ChatCompletion: chunks arrive as chunks, in order, none lost or repeated.

The sync checks call g4f from a worker thread (no running loop there, as in plain sync code), so a
hung call fails its test with the place it hung at instead of stopping the run.
"""
import unittest

import g4f
from g4f import ChatCompletion

from .mocks import (CHUNKS, JOINED, AsyncChunksProviderMock, ChunksProviderMock,
                    NoStreamAsyncChunksProviderMock)
from .support import UvloopTestCase, require_g4f_api, run_in_thread, within

MESSAGES = [{"role": "user", "content": "Hello"}]
STREAMING = (ChunksProviderMock, AsyncChunksProviderMock)
ALL = STREAMING + (NoStreamAsyncChunksProviderMock,)


def text_chunks(chunks):
    """The str chunks of a stream (g4f may add non-text objects such as a finish reason)."""
    return [chunk for chunk in chunks if isinstance(chunk, str)]


def sync_stream(provider):
    result = ChatCompletion.create(g4f.models.default, MESSAGES, provider, stream=True)
    return result, (None if isinstance(result, str) else list(result))


class TestSyncStreaming(unittest.TestCase):
    def test_stream_yields_chunks_in_order(self):
        """sync create(stream=True) returns an iterator of the provider's chunks, in order, none lost or repeated"""
        for provider in STREAMING:
            with self.subTest(provider=provider.__name__):
                result, chunks = run_in_thread(sync_stream, provider)
                self.assertNotIsInstance(result, str, "stream=True returned the joined text, not chunks")
                self.assertEqual(text_chunks(chunks), list(CHUNKS))

    def test_create_joins_all_chunks(self):
        """sync create without stream returns every chunk joined in order, also for a provider with supports_stream = False"""
        for provider in ALL:
            with self.subTest(provider=provider.__name__):
                result = run_in_thread(ChatCompletion.create, g4f.models.default, MESSAGES, provider)
                self.assertEqual(result, JOINED)


class AsyncStreamingChecks:
    """Bound below to the default loop and to uvloop."""

    async def test_create_async_stream_yields_chunks_in_order(self):
        """create_async(stream=True) returns an async iterator of the provider's chunks, in order"""
        require_g4f_api("create_async_stream")
        for provider in STREAMING:
            with self.subTest(provider=provider.__name__):
                result = ChatCompletion.create_async(g4f.models.default, MESSAGES, provider, stream=True)
                self.assertTrue(hasattr(result, "__aiter__"), "create_async(stream=True) returned %r" % (result,))

                async def collect():
                    return [chunk async for chunk in result]

                self.assertEqual(text_chunks(await within(collect())), list(CHUNKS))

    async def test_create_async_joins_all_chunks(self):
        """create_async without stream returns every chunk joined in order, also for a provider with supports_stream = False"""
        for provider in ALL:
            with self.subTest(provider=provider.__name__):
                result = await within(ChatCompletion.create_async(g4f.models.default, MESSAGES, provider))
                self.assertEqual(result, JOINED)


class TestAsyncStreaming(AsyncStreamingChecks, unittest.IsolatedAsyncioTestCase):
    pass


class TestAsyncStreamingUvloop(AsyncStreamingChecks, UvloopTestCase):
    pass
