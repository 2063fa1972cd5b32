"""A provider that fails: every API raises its exception, of its type, to the caller; none returns part of the
answer as a success.

The providers fail before their first chunk (g4f's own RaiseExceptionProviderMock and
AsyncRaiseExceptionProviderMock, and an AsyncProvider) or after two chunks (a sync and an async-generator
provider). Through ChatCompletion.create / create_async and Client / AsyncClient, streamed and not:

- not streamed: the call raises the provider's exception (type and message) and returns nothing;
- streamed: the stream delivers the chunks the provider yielded before it failed (none, or CHUNKS[0] and
  CHUNKS[1]), then raises the provider's exception; the clients send no closing chunk.
"""

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
    known,
)
from .mocks import AsyncRaiseExceptionProviderMock, RaiseExceptionProviderMock
from .observe import each, each_async
from .paths import ASYNC, SYNC, outcome, outcome_async
from .providers import CHUNKS


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


SYNC_CASES = failing_cases(SYNC)
ASYNC_CASES = failing_cases(ASYNC)


def expected(api, provider, stream):
    """What the caller of ``api`` must see: the provider's exception, after the chunks it yielded (streamed)."""
    error = RuntimeError if issubclass(provider, G4F_MOCKS) else ProviderError
    raised = "%s.%s: %s" % (error.__module__, error.__qualname__, provider.__name__)
    if not stream:
        return {"received": None, "raised": raised}
    return {"received": list(CHUNKS[:2]) if issubclass(provider, FAILING_AFTER_TWO_CHUNKS) else [], "raised": raised}


def sync_failures():
    return each(outcome, SYNC_CASES)


async def async_failures():
    return await each_async(outcome_async, ASYNC_CASES)


class SyncErrorChecks:
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
