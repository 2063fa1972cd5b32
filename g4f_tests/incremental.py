"""A stream is delivered as the provider produces it, and a consumer that stops early closes the provider.

Through every API that streams (ChatCompletion.create / create_async, Client / AsyncClient) over a sync and an
async-generator provider that counts the chunks it has produced and notes when its generator is closed, the
consumer takes one chunk and stops: a sync consumer breaks out of its loop and calls close(), an async one calls
aclose(). When the first chunk arrives, the provider must have produced that one only (no path reads ahead or
buffers the stream); once the consumer has closed the stream, the provider's generator must be closed (its
``finally`` ran): at once for a sync stream, within CLOSE_TIMEOUT for an async one (an async generator left
behind is closed by the event loop, a few turns later).

A client that ends the answer itself (``max_tokens=1``) stops reading the provider: Client and AsyncClient, streamed
and not, must close the provider's generator by the time the caller has the answer (not streamed) or the stream's
last chunk, within TURNS turns of the loop for AsyncClient (closing an async generator takes a few). The caller
keeps nothing but the answer, as callers write it (an awaitable kept would keep the client's generator alive).
"""

import asyncio

from . import regimes
from .cancellation import wait_for_event
from .checks import CheckTestCase, in_child
from .known_defects import (
    ASYNC_CLIENT_IS_SYNC,
    ASYNC_CLIENT_MISSING,
    ASYNC_CLIENT_ONE_DELTA,
    ASYNC_CLIENT_SYNC_BRIDGE,
    ASYNC_STREAM_OF_SYNC_PROVIDER,
    CLIENT_LEAVES_ASYNC_PROVIDER_OPEN,
    EARLY_CLOSE_LEAVES_PROVIDER_OPEN,
    known,
)
from .observe import each, each_async
from .paths import ASYNC, SYNC, async_stream, item, not_a_stream, start, text
from .providers import NON_EMPTY, counting_provider

CLOSE_TIMEOUT = 2.0
KINDS = ("sync provider", "async-generator provider")
INCREMENTAL = {"first": NON_EMPTY[0], "produced when it arrived": 1}
CLOSED = {"first": NON_EMPTY[0], "closed": True}


def stop_after_one_chunk(api, kind):
    provider = counting_provider(kind)
    stream = start(api, provider, stream=True)
    first = produced = None
    for chunk in stream:
        first, produced = item(chunk), provider.produced[0]
        break
    stream.close()
    return {"first": first, "produced when it arrived": produced, "closed": provider.closed.is_set()}


async def stop_after_one_chunk_async(api, kind):
    provider = counting_provider(kind)
    result = start(api, provider, stream=True)
    stream = await async_stream(api, result)
    if stream is None:
        return not_a_stream(result)
    first = produced = None
    async for chunk in stream:
        first, produced = item(chunk), provider.produced[0]
        break
    await stream.aclose()
    closed = await wait_for_event(provider.closed, CLOSE_TIMEOUT)
    return {"first": first, "produced when it arrived": produced, "closed": closed}


TURNS = 20
ENDED_BY_THE_CLIENT = {"answer": NON_EMPTY[0], "closed": True}


def ended_by_the_client(api, kind, stream):
    provider = counting_provider(kind)
    if stream:
        answer = "".join(item(chunk) or "" for chunk in start(api, provider, stream, max_tokens=1))
    else:
        answer = text(start(api, provider, stream, max_tokens=1))
    return {"answer": answer, "closed": provider.closed.is_set()}


async def ended_by_the_client_async(api, kind, stream):
    provider = counting_provider(kind)
    if stream:
        result = start(api, provider, stream, max_tokens=1)
        chunks = await async_stream(api, result)
        if chunks is None:
            return not_a_stream(result)
        answer = "".join([item(chunk) or "" async for chunk in chunks])
        del chunks, result
    else:  # as a caller writes it: what create returned, awaited at once and not kept
        answer = text(await start(api, provider, stream, max_tokens=1))
    for _ in range(TURNS):
        if provider.closed.is_set():
            break
        await asyncio.sleep(0)
    return {"answer": answer, "closed": provider.closed.is_set()}


