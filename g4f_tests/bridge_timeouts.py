"""Timeouts of the bridge (the clients' stream limits are in timeouts.py): to_sync_generator(timeout=...) and AsyncClient's stream_timeout / timeout (g4f's
wait_for between chunks). When one expires, the provider's pending await is cancelled (CancelledError inside the
provider, its generator closed) before the TimeoutError reaches the caller. At the edges: 0 or less is an
immediate TimeoutError, not "no limit"; None is no limit. A limit is in seconds: chunks that come well within it
all arrive."""

import asyncio
import importlib

from . import support
from .checks import CheckTestCase, in_child
from .known_defects import (
    TIMEOUT_IS_ASYNCIO_ERROR,
    TIMEOUT_WITHOUT_MESSAGE,
    TO_SYNC_GENERATOR_COLLECT_IGNORES_TIMEOUT,
    WAIT_FOR_LEAVES_PROVIDER_SUSPENDED,
    known,
)
from .observe import each, each_async
from .providers import CHUNKS, MESSAGES, NON_EMPTY, AsyncChunksProviderMock, HangingProviderMock, hanging_provider

# A timeout that expires on a provider that stops answering, and how long the slow provider takes to answer.
# (0 or less expires before a provider's first step and None never does: a quick provider tells them apart.)
EXPIRING = 0.01
SLOW = 0.02
# A limit that chunks GAP seconds apart stay far under (in seconds, as g4f documents it: not milliseconds).
WITHIN = 0.5
GAP = 0.005


class SlowProviderMock(AsyncChunksProviderMock):
    """Streams CHUNKS after SLOW seconds of silence: slower than EXPIRING, quick enough to wait for."""

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        await asyncio.sleep(SLOW)
        async for chunk in super().create_async_generator(model, messages, stream, **kwargs):
            yield chunk


class PacedProviderMock(AsyncChunksProviderMock):
    """Streams CHUNKS, each after GAP seconds: every wait far under a limit of WITHIN seconds."""

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        for chunk in CHUNKS:
            await asyncio.sleep(GAP)
            yield chunk


class StreamTimeoutPacedProviderMock(PacedProviderMock):
    use_stream_timeout = True


class StreamTimeoutHangingProviderMock(HangingProviderMock):
    use_stream_timeout = True  # AsyncClient applies stream_timeout to it, not timeout


class StreamTimeoutProviderMock(AsyncChunksProviderMock):
    use_stream_timeout = True


def when_it_failed(provider, error):
    """The error as the caller saw it, and the state of the provider at that moment (not waited for)."""
    kind = type(error)
    name = kind.__qualname__ if kind.__module__ == "builtins" else "%s.%s" % (kind.__module__, kind.__qualname__)
    found = {"error": "%s: %s" % (name, error)}
    if hasattr(provider, "cancelled"):
        cancelled, closed = provider.cancelled.is_set(), provider.closed.is_set()
        found["provider when the error reached the caller"] = (
            "cancelled and closed"
            if cancelled and closed
            else "cancelled, not closed" if cancelled else "still waiting"
        )
    return found


def timed_out(seconds):
    return "TimeoutError: The operation timed out after %s seconds" % seconds


def read(provider, timeout, stream=True):
    """to_sync_generator(the provider's generator, stream, timeout) read to its end, or to its error."""
    to_sync_generator = support.require_api("to_sync_generator_timeout", lambda: support.g4f_bridge().to_sync_generator)
    if isinstance(provider, type) and issubclass(provider, HangingProviderMock):
        provider = hanging_provider(provider)
    chunks = []
    try:
        for chunk in to_sync_generator(provider.create_async_generator("", MESSAGES, True), stream, timeout):
            chunks.append(chunk)
    except Exception as error:
        return dict(when_it_failed(provider, error), **{"chunks before the error": chunks})
    return {"chunks": chunks}


async def read_inside_the_loop(provider, timeout, stream=True):
    return read(provider, timeout, stream)


EXPIRED = {
    "error": timed_out(EXPIRING),
    "provider when the error reached the caller": "cancelled and closed",
    "chunks before the error": [CHUNKS[0]],
}
SYNC = {
    "timeout=%s, a generator that stops answering" % EXPIRING: ((HangingProviderMock, EXPIRING), EXPIRED),
    "timeout=0": ((AsyncChunksProviderMock, 0), {"error": timed_out(0), "chunks before the error": []}),
    "timeout=-1": ((AsyncChunksProviderMock, -1), {"error": timed_out(-1), "chunks before the error": []}),
    "timeout=None": ((AsyncChunksProviderMock, None), {"chunks": list(CHUNKS)}),
    "timeout=%s, chunks %s s apart" % (WITHIN, GAP): ((PacedProviderMock, WITHIN), {"chunks": list(CHUNKS)}),
}


def sync_timeouts():
    return each(read, {label: args for label, (args, _) in SYNC.items()})


def collect_with_timeout():
    return read(SlowProviderMock, EXPIRING, False)


async def timeout_inside_the_loop():
    """(callers_loop.py checks it where nest is applied)"""
    return await each_async(read_inside_the_loop, {"timeout=%s" % EXPIRING: (HangingProviderMock, EXPIRING)})


