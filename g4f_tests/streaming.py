"""Streaming through ChatCompletion: chunks arrive as chunks, exactly as the provider yielded them, in order."""

from . import regimes
from .checks import CheckTestCase, in_child
from .known_defects import ASYNC_STREAM_OF_SYNC_PROVIDER, known
from .observe import each, each_async
from .providers import (
    CHUNKS,
    JOINED,
    AsyncChunksProviderMock,
    ChunksProviderMock,
    NoStreamAsyncChunksProviderMock,
    create,
    create_async,
)
from .support import require_api

STREAMING = {"sync provider": (ChunksProviderMock,), "async-generator provider": (AsyncChunksProviderMock,)}
ALL = dict(STREAMING, **{"async generator with supports_stream = False": (NoStreamAsyncChunksProviderMock,)})


def sync_streams():
    return each(create, {name: args + (True,) for name, args in STREAMING.items()})


def sync_creates():
    return each(create, ALL)


async def async_streams():
    require_api("create_async_stream")
    return await each_async(create_async, {name: args + (True,) for name, args in STREAMING.items()})


async def async_creates():
    return await each_async(create_async, ALL)


class SyncStreamingChecks:
    @in_child(sync_streams)
    def test_stream_yields_chunks_in_order(self, found):
        """sync create(stream=True) returns an iterator of the provider's chunks, in order, none lost or repeated"""
        for provider, call in self.calls(found):
            with self.subTest(provider=provider):
                self.assertReturned(call, list(CHUNKS))

    @in_child(sync_creates)
    def test_create_joins_all_chunks(self, found):
        """sync create without stream returns every chunk joined in order, also for a provider with supports_stream = False"""
        for provider, call in self.calls(found):
            with self.subTest(provider=provider):
                self.assertReturned(call, JOINED)


class AsyncStreamingChecks:
    @known(ASYNC_STREAM_OF_SYNC_PROVIDER)
    @in_child(async_streams)
    def test_create_async_stream_yields_chunks_in_order(self, found):
        """create_async(stream=True) returns an async iterator of the provider's chunks, in order"""
        for provider, call in self.calls(found):
            with self.subTest(provider=provider):
                self.assertReturned(call, list(CHUNKS))

    @in_child(async_creates)
    def test_create_async_joins_all_chunks(self, found):
        """create_async without stream returns every chunk joined in order, also for a provider with supports_stream = False"""
        for provider, call in self.calls(found):
            with self.subTest(provider=provider):
                self.assertReturned(call, JOINED)


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
