"""Streaming through ChatCompletion: chunks arrive as chunks, exactly as the provider yielded them, in order."""
from . import regimes
from .checks import CheckTestCase, in_children
from .known_defects import ASYNC_STREAM_OF_SYNC_PROVIDER, known
from .providers import (CHUNKS, JOINED, AsyncChunksProviderMock, ChunksProviderMock,
                        NoStreamAsyncChunksProviderMock, create, create_async)
from .support import require_api

STREAMING = {"sync provider": (ChunksProviderMock,), "async-generator provider": (AsyncChunksProviderMock,)}
ALL = dict(STREAMING, **{"async generator with supports_stream = False": (NoStreamAsyncChunksProviderMock,)})


def sync_stream(provider):
    return create(provider, stream=True)


async def async_stream(provider):
    require_api("create_async_stream")
    return await create_async(provider, stream=True)


class SyncStreamingChecks:
    @in_children(sync_stream, STREAMING)
    def test_stream_yields_chunks_in_order(self, founds):
        """sync create(stream=True) returns an iterator of the provider's chunks, in order, none lost or repeated"""
        for provider, found in founds.items():
            with self.subTest(provider=provider):
                self.assertReturned(found, list(CHUNKS))

    @in_children(create, ALL)
    def test_create_joins_all_chunks(self, founds):
        """sync create without stream returns every chunk joined in order, also for a provider with supports_stream = False"""
        for provider, found in founds.items():
            with self.subTest(provider=provider):
                self.assertReturned(found, JOINED)


class AsyncStreamingChecks:
    @known(ASYNC_STREAM_OF_SYNC_PROVIDER)
    @in_children(async_stream, STREAMING)
    def test_create_async_stream_yields_chunks_in_order(self, founds):
        """create_async(stream=True) returns an async iterator of the provider's chunks, in order"""
        for provider, found in founds.items():
            with self.subTest(provider=provider):
                self.assertReturned(found, list(CHUNKS))

    @in_children(create_async, ALL)
    def test_create_async_joins_all_chunks(self, founds):
        """create_async without stream returns every chunk joined in order, also for a provider with supports_stream = False"""
        for provider, found in founds.items():
            with self.subTest(provider=provider):
                self.assertReturned(found, JOINED)


class TestSyncStreaming(SyncStreamingChecks, CheckTestCase):
    pass


class TestSyncStreamingNestApplied(SyncStreamingChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED


class TestAsyncStreaming(AsyncStreamingChecks, CheckTestCase):
    pass


class TestAsyncStreamingUvloop(AsyncStreamingChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestAsyncStreamingNestApplied(AsyncStreamingChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