class TestToSyncGeneratorTimeout(CheckTestCase):
    @known(TIMEOUT_IS_ASYNCIO_ERROR, TIMEOUT_WITHOUT_MESSAGE)
    @in_child(sync_timeouts)
    def test_timeout_cancels_the_pending_await_first(self, found):
        """to_sync_generator(timeout=...) outside a loop: an expired timeout cancels the provider's pending await and closes it before TimeoutError reaches the caller; 0 or less is an immediate TimeoutError; None is no limit; chunks well within the limit all arrive"""
        for label, call, want in self.facts(found, lambda label: SYNC[label][1]):
            with self.subTest(call=label):
                self.assertReturned(call, want)

    @known(TO_SYNC_GENERATOR_COLLECT_IGNORES_TIMEOUT)
    @in_child(collect_with_timeout)
    def test_timeout_applies_without_streaming(self, found):
        """to_sync_generator(stream=False, timeout=...) raises TimeoutError on a generator slower than the timeout"""
        self.assertReturned(found, {"error": timed_out(EXPIRING), "chunks before the error": []})


async def async_client_stream(provider, **timeouts):
    """AsyncClient(stream=True) with ``timeouts``, read to its end or its error: the deltas, and the error."""
    support.require_api("wait_for", lambda: importlib.import_module("g4f.providers.base_provider").wait_for)
    AsyncClient = importlib.import_module("g4f.client").AsyncClient
    if issubclass(provider, HangingProviderMock):
        provider = hanging_provider(provider)
    deltas = []
    try:
        response = AsyncClient(provider=provider).chat.completions.create(MESSAGES, "", stream=True, **timeouts)
        async for chunk in response:
            if chunk.choices and chunk.choices[0].delta.content:
                deltas.append(chunk.choices[0].delta.content)
    except Exception as error:
        return dict(when_it_failed(provider, error), **{"deltas before the error": deltas})
    return {"deltas": deltas}


EXPIRED_STREAM = dict(
    {key: value for key, value in EXPIRED.items() if key != "chunks before the error"},
    **{"deltas before the error": [CHUNKS[0]]},
)
CLIENT = {
    "stream_timeout=%s" % EXPIRING: ((StreamTimeoutHangingProviderMock,), {"stream_timeout": EXPIRING}),
    "timeout=%s, a provider with use_stream_timeout = False"
    % EXPIRING: ((HangingProviderMock,), {"timeout": EXPIRING}),
    "stream_timeout=0": ((StreamTimeoutProviderMock,), {"stream_timeout": 0}),
    "stream_timeout=None": ((StreamTimeoutProviderMock,), {"stream_timeout": None}),
    "stream_timeout=%s, chunks %s s apart"
    % (WITHIN, GAP): ((StreamTimeoutPacedProviderMock,), {"stream_timeout": WITHIN}),
}
CLIENT_EXPECTED = {
    "stream_timeout=%s" % EXPIRING: EXPIRED_STREAM,
    "timeout=%s, a provider with use_stream_timeout = False" % EXPIRING: EXPIRED_STREAM,
    "stream_timeout=0": {"error": timed_out(0), "deltas before the error": []},
    "stream_timeout=None": {"deltas": NON_EMPTY},
    "stream_timeout=%s, chunks %s s apart" % (WITHIN, GAP): {"deltas": NON_EMPTY},
}


async def async_client_timeouts():
    found = {}
    for label, (args, timeouts) in CLIENT.items():
        found.update(await each_async(lambda *a, t=timeouts: async_client_stream(*a, **t), {label: args}))
    return found


class TestAsyncClientStreamTimeout(CheckTestCase):
    @known(TIMEOUT_IS_ASYNCIO_ERROR)
    @in_child(async_client_timeouts)
    def test_stream_timeout_cancels_the_pending_await_first(self, found):
        """AsyncClient streaming: an expired stream_timeout (or timeout, per use_stream_timeout) cancels the provider's pending await and closes it before the error reaches the caller; 0 is an immediate TimeoutError; None is no limit; chunks well within the limit all arrive"""
        for label, call, want in self.facts(found, CLIENT_EXPECTED.get):
            with self.subTest(call=label):
                self.assertReturned(call, want)


async def wait_for_closed_after_the_first_chunk(timeout):
    """g4f's wait_for (what AsyncClient streams through) closed by its consumer after the first chunk."""
    wait_for = support.require_api("wait_for", lambda: importlib.import_module("g4f.providers.base_provider").wait_for)
    provider = hanging_provider()
    stream = wait_for(provider.create_async_generator("", MESSAGES, True), timeout)
    first = await stream.__anext__()
    await stream.aclose()
    return {"first chunk": first, "provider after aclose()": "closed" if provider.closed.is_set() else "suspended"}


async def wait_for_closed_early():
    return await each_async(wait_for_closed_after_the_first_chunk, {"timeout=1": (1,), "timeout=None": (None,)})


class TestWaitFor(CheckTestCase):
    @known(WAIT_FOR_LEAVES_PROVIDER_SUSPENDED)
    @in_child(wait_for_closed_early)
    def test_closing_the_stream_closes_the_provider(self, found):
        """g4f's wait_for (AsyncClient's stream_timeout), with a timeout or without, closes the provider's generator when its consumer closes it"""
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, {"first chunk": CHUNKS[0], "provider after aclose()": "closed"})
