"""A provider that fails: every API raises its exception, of its type, to the caller; none returns part of the
answer as a success.

The providers fail before their first chunk (g4f's own RaiseExceptionProviderMock and
AsyncRaiseExceptionProviderMock, and an AsyncProvider) or after two chunks (a sync and an async-generator
provider). Through ChatCompletion.create / create_async and Client / AsyncClient, streamed and not:

- not streamed: the call raises the provider's exception (type and message) and returns nothing;
- streamed: the stream delivers the chunks the provider yielded before it failed (none, or CHUNKS[0] and
  CHUNKS[1]), then raises the provider's exception; the clients send no closing chunk.

The clients' streams also with a stream limit the provider never reaches (``stream_timeout``, g4f's wait_for
between chunks): the provider's exception still reaches the caller as it was raised, also when it is a
TimeoutError of the provider's own (an upstream's), which the limit must not take for its own, with a message or
without one (as asyncio.timeout() raises it).
"""

import asyncio

from . import regimes
from .checks import CheckTestCase, in_child
from .failing import AsyncFailingProviderMock, FailingAsyncProviderMock, FailingProviderMock, ProviderError
from .known_defects import (
    ASYNC_CLIENT_ASYNC_PROVIDER,
    ASYNC_CLIENT_IS_SYNC,
    ASYNC_CLIENT_MISSING,
    ASYNC_CLIENT_ONE_DELTA,
    ASYNC_CLIENT_SYNC_BRIDGE,
    ASYNC_CLIENT_USE_STREAM_TIMEOUT,
    ASYNC_STREAM_OF_SYNC_PROVIDER,
    LIMIT_TYPE_ERROR,
    PROVIDER_TIMEOUT_RENAMED,
    STREAM_LIMIT_NAMES_A_BARE_PROVIDER_TIMEOUT,
    STREAM_LIMIT_RENAMES_PROVIDER_TIMEOUT,
    known,
)
from .mocks import AsyncRaiseExceptionProviderMock, RaiseExceptionProviderMock
from .observe import each, each_async
from .paths import ASYNC, SYNC, outcome, outcome_async
from .providers import CHUNKS

STREAM_TIMEOUT = 30  # seconds: far more than the providers take, so the limit is never reached


class AsyncTimingOutProviderMock(AsyncFailingProviderMock):
    """An async-generator provider that yields CHUNKS[0] and CHUNKS[1], then fails with a TimeoutError of its own."""

    use_stream_timeout = True
    failure_type = TimeoutError


class AsyncBareTimeoutProviderMock(AsyncTimingOutProviderMock):
    """AsyncTimingOutProviderMock whose TimeoutError has no message, as asyncio.timeout() raises it."""

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        yield CHUNKS[0]
        await asyncio.sleep(0)
        yield CHUNKS[1]
        raise TimeoutError()


class StreamingRaiseExceptionProviderMock(RaiseExceptionProviderMock):
    """g4f's RaiseExceptionProviderMock, declaring that it streams: every API may then be asked for a stream
    (ChatCompletion refuses a stream from a provider that does not, before calling it)."""

    supports_stream = True


FAILING = {
    "sync provider failing before its first chunk": RaiseExceptionProviderMock,
    "async provider failing before answering": FailingAsyncProviderMock,
    "async-generator provider failing before its first chunk": AsyncRaiseExceptionProviderMock,
    "sync provider failing after two chunks": FailingProviderMock,
    "async-generator provider failing after two chunks": AsyncFailingProviderMock,
}
STREAMING = {RaiseExceptionProviderMock: StreamingRaiseExceptionProviderMock}
FAILING_AFTER_TWO_CHUNKS = (FailingProviderMock, AsyncFailingProviderMock)
G4F_MOCKS = (RaiseExceptionProviderMock, AsyncRaiseExceptionProviderMock)  # they raise RuntimeError, ours ProviderError