def client_cases(api):
    return {
        "%s, %s, %s" % (api, "stream" if stream else "not streamed", kind): (api, kind, stream)
        for kind in KINDS
        for stream in (False, True)
    }


def sync_client_ends():
    return each(ended_by_the_client, client_cases("Client"))


async def async_client_ends():
    return await each_async(ended_by_the_client_async, client_cases("AsyncClient"))


def sync_stops():
    return each(stop_after_one_chunk, {"%s, %s" % (api, kind): (api, kind) for api in SYNC for kind in KINDS})


async def async_stops():
    cases = {"%s, %s" % (api, kind): (api, kind) for api in ASYNC for kind in KINDS}
    return await each_async(stop_after_one_chunk_async, cases)


class StopChecks:
    def assertEachReturned(self, found, expected):
        """Each call returned ``expected``'s keys with its values (two contracts read the same calls)."""
        for label, call in self.calls(found):
            with self.subTest(call=label):
                if isinstance(call.value, dict) and "returned" not in call.value:
                    call.value = {key: call.value.get(key) for key in expected}
                self.assertReturned(call, expected)


class SyncStopChecks(StopChecks):
    @in_child(sync_stops)
    def test_sync_stream_is_delivered_as_produced(self, found):
        """ChatCompletion.create(stream=True) and Client streams hand over the first chunk when the provider has produced that one only (no read-ahead, no buffering)"""
        self.assertEachReturned(found, INCREMENTAL)

    @known(EARLY_CLOSE_LEAVES_PROVIDER_OPEN)
    @in_child(sync_stops)
    def test_closing_a_sync_stream_closes_the_provider(self, found):
        """a consumer that breaks out of a ChatCompletion.create(stream=True) or Client stream after one chunk and closes it closes the provider's generator at once"""
        self.assertEachReturned(found, CLOSED)

    @known(CLIENT_LEAVES_ASYNC_PROVIDER_OPEN)
    @in_child(sync_client_ends)
    def test_client_ending_the_answer_closes_the_provider(self, found):
        """Client that ends the answer itself (max_tokens=1), streamed or not, has closed the provider's generator by the time the caller has the answer or the stream's last chunk"""
        self.assertEachReturned(found, ENDED_BY_THE_CLIENT)


ASYNC_STOP_DEFECTS = (
    ASYNC_STREAM_OF_SYNC_PROVIDER,
    ASYNC_CLIENT_ONE_DELTA,
    ASYNC_CLIENT_MISSING,
    ASYNC_CLIENT_IS_SYNC,
    ASYNC_CLIENT_SYNC_BRIDGE,
)


class AsyncStopChecks(StopChecks):
    @known(*ASYNC_STOP_DEFECTS)
    @in_child(async_stops)
    def test_async_stream_is_delivered_as_produced(self, found):
        """ChatCompletion.create_async(stream=True) and AsyncClient streams hand over the first chunk when the provider has produced that one only (no read-ahead, no buffering)"""
        self.assertEachReturned(found, INCREMENTAL)

    @known(*ASYNC_STOP_DEFECTS)
    @in_child(async_stops)
    def test_aclosing_an_async_stream_closes_the_provider(self, found):
        """a consumer that stops a ChatCompletion.create_async(stream=True) or AsyncClient stream after one chunk and calls aclose() closes the provider's generator promptly"""
        self.assertEachReturned(found, CLOSED)

    @known(*ASYNC_STOP_DEFECTS)
    @in_child(async_client_ends)
    def test_async_client_ending_the_answer_closes_the_provider(self, found):
        """AsyncClient that ends the answer itself (max_tokens=1), streamed or not, has closed the provider's generator within a few turns of the loop after the caller has the answer or the stream's last chunk"""
        self.assertEachReturned(found, ENDED_BY_THE_CLIENT)


class TestStops(SyncStopChecks, CheckTestCase):
    pass


class TestStopsNestApplied(SyncStopChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED


class TestAsyncStops(AsyncStopChecks, CheckTestCase):
    pass


class TestAsyncStopsUvloop(AsyncStopChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestAsyncStopsNestApplied(AsyncStopChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
