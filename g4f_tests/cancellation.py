"""Cancellation: cancelling create_async on a provider that never answers (an AsyncProvider's coroutine, an async
generator) ends the call promptly, and the CancelledError arrives inside the provider, which is then closed. The
same for a task reading AsyncClient's stream, with stream_timeout (g4f's limit on each wait, which must not take the
cancellation for the end of the stream) and without, and for create_async over a provider list (IterListProvider,
which must not take the cancellation for its provider's failure and go on to the next)."""

import asyncio
import importlib
import threading

from . import regimes, support
from .checks import CheckTestCase, in_child
from .known_defects import (
    ASYNC_CLIENT_BLOCKS_THE_LOOP,
    ASYNC_CLIENT_IS_SYNC,
    ASYNC_CLIENT_MISSING,
    ASYNC_CLIENT_SYNC_BRIDGE,
    ITER_LIST_PROVIDER_INFO_TYPE_ERROR,
    STREAM_LIMIT_LOSES_CANCELLATION,
    known,
)
from .paths import async_stream, not_a_stream, start
from .providers import (
    CHUNKS,
    AsyncChunksProviderMock,
    HangingAsyncProviderMock,
    HangingProviderMock,
    create_async,
    hanging_provider,
)

# How long cancel() may take to end the call and close the provider's generator.
CANCEL_TIMEOUT = 2.0
DONE = "cancelled promptly, CancelledError inside the provider, provider closed"


async def wait_for_event(event, timeout):
    """Wait for a threading.Event set on this loop, giving the loop turns meanwhile."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not event.is_set():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.001)
    return True


class ReleasableHangingProviderMock(HangingProviderMock):
    """HangingProviderMock that stops waiting once ``released`` is set (by the check, when it has its outcome): an
    AsyncClient that runs the provider on a loop nested in the caller's must get its loop back to end the check."""

    @classmethod
    async def wait(cls):
        while not cls.released.is_set():
            await asyncio.sleep(0.005)


class SilentHangingProviderMock(HangingProviderMock):
    """HangingProviderMock that waits before its first chunk, as a provider waiting for its upstream's answer."""

    @classmethod
    def before_waiting(cls):
        return ()


class LimitedHangingProviderMock(HangingProviderMock):
    use_stream_timeout = True  # AsyncClient limits each wait for its chunks by stream_timeout


LIMITS = {"stream_timeout": 30}  # far over how long a check waits: never expires, its wait_for only is cancelled


async def read_async_client_stream(provider, **limits):
    """AsyncClient(stream=True) read to its end (a provider that never ends: until cancelled)."""
    result = start("AsyncClient", provider, True, **limits)
    chunks = await async_stream("AsyncClient", result)
    if chunks is None:
        return not_a_stream(result)
    return [chunk.choices[0].delta.content async for chunk in chunks]


