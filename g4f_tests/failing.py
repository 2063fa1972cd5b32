"""Our failing providers: ones that fail before answering or after some chunks, with an exception of our own type
(so that any other type reaching the caller shows), and what a sync call over each observed (chunks, then the error).
"""

import asyncio

from g4f.providers.base_provider import AbstractProvider, AsyncGeneratorProvider, AsyncProvider

from . import support
from .support import CHUNKS, MESSAGES


class ProviderError(Exception):
    """What our failing providers raise: a type of our own, so that a caller given any other type shows it."""


class FailingProviderMock(AbstractProvider):
    """A sync provider that yields CHUNKS[0] and CHUNKS[1], then fails."""

    working = True
    use_stream_timeout = False
    supports_stream = True

    @classmethod
    def create_completion(cls, model, messages, stream, **kwargs):
        yield CHUNKS[0]
        yield CHUNKS[1]
        raise ProviderError(cls.__name__)


class AsyncFailingProviderMock(AsyncGeneratorProvider):
    """An async-generator provider that yields CHUNKS[0] and CHUNKS[1], then fails with ``failure_type``."""

    working = True
    use_stream_timeout = False
    failure_type = ProviderError

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        yield CHUNKS[0]
        await asyncio.sleep(0)
        yield CHUNKS[1]
        raise cls.failure_type(cls.__name__)


class FailingAsyncProviderMock(AsyncProvider):
    """An AsyncProvider that fails instead of answering."""

    working = True
    use_stream_timeout = False
    supports_stream = True

    @classmethod
    async def create_async(cls, model, messages, **kwargs):
        await asyncio.sleep(0)
        raise ProviderError(cls.__name__)


class FailingGeneratorMock(AsyncGeneratorProvider):
    """Yields CHUNKS[0], then raises ``failure``."""

    working = True
    use_stream_timeout = False
    supports_stream = True
    failure = ValueError("g4f-tests: the provider failed")

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        yield CHUNKS[0]
        await asyncio.sleep(0)
        raise cls.failure


class NoStreamFailingGeneratorMock(FailingGeneratorMock):
    supports_stream = False


class ValueErrorAsyncProviderMock(AsyncProvider):
    """An AsyncProvider that raises ``failure`` instead of answering."""

    working = True
    use_stream_timeout = False
    failure = FailingGeneratorMock.failure

    @classmethod
    async def create_async(cls, model, messages, **kwargs):
        await asyncio.sleep(0)
        raise cls.failure


class TimingOutGeneratorMock(FailingGeneratorMock):
    """Fails with a TimeoutError of its own (its HTTP client timed out, say)."""

    failure = TimeoutError("g4f-tests: the provider's own timeout")


class RuntimeErrorAsyncProviderMock(ValueErrorAsyncProviderMock):
    failure = RuntimeError("g4f-tests: the provider failed")


def chunks_then_error(provider, stream=False, coroutine=False, cause=False):
    """The chunks a sync call handed out before the provider's exception, and that exception, in words; with
    ``cause``, also the exception it was raised from (``__cause__``), where that reads otherwise (a renamed error:
    the same error raised again from itself is the error, unchanged)."""
    chunks = []
    if coroutine:  # a skip on a g4f that predates it, not an error of the call
        to_sync_generator = support.require_api(
            "to_sync_generator_coroutine", lambda: support.g4f_bridge().to_sync_generator
        )
    try:
        if coroutine:
            chunks.extend(to_sync_generator(provider.create_async("", MESSAGES)))
        else:
            import g4f

            result = g4f.ChatCompletion.create(g4f.models.default, MESSAGES, provider, stream=stream)
            chunks.extend(result if stream else [result])  # a stream: one chunk at a time, up to the error
    except Exception as error:
        found = {"chunks before the error": chunks, "error": "%s: %s" % (type(error).__name__, error)}
        reason = error.__cause__
        if cause and reason is not None and "%s: %s" % (type(reason).__name__, reason) != found["error"]:
            found["cause"] = "%s: %s" % (type(reason).__name__, reason)
        return found
    return {"chunks": chunks}


# A sync call of each bridge path over a failing provider: (arguments of chunks_then_error, chunks before the error)
FAILED = "ValueError: g4f-tests: the provider failed"
FAILURES = {
    "create(stream=True), async generator": ((FailingGeneratorMock, True), [CHUNKS[0]]),
    "create, async generator": ((FailingGeneratorMock,), []),
    "create, async generator without streaming": ((NoStreamFailingGeneratorMock,), []),
    "create, AsyncProvider": ((ValueErrorAsyncProviderMock,), []),
    "to_sync_generator(coroutine)": ((ValueErrorAsyncProviderMock, False, True), []),
}


def failure_expected(label):
    return {"chunks before the error": FAILURES[label][1], "error": FAILED}
