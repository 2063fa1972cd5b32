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
without one (as asyncio.timeout() raises it). Where a client raises an error of its own instead, the provider's
is not lost: it is the error raised or in its ``__cause__`` chain (what the known defects' workarounds rely on).
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
from .paths import ASYNC, SYNC, async_stream, describe, not_a_stream, outcome, outcome_async, require, start
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


def keeping(provider):
    """A subclass of ``provider`` (an async-generator provider of LIMITED) that keeps what it raises in ``raised``."""

    async def create_async_generator(cls, model, messages, stream, **kwargs):
        try:
            async for chunk in provider.create_async_generator.__func__(cls, model, messages, stream, **kwargs):
                yield chunk
        except Exception as error:
            cls.raised.append(error)
            raise

    attributes = {"raised": [], "create_async_generator": classmethod(create_async_generator)}
    return type(provider.__name__, (provider,), attributes)


IN_THE_CHAIN = "the provider's error was raised, or is in the __cause__ chain of what was"
CHAIN = "the __cause__ chain of what was raised: "  # then the chain, where the provider's error is not in it
NOTHING_RAISED = "the provider raised nothing; the caller got "  # then what it got (paths.describe)


def in_the_chain(provider, error):
    if not provider.raised:
        return NOTHING_RAISED + describe(error)
    chain, cause = [], error
    while cause is not None and len(chain) < 10:
        if any(cause is raised for raised in provider.raised):
            return IN_THE_CHAIN
        chain.append("%s: %s" % (type(cause).__name__, cause))
        cause = cause.__cause__
    return CHAIN + " <- ".join(chain)


def chain_of(api, provider):
    require(api, True)  # a missing API skips the call: it is not what the call raised
    provider = keeping(provider)
    try:
        for _ in start(api, provider, True, stream_timeout=STREAM_TIMEOUT):
            pass
    except Exception as error:
        return in_the_chain(provider, error)
    return "nothing was raised"


async def chain_of_async(api, provider):
    require(api, True)
    provider = keeping(provider)
    try:
        result = start(api, provider, True, stream_timeout=STREAM_TIMEOUT)
        chunks = await async_stream(api, result)
        if chunks is None:
            return not_a_stream(result)
        async for _ in chunks:
            pass
    except Exception as error:
        return in_the_chain(provider, error)
    return "nothing was raised"


def chain_cases(api):
    return {"%s, %s, the error's chain" % (api, name): (api, provider) for name, provider in LIMITED.items()}


def sync_failures():
    found = each(outcome_of, {label: (label,) + args for label, args in SYNC_CASES.items()})
    found.update(each(chain_of, chain_cases("Client")))
    return found


async def async_failures():
    found = await each_async(outcome_of_async, {label: (label,) + args for label, args in ASYNC_CASES.items()})
    found.update(await each_async(chain_of_async, chain_cases("AsyncClient")))
    return found


class ErrorChecks:
    def assertRaiseTheProviderError(self, found, cases):
        for label, call in self.calls(found):
            if label in cases:
                with self.subTest(call=label):
                    self.assertReturned(call, expected(*cases[label]))

    def assertProviderErrorInTheChain(self, found):
        for label, call in self.calls(found):
            if label.endswith(", the error's chain"):
                with self.subTest(call=label):
                    self.assertReturned(call, IN_THE_CHAIN)


class SyncErrorChecks(ErrorChecks):
    @known(PROVIDER_TIMEOUT_RENAMED)
    @in_child(sync_failures)
    def test_sync_apis_raise_the_provider_error(self, found):
        """ChatCompletion.create and Client, streamed or not, raise a failing provider's exception (its type and message), after the chunks it yielded, and never return part of an answer as a success"""
        self.assertRaiseTheProviderError(found, SYNC_CASES)

    @in_child(sync_failures)
    def test_client_stream_limit_keeps_the_provider_error_in_the_chain(self, found):
        """Client's stream with stream_timeout over a provider that fails (with its own TimeoutError too): the provider's error is the one raised or in its __cause__ chain"""
        self.assertProviderErrorInTheChain(found)


class AsyncErrorChecks(ErrorChecks):
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
        self.assertRaiseTheProviderError(found, ASYNC_CASES)

    @known(LIMIT_TYPE_ERROR, ASYNC_CLIENT_MISSING, ASYNC_CLIENT_IS_SYNC, ASYNC_CLIENT_SYNC_BRIDGE)
    @in_child(async_failures)
    def test_async_client_stream_limit_keeps_the_provider_error_in_the_chain(self, found):
        """AsyncClient's stream with stream_timeout over a provider that fails (with its own TimeoutError too): the provider's error is the one raised or in its __cause__ chain"""
        self.assertProviderErrorInTheChain(found)


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