def failing_cases(apis):
    return {
        "%s, %s, %s"
        % (api, "stream" if stream else "not streamed", name): (
            api,
            STREAMING.get(provider, provider) if stream else provider,
            stream,
        )
        for api in apis
        for name, provider in FAILING.items()
        for stream in (False, True)
    }


# The clients' streams with stream_timeout: {label: (api, provider, True)}.
LIMITED = {
    "stream with stream_timeout, async-generator provider failing after two chunks": AsyncFailingProviderMock,
    "stream with stream_timeout, async-generator provider timing out itself after two chunks": (
        AsyncTimingOutProviderMock
    ),
    "stream with stream_timeout, async-generator provider timing out itself with no message after two chunks": (
        AsyncBareTimeoutProviderMock
    ),
}


def limited_cases(api):
    return {"%s, %s" % (api, name): (api, provider, True) for name, provider in LIMITED.items()}


SYNC_CASES = dict(failing_cases(SYNC), **limited_cases("Client"))
ASYNC_CASES = dict(failing_cases(ASYNC), **limited_cases("AsyncClient"))


def limited(label):
    """The keyword arguments of the case ``label``: the stream limit, for the LIMITED cases."""
    return {"stream_timeout": STREAM_TIMEOUT} if "stream_timeout" in label else {}


def expected(api, provider, stream):
    """What the caller of ``api`` must see: the provider's exception, after the chunks it yielded (streamed)."""
    error = RuntimeError if issubclass(provider, G4F_MOCKS) else getattr(provider, "failure_type", ProviderError)
    message = "" if provider is AsyncBareTimeoutProviderMock else provider.__name__
    raised = "%s.%s: %s" % (error.__module__, error.__qualname__, message)
    if not stream:
        return {"received": None, "raised": raised}
    return {"received": list(CHUNKS[:2]) if issubclass(provider, FAILING_AFTER_TWO_CHUNKS) else [], "raised": raised}


def outcome_of(label, api, provider, stream):
    return outcome(api, provider, stream, **limited(label))


async def outcome_of_async(label, api, provider, stream):
    return await outcome_async(api, provider, stream, **limited(label))


def sync_failures():
    return each(outcome_of, {label: (label,) + args for label, args in SYNC_CASES.items()})


async def async_failures():
    return await each_async(outcome_of_async, {label: (label,) + args for label, args in ASYNC_CASES.items()})


class SyncErrorChecks:
    @known(PROVIDER_TIMEOUT_RENAMED)
    @in_child(sync_failures)
    def test_sync_apis_raise_the_provider_error(self, found):
        """ChatCompletion.create and Client, streamed or not, raise a failing provider's exception (its type and message), after the chunks it yielded, and never return part of an answer as a success"""
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, expected(*SYNC_CASES[label]))


class AsyncErrorChecks:
    @known(
        ASYNC_CLIENT_USE_STREAM_TIMEOUT,
        ASYNC_STREAM_OF_SYNC_PROVIDER,
        ASYNC_CLIENT_ONE_DELTA,
        ASYNC_CLIENT_ASYNC_PROVIDER,
        ASYNC_CLIENT_MISSING,
        ASYNC_CLIENT_IS_SYNC,
        ASYNC_CLIENT_SYNC_BRIDGE,
        STREAM_LIMIT_RENAMES_PROVIDER_TIMEOUT,
        STREAM_LIMIT_NAMES_A_BARE_PROVIDER_TIMEOUT,
        LIMIT_TYPE_ERROR,
    )
    @in_child(async_failures)
    def test_async_apis_raise_the_provider_error(self, found):
        """ChatCompletion.create_async and AsyncClient, streamed or not, raise a failing provider's exception (its type and message), after the chunks it yielded, and never return part of an answer as a success"""
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, expected(*ASYNC_CASES[label]))


class TestErrors(SyncErrorChecks, CheckTestCase):
    pass


class TestErrorsNestApplied(SyncErrorChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED


class TestAsyncErrors(AsyncErrorChecks, CheckTestCase):
    pass


class TestAsyncErrorsUvloop(AsyncErrorChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestAsyncErrorsNestApplied(AsyncErrorChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