async def until_waiting_or_done(provider, task, timeout=None):
    """Wait until the provider waits or the task has ended; False if neither within ``timeout`` (support.TIMEOUT)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + (timeout or support.TIMEOUT)
    while not provider.waiting.is_set() and not task.done():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.001)
    return True


# What g4f's provider list reads of each provider, as g4f's own providers have it (ProviderModelMixin's).
MODELS = {"default_model": support.MODEL, "models": [support.MODEL], "model_aliases": {}}


def listed(provider):
    """An IterListProvider (g4f's provider list, as AnyProvider uses) of ``provider``, then one that answers at once:
    the list goes on to the second only where the first failed, never where its caller was cancelled."""
    iter_list = support.require_api(
        "iter_list_provider", lambda: importlib.import_module("g4f.providers.retry_provider").IterListProvider
    )
    providers = [type(base.__name__, (base,), dict(MODELS)) for base in (provider, AsyncChunksProviderMock)]
    return iter_list(providers, shuffle=False)


async def cancel_while_the_provider_waits(stream, base=None, reader=None, limits=None, in_a_list=False):
    """Start create_async (or ``reader(provider, **limits)``) on a provider that never answers (``in_a_list``: the
    first of an IterListProvider, see listed), cancel it while the provider waits; what happened, in words. A call
    that ended before: what it returned or raised."""
    limits = limits or {}
    if reader is not None:
        support.require_api("async_client")
    elif stream:
        support.require_api("create_async_stream")
    if limits:
        support.require_api("stream_timeout")
    provider = hanging_provider(base)
    provider.released = threading.Event()
    asked = listed(provider) if in_a_list else provider
    task = asyncio.ensure_future(reader(asked, **limits) if reader else create_async(asked, stream=stream))
    if not await until_waiting_or_done(provider, task):
        return "the provider never began to wait"
    await asyncio.sleep(0)
    if task.done():
        return task.result()  # the call's own outcome (it ended although the provider never finished)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=CANCEL_TIMEOUT)
    if not done:
        provider.released.set()  # a releasable provider ends: a loop it blocked comes back to this check
        return "the call did not end within %s s of cancel()" % CANCEL_TIMEOUT
    if not task.cancelled():
        return "cancel() did not end the call with CancelledError: %r" % (task.result(),)
    if not provider.cancelled.is_set():
        return "the call ended, but no CancelledError reached the provider"
    if not await wait_for_event(provider.closed, CANCEL_TIMEOUT):
        return "the provider was not closed after cancel()"
    return DONE


class ChunkCancellingProviderMock(LimitedHangingProviderMock):
    """Yields CHUNKS[0]; as it yields CHUNKS[1], it has its reader (``reader``, a task) cancelled, so that the
    cancellation lands as that chunk arrives; then waits forever, as HangingProviderMock."""

    reader = None

    @classmethod
    def before_waiting(cls):
        yield CHUNKS[0]
        asyncio.get_running_loop().call_soon(cls.reader.cancel)
        yield CHUNKS[1]


CANCELLED_WITH_A_CHUNK = "cancelled promptly, the provider closed"
LOST = "the cancellation was lost: the reader took the chunk that came with it and asked for the next"


async def cancel_as_a_chunk_arrives():
    """A task reading AsyncClient(stream=True, stream_timeout=30), cancelled as a chunk arrives: what happened."""
    support.require_api("stream_timeout")
    provider = hanging_provider(ChunkCancellingProviderMock)
    task = provider.reader = asyncio.ensure_future(read_async_client_stream(provider, **LIMITS))
    if not await until_waiting_or_done(provider, task, CANCEL_TIMEOUT):
        return "the reader did not end within %s s of the cancellation" % CANCEL_TIMEOUT
    for _ in range(20):  # the cancellation, if it is still coming, lands within a few turns of the loop
        if task.done():
            break
        await asyncio.sleep(0)
    if not task.done():  # it went on reading: cancel it again, for good, so that nothing is left behind
        task.cancel()
        await asyncio.wait({task}, timeout=CANCEL_TIMEOUT)
        return LOST
    if not task.cancelled():
        return "the reader ended without CancelledError: %r" % (task.result(),)
    if not await wait_for_event(provider.closed, CANCEL_TIMEOUT):
        return "the provider was not closed after the cancellation"
    return CANCELLED_WITH_A_CHUNK


class CancellationChecks:
    @in_child(cancel_while_the_provider_waits, False)
    def test_cancel_create_async(self, found):
        """cancelling create_async on an async-generator provider that never answers raises CancelledError promptly, inside the provider too, and closes it"""
        self.assertReturned(found, DONE)

    @in_child(cancel_while_the_provider_waits, False, HangingAsyncProviderMock)
    def test_cancel_create_async_of_an_async_provider(self, found):
        """cancelling create_async on an AsyncProvider that never answers raises CancelledError promptly, inside the provider's coroutine too"""
        self.assertReturned(found, DONE)

    @in_child(cancel_while_the_provider_waits, True)
    def test_cancel_create_async_stream(self, found):
        """cancelling a create_async(stream=True) consumer mid-stream raises CancelledError promptly, inside the provider too, and closes it"""
        self.assertReturned(found, DONE)

    @known(ITER_LIST_PROVIDER_INFO_TYPE_ERROR)
    @in_child(cancel_while_the_provider_waits, False, SilentHangingProviderMock, None, None, True)
    def test_cancel_create_async_over_a_provider_list(self, found):
        """cancelling create_async on an IterListProvider while its first provider waits for its first chunk raises CancelledError promptly, inside that provider too, and closes it: the list does not take the cancellation for a failure and go on to the next provider"""
        self.assertReturned(found, DONE)

    @known(ASYNC_CLIENT_MISSING, ASYNC_CLIENT_IS_SYNC, ASYNC_CLIENT_SYNC_BRIDGE, ASYNC_CLIENT_BLOCKS_THE_LOOP)
    @in_child(cancel_while_the_provider_waits, True, ReleasableHangingProviderMock, read_async_client_stream)
    def test_cancel_async_client_stream(self, found):
        """cancelling a task that reads AsyncClient(stream=True) mid-stream raises CancelledError promptly, inside the provider too, and closes it"""
        self.assertReturned(found, DONE)

    @in_child(cancel_while_the_provider_waits, True, LimitedHangingProviderMock, read_async_client_stream, LIMITS)
    def test_cancel_async_client_stream_with_a_stream_limit(self, found):
        """cancelling a task that reads AsyncClient(stream=True, stream_timeout=30) mid-stream raises CancelledError promptly, not the stream's end, inside the provider too, and closes it"""
        self.assertReturned(found, DONE)

    @known(STREAM_LIMIT_LOSES_CANCELLATION)
    @in_child(cancel_as_a_chunk_arrives)
    def test_cancelling_as_a_chunk_arrives_is_not_lost(self, found):
        """a task reading AsyncClient(stream=True, stream_timeout=30), cancelled just as a chunk arrives, ends with CancelledError promptly and closes the provider: the cancellation is not traded for the chunk (from Python 3.12 asyncio.wait_for runs the provider's step in the reader's own task, so the cancellation lands once the provider waits)"""
        self.assertReturned(found, CANCELLED_WITH_A_CHUNK)


class TestCancellation(CancellationChecks, CheckTestCase):
    pass


class TestCancellationUvloop(CancellationChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestCancellationNestApplied(CancellationChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
